"""The funding request's table of status changes, tested as a table: every change from
every status (and from no request) to every status, for every role, in every state of the
episode, against the grid below."""

from itertools import product

import pytest

from collis.domain.funding import (
    FUNDING_CHANGES,
    FUNDING_FINAL,
    FUNDING_IN_PROGRESS,
    FundingRefused,
    FundingStatus,
    funding_may,
    funding_targets,
    funding_targets_open,
    next_funding_status,
)
from collis.domain.pathway import MoveRefused, State, Task, states_where

NEUROLOGIST, NEUROSURGEON, COORDINATOR = "neurologist", "neurosurgeon", "mdt_coordinator"
ROLES = sorted({NEUROLOGIST, NEUROSURGEON, "physiotherapist", "nurse_specialist",
                COORDINATOR, "auditor", "administrator", ""})
CURRENT = [None, *FundingStatus]

# (current, target): (the roles that may make the change, the episode's states it is made in)
WHO_MAY = {
    (None, FundingStatus.DRAFT): ({NEUROSURGEON, COORDINATOR},
                                  {State.MDT_DECIDED, State.FUNDING_DECLINED}),
    (FundingStatus.DRAFT, FundingStatus.SUBMITTED): (
        {NEUROSURGEON, COORDINATOR}, {State.MDT_DECIDED, State.FUNDING_DECLINED}),
    (FundingStatus.SUBMITTED, FundingStatus.APPROVED): ({COORDINATOR},
                                                        {State.FUNDING_REQUESTED}),
    (FundingStatus.SUBMITTED, FundingStatus.DECLINED): ({COORDINATOR},
                                                        {State.FUNDING_REQUESTED}),
}


def test_the_grid_names_every_change_of_the_table():
    assert {(c.source, c.target) for c in FUNDING_CHANGES} == set(WHO_MAY)


@pytest.mark.parametrize("current, target", list(product(CURRENT, FundingStatus)))
def test_who_may_make_each_change_whatever_the_episode(current, target):
    roles, _ = WHO_MAY.get((current, target), (set(), set()))
    assert {role for role in ROLES if funding_may(current, target, role)} == roles


@pytest.mark.parametrize("change, state", list(product(WHO_MAY, State)))
def test_who_may_make_each_change_in_each_state_of_the_episode(change, state):
    current, target = change
    roles, states = WHO_MAY[change]
    expected = roles if state in states else set()
    assert {role for role in ROLES if funding_may(current, target, role, state)} == expected


@pytest.mark.parametrize("current, targets", [
    (None, (FundingStatus.DRAFT,)),
    (FundingStatus.DRAFT, (FundingStatus.SUBMITTED,)),
    (FundingStatus.SUBMITTED, (FundingStatus.APPROVED, FundingStatus.DECLINED)),
    (FundingStatus.APPROVED, ()),
    (FundingStatus.DECLINED, ()),
])
def test_the_statuses_a_request_can_take_next(current, targets):
    assert funding_targets(current) == targets


def test_requests_in_progress_and_final_requests():
    assert set(FUNDING_IN_PROGRESS) == {FundingStatus.DRAFT, FundingStatus.SUBMITTED}
    assert set(FUNDING_FINAL) == {FundingStatus.APPROVED, FundingStatus.DECLINED}


def test_the_changes_open_to_a_role_now():
    submitted = FundingStatus.SUBMITTED
    assert funding_targets_open(submitted, COORDINATOR, State.FUNDING_REQUESTED) == (
        FundingStatus.APPROVED, FundingStatus.DECLINED)
    assert funding_targets_open(submitted, NEUROSURGEON, State.FUNDING_REQUESTED) == ()
    assert funding_targets_open(FundingStatus.DRAFT, NEUROSURGEON, State.LISTED) == ()


def test_drawing_up_a_request_is_open_where_requesting_funding_is():
    assert states_where(Task.DRAW_UP_FUNDING_REQUEST) == WHO_MAY[
        (FundingStatus.DRAFT, FundingStatus.SUBMITTED)][1]


@pytest.mark.parametrize("current, target, role, message", [
    (FundingStatus.DRAFT, FundingStatus.APPROVED, COORDINATOR,
     "A draft request cannot become approved. It can become submitted."),
    (FundingStatus.SUBMITTED, FundingStatus.DRAFT, COORDINATOR,
     "A submitted request cannot become draft. It can become approved or declined."),
    (FundingStatus.APPROVED, FundingStatus.DECLINED, COORDINATOR,
     "An approved request is final: its status changes no further."),
    (None, FundingStatus.SUBMITTED, COORDINATOR, "A funding request starts as a draft."),
    (FundingStatus.SUBMITTED, FundingStatus.APPROVED, NEUROSURGEON,
     "Your role cannot record funding approval."),
    (None, FundingStatus.DRAFT, NEUROLOGIST, "Your role cannot draw up a funding request."),
    ("lost", FundingStatus.DRAFT, COORDINATOR, "'lost' is not a status of a funding request."),
])
def test_refusals_say_what_is_allowed(current, target, role, message):
    with pytest.raises(FundingRefused) as refused:
        next_funding_status(current, target, role, reason="x")
    assert str(refused.value) == message
    assert refused.value.field == ""


def test_a_change_refused_by_the_episodes_state_says_what_the_pathway_allows():
    with pytest.raises(FundingRefused, match="Cannot request funding while the episode is "
                                             "at 'Listed for surgery'"):
        next_funding_status(FundingStatus.DRAFT, FundingStatus.SUBMITTED, COORDINATOR,
                            episode_state=State.LISTED)


def test_declining_needs_a_reason_and_names_the_field():
    with pytest.raises(FundingRefused, match="Give a reason") as refused:
        next_funding_status(FundingStatus.SUBMITTED, FundingStatus.DECLINED, COORDINATOR, " ")
    assert refused.value.field == "reason"
    assert next_funding_status(FundingStatus.SUBMITTED, FundingStatus.DECLINED, COORDINATOR,
                               "Criteria not met") is FundingStatus.DECLINED


def test_a_funding_refusal_is_a_pathway_refusal():
    assert issubclass(FundingRefused, MoveRefused)


def test_the_whole_route_of_a_request():
    status = None
    for target, state in [(FundingStatus.DRAFT, State.MDT_DECIDED),
                          (FundingStatus.SUBMITTED, State.MDT_DECIDED),
                          (FundingStatus.APPROVED, State.FUNDING_REQUESTED)]:
        status = next_funding_status(status, target, COORDINATOR, episode_state=state)
    assert status is FundingStatus.APPROVED

"""The pathway's transition table, tested as a table."""

import pytest

from collis.domain.pathway import (
    MOVES,
    TERMINAL,
    Event,
    MoveRefused,
    State,
    moves_from,
    next_state,
)

S, E = State, Event
# (from, event, role, to): every allowed move with one role that may make it.
ALLOWED = [
    (S.REFERRAL_RECEIVED, E.START_TRIAGE, "mdt_coordinator", S.TRIAGE),
    (S.TRIAGE, E.ACCEPT, "neurologist", S.WORK_UP),
    (S.TRIAGE, E.DECLINE, "neurosurgeon", S.DECLINED),
    (S.WORK_UP, E.COMPLETE_WORK_UP, "mdt_coordinator", S.AWAITING_MDT),
    (S.AWAITING_MDT, E.RECORD_MDT_DECISION, "mdt_coordinator", S.MDT_DECIDED),
    (S.MDT_DECIDED, E.REQUEST_FUNDING, "mdt_coordinator", S.FUNDING_REQUESTED),
    (S.FUNDING_DECLINED, E.REQUEST_FUNDING, "neurosurgeon", S.FUNDING_REQUESTED),
    (S.FUNDING_REQUESTED, E.APPROVE_FUNDING, "mdt_coordinator", S.FUNDING_APPROVED),
    (S.FUNDING_REQUESTED, E.DECLINE_FUNDING, "mdt_coordinator", S.FUNDING_DECLINED),
    (S.FUNDING_APPROVED, E.LIST_FOR_SURGERY, "neurosurgeon", S.LISTED),
    (S.LISTED, E.START_COUNSELLING, "nurse_specialist", S.COUNSELLING),
    (S.COUNSELLING, E.RECORD_CONSENT, "neurosurgeon", S.CONSENTED),
    (S.CONSENTED, E.RECORD_OPERATION, "neurosurgeon", S.OPERATED),
    (S.OPERATED, E.START_PHYSIOTHERAPY, "physiotherapist", S.POST_OPERATIVE_PHYSIOTHERAPY),
    (S.POST_OPERATIVE_PHYSIOTHERAPY, E.START_FOLLOW_UP, "physiotherapist", S.FOLLOW_UP),
    (S.FOLLOW_UP, E.DISCHARGE, "neurologist", S.DISCHARGED),
    (S.MDT_DECIDED, E.DISCHARGE, "neurosurgeon", S.DISCHARGED),
    (S.FUNDING_DECLINED, E.DISCHARGE, "neurologist", S.DISCHARGED),
    (S.LISTED, E.WITHDRAW, "mdt_coordinator", S.WITHDRAWN),
]


@pytest.mark.parametrize("current, event, role, target", ALLOWED)
def test_allowed_move_gives_the_next_state(current, event, role, target):
    assert next_state(current, event, role, reason="Agreed at clinic") == target


def test_every_move_in_the_table_is_covered_above():
    covered = {(c, e) for c, e, _, _ in ALLOWED}
    for move in MOVES:
        if move.event is not E.WITHDRAW:
            assert {(s, move.event) for s in move.sources} <= covered, move.event


@pytest.mark.parametrize("state", [s for s in State if s not in TERMINAL])
@pytest.mark.parametrize("event", list(Event))
def test_moves_not_in_the_table_are_refused_with_what_is_allowed(state, event):
    allowed = {m.event for m in moves_from(state)}
    if event in allowed:
        return
    with pytest.raises(MoveRefused) as refused:
        next_state(state, event, "neurosurgeon", reason="x")
    assert "the pathway allows" in str(refused.value)


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_nothing_leaves_a_terminal_state(state):
    assert moves_from(state) == ()


@pytest.mark.parametrize("current, event, role", [
    (S.COUNSELLING, E.RECORD_CONSENT, "physiotherapist"),
    (S.CONSENTED, E.RECORD_OPERATION, "neurologist"),
    (S.FUNDING_REQUESTED, E.APPROVE_FUNDING, "neurosurgeon"),
    (S.TRIAGE, E.ACCEPT, "mdt_coordinator"),
    (S.LISTED, E.WITHDRAW, "auditor"),
])
def test_role_not_allowed_is_refused(current, event, role):
    with pytest.raises(MoveRefused, match="Your role cannot"):
        next_state(current, event, role, reason="x")


@pytest.mark.parametrize("current, event, role", [
    (S.TRIAGE, E.DECLINE, "neurologist"),
    (S.FUNDING_REQUESTED, E.DECLINE_FUNDING, "mdt_coordinator"),
    (S.LISTED, E.WITHDRAW, "neurosurgeon"),
])
def test_moves_that_need_a_reason_refuse_without_one(current, event, role):
    with pytest.raises(MoveRefused, match="Give a reason"):
        next_state(current, event, role, reason="  ")


def test_unknown_event_is_refused():
    with pytest.raises(MoveRefused, match="not a step"):
        next_state(S.TRIAGE, "teleport", "neurologist")


def test_the_whole_surgical_route_reaches_follow_up():
    route = [(E.START_TRIAGE, "mdt_coordinator"), (E.ACCEPT, "neurologist"),
             (E.COMPLETE_WORK_UP, "mdt_coordinator"), (E.RECORD_MDT_DECISION, "mdt_coordinator"),
             (E.REQUEST_FUNDING, "mdt_coordinator"), (E.APPROVE_FUNDING, "mdt_coordinator"),
             (E.LIST_FOR_SURGERY, "neurosurgeon"), (E.START_COUNSELLING, "neurosurgeon"),
             (E.RECORD_CONSENT, "neurosurgeon"), (E.RECORD_OPERATION, "neurosurgeon"),
             (E.START_PHYSIOTHERAPY, "physiotherapist"), (E.START_FOLLOW_UP, "physiotherapist")]
    state = S.REFERRAL_RECEIVED
    for event, role in route:
        state = next_state(state, event, role, reason="ok")
    assert state is S.FOLLOW_UP

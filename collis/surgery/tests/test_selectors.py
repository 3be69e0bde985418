"""Whether a user may take a step of an episode now, and each role's worklist: asked of the
pathway tables (collis/domain/pathway.py)."""

import pytest

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import ActivityRefused, Event, MoveRefused, State, Task
from collis.surgery import selectors
from collis.surgery.tests.factories import episode_at

pytestmark = pytest.mark.django_db


def test_a_user_may_take_a_step_the_table_opens_to_their_role_in_the_episodes_state(sites):
    episode = episode_at(State.LISTED)
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    assert selectors.step_open(episode=episode, step=Task.RECORD_COUNSELLING, user=nurse)
    assert selectors.step_refusal(episode=episode, step=Event.RECORD_CONSENT, user=nurse) == (
        "Cannot record consent while the episode is at 'Listed for surgery'. From there the "
        "pathway allows: start counselling, withdraw (the patient's choice).")


def test_step_check_raises_the_tables_refusal(sites):
    episode = episode_at(State.AWAITING_MDT)
    physio = UserFactory(role=Role.PHYSIOTHERAPIST)
    with pytest.raises(ActivityRefused, match="Your role cannot put the episode on"):
        selectors.step_check(episode=episode, step=Task.ADD_TO_MDT_AGENDA, user=physio)
    with pytest.raises(MoveRefused, match="Cannot record the operation"):
        selectors.step_check(episode=episode, step=Event.RECORD_OPERATION, user=physio)


def test_an_inactive_account_may_take_no_step(sites):
    episode = episode_at(State.TRIAGE)
    neurologist = UserFactory(role=Role.NEUROLOGIST, is_active=False)
    assert selectors.role_of(neurologist) == ""
    assert not selectors.step_open(episode=episode, step=Event.ACCEPT, user=neurologist)


@pytest.mark.parametrize("role, state, shown", [
    (Role.MDT_COORDINATOR, State.FUNDING_DECLINED, True),
    (Role.NEUROLOGIST, State.MDT_DECIDED, False),
    (Role.NURSE_SPECIALIST, State.FOLLOW_UP, True),
    (Role.NURSE_SPECIALIST, State.POST_OPERATIVE_PHYSIOTHERAPY, False),
    (Role.AUDITOR, State.TRIAGE, False),
])
def test_the_worklist_holds_the_states_the_table_puts_on_the_role(sites, role, state, shown):
    episode = episode_at(state)
    user = UserFactory(role=role)
    rows = selectors.worklist(user=user, actor=Actor.command_line(user))
    assert (episode in rows) is shown

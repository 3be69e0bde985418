"""Which pages of other apps an episode links to, and that pages and the pathway table agree
on who may do what."""

import pytest

from collis.core.roles import ROLE_CAPABILITIES, Capability
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import ACTIVITY_BY_TASK, MOVE_BY_EVENT, Event, State, Task
from collis.surgery.presenters import episode_pages
from collis.surgery.tests.factories import episode_at

# The capability of the page on which each step is taken.
PAGE_OF_STEP = {
    Task.RECORD_COUNSELLING: Capability.COUNSELLING_RECORD,
    Event.RECORD_CONSENT: Capability.CONSENT_RECORD,
    Event.RECORD_OPERATION: Capability.OPERATION_RECORD,
    Event.START_PHYSIOTHERAPY: Capability.PHYSIO_PROGRAMME_RECORD,
    Task.RECORD_PHYSIO_SESSION: Capability.PHYSIO_PROGRAMME_RECORD,
    Event.START_FOLLOW_UP: Capability.FOLLOW_UP_RECORD,
    Task.RECORD_FOLLOW_UP_REVIEW: Capability.FOLLOW_UP_RECORD,
    Event.RECORD_MDT_DECISION: Capability.MDT_RECORD,
    Task.ADD_TO_MDT_AGENDA: Capability.MDT_RECORD,
    Task.CORRECT_MDT_DECISION: Capability.MDT_RECORD,
    Task.DRAW_UP_FUNDING_REQUEST: Capability.FUNDING_RECORD,
    Event.REQUEST_FUNDING: Capability.FUNDING_RECORD,
    Event.APPROVE_FUNDING: Capability.FUNDING_RECORD,
    Event.DECLINE_FUNDING: Capability.FUNDING_RECORD,
}


@pytest.mark.parametrize("step, capability", PAGE_OF_STEP.items())
def test_everyone_the_table_lets_take_a_step_can_open_its_page(step, capability):
    row = MOVE_BY_EVENT[step] if isinstance(step, Event) else ACTIVITY_BY_TASK[step]
    with_page = {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}
    assert row.roles <= with_page


@pytest.mark.django_db
@pytest.mark.parametrize("state, shown", [
    (State.LISTED, []),
    (State.CONSENTED, ["Operation note"]),
    (State.OPERATED, ["Operation note", "Physiotherapy after surgery"]),
    (State.POST_OPERATIVE_PHYSIOTHERAPY, ["Operation note", "Physiotherapy after surgery",
                                          "Follow-up and outcome"]),
    (State.DISCHARGED, ["Operation note", "Physiotherapy after surgery",
                        "Follow-up and outcome"]),
    (State.WITHDRAWN, []),
])
def test_pages_after_surgery_are_linked_from_the_step_that_opens_them(sites, state, shown):
    episode = episode_at(state)
    pages = [p["text"] for p in episode_pages(episode, UserFactory(role="neurologist"))]
    assert pages == ["MDT decisions", "Funding request", "Counselling and consent", *shown]

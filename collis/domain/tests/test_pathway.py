"""The pathway's tables (moves, and work within a state), tested as tables: every step,
state and role against the grid below, which is the specification they must match."""

from itertools import product

import pytest

from collis.domain.pathway import (
    ACTIVITIES,
    MOVE_BY_EVENT,
    MOVES,
    TERMINAL,
    ActivityRefused,
    Event,
    MoveRefused,
    State,
    Task,
    check_may,
    first_move,
    may,
    moves_from,
    next_state,
    refusal,
    states_awaiting,
    states_since,
    states_where,
)

NEUROLOGIST, NEUROSURGEON, PHYSIO = "neurologist", "neurosurgeon", "physiotherapist"
NURSE, COORDINATOR = "nurse_specialist", "mdt_coordinator"
DOCTORS = {NEUROLOGIST, NEUROSURGEON}
CLINICAL = DOCTORS | {PHYSIO, NURSE}
# Every role of the application, and no role at all: the auditor and the administrator
# take no step of the pathway.
ROLES = sorted(CLINICAL | {COORDINATOR, "auditor", "administrator", ""})
OPEN_STATES = {s for s in State if s not in TERMINAL}

# From the operation on, discharge included; never once withdrawn or declined.
AFTER_SD = {State.OPERATED, State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP,
            State.DISCHARGED}

# (step, the states it may be taken in, the roles that may take it): the whole grid.
WHO_MAY = {
    Event.START_TRIAGE: ({State.REFERRAL_RECEIVED}, DOCTORS | {COORDINATOR}),
    Event.ACCEPT: ({State.TRIAGE}, DOCTORS),
    Event.DECLINE: ({State.TRIAGE}, DOCTORS),
    Event.COMPLETE_WORK_UP: ({State.WORK_UP}, DOCTORS | {COORDINATOR}),
    Event.RECORD_MDT_DECISION: ({State.AWAITING_MDT}, DOCTORS | {COORDINATOR}),
    Event.REQUEST_FUNDING: ({State.MDT_DECIDED, State.FUNDING_DECLINED},
                            {NEUROSURGEON, COORDINATOR}),
    Event.APPROVE_FUNDING: ({State.FUNDING_REQUESTED}, {COORDINATOR}),
    Event.DECLINE_FUNDING: ({State.FUNDING_REQUESTED}, {COORDINATOR}),
    Event.LIST_FOR_SURGERY: ({State.FUNDING_APPROVED}, {NEUROSURGEON, COORDINATOR}),
    Event.START_COUNSELLING: ({State.LISTED}, {NEUROSURGEON, NURSE}),
    Event.RECORD_CONSENT: ({State.COUNSELLING}, {NEUROSURGEON}),
    Event.RECORD_OPERATION: ({State.CONSENTED}, {NEUROSURGEON}),
    Event.START_PHYSIOTHERAPY: ({State.OPERATED}, {PHYSIO, NEUROSURGEON}),
    Event.START_FOLLOW_UP: ({State.POST_OPERATIVE_PHYSIOTHERAPY}, CLINICAL),
    Event.DISCHARGE: ({State.MDT_DECIDED, State.FUNDING_DECLINED, State.FOLLOW_UP}, DOCTORS),
    Event.WITHDRAW: (OPEN_STATES, CLINICAL | {COORDINATOR}),
    Task.RECORD_COUNSELLING: ({State.LISTED, State.COUNSELLING}, {NEUROSURGEON, NURSE}),
    Task.ADD_TO_MDT_AGENDA: ({State.AWAITING_MDT}, DOCTORS | {COORDINATOR}),
    Task.CORRECT_MDT_DECISION: ({State.MDT_DECIDED}, DOCTORS | {COORDINATOR}),
    Task.DRAW_UP_FUNDING_REQUEST: ({State.MDT_DECIDED, State.FUNDING_DECLINED},
                                   {NEUROSURGEON, COORDINATOR}),
    Task.RECORD_PHYSIO_SESSION: ({State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP},
                                 {PHYSIO, NEUROSURGEON}),
    Task.RECORD_FOLLOW_UP_REVIEW: ({State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP},
                                   CLINICAL),
    Task.RECORD_COMPLICATION: (AFTER_SD, CLINICAL),
    Task.RECORD_FURTHER_SURGERY: (AFTER_SD, CLINICAL),
}
STEPS = [*Event, *Task]

# (from, event, role, to): every allowed move with one role that may make it.
ALLOWED = [
    (State.REFERRAL_RECEIVED, Event.START_TRIAGE, COORDINATOR, State.TRIAGE),
    (State.TRIAGE, Event.ACCEPT, NEUROLOGIST, State.WORK_UP),
    (State.TRIAGE, Event.DECLINE, NEUROSURGEON, State.DECLINED),
    (State.WORK_UP, Event.COMPLETE_WORK_UP, COORDINATOR, State.AWAITING_MDT),
    (State.AWAITING_MDT, Event.RECORD_MDT_DECISION, COORDINATOR, State.MDT_DECIDED),
    (State.MDT_DECIDED, Event.REQUEST_FUNDING, COORDINATOR, State.FUNDING_REQUESTED),
    (State.FUNDING_DECLINED, Event.REQUEST_FUNDING, NEUROSURGEON, State.FUNDING_REQUESTED),
    (State.FUNDING_REQUESTED, Event.APPROVE_FUNDING, COORDINATOR, State.FUNDING_APPROVED),
    (State.FUNDING_REQUESTED, Event.DECLINE_FUNDING, COORDINATOR, State.FUNDING_DECLINED),
    (State.FUNDING_APPROVED, Event.LIST_FOR_SURGERY, NEUROSURGEON, State.LISTED),
    (State.LISTED, Event.START_COUNSELLING, NURSE, State.COUNSELLING),
    (State.COUNSELLING, Event.RECORD_CONSENT, NEUROSURGEON, State.CONSENTED),
    (State.CONSENTED, Event.RECORD_OPERATION, NEUROSURGEON, State.OPERATED),
    (State.OPERATED, Event.START_PHYSIOTHERAPY, PHYSIO, State.POST_OPERATIVE_PHYSIOTHERAPY),
    (State.POST_OPERATIVE_PHYSIOTHERAPY, Event.START_FOLLOW_UP, PHYSIO, State.FOLLOW_UP),
    (State.FOLLOW_UP, Event.DISCHARGE, NEUROLOGIST, State.DISCHARGED),
    (State.MDT_DECIDED, Event.DISCHARGE, NEUROSURGEON, State.DISCHARGED),
    (State.FUNDING_DECLINED, Event.DISCHARGE, NEUROLOGIST, State.DISCHARGED),
    (State.LISTED, Event.WITHDRAW, COORDINATOR, State.WITHDRAWN),
]


# --- next_state: the moves ----------------------------------------------------------------

@pytest.mark.parametrize("current, event, role, target", ALLOWED)
def test_allowed_move_gives_the_next_state(current, event, role, target):
    assert next_state(current, event, role, reason="Agreed at clinic") == target


def test_every_move_in_the_table_is_covered_above():
    covered = {(c, e) for c, e, _, _ in ALLOWED}
    for move in MOVES:
        if move.event is not Event.WITHDRAW:
            assert {(s, move.event) for s in move.sources} <= covered, move.event


@pytest.mark.parametrize("state", [s for s in State if s not in TERMINAL])
@pytest.mark.parametrize("event", list(Event))
def test_moves_not_in_the_table_are_refused_with_what_is_allowed(state, event):
    allowed = {m.event for m in moves_from(state)}
    if event in allowed:
        return
    with pytest.raises(MoveRefused) as refused:
        next_state(state, event, NEUROSURGEON, reason="x")
    assert "the pathway allows" in str(refused.value)


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_nothing_leaves_a_terminal_state(state):
    assert moves_from(state) == ()


@pytest.mark.parametrize("current, event, role", [
    (State.COUNSELLING, Event.RECORD_CONSENT, PHYSIO),
    (State.CONSENTED, Event.RECORD_OPERATION, NEUROLOGIST),
    (State.FUNDING_REQUESTED, Event.APPROVE_FUNDING, NEUROSURGEON),
    (State.TRIAGE, Event.ACCEPT, COORDINATOR),
    (State.LISTED, Event.WITHDRAW, "auditor"),
])
def test_role_not_allowed_is_refused(current, event, role):
    with pytest.raises(MoveRefused, match="Your role cannot"):
        next_state(current, event, role, reason="x")


@pytest.mark.parametrize("current, event, role", [
    (State.TRIAGE, Event.DECLINE, NEUROLOGIST),
    (State.FUNDING_REQUESTED, Event.DECLINE_FUNDING, COORDINATOR),
    (State.LISTED, Event.WITHDRAW, NEUROSURGEON),
])
def test_moves_that_need_a_reason_refuse_without_one(current, event, role):
    with pytest.raises(MoveRefused, match="Give a reason") as refused:
        next_state(current, event, role, reason="  ")
    assert refused.value.field == "reason"


def test_unknown_event_is_refused():
    with pytest.raises(MoveRefused, match="not a step"):
        next_state(State.TRIAGE, "teleport", NEUROLOGIST)


def test_the_whole_surgical_route_reaches_follow_up():
    route = [(Event.START_TRIAGE, COORDINATOR), (Event.ACCEPT, NEUROLOGIST),
             (Event.COMPLETE_WORK_UP, COORDINATOR), (Event.RECORD_MDT_DECISION, COORDINATOR),
             (Event.REQUEST_FUNDING, COORDINATOR), (Event.APPROVE_FUNDING, COORDINATOR),
             (Event.LIST_FOR_SURGERY, NEUROSURGEON), (Event.START_COUNSELLING, NEUROSURGEON),
             (Event.RECORD_CONSENT, NEUROSURGEON), (Event.RECORD_OPERATION, NEUROSURGEON),
             (Event.START_PHYSIOTHERAPY, PHYSIO), (Event.START_FOLLOW_UP, PHYSIO)]
    state = State.REFERRAL_RECEIVED
    for event, role in route:
        state = next_state(state, event, role, reason="ok")
    assert state is State.FOLLOW_UP


# --- may: every step x state x role ---------------------------------------------------

def test_the_grid_names_every_step():
    assert set(WHO_MAY) == set(STEPS)


@pytest.mark.parametrize("step, state", list(product(STEPS, State)))
def test_who_may_take_each_step_in_each_state(step, state):
    states, roles = WHO_MAY[step]
    expected = set(roles) if state in states else set()
    assert {role for role in ROLES if may(role, step, state)} == expected
    for role in ROLES:
        assert (refusal(role, step, state) == "") is (role in expected)


@pytest.mark.parametrize("step", STEPS)
def test_states_where_gives_the_states_of_the_grid(step):
    assert states_where(step) == WHO_MAY[step][0]


@pytest.mark.parametrize("step, state", [
    (Task.RECORD_COUNSELLING, State.AWAITING_MDT),
    (Task.RECORD_PHYSIO_SESSION, State.DISCHARGED),
    (Task.CORRECT_MDT_DECISION, State.FUNDING_REQUESTED),
])
def test_work_in_the_wrong_state_is_refused_saying_where_it_is_done(step, state):
    with pytest.raises(ActivityRefused) as refused:
        check_may(NEUROSURGEON, step, state)
    message = str(refused.value)
    assert message.startswith("Cannot ") and "while the episode is at" in message
    assert "that is done while it is at" in message


@pytest.mark.parametrize("task", [Task.RECORD_COMPLICATION, Task.RECORD_FURTHER_SURGERY])
def test_what_follows_the_operation_is_recorded_from_it_on_but_not_after_withdrawal(task):
    assert states_where(task) == states_since(Event.START_PHYSIOTHERAPY)
    for state in (State.CONSENTED, State.WITHDRAWN, State.DECLINED):
        with pytest.raises(ActivityRefused, match="that is done while it is at 'Operated', "
                                                  "'Post-operative physiotherapy', "
                                                  "'Follow-up' or 'Discharged'"):
            check_may(NEUROLOGIST, task, state)
    with pytest.raises(ActivityRefused, match="^Your role cannot record a"):
        check_may(COORDINATOR, task, State.FOLLOW_UP)
    assert first_move(task, State.OPERATED) is None


def test_work_refusals_name_the_states_in_pathway_order():
    assert refusal(NURSE, Task.RECORD_COUNSELLING, State.AWAITING_MDT) == (
        "Cannot record counselling while the episode is at 'Awaiting MDT': that is done "
        "while it is at 'Listed for surgery' or 'Counselling'.")


@pytest.mark.parametrize("role, step, state", [
    (PHYSIO, Task.RECORD_COUNSELLING, State.COUNSELLING),
    (NURSE, Task.RECORD_PHYSIO_SESSION, State.FOLLOW_UP),
    (PHYSIO, Task.ADD_TO_MDT_AGENDA, State.AWAITING_MDT),
    (NEUROLOGIST, Task.DRAW_UP_FUNDING_REQUEST, State.MDT_DECIDED),
])
def test_work_by_a_role_not_allowed_is_refused(role, step, state):
    with pytest.raises(ActivityRefused, match="^Your role cannot"):
        check_may(role, step, state)


def test_a_move_refusal_is_a_move_refused_and_a_work_refusal_is_an_activity_refused():
    with pytest.raises(MoveRefused) as refused:
        check_may(NEUROLOGIST, Event.RECORD_CONSENT, State.COUNSELLING)
    assert not isinstance(refused.value, ActivityRefused)
    assert issubclass(ActivityRefused, MoveRefused)


def test_may_does_not_ask_for_the_reason_a_move_needs():
    assert may(NEUROLOGIST, Event.DISCHARGE, State.FOLLOW_UP)


def test_an_unknown_step_is_refused():
    with pytest.raises(MoveRefused, match="not a step"):
        may(NEUROLOGIST, "teleport", State.TRIAGE)


def test_moves_and_work_have_different_names():
    assert not {e.value for e in Event} & {t.value for t in Task}


# --- work that starts with a move -------------------------------------------------------

@pytest.mark.parametrize("task, state, event", [
    (Task.RECORD_COUNSELLING, State.LISTED, Event.START_COUNSELLING),
    (Task.RECORD_COUNSELLING, State.COUNSELLING, None),
    (Task.RECORD_FOLLOW_UP_REVIEW, State.POST_OPERATIVE_PHYSIOTHERAPY, Event.START_FOLLOW_UP),
    (Task.RECORD_FOLLOW_UP_REVIEW, State.FOLLOW_UP, None),
    (Task.RECORD_PHYSIO_SESSION, State.POST_OPERATIVE_PHYSIOTHERAPY, None),
    (Task.ADD_TO_MDT_AGENDA, State.AWAITING_MDT, None),
])
def test_the_first_move_work_makes(task, state, event):
    move = first_move(task, state)
    assert (move.event if move else None) == event


@pytest.mark.parametrize("activity", ACTIVITIES, ids=lambda a: a.task)
def test_whoever_may_do_work_that_starts_with_a_move_may_make_the_move(activity):
    if activity.starts_with is not None:
        assert activity.roles <= MOVE_BY_EVENT[activity.starts_with].roles


# --- worklists ---------------------------------------------------------------------------

WORKLISTS = {
    COORDINATOR: {State.REFERRAL_RECEIVED, State.WORK_UP, State.AWAITING_MDT,
                  State.MDT_DECIDED, State.FUNDING_REQUESTED, State.FUNDING_APPROVED,
                  State.FUNDING_DECLINED},
    NEUROLOGIST: {State.TRIAGE, State.FOLLOW_UP},
    NEUROSURGEON: {State.TRIAGE, State.LISTED, State.COUNSELLING, State.CONSENTED},
    NURSE: {State.LISTED, State.FOLLOW_UP},
    PHYSIO: {State.OPERATED, State.POST_OPERATIVE_PHYSIOTHERAPY},
    "auditor": set(),
    "administrator": set(),
    "": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_worklist(role):
    assert states_awaiting(role) == WORKLISTS[role]


def test_every_open_state_is_on_someones_worklist():
    waiting = set().union(*(states_awaiting(role) for role in ROLES))
    assert waiting == OPEN_STATES


@pytest.mark.parametrize("row", [*MOVES, *ACTIVITIES],
                         ids=lambda row: str(getattr(row, "event", None) or row.task))
def test_a_step_waits_only_on_roles_that_may_take_it(row):
    assert row.worklist <= row.roles


# --- which states a step's page has something to show in --------------------------------

@pytest.mark.parametrize("step, states", [
    (Event.RECORD_OPERATION, {State.CONSENTED, State.OPERATED,
                              State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP,
                              State.DISCHARGED}),
    (Event.START_PHYSIOTHERAPY, {State.OPERATED, State.POST_OPERATIVE_PHYSIOTHERAPY,
                                 State.FOLLOW_UP, State.DISCHARGED}),
    (Task.RECORD_FOLLOW_UP_REVIEW, {State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP,
                                    State.DISCHARGED}),
    (Event.REQUEST_FUNDING, {State.MDT_DECIDED, State.FUNDING_DECLINED,
                             State.FUNDING_REQUESTED, State.FUNDING_APPROVED, State.LISTED,
                             State.COUNSELLING, State.CONSENTED, State.OPERATED,
                             State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP,
                             State.DISCHARGED}),
])
def test_states_since_a_step_follow_the_table_but_not_withdrawal(step, states):
    assert states_since(step) == states

"""The selective denervation pathway: its states, the allowed moves and the work done within
a state, as tables. Every "may this user do this now" on the pathway is asked of them.

Reference §1 (the pathway) and §8 (funding: prior approval or individual funding request,
modelled generically because the commissioning route varies by region, UNSOURCED [42]).
Every move names the roles that may make it and whether it needs a reason; every activity
(work within a state, such as recording counselling) the states it is done in and by whom.
Anything not in the tables is refused with a message that says what is allowed instead.
Each row also names the roles whose worklist shows an episode waiting for it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    REFERRAL_RECEIVED = "referral_received"
    TRIAGE = "triage"
    WORK_UP = "work_up"
    AWAITING_MDT = "awaiting_mdt"
    MDT_DECIDED = "mdt_decided"
    FUNDING_REQUESTED = "funding_requested"
    FUNDING_APPROVED = "funding_approved"
    FUNDING_DECLINED = "funding_declined"
    LISTED = "listed"
    COUNSELLING = "counselling"
    CONSENTED = "consented"
    OPERATED = "operated"
    POST_OPERATIVE_PHYSIOTHERAPY = "post_operative_physiotherapy"
    FOLLOW_UP = "follow_up"
    DISCHARGED = "discharged"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


STATE_LABELS = {
    State.REFERRAL_RECEIVED: "Referral received",
    State.TRIAGE: "Triage",
    State.WORK_UP: "Work-up",
    State.AWAITING_MDT: "Awaiting MDT",
    State.MDT_DECIDED: "MDT decided",
    State.FUNDING_REQUESTED: "Funding requested",
    State.FUNDING_APPROVED: "Funding approved",
    State.FUNDING_DECLINED: "Funding declined",
    State.LISTED: "Listed for surgery",
    State.COUNSELLING: "Counselling",
    State.CONSENTED: "Consented",
    State.OPERATED: "Operated",
    State.POST_OPERATIVE_PHYSIOTHERAPY: "Post-operative physiotherapy",
    State.FOLLOW_UP: "Follow-up",
    State.DISCHARGED: "Discharged",
    State.WITHDRAWN: "Withdrawn",
    State.DECLINED: "Declined",
}

TERMINAL = frozenset({State.DISCHARGED, State.WITHDRAWN, State.DECLINED})


class Event(StrEnum):
    """A move: it takes the episode from one state to another."""

    START_TRIAGE = "start_triage"
    ACCEPT = "accept"
    DECLINE = "decline"
    COMPLETE_WORK_UP = "complete_work_up"
    RECORD_MDT_DECISION = "record_mdt_decision"
    REQUEST_FUNDING = "request_funding"
    APPROVE_FUNDING = "approve_funding"
    DECLINE_FUNDING = "decline_funding"
    LIST_FOR_SURGERY = "list_for_surgery"
    START_COUNSELLING = "start_counselling"
    RECORD_CONSENT = "record_consent"
    RECORD_OPERATION = "record_operation"
    START_PHYSIOTHERAPY = "start_physiotherapy"
    START_FOLLOW_UP = "start_follow_up"
    DISCHARGE = "discharge"
    WITHDRAW = "withdraw"


class Task(StrEnum):
    """Work done within a state, which moves nothing by itself (an activity)."""

    RECORD_COUNSELLING = "record_counselling"
    ADD_TO_MDT_AGENDA = "add_to_mdt_agenda"
    CORRECT_MDT_DECISION = "correct_mdt_decision"
    DRAW_UP_FUNDING_REQUEST = "draw_up_funding_request"
    RECORD_PHYSIO_SESSION = "record_physio_session"
    RECORD_FOLLOW_UP_REVIEW = "record_follow_up_review"
    RECORD_COMPLICATION = "record_complication"
    RECORD_FURTHER_SURGERY = "record_further_surgery"


Step = Event | Task

# Role values (collis.core.roles.Role) named here as plain words: the domain never imports
# the web application.
NEUROLOGIST, NEUROSURGEON, PHYSIOTHERAPIST = "neurologist", "neurosurgeon", "physiotherapist"
NURSE, COORDINATOR = "nurse_specialist", "mdt_coordinator"
DOCTORS = frozenset({NEUROLOGIST, NEUROSURGEON})
CLINICAL = frozenset({NEUROLOGIST, NEUROSURGEON, PHYSIOTHERAPIST, NURSE})
NOBODY: frozenset[str] = frozenset()


def _frozen(instance, *names: str) -> None:
    for name in names:
        object.__setattr__(instance, name, frozenset(getattr(instance, name)))


@dataclass(frozen=True, slots=True)
class Move:
    """A move of the table. `worklist`: the roles whose worklist shows an episode waiting
    for this move (who is expected to make it, of those who may)."""

    event: Event
    sources: frozenset[State]
    target: State
    roles: frozenset[str]
    needs_reason: bool = False
    label: str = ""
    worklist: frozenset[str] = NOBODY

    def __post_init__(self):
        _frozen(self, "sources", "roles", "worklist")


@dataclass(frozen=True, slots=True)
class Activity:
    """Work done while the episode is at one of `states`. When the episode is at a source
    of `starts_with` instead, doing the work makes that move first (the first counselling
    session of a listed episode starts counselling)."""

    task: Task
    states: frozenset[State]
    roles: frozenset[str]
    label: str
    starts_with: Event | None = None
    worklist: frozenset[str] = NOBODY

    def __post_init__(self):
        _frozen(self, "states", "roles", "worklist")


MOVES: tuple[Move, ...] = (
    Move(Event.START_TRIAGE, {State.REFERRAL_RECEIVED}, State.TRIAGE,
         DOCTORS | {COORDINATOR}, label="Start triage", worklist={COORDINATOR}),
    Move(Event.ACCEPT, {State.TRIAGE}, State.WORK_UP, DOCTORS, needs_reason=True,
         label="Accept the referral", worklist=DOCTORS),
    Move(Event.DECLINE, {State.TRIAGE}, State.DECLINED, DOCTORS, needs_reason=True,
         label="Decline the referral", worklist=DOCTORS),
    Move(Event.COMPLETE_WORK_UP, {State.WORK_UP}, State.AWAITING_MDT,
         DOCTORS | {COORDINATOR}, label="Work-up complete: put on the MDT list",
         worklist={COORDINATOR}),
    Move(Event.RECORD_MDT_DECISION, {State.AWAITING_MDT}, State.MDT_DECIDED,
         DOCTORS | {COORDINATOR}, label="Record the MDT decision", worklist={COORDINATOR}),
    Move(Event.REQUEST_FUNDING, {State.MDT_DECIDED, State.FUNDING_DECLINED},
         State.FUNDING_REQUESTED, {NEUROSURGEON, COORDINATOR}, label="Request funding",
         worklist={COORDINATOR}),
    Move(Event.APPROVE_FUNDING, {State.FUNDING_REQUESTED}, State.FUNDING_APPROVED,
         {COORDINATOR}, label="Record funding approval", worklist={COORDINATOR}),
    Move(Event.DECLINE_FUNDING, {State.FUNDING_REQUESTED}, State.FUNDING_DECLINED,
         {COORDINATOR}, needs_reason=True, label="Record that funding was declined",
         worklist={COORDINATOR}),
    Move(Event.LIST_FOR_SURGERY, {State.FUNDING_APPROVED}, State.LISTED,
         {NEUROSURGEON, COORDINATOR}, label="Put on the waiting list", worklist={COORDINATOR}),
    Move(Event.START_COUNSELLING, {State.LISTED}, State.COUNSELLING,
         {NEUROSURGEON, NURSE}, label="Start counselling", worklist={NEUROSURGEON, NURSE}),
    Move(Event.RECORD_CONSENT, {State.COUNSELLING}, State.CONSENTED, {NEUROSURGEON},
         label="Record consent", worklist={NEUROSURGEON}),
    Move(Event.RECORD_OPERATION, {State.CONSENTED}, State.OPERATED, {NEUROSURGEON},
         label="Record the operation", worklist={NEUROSURGEON}),
    Move(Event.START_PHYSIOTHERAPY, {State.OPERATED}, State.POST_OPERATIVE_PHYSIOTHERAPY,
         {PHYSIOTHERAPIST, NEUROSURGEON}, label="Start post-operative physiotherapy",
         worklist={PHYSIOTHERAPIST}),
    Move(Event.START_FOLLOW_UP, {State.POST_OPERATIVE_PHYSIOTHERAPY}, State.FOLLOW_UP,
         CLINICAL, label="Start follow-up", worklist={PHYSIOTHERAPIST}),
    # Discharge and withdrawal wait on nobody: they end the pathway, they are not its work.
    Move(Event.DISCHARGE, {State.MDT_DECIDED, State.FUNDING_DECLINED, State.FOLLOW_UP},
         State.DISCHARGED, DOCTORS, needs_reason=True, label="Discharge from the pathway"),
    Move(Event.WITHDRAW, set(State) - TERMINAL, State.WITHDRAWN,
         CLINICAL | {COORDINATOR}, needs_reason=True,
         label="Withdraw (the patient's choice)"),
)
MOVE_BY_EVENT = {move.event: move for move in MOVES}

AFTER_OPERATION = frozenset({State.OPERATED, State.POST_OPERATIVE_PHYSIOTHERAPY,
                             State.FOLLOW_UP, State.DISCHARGED})

ACTIVITIES: tuple[Activity, ...] = (
    Activity(Task.RECORD_COUNSELLING, {State.COUNSELLING}, {NEUROSURGEON, NURSE},
             "Record counselling", starts_with=Event.START_COUNSELLING),
    Activity(Task.ADD_TO_MDT_AGENDA, {State.AWAITING_MDT}, DOCTORS | {COORDINATOR},
             "Put the episode on an MDT meeting's agenda", worklist={COORDINATOR}),
    Activity(Task.CORRECT_MDT_DECISION, {State.MDT_DECIDED}, DOCTORS | {COORDINATOR},
             "Correct the MDT decision"),
    # Drawing up the request precedes the move "request funding", made when it is submitted.
    Activity(Task.DRAW_UP_FUNDING_REQUEST, {State.MDT_DECIDED, State.FUNDING_DECLINED},
             {NEUROSURGEON, COORDINATOR}, "Draw up a funding request",
             worklist={COORDINATOR}),
    # Sessions carry on after the first review has started follow-up.
    Activity(Task.RECORD_PHYSIO_SESSION,
             {State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP},
             {PHYSIOTHERAPIST, NEUROSURGEON}, "Record a physiotherapy session"),
    Activity(Task.RECORD_FOLLOW_UP_REVIEW, {State.FOLLOW_UP}, CLINICAL,
             "Record a follow-up review", starts_with=Event.START_FOLLOW_UP,
             worklist={NEUROLOGIST, NURSE}),
    # What follows the operation is recorded from the day of the operation, and after
    # discharge too (a late complication, a conversion to DBS years later); not once the
    # episode is withdrawn or declined: the patient has left the pathway.
    Activity(Task.RECORD_COMPLICATION, AFTER_OPERATION, CLINICAL, "Record a complication"),
    Activity(Task.RECORD_FURTHER_SURGERY, AFTER_OPERATION, CLINICAL,
             "Record a reoperation or conversion to DBS"),
)
ACTIVITY_BY_TASK = {activity.task: activity for activity in ACTIVITIES}


class MoveRefused(ValueError):
    """Something the pathway refuses: a move or an activity not in the tables, not open to
    the role, or missing its reason. `field` names the form field it is about, if any."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class ActivityRefused(MoveRefused):
    """Work the activity table does not allow in this state or for this role."""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _quoted(states) -> str:
    labels = [f"'{STATE_LABELS[s]}'" for s in State if s in states]
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]


def _step(step: Step | str) -> Step:
    for vocabulary in (Event, Task):
        try:
            return vocabulary(step)
        except ValueError:
            continue
    raise MoveRefused(f"'{step}' is not a step of the pathway.")


def _move_refusal(move: Move, current: State, role: str, reason: str | None) -> MoveRefused | None:
    what = _lower_first(move.label)
    if current not in move.sources:
        allowed = ", ".join(_lower_first(m.label) for m in moves_from(current)) or "nothing"
        return MoveRefused(f"Cannot {what} while the episode is at "
                           f"'{STATE_LABELS[current]}'. From there the pathway allows: {allowed}.")
    if role not in move.roles:
        return MoveRefused(f"Your role cannot {what}.")
    if reason is not None and move.needs_reason and not reason.strip():
        return MoveRefused(f"Give a reason to {what}.", field="reason")
    return None


def _activity_refusal(activity: Activity, current: State, role: str) -> ActivityRefused | None:
    what = _lower_first(activity.label)
    if current not in states_where(activity.task):
        return ActivityRefused(
            f"Cannot {what} while the episode is at '{STATE_LABELS[current]}': that is done "
            f"while it is at {_quoted(states_where(activity.task))}.")
    starting = first_move(activity.task, current)
    if role not in activity.roles or (starting is not None and role not in starting.roles):
        return ActivityRefused(f"Your role cannot {what}.")
    return None


def _refusal(role: str, step: Step | str, state: State | str,
             reason: str | None = None) -> MoveRefused | None:
    step, current = _step(step), State(state)
    if isinstance(step, Event):
        return _move_refusal(MOVE_BY_EVENT[step], current, role, reason)
    return _activity_refusal(ACTIVITY_BY_TASK[step], current, role)


def next_state(current: State | str, event: Event | str, role: str, reason: str = "") -> State:
    """The state after `event`, or MoveRefused with a message a person can act on."""
    try:
        move = MOVE_BY_EVENT[Event(event)]
    except ValueError:
        raise MoveRefused(f"'{event}' is not a step of the pathway.") from None
    refused = _move_refusal(move, State(current), role, reason)
    if refused is not None:
        raise refused
    return move.target


def may(role: str, step: Step | str, state: State | str) -> bool:
    """Whether the role may make the move or do the work while the episode is at `state`
    (a reason a move needs is asked for when it is made)."""
    return _refusal(role, step, state) is None


def refusal(role: str, step: Step | str, state: State | str) -> str:
    """Why the role may not make the move or do the work now; "" when it may."""
    refused = _refusal(role, step, state)
    return str(refused) if refused is not None else ""


def check_may(role: str, step: Step | str, state: State | str) -> None:
    """Raise MoveRefused (ActivityRefused for work within a state) unless `may`."""
    refused = _refusal(role, step, state)
    if refused is not None:
        raise refused


def moves_from(current: State | str, role: str | None = None) -> tuple[Move, ...]:
    """The moves the table allows from a state (for a role, if given)."""
    current = State(current)
    return tuple(m for m in MOVES if current in m.sources and (role is None or role in m.roles))


def first_move(task: Task | str, state: State | str) -> Move | None:
    """The move that doing the work makes first from `state`, if any."""
    activity, current = ACTIVITY_BY_TASK[Task(task)], State(state)
    if activity.starts_with is None or current in activity.states:
        return None
    move = MOVE_BY_EVENT[activity.starts_with]
    return move if current in move.sources else None


def states_where(step: Step | str) -> frozenset[State]:
    """The states in which the move can be made, or the work done, by someone."""
    step = _step(step)
    if isinstance(step, Event):
        return MOVE_BY_EVENT[step].sources
    activity = ACTIVITY_BY_TASK[step]
    starting = MOVE_BY_EVENT[activity.starts_with].sources if activity.starts_with else NOBODY
    return activity.states | starting


def states_awaiting(role: str) -> frozenset[State]:
    """The states in which an episode waits on the role: it is on the role's worklist for a
    move or for work of which the role's worklist is named in the tables."""
    states = set()
    for move in MOVES:
        if role in move.worklist:
            states |= move.sources
    for activity in ACTIVITIES:
        if role in activity.worklist:
            states |= activity.states
    return frozenset(states)


def states_since(step: Step | str) -> frozenset[State]:
    """The states in which the step can be taken, and every state the pathway reaches after
    it (withdrawal aside): where a page about the step has something to show."""
    reached = set(states_where(step))
    frontier = list(reached)
    while frontier:
        for move in moves_from(frontier.pop()):
            if move.event is not Event.WITHDRAW and move.target not in reached:
                reached.add(move.target)
                frontier.append(move.target)
    return frozenset(reached)


def step_label(step: Step | str) -> str:
    step = _step(step)
    return (MOVE_BY_EVENT[step].label if isinstance(step, Event)
            else ACTIVITY_BY_TASK[step].label)

"""The selective denervation pathway: its states and the allowed moves, as one table.

Reference §1 (the pathway) and §8 (funding: prior approval or individual funding request,
modelled generically because the commissioning route varies by region, UNSOURCED [42]).
Every move names the roles that may make it and whether it needs a reason; anything not in
the table is refused with a message that says what is allowed instead."""

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


# Role values (collis.core.roles.Role) named here as plain words: the domain never imports
# the web application.
NEUROLOGIST, NEUROSURGEON, PHYSIOTHERAPIST = "neurologist", "neurosurgeon", "physiotherapist"
NURSE, COORDINATOR = "nurse_specialist", "mdt_coordinator"
DOCTORS = frozenset({NEUROLOGIST, NEUROSURGEON})
CLINICAL = frozenset({NEUROLOGIST, NEUROSURGEON, PHYSIOTHERAPIST, NURSE})


@dataclass(frozen=True, slots=True)
class Move:
    event: Event
    sources: frozenset[State]
    target: State
    roles: frozenset[str]
    needs_reason: bool = False
    label: str = ""


S = State
MOVES: tuple[Move, ...] = (
    Move(Event.START_TRIAGE, frozenset({S.REFERRAL_RECEIVED}), S.TRIAGE,
         DOCTORS | {COORDINATOR}, label="Start triage"),
    Move(Event.ACCEPT, frozenset({S.TRIAGE}), S.WORK_UP, DOCTORS, needs_reason=True,
         label="Accept the referral"),
    Move(Event.DECLINE, frozenset({S.TRIAGE}), S.DECLINED, DOCTORS, needs_reason=True,
         label="Decline the referral"),
    Move(Event.COMPLETE_WORK_UP, frozenset({S.WORK_UP}), S.AWAITING_MDT,
         DOCTORS | {COORDINATOR}, label="Work-up complete: put on the MDT list"),
    Move(Event.RECORD_MDT_DECISION, frozenset({S.AWAITING_MDT}), S.MDT_DECIDED,
         DOCTORS | {COORDINATOR}, label="Record the MDT decision"),
    Move(Event.REQUEST_FUNDING, frozenset({S.MDT_DECIDED, S.FUNDING_DECLINED}),
         S.FUNDING_REQUESTED, {NEUROSURGEON, COORDINATOR}, label="Request funding"),
    Move(Event.APPROVE_FUNDING, frozenset({S.FUNDING_REQUESTED}), S.FUNDING_APPROVED,
         {COORDINATOR}, label="Record funding approval"),
    Move(Event.DECLINE_FUNDING, frozenset({S.FUNDING_REQUESTED}), S.FUNDING_DECLINED,
         {COORDINATOR}, needs_reason=True, label="Record that funding was declined"),
    Move(Event.LIST_FOR_SURGERY, frozenset({S.FUNDING_APPROVED}), S.LISTED,
         {NEUROSURGEON, COORDINATOR}, label="Put on the waiting list"),
    Move(Event.START_COUNSELLING, frozenset({S.LISTED}), S.COUNSELLING,
         {NEUROSURGEON, NURSE}, label="Start counselling"),
    Move(Event.RECORD_CONSENT, frozenset({S.COUNSELLING}), S.CONSENTED, {NEUROSURGEON},
         label="Record consent"),
    Move(Event.RECORD_OPERATION, frozenset({S.CONSENTED}), S.OPERATED, {NEUROSURGEON},
         label="Record the operation"),
    Move(Event.START_PHYSIOTHERAPY, frozenset({S.OPERATED}), S.POST_OPERATIVE_PHYSIOTHERAPY,
         {PHYSIOTHERAPIST, NEUROSURGEON}, label="Start post-operative physiotherapy"),
    Move(Event.START_FOLLOW_UP, frozenset({S.POST_OPERATIVE_PHYSIOTHERAPY}), S.FOLLOW_UP,
         CLINICAL, label="Start follow-up"),
    Move(Event.DISCHARGE, frozenset({S.MDT_DECIDED, S.FUNDING_DECLINED, S.FOLLOW_UP}),
         S.DISCHARGED, DOCTORS, needs_reason=True, label="Discharge from the pathway"),
    Move(Event.WITHDRAW, frozenset(set(State) - TERMINAL), S.WITHDRAWN,
         CLINICAL | {COORDINATOR}, needs_reason=True,
         label="Withdraw (the patient's choice)"),
)
MOVE_BY_EVENT = {move.event: move for move in MOVES}


class MoveRefused(ValueError):
    """A move not in the table, or not open to the role, or missing its reason."""


def next_state(current: State | str, event: Event | str, role: str, reason: str = "") -> State:
    """The state after `event`, or MoveRefused with a message a person can act on."""
    current = State(current)
    try:
        move = MOVE_BY_EVENT[Event(event)]
    except ValueError:
        raise MoveRefused(f"'{event}' is not a step of the pathway.") from None
    if current not in move.sources:
        allowed = ", ".join(m.label.lower() for m in moves_from(current)) or "nothing"
        raise MoveRefused(
            f"Cannot {move.label.lower()} while the episode is at "
            f"'{STATE_LABELS[current]}'. From there the pathway allows: {allowed}.")
    if role not in move.roles:
        raise MoveRefused(f"Your role cannot {move.label.lower()}.")
    if move.needs_reason and not reason.strip():
        raise MoveRefused(f"Give a reason to {move.label.lower()}.")
    return move.target


def moves_from(current: State | str, role: str | None = None) -> tuple[Move, ...]:
    """The moves the table allows from a state (for a role, if given)."""
    current = State(current)
    return tuple(m for m in MOVES if current in m.sources and (role is None or role in m.roles))

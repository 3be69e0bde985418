"""Clinics and appointments: kinds of appointment and their lengths, clinic sessions that
recur in local wall-clock time, slots, the appointment's allowed status moves and what
happens after a missed appointment. Pure Python; the `scheduling` app stores the results.

Appointment lengths and the did-not-attend policy are local policy (UNSOURCED): the
clinical reference gives no clinic templates and no rule for missed appointments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from collis.domain.policy import PolicyValue

UNIT_TIME_ZONE = ZoneInfo("Europe/London")
UTC = dt.UTC


class AppointmentType(StrEnum):
    """The kinds of appointment the unit books. Recall (toxin), post-operative reviews and
    physiotherapy sessions are kinds of appointment, not dates kept elsewhere."""

    TOXIN = "toxin"
    NEW_PATIENT = "new_patient"
    FOLLOW_UP = "follow_up"
    MDT_REVIEW = "mdt_review"
    PHYSIOTHERAPY = "physiotherapy"
    PRE_ASSESSMENT = "pre_assessment"
    POST_OP_REVIEW = "post_op_review"

    @property
    def label(self) -> str:
        return APPOINTMENT_TYPE_LABELS[self]


APPOINTMENT_TYPE_LABELS = {
    AppointmentType.TOXIN: "Botulinum toxin clinic",
    AppointmentType.NEW_PATIENT: "New patient clinic",
    AppointmentType.FOLLOW_UP: "Follow-up clinic",
    AppointmentType.MDT_REVIEW: "MDT review",
    AppointmentType.PHYSIOTHERAPY: "Physiotherapy session",
    AppointmentType.PRE_ASSESSMENT: "Surgical pre-assessment",
    AppointmentType.POST_OP_REVIEW: "Post-operative review",
}

# Local policy (UNSOURCED): the reference gives no appointment lengths.
APPOINTMENT_LENGTHS = PolicyValue(
    name="appointment_lengths_minutes",
    value=(
        (AppointmentType.TOXIN, 20),
        (AppointmentType.NEW_PATIENT, 45),
        (AppointmentType.FOLLOW_UP, 20),
        (AppointmentType.MDT_REVIEW, 30),
        (AppointmentType.PHYSIOTHERAPY, 45),
        (AppointmentType.PRE_ASSESSMENT, 40),
        (AppointmentType.POST_OP_REVIEW, 30),
    ),
    description=(
        "Minutes of one appointment of each kind: a clinic session is cut into slots of "
        "this length. The reference gives no clinic templates (UNSOURCED): the lengths are "
        "the unit's own choice."
    ),
    sources=(),
)


def appointment_length(kind: AppointmentType | str,
                       lengths: PolicyValue = APPOINTMENT_LENGTHS) -> dt.timedelta:
    """How long one appointment of this kind lasts (local policy)."""
    return dt.timedelta(minutes=dict(lengths.value)[AppointmentType(kind)])


class Recurrence(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"


RECURRENCE_STEP_DAYS = {Recurrence.ONCE: 0, Recurrence.WEEKLY: 7, Recurrence.FORTNIGHTLY: 14}
# Sessions fall in the working day, so never in the hour the clocks skip or repeat (01:00
# to 02:00 local time): a wall-clock time always names one instant.
EARLIEST_START = dt.time(7, 0)
LATEST_END = dt.time(21, 0)
MAX_OCCURRENCES = 120


class ScheduleError(ValueError):
    """A clinic schedule that cannot be used; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One sitting of a clinic session, in UTC (stored) with its local date."""

    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo = UNIT_TIME_ZONE) -> dt.datetime:
    """The UTC instant of the wall-clock time `at` on `day` in `zone`."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def session_occurrences(*, first_day: dt.date, starts: dt.time, ends: dt.time,
                        recurrence: Recurrence | str, until: dt.date | None = None,
                        zone: ZoneInfo = UNIT_TIME_ZONE) -> list[Occurrence]:
    """Every sitting of a session from `first_day` to `until` (inclusive), each at the same
    local wall-clock times whatever the clocks do (09:00 stays 09:00 across the change to
    and from British Summer Time), as UTC instants."""
    recurrence = Recurrence(recurrence)
    if not EARLIEST_START <= starts < ends <= LATEST_END:
        if ends <= starts:
            raise ScheduleError("ends", "The session must end after it starts")
        raise ScheduleError("starts", f"A session runs between {EARLIEST_START:%H:%M} and "
                                      f"{LATEST_END:%H:%M}")
    step = RECURRENCE_STEP_DAYS[recurrence]
    if step == 0:
        days = [first_day]
    else:
        if until is None or until < first_day:
            raise ScheduleError("until", "Enter the last date of a repeating session, on or "
                                         "after its first date")
        count = (until - first_day).days // step + 1
        if count > MAX_OCCURRENCES:
            raise ScheduleError("until", f"A repeating session can have at most "
                                         f"{MAX_OCCURRENCES} sittings; choose an earlier "
                                         f"last date")
        days = [first_day + dt.timedelta(days=step * i) for i in range(count)]
    return [Occurrence(day, local_instant(day, starts, zone), local_instant(day, ends, zone))
            for day in days]


def slot_times(starts_at: dt.datetime, ends_at: dt.datetime,
               length: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
    """The session cut into back-to-back slots of `length`; time left over at the end that
    cannot hold a whole slot stays free."""
    if length <= dt.timedelta(0):
        raise ScheduleError("length", "A slot must last more than no time")
    slots = []
    at = starts_at
    while at + length <= ends_at:
        slots.append((at, at + length))
        at += length
    return slots


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    SEEN = "seen"
    DID_NOT_ATTEND = "did_not_attend"
    CANCELLED_BY_PATIENT = "cancelled_by_patient"
    CANCELLED_BY_HOSPITAL = "cancelled_by_hospital"
    RESCHEDULED = "rescheduled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    AppointmentStatus.BOOKED: "Booked",
    AppointmentStatus.CONFIRMED: "Confirmed",
    AppointmentStatus.ARRIVED: "Arrived",
    AppointmentStatus.SEEN: "Seen",
    AppointmentStatus.DID_NOT_ATTEND: "Did not attend",
    AppointmentStatus.CANCELLED_BY_PATIENT: "Cancelled by the patient",
    AppointmentStatus.CANCELLED_BY_HOSPITAL: "Cancelled by the hospital",
    AppointmentStatus.RESCHEDULED: "Rescheduled",
}

_CANCEL = (AppointmentStatus.CANCELLED_BY_PATIENT, AppointmentStatus.CANCELLED_BY_HOSPITAL,
           AppointmentStatus.RESCHEDULED)
# The one table of allowed moves: {from: to...}. A status not listed as a key is final.
STATUS_MOVES: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset({AppointmentStatus.CONFIRMED, AppointmentStatus.ARRIVED,
                                         AppointmentStatus.DID_NOT_ATTEND, *_CANCEL}),
    AppointmentStatus.CONFIRMED: frozenset({AppointmentStatus.ARRIVED,
                                            AppointmentStatus.DID_NOT_ATTEND, *_CANCEL}),
    AppointmentStatus.ARRIVED: frozenset({AppointmentStatus.SEEN}),
}
# Moves that say what happened at the appointment: not before it starts.
ATTENDANCE = frozenset({AppointmentStatus.ARRIVED, AppointmentStatus.SEEN,
                        AppointmentStatus.DID_NOT_ATTEND})
# Moves that free the slot: the appointment no longer holds it.
RELEASING = frozenset(_CANCEL)
# Moves that need a reason in words.
NEEDS_REASON = frozenset(_CANCEL)


class StatusMoveRefused(ValueError):
    """An appointment status move the table does not allow, in words."""


def status_move_check(current: AppointmentStatus | str, new: AppointmentStatus | str, *,
                      now: dt.datetime, starts_at: dt.datetime, reason: str = "") -> None:
    """Refuse a status move that the table does not allow, attendance recorded before the
    appointment starts, or a cancellation without a reason."""
    current, new = AppointmentStatus(current), AppointmentStatus(new)
    if new not in STATUS_MOVES.get(current, frozenset()):
        raise StatusMoveRefused(f"An appointment that is {current.label.lower()} cannot be "
                                f"marked {new.label.lower()}")
    if new in ATTENDANCE and now < starts_at:
        raise StatusMoveRefused(f"Attendance cannot be recorded before the appointment "
                                f"starts ({new.label.lower()})")
    if new in NEEDS_REASON and not reason.strip():
        raise StatusMoveRefused("Enter the reason")


class ClinicOutcome(StrEnum):
    """What was decided when the patient was seen."""

    RECALL = "recall"
    FOLLOW_UP = "follow_up"
    REFER_ON = "refer_on"
    DISCHARGE = "discharge"

    @property
    def label(self) -> str:
        return {
            ClinicOutcome.RECALL: "Recall for the next toxin cycle",
            ClinicOutcome.FOLLOW_UP: "Book a follow-up appointment",
            ClinicOutcome.REFER_ON: "Refer on (for example to the MDT or for surgery)",
            ClinicOutcome.DISCHARGE: "Discharge to the referrer and GP",
        }[self]


# Local policy (UNSOURCED): the reference says nothing about missed appointments.
@dataclass(frozen=True, slots=True)
class DnaPolicy:
    """What happens after a patient does not attend, by how many appointments they missed
    in the last `window_days` days."""

    window_days: int = 365
    review_at: int = 2
    first_step: str = ("Contact the patient to find out why and offer one further "
                       "appointment.")
    review_step: str = ("Tell the responsible clinician: they decide whether to offer "
                        "another appointment or discharge the patient to the referrer and "
                        "GP, after contacting the patient.")

    def next_step(self, missed: int) -> str:
        if missed <= 0:
            return ""
        return self.review_step if missed >= self.review_at else self.first_step


DNA_POLICY = PolicyValue(
    name="did_not_attend_policy",
    value=DnaPolicy(),
    description=(
        "What happens after a missed appointment: the first in a year, contact the patient "
        "and offer one more; from the second in a year, the responsible clinician decides "
        "whether to discharge. The reference gives no rule (UNSOURCED): the unit's own "
        "choice."
    ),
    sources=(),
)

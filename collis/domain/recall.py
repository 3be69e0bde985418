"""The toxin recall: when a patient on botulinum toxin is next due, and how overdue they are.

The re-injection interval is usually at least 12 weeks; shorter intervals raise the risk of
antibodies [15][19] (`USUAL_MIN_INTERVAL_WEEKS` in collis.domain.toxin). The interval the
unit recalls at is local policy (UNSOURCED as a figure of its own), and never shorter than
that: a policy value below it is raised to it. Pure date logic; the `scheduling` app asks
the database for the patients whose last cycle makes them due (`recall_cutoff`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from collis.domain.findings import long_date
from collis.domain.policy import PolicyValue
from collis.domain.toxin import USUAL_INTERVAL_SOURCES, USUAL_MIN_INTERVAL_WEEKS

# Local policy: the interval the unit recalls at. The reference gives a floor, not a target.
TOXIN_RECALL_INTERVAL = PolicyValue(
    name="toxin_recall_interval_weeks",
    value=12,
    description=(
        "Weeks from a patient's last botulinum toxin cycle to their next recall. The "
        "reference says the re-injection interval is usually at least 12 weeks and shorter "
        "intervals raise the risk of antibodies [15][19]; Collis never recalls earlier than "
        "that, whatever this value says. The interval itself is the unit's choice."
    ),
    sources=USUAL_INTERVAL_SOURCES,
)

# Local policy (UNSOURCED): how far ahead the recall list looks, so that patients can be
# booked before they fall due.
RECALL_LOOKAHEAD = PolicyValue(
    name="toxin_recall_lookahead_days",
    value=14,
    description=(
        "Days ahead of the due date from which a patient appears on the recall list, so "
        "that they can be booked in time. The reference says nothing about it (UNSOURCED): "
        "the unit's own choice."
    ),
    sources=(),
)


def recall_interval(weeks: int = TOXIN_RECALL_INTERVAL.value) -> dt.timedelta:
    """The interval the unit recalls at: the policy's, never below the shortest usual
    interval [15][19]."""
    return dt.timedelta(weeks=max(int(weeks), USUAL_MIN_INTERVAL_WEEKS))


def toxin_next_due(last_given_on: dt.date,
                   weeks: int = TOXIN_RECALL_INTERVAL.value) -> dt.date:
    """The date the patient is next due for toxin, from their last (valid) cycle."""
    return last_given_on + recall_interval(weeks)


def recall_cutoff(today: dt.date, *, weeks: int = TOXIN_RECALL_INTERVAL.value,
                  lookahead_days: int = RECALL_LOOKAHEAD.value) -> dt.date:
    """The latest last-cycle date that puts a patient on today's recall list: a patient is
    listed exactly when `toxin_next_due(last) <= today + lookahead`, that is when
    `last <= recall_cutoff(today)`. The database filters on this date."""
    return today + dt.timedelta(days=max(int(lookahead_days), 0)) - recall_interval(weeks)


class RecallState(StrEnum):
    DUE_SOON = "due_soon"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class RecallStatus:
    """Where a patient stands against their due date, in words: `days_overdue` is negative
    while they are not yet due."""

    last_given_on: dt.date
    due_on: dt.date
    days_overdue: int

    @property
    def state(self) -> RecallState:
        if self.days_overdue > 0:
            return RecallState.OVERDUE
        return RecallState.DUE if self.days_overdue == 0 else RecallState.DUE_SOON

    @property
    def text(self) -> str:
        days = abs(self.days_overdue)
        if self.state == RecallState.DUE:
            return "Due today"
        amount = _duration(days)
        if self.state == RecallState.OVERDUE:
            return f"Overdue by {amount}"
        return f"Due in {amount} ({long_date(self.due_on)})"


def _duration(days: int) -> str:
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    weeks = days // 7
    return f"{weeks} weeks"


def recall_status(last_given_on: dt.date, today: dt.date, *,
                  weeks: int = TOXIN_RECALL_INTERVAL.value) -> RecallStatus:
    """Due date and how overdue, for one patient's last cycle."""
    due = toxin_next_due(last_given_on, weeks)
    return RecallStatus(last_given_on, due, (today - due).days)


# Local policy (UNSOURCED): how long before a funding approval lapses the home page warns.
FUNDING_EXPIRY_NOTICE = PolicyValue(
    name="funding_expiry_notice_days",
    value=30,
    description=(
        "Days before a funding approval expires from which the coordinator's home page "
        "lists it, so that the operation is done or the approval renewed in time. The "
        "reference gives no figure (UNSOURCED): the unit's own choice."
    ),
    sources=(),
)

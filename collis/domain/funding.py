"""The funding request for selective denervation: its statuses and the allowed changes of
status, as one table.

Reference §8: prior approval or an individual funding request, modelled generically because
the commissioning route varies by region (UNSOURCED [42]). A change that moves the episode
names its pathway move, and a change that does not names its pathway activity: who may make
it, in which states of the episode and whether it needs a reason are asked of the pathway
table (collis/domain/pathway.py), never repeated here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from collis.domain.pathway import (
    ACTIVITY_BY_TASK,
    MOVE_BY_EVENT,
    Event,
    MoveRefused,
    State,
    Step,
    Task,
    refusal,
    step_label,
)


class FundingStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"


FUNDING_STATUS_LABELS = {
    FundingStatus.DRAFT: "Draft",
    FundingStatus.SUBMITTED: "Submitted",
    FundingStatus.APPROVED: "Approved",
    FundingStatus.DECLINED: "Declined",
}


@dataclass(frozen=True, slots=True)
class FundingChange:
    """One allowed change of status. `source` None: there is no request yet."""

    source: FundingStatus | None
    target: FundingStatus
    step: Step

    @property
    def roles(self) -> frozenset[str]:
        if isinstance(self.step, Event):
            return MOVE_BY_EVENT[self.step].roles
        return ACTIVITY_BY_TASK[self.step].roles

    @property
    def needs_reason(self) -> bool:
        return isinstance(self.step, Event) and MOVE_BY_EVENT[self.step].needs_reason

    @property
    def label(self) -> str:
        return step_label(self.step)


FUNDING_CHANGES: tuple[FundingChange, ...] = (
    FundingChange(None, FundingStatus.DRAFT, Task.DRAW_UP_FUNDING_REQUEST),
    FundingChange(FundingStatus.DRAFT, FundingStatus.SUBMITTED, Event.REQUEST_FUNDING),
    FundingChange(FundingStatus.SUBMITTED, FundingStatus.APPROVED, Event.APPROVE_FUNDING),
    FundingChange(FundingStatus.SUBMITTED, FundingStatus.DECLINED, Event.DECLINE_FUNDING),
)

# A request in progress can still change; one that cannot is final.
FUNDING_IN_PROGRESS = frozenset(c.source for c in FUNDING_CHANGES if c.source is not None)
FUNDING_FINAL = frozenset(FundingStatus) - FUNDING_IN_PROGRESS


class FundingRefused(MoveRefused):
    """A change of status the funding table does not allow, or not to the role or now."""


def _status(value: FundingStatus | str | None) -> FundingStatus | None:
    if value is None or value == "":
        return None
    try:
        return FundingStatus(value)
    except ValueError:
        raise FundingRefused(f"'{value}' is not a status of a funding request.") from None


def _a(status: FundingStatus) -> str:
    word = FUNDING_STATUS_LABELS[status].lower()
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def funding_targets(current: FundingStatus | str | None) -> tuple[FundingStatus, ...]:
    """The statuses the table lets a request at `current` take next (None: a new one)."""
    current = _status(current)
    return tuple(c.target for c in FUNDING_CHANGES if c.source == current)


def funding_change(current: FundingStatus | str | None,
                   target: FundingStatus | str) -> FundingChange:
    """The row of the table for the change, or FundingRefused saying what is allowed."""
    current, target = _status(current), _status(target)
    for change in FUNDING_CHANGES:
        if change.source == current and change.target == target:
            return change
    if current is None:
        raise FundingRefused("A funding request starts as a draft.")
    allowed = funding_targets(current)
    if not allowed:
        raise FundingRefused(f"{_a(current).capitalize()} request is final: its status "
                             f"changes no further.")
    words = " or ".join(FUNDING_STATUS_LABELS[s].lower() for s in allowed)
    target_word = FUNDING_STATUS_LABELS[target].lower() if target else "nothing"
    raise FundingRefused(f"{_a(current).capitalize()} request cannot become {target_word}. "
                         f"It can become {words}.")


def next_funding_status(current: FundingStatus | str | None, target: FundingStatus | str,
                        role: str, reason: str = "", *,
                        episode_state: State | str | None = None) -> FundingStatus:
    """The status after the change, or FundingRefused with a message a person can act on:
    the change is not in the table, the role may not make it, the episode is not where the
    pathway allows it (when `episode_state` is given), or it needs a reason (field
    'reason')."""
    change = funding_change(current, target)
    what = change.label[:1].lower() + change.label[1:]
    if role not in change.roles:
        raise FundingRefused(f"Your role cannot {what}.")
    if episode_state is not None:
        refused = refusal(role, change.step, episode_state)
        if refused:
            raise FundingRefused(refused)
    if change.needs_reason and not reason.strip():
        raise FundingRefused(f"Give a reason to {what}.", field="reason")
    return change.target


def funding_may(current: FundingStatus | str | None, target: FundingStatus | str, role: str,
                episode_state: State | str | None = None) -> bool:
    """Whether the role may make the change now (a reason it needs is asked for later)."""
    try:
        next_funding_status(current, target, role, reason="(asked later)",
                            episode_state=episode_state)
    except FundingRefused:
        return False
    return True


def funding_targets_open(current: FundingStatus | str | None, role: str,
                         episode_state: State | str | None = None) -> tuple[FundingStatus, ...]:
    """The statuses the role may give a request at `current` now."""
    return tuple(t for t in funding_targets(current)
                 if funding_may(current, t, role, episode_state))

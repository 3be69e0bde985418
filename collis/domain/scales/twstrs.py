"""TWSTRS: Toronto Western Spasmodic Torticollis Rating Scale (Consky & Lang 1994) [9].

Total 0-85 = severity 0-35 + disability 0-30 + pain 0-20 [9].
- Severity: rotation 0-4, laterocollis 0-3, anterocollis/retrocollis 0-3, lateral shift 0-1,
  sagittal shift 0-1, duration factor 0-5 weighted x2, effect of sensory tricks 0-2,
  shoulder elevation 0-3, range of motion 0-4 and time held within 10 degrees of neutral
  0-4 (the last two ranges are UNSOURCED in the reference but widely used).
- Disability: six items 0-5 each (one product page says 0-32; Collis uses 0-30 [9]).
- Pain: severity, duration and disability of pain. The reference gives no item ranges or
  formula, so items are kept as entered (non-negative) and summed, with the sum 0-20.
The minimal clinically important change (about 8-12 points [10]) is a policy value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from collis.domain.policy import DEFAULT_POLICY, Policy

SOURCES = (9,)
MCIC_SOURCES = (10,)


class Subscale(StrEnum):
    SEVERITY = "severity"
    DISABILITY = "disability"
    PAIN = "pain"


@dataclass(frozen=True, slots=True)
class TwstrsItem:
    name: str
    subscale: Subscale
    low: int
    high: int | None  # None: the reference gives no upper bound for the item
    weight: int = 1
    integer: bool = True
    range_sourced: bool = True
    label: str = ""


ITEMS: tuple[TwstrsItem, ...] = (
    TwstrsItem("rotation", Subscale.SEVERITY, 0, 4, label="Maximal excursion: rotation"),
    TwstrsItem("laterocollis", Subscale.SEVERITY, 0, 3, label="Maximal excursion: laterocollis"),
    TwstrsItem(
        "anterocollis_retrocollis",
        Subscale.SEVERITY,
        0,
        3,
        label="Maximal excursion: anterocollis or retrocollis",
    ),
    TwstrsItem("lateral_shift", Subscale.SEVERITY, 0, 1, label="Maximal excursion: lateral shift"),
    TwstrsItem(
        "sagittal_shift", Subscale.SEVERITY, 0, 1, label="Maximal excursion: sagittal shift"
    ),
    TwstrsItem(
        "duration", Subscale.SEVERITY, 0, 5, weight=2, label="Duration factor (weighted x2)"
    ),
    TwstrsItem("sensory_trick", Subscale.SEVERITY, 0, 2, label="Effect of sensory tricks"),
    TwstrsItem("shoulder_elevation", Subscale.SEVERITY, 0, 3, label="Shoulder elevation"),
    TwstrsItem(
        "range_of_motion", Subscale.SEVERITY, 0, 4, range_sourced=False, label="Range of motion"
    ),
    TwstrsItem(
        "time_held_neutral",
        Subscale.SEVERITY,
        0,
        4,
        range_sourced=False,
        label="Time the head can be held within 10 degrees of neutral",
    ),
    TwstrsItem("work", Subscale.DISABILITY, 0, 5, label="Work"),
    TwstrsItem(
        "activities_of_daily_living", Subscale.DISABILITY, 0, 5, label="Activities of daily living"
    ),
    TwstrsItem("driving", Subscale.DISABILITY, 0, 5, label="Driving"),
    TwstrsItem("reading", Subscale.DISABILITY, 0, 5, label="Reading"),
    TwstrsItem("television", Subscale.DISABILITY, 0, 5, label="Television"),
    TwstrsItem(
        "activities_outside_home", Subscale.DISABILITY, 0, 5, label="Activities outside the home"
    ),
    TwstrsItem(
        "pain_severity",
        Subscale.PAIN,
        0,
        None,
        integer=False,
        range_sourced=False,
        label="Pain severity",
    ),
    TwstrsItem(
        "pain_duration",
        Subscale.PAIN,
        0,
        None,
        integer=False,
        range_sourced=False,
        label="Pain duration",
    ),
    TwstrsItem(
        "pain_disability",
        Subscale.PAIN,
        0,
        None,
        integer=False,
        range_sourced=False,
        label="Disability due to pain",
    ),
)
ITEMS_BY_NAME = {item.name: item for item in ITEMS}
SUBSCALE_RANGES: dict[Subscale, tuple[int, int]] = {
    Subscale.SEVERITY: (0, 35),
    Subscale.DISABILITY: (0, 30),
    Subscale.PAIN: (0, 20),
}
TOTAL_RANGE = (0, 85)


class TwstrsError(ValueError):
    """An item or subscore that TWSTRS does not allow."""


class TwstrsItemOutOfRange(TwstrsError):
    """An item (or subscore) outside its allowed range; names it and the range."""

    def __init__(self, name: str, value: object, low: float, high: float | None):
        self.name, self.value, self.low, self.high = name, value, low, high
        allowed = f"{low:g}-{high:g}" if high is not None else f"{low:g} or more"
        super().__init__(f"TWSTRS {name}: {value!r} is out of range; allowed {allowed}")


@dataclass(frozen=True, slots=True)
class TwstrsScore:
    """TWSTRS subscores and total; None where the items for it were not all given."""

    severity: int | None
    disability: int | None
    pain: float | None
    total: float | None
    items: tuple[tuple[str, float], ...] = ()

    @property
    def from_items(self) -> bool:
        return bool(self.items)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "severity": self.severity,
            "disability": self.disability,
            "pain": self.pain,
            "total": self.total,
        }
        if self.items:
            data["items"] = dict(self.items)
        return data


def _check_value(name: str, value: object, low: float, high: float | None, integer: bool) -> float:
    number_ok = (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )
    if not number_ok or (integer and not isinstance(value, int) and not float(value).is_integer()):
        kind = "a whole number" if integer else "a number"
        raise TwstrsError(f"TWSTRS {name}: expected {kind}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise TwstrsItemOutOfRange(name, value, low, high)
    return int(value) if integer else value


def _sum(total: float | None, value: float | None) -> float | None:
    return None if total is None or value is None else total + value


def score_twstrs(items: Mapping[str, float]) -> TwstrsScore:
    """Score TWSTRS from item values; a subscore is None unless all its items are given.

    Raises TwstrsError for an unknown item or a wrong type, TwstrsItemOutOfRange for a
    value outside the item's range (or a pain sum outside 0-20).
    """
    unknown = [name for name in items if name not in ITEMS_BY_NAME]
    if unknown:
        raise TwstrsError(
            f"TWSTRS: unknown item(s) {', '.join(map(repr, unknown))}; allowed: "
            f"{', '.join(ITEMS_BY_NAME)}"
        )
    checked: dict[str, float] = {}
    for item in ITEMS:
        if item.name in items:
            checked[item.name] = _check_value(
                item.name, items[item.name], item.low, item.high, item.integer
            )
    subscores: dict[Subscale, float | None] = {}
    for subscale in Subscale:
        members = [i for i in ITEMS if i.subscale is subscale]
        if all(i.name in checked for i in members):
            subscores[subscale] = sum(checked[i.name] * i.weight for i in members)
        else:
            subscores[subscale] = None
    pain = subscores[Subscale.PAIN]
    if pain is not None and pain > SUBSCALE_RANGES[Subscale.PAIN][1]:
        raise TwstrsItemOutOfRange(
            "pain (sum of pain items)", pain, *SUBSCALE_RANGES[Subscale.PAIN]
        )
    severity, disability = subscores[Subscale.SEVERITY], subscores[Subscale.DISABILITY]
    total = _sum(_sum(severity, disability), pain)
    return TwstrsScore(
        severity=None if severity is None else int(severity),
        disability=None if disability is None else int(disability),
        pain=pain,
        total=total,
        items=tuple(checked.items()),
    )


def twstrs_from_subscores(
    severity: int | None = None, disability: int | None = None, pain: float | None = None
) -> TwstrsScore:
    """A TWSTRS score from recorded subscores (severity 0-35, disability 0-30, pain 0-20)."""
    values = {Subscale.SEVERITY: severity, Subscale.DISABILITY: disability, Subscale.PAIN: pain}
    checked: dict[Subscale, float | None] = {}
    for subscale, value in values.items():
        low, high = SUBSCALE_RANGES[subscale]
        checked[subscale] = (
            None
            if value is None
            else _check_value(
                str(subscale), value, low, high, integer=subscale is not Subscale.PAIN
            )
        )
    total = _sum(
        _sum(checked[Subscale.SEVERITY], checked[Subscale.DISABILITY]), checked[Subscale.PAIN]
    )
    return TwstrsScore(
        checked[Subscale.SEVERITY], checked[Subscale.DISABILITY], checked[Subscale.PAIN], total
    )


class ChangeDirection(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    NO_IMPORTANT_CHANGE = "no_important_change"


@dataclass(frozen=True, slots=True)
class TwstrsChange:
    """Change in total TWSTRS between two assessments, judged against the MCIC policy value."""

    before: float
    after: float
    change: float
    mcic: float
    direction: ChangeDirection
    detail: str
    sources: tuple[int, ...] = MCIC_SOURCES
    policy_name: str = "twstrs_mcic_points"

    @property
    def clinically_important(self) -> bool:
        return self.direction is not ChangeDirection.NO_IMPORTANT_CHANGE


def compare_twstrs(
    before: TwstrsScore, after: TwstrsScore, policy: Policy = DEFAULT_POLICY
) -> TwstrsChange:
    """Flag a change in total TWSTRS of at least the MCIC (lower totals are better)."""
    if before.total is None or after.total is None:
        raise TwstrsError("TWSTRS change needs the total of both assessments")
    change = after.total - before.total
    mcic = policy.twstrs_mcic_points
    if change <= -mcic:
        direction = ChangeDirection.IMPROVED
    elif change >= mcic:
        direction = ChangeDirection.WORSENED
    else:
        direction = ChangeDirection.NO_IMPORTANT_CHANGE
    words = {
        ChangeDirection.IMPROVED: "a clinically important improvement",
        ChangeDirection.WORSENED: "a clinically important worsening",
        ChangeDirection.NO_IMPORTANT_CHANGE: "less than the minimal clinically important change",
    }[direction]
    detail = (
        f"Total TWSTRS {before.total:g} -> {after.total:g} ({change:+g} points): {words} "
        f"(threshold {mcic:g} points, local policy; the reference gives about 8-12 points [10])."
    )
    return TwstrsChange(before.total, after.total, change, mcic, direction, detail)

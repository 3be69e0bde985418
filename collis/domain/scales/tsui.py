"""Tsui scale for cervical dystonia, total 0-25 [9].

Items: rotation, tilt, antero/retrocollis, shoulder elevation, tremor, and whether the
movements are continuous or intermittent [9]. The reference gives neither the item
ranges nor the formula that combines them (UNSOURCED), so Collis stores the items and
the total exactly as the clinician entered them and never computes a total. It refuses
only what the reference rules out: a total outside 0-25 [9], and negative values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

SOURCES = (9,)
TOTAL_RANGE = (0, 25)
ITEM_NAMES = (
    "rotation",
    "tilt",
    "antero_retrocollis",
    "shoulder_elevation",
    "tremor",
    "continuity",
)
# The reference gives no range for any item: None means "not given", not "unbounded".
ITEM_RANGES: dict[str, tuple[int, int] | None] = dict.fromkeys(ITEM_NAMES)


class TsuiError(ValueError):
    """A Tsui item or total that cannot be stored; names it and what is allowed."""


@dataclass(frozen=True, slots=True)
class TsuiScore:
    """Tsui items and total as entered (the total is the clinician's, not computed)."""

    items: tuple[tuple[str, float], ...]
    total: float | None

    def as_dict(self) -> dict[str, object]:
        return {"items": dict(self.items), "total": self.total}


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TsuiError(f"Tsui {name}: expected a number, got {value!r}")
    if value < 0:
        raise TsuiError(
            f"Tsui {name}: {value!r} is out of range; allowed 0 or more (the reference gives no "
            "item ranges)"
        )
    return value


def record_tsui(items: Mapping[str, float], total: float | None = None) -> TsuiScore:
    """Check and keep Tsui items and the entered total (0-25 [9])."""
    unknown = [name for name in items if name not in ITEM_RANGES]
    if unknown:
        raise TsuiError(
            f"Tsui: unknown item(s) {', '.join(map(repr, unknown))}; allowed: "
            f"{', '.join(ITEM_NAMES)}"
        )
    checked = tuple((name, _number(name, items[name])) for name in ITEM_NAMES if name in items)
    if total is not None:
        _number("total", total)
        if total > TOTAL_RANGE[1]:
            raise TsuiError(
                f"Tsui total: {total!r} is out of range; allowed {TOTAL_RANGE[0]}-{TOTAL_RANGE[1]} "
                "[9]"
            )
    for name, value in checked:
        if value > TOTAL_RANGE[1]:
            raise TsuiError(
                f"Tsui {name}: {value!r} is out of range; no item can exceed the scale's total of "
                f"{TOTAL_RANGE[1]} [9]"
            )
    return TsuiScore(items=checked, total=total)

"""The toxin clinic's audit from aggregates: the response pattern of a patient from four facts
a grouped query can count (how many reviewed cycles, whether any was useful, whether any was
good, whether the latest was good), and quartiles of a dose from a count of each dose.

`response_pattern_from_facts` gives exactly what `collis.domain.toxin.derive_response_pattern`
gives for the same cycles (tested over every short sequence of cycles): the rule lives in
`derive_response_pattern`, whose thresholds are local policy [20][23]; this is its shape for
counts. Quartiles use the same rule as `collis.domain.audit_statistics.quantile`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from collis.domain.policy import DEFAULT_POLICY, ResponseThresholds
from collis.domain.toxin import ResponsePattern


@dataclass(frozen=True, slots=True)
class ResponseFacts:
    """What the response pattern rests on, for one patient's reviewed cycles up to a point:
    how many there are, whether any gave a useful benefit, whether any was good, and whether
    the latest (by date) was good, under the thresholds of the local policy."""

    reviewed: int
    any_useful: bool
    any_good: bool
    latest_good: bool


def response_pattern_from_facts(
    facts: ResponseFacts,
    thresholds: ResponseThresholds = DEFAULT_POLICY.bont_response_thresholds,
) -> ResponsePattern | None:
    """The response pattern `derive_response_pattern` gives for cycles with these facts;
    None when too few cycles are reviewed to derive one (local policy `min_cycles`)."""
    if facts.reviewed < 1 or facts.reviewed < thresholds.min_cycles:
        return None
    if not facts.any_useful:
        return ResponsePattern.PRIMARY_NON_RESPONSE
    if facts.latest_good:
        return ResponsePattern.GOOD_RESPONSE
    if facts.any_good:
        # The latest was not good, so the good one came earlier: a good response lost.
        return ResponsePattern.SECONDARY_NON_RESPONSE
    return ResponsePattern.PARTIAL_RESPONSE


@dataclass(frozen=True, slots=True)
class Quartiles:
    """The median and quartiles of `n` values (each a dose, in its product's own units)."""

    n: int
    lower_quartile: float
    median: float
    upper_quartile: float
    lowest: float
    highest: float


def quantile_of_counts(counts: Mapping[float, int], q: float) -> float:
    """The q-quantile of values given as {value: how many}, by the rule of
    `audit_statistics.quantile` (linear between order statistics, R's type 7), without
    listing every value."""
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        raise ValueError("a quantile needs at least one value")
    position = (total - 1) * q
    low_rank = math.floor(position)
    high_rank = min(low_rank + 1, total - 1)

    def value_at(rank: int) -> float:
        seen = 0
        for value, n in ordered:
            seen += n
            if rank < seen:
                return value
        return ordered[-1][0]

    low, high = value_at(low_rank), value_at(high_rank)
    return low + (high - low) * (position - low_rank)


def quartiles_of_counts(counts: Mapping[float, int]) -> Quartiles | None:
    """The median and quartiles of values given as {value: how many} (None without any)."""
    present = {value: n for value, n in counts.items() if n > 0}
    if not present:
        return None
    return Quartiles(
        n=sum(present.values()),
        lower_quartile=quantile_of_counts(present, 0.25),
        median=quantile_of_counts(present, 0.5),
        upper_quartile=quantile_of_counts(present, 0.75),
        lowest=min(present),
        highest=max(present),
    )

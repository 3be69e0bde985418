"""The statistics of the service audit: a proportion with its Wilson 95% interval, a paired
change with its 95% confidence interval (Student's t), the Kaplan-Meier estimate with
Greenwood's variance, and the check of an observed complication rate against the range a
consent form disclosed. Pure Python (no Django, no numpy): each is small, and each is tested
against values computed by hand (collis/domain/tests/test_audit_statistics.py).

References for the methods (statistics, not clinical facts): Wilson (1927) for the score
interval; Kaplan and Meier (1958) with Greenwood's (1926) variance and the log(-log)
transform for the interval; the t interval for a mean of paired differences."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist, fmean, stdev

Z_95 = NormalDist().inv_cdf(0.975)  # 1.959963...


# -- A proportion and its Wilson interval --------------------------------------------------
@dataclass(frozen=True, slots=True)
class Proportion:
    """`numerator` of `denominator`, with the Wilson 95% interval, as fractions 0-1."""

    numerator: int
    denominator: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.numerator / self.denominator

    @property
    def percent(self) -> float:
        return 100 * self.rate

    @property
    def percent_low(self) -> float:
        return 100 * self.low

    @property
    def percent_high(self) -> float:
        return 100 * self.high


def proportion_wilson(numerator: int, denominator: int, z: float = Z_95) -> Proportion:
    """The Wilson score interval of numerator/denominator: it stays inside 0-1 and behaves
    at 0 of n and n of n, where the simple (Wald) interval does not."""
    if denominator <= 0:
        raise ValueError("a proportion needs a denominator of at least 1")
    if not 0 <= numerator <= denominator:
        raise ValueError(f"numerator {numerator} must lie between 0 and {denominator}")
    n, p = denominator, numerator / denominator
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if numerator == 0 else max(0.0, centre - half)
    high = 1.0 if numerator == denominator else min(1.0, centre + half)
    return Proportion(numerator, denominator, low, high)


# -- Student's t, for the interval of a mean of paired differences ------------------------
def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta (Lentz's method)."""
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < eps:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1 - front * _beta_continued_fraction(b, a, 1 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The t with P(T <= t) = p, by bisection on the cdf (p in (0, 1))."""
    if not 0 < p < 1 or df < 1:
        raise ValueError("t_quantile needs 0 < p < 1 and at least 1 degree of freedom")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True, slots=True)
class PairedChange:
    """The mean change (after minus before) of `n` pairs with its 95% interval (None with
    fewer than two pairs), the mean before and after, and the mean percentage change of the
    means (the form the published series give: "TWSTRS -30%")."""

    n: int
    mean_before: float
    mean_after: float
    mean_change: float
    low: float | None
    high: float | None

    @property
    def percent_change(self) -> float | None:
        if self.mean_before == 0:
            return None
        return 100 * self.mean_change / self.mean_before


def paired_change(pairs: Sequence[tuple[float, float]]) -> PairedChange:
    """The mean of after - before over the pairs, with the t interval of that mean."""
    if not pairs:
        raise ValueError("a paired change needs at least one pair")
    differences = [after - before for before, after in pairs]
    n = len(differences)
    mean = fmean(differences)
    low = high = None
    if n >= 2:
        half = t_quantile(0.975, n - 1) * stdev(differences) / math.sqrt(n)
        low, high = mean - half, mean + half
    return PairedChange(n, fmean(b for b, _ in pairs), fmean(a for _, a in pairs), mean,
                        low, high)


def paired_change_from_sums(*, n: int, sum_before: float, sum_after: float,
                            sum_difference: float, sum_difference_squared: float
                            ) -> PairedChange:
    """The same from sums a database computes in one grouped query (n, sum of before, of
    after, of the differences and of their squares), without reading each pair."""
    if n < 1:
        raise ValueError("a paired change needs at least one pair")
    mean = sum_difference / n
    low = high = None
    if n >= 2:
        variance = max(0.0, (sum_difference_squared - n * mean * mean) / (n - 1))
        half = t_quantile(0.975, n - 1) * math.sqrt(variance) / math.sqrt(n)
        low, high = mean - half, mean + half
    return PairedChange(n, sum_before / n, sum_after / n, mean, low, high)


# -- Kaplan-Meier ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SurvivalStep:
    """The estimate just after `time`: events and censorings at that time, the number at
    risk just before it, the survival and its 95% interval (log(-log), None where it is
    undefined: survival 1 or 0)."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    low: float | None
    high: float | None


def kaplan_meier(observations: Iterable[tuple[float, bool]]) -> tuple[SurvivalStep, ...]:
    """The Kaplan-Meier estimate from (time, event happened) pairs; a pair without the event
    is censored at its time. Censorings at an event's time count as at risk for it."""
    data = sorted(observations)
    if any(time < 0 for time, _ in data):
        raise ValueError("times must not be negative")
    at_risk = len(data)
    survival, greenwood = 1.0, 0.0
    steps: list[SurvivalStep] = []
    index = 0
    while index < len(data):
        time = data[index][0]
        events = censored = 0
        while index < len(data) and data[index][0] == time:
            if data[index][1]:
                events += 1
            else:
                censored += 1
            index += 1
        if events:
            survival *= 1 - events / at_risk
            if at_risk > events:
                greenwood += events / (at_risk * (at_risk - events))
        low = high = None
        if 0 < survival < 1 and greenwood > 0:
            spread = Z_95 * math.sqrt(greenwood) / abs(math.log(survival))
            low = survival ** math.exp(spread)
            high = survival ** math.exp(-spread)
        steps.append(SurvivalStep(time, at_risk, events, censored, survival, low, high))
        at_risk -= events + censored
    return tuple(steps)


def survival_at(steps: Sequence[SurvivalStep], time: float) -> float:
    """The estimate at `time`: that of the last step at or before it (1 before any)."""
    value = 1.0
    for step in steps:
        if step.time > time:
            break
        value = step.survival
    return value


def at_risk_at(steps: Sequence[SurvivalStep], time: float) -> int:
    """How many were still at risk at `time` (followed that long with no event yet)."""
    for step in steps:
        if step.time >= time:
            return step.at_risk
    last = steps[-1] if steps else None
    return 0 if last is None else last.at_risk - last.events - last.censored


# -- Observed against disclosed --------------------------------------------------------
class Comparison(StrEnum):
    ABOVE_CLEARLY = "above_clearly"  # the whole 95% interval lies above the disclosed range
    ABOVE = "above"  # the observed rate lies above it; the interval reaches into it
    WITHIN = "within"  # at or below the top of the disclosed range
    NO_FIGURE = "no_figure"  # the consent form gave no figure to compare with


COMPARISON_WORDS = {
    Comparison.ABOVE_CLEARLY: "Above the disclosed range, and so is the whole 95% interval",
    Comparison.ABOVE: "Above the disclosed range (the 95% interval reaches into it)",
    Comparison.WITHIN: "Within or below the disclosed range",
    Comparison.NO_FIGURE: "No figure was disclosed to compare with",
}


def compare_with_disclosed(observed: Proportion,
                           disclosed: tuple[float, float] | None) -> Comparison:
    """Whether an observed rate lies above the range (percent low, percent high) a consent
    form quoted: flagged when the rate is above the top of the range."""
    if disclosed is None:
        return Comparison.NO_FIGURE
    top = disclosed[1]
    if observed.percent_low > top:
        return Comparison.ABOVE_CLEARLY
    if observed.percent > top:
        return Comparison.ABOVE
    return Comparison.WITHIN


def is_flagged(comparison: Comparison) -> bool:
    return comparison in (Comparison.ABOVE, Comparison.ABOVE_CLEARLY)


def disclosed_range(figures: Iterable[dict]) -> tuple[float, float] | None:
    """The range of percentages a disclosure quoted, from its figures as frozen
    (RiskFigure.as_dict): the lowest low to the highest high over its figures (each figure
    stays shown on its own; the range only decides the flag). None without a figure."""
    lows, highs = [], []
    for figure in figures:
        low, high = figure.get("percent_low"), figure.get("percent_high")
        if low is None and figure.get("numerator") is not None and figure.get("denominator"):
            low = high = 100 * figure["numerator"] / figure["denominator"]
        if low is None:
            continue
        lows.append(float(low))
        highs.append(float(high if high is not None else low))
    if not lows:
        return None
    return min(lows), max(highs)


def suppressed(n: int, minimum: int) -> bool:
    """A group smaller than the local-policy minimum is not shown (small numbers identify
    people and mislead)."""
    return n < minimum


# -- A distribution of waiting times ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Distribution:
    """How long people waited, not only the mean: the count, the quartiles, the 90th
    centile and how many waited no longer than a standard (days)."""

    n: int
    median: float
    lower_quartile: float
    upper_quartile: float
    centile_90: float
    longest: float
    within: Proportion | None
    standard_days: int | None


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values by linear interpolation between order statistics
    (the 'type 7' rule of R and of numpy's default)."""
    if not ordered:
        raise ValueError("a quantile needs at least one value")
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution_of(values: Iterable[float], *, standard_days: int | None = None
                    ) -> Distribution | None:
    """The distribution of waits in days (None without any); with a standard, the share
    that waited no longer, with its Wilson interval."""
    ordered = sorted(values)
    if not ordered:
        return None
    within = None
    if standard_days is not None:
        within = proportion_wilson(sum(1 for v in ordered if v <= standard_days), len(ordered))
    return Distribution(len(ordered), quantile(ordered, 0.5), quantile(ordered, 0.25),
                        quantile(ordered, 0.75), quantile(ordered, 0.9), ordered[-1], within,
                        standard_days)

"""Figures in words a patient reads: natural frequencies on one denominator.

IPDAS asks for probabilities with the same denominator, in plain language [43]. A
proportion from the risk catalogue (collis/domain/risks.py) becomes "about 25 in 100"; a
range stays a range ("between 2 and 38 in 100"); a figure below 1 in 100 is said as
"fewer than 1 in 100", never rounded up to 1 or down to none; and where there is no figure
the words say so plainly (NO_FIGURE_WORDS). The numbers always come from the catalogue:
this module only turns them into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DENOMINATOR = 100
NO_FIGURE_WORDS = "We do not have a figure for how often this happens."
QUALIFIERS = ("about", "at least", "maybe")


def per_hundred(percent: float) -> int:
    """A percentage as a whole number of people in 100, rounded half up (14.5 -> 15)."""
    return int(Decimal(str(percent)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(numerator: int, denominator: int) -> float:
    """3 of 12 -> 25.0."""
    if denominator <= 0 or not 0 <= numerator <= denominator:
        raise ValueError(f"{numerator} of {denominator} is not a proportion")
    return 100 * numerator / denominator


@dataclass(frozen=True, slots=True)
class NaturalFrequency:
    """How many people in 100: `low` to `high` (the same for a single figure), rounded to
    whole people; `below_one` when a figure above none rounds to none."""

    low: int
    high: int
    qualifier: str = "about"
    below_one: bool = False

    def words(self) -> str:
        """'about 25 in 100', 'between 2 and 38 in 100', 'fewer than 1 in 100',
        'up to 3 in 100', 'at least 70 in 100', '100 in 100'."""
        if self.below_one and self.high == 0:
            return f"fewer than 1 in {DENOMINATOR}"
        if self.low == self.high:
            if self.high == DENOMINATOR:
                return f"{DENOMINATOR} in {DENOMINATOR}"
            return f"{self.qualifier} {self.high} in {DENOMINATOR}"
        if self.low == 0:
            return f"up to {self.high} in {DENOMINATOR}"
        return f"between {self.low} and {self.high} in {DENOMINATOR}"


def natural_frequency(percent_low: float, percent_high: float | None = None,
                      qualifier: str = "about") -> NaturalFrequency:
    """A percentage, or a range of percentages, as people in 100. ValueError for a
    percentage outside 0-100, a range whose low end is above its high end, or an unknown
    qualifier."""
    high = percent_low if percent_high is None else percent_high
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; allowed: {', '.join(QUALIFIERS)}")
    if not 0 <= percent_low <= high <= 100:
        raise ValueError(f"{percent_low}-{high}% is not a percentage or range of them")
    # Below 1 in 100 is never rounded up to 1 (1 in 168 is "fewer than 1 in 100").
    low_n, high_n = (0 if p < 1 else per_hundred(p) for p in (percent_low, high))
    return NaturalFrequency(low_n, high_n, qualifier, below_one=0 < high < 1)


def frequency_sentence(template: str, frequency: NaturalFrequency) -> str:
    """Put the frequency's words where the template says '{frequency}', with a capital
    letter if the sentence starts there: '{frequency} people died' -> 'Fewer than 1 in 100
    people died'."""
    sentence = template.replace("{frequency}", frequency.words())
    return sentence[:1].upper() + sentence[1:]

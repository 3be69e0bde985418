"""Formatting after SD: labels, and the outcome against the baseline as the domain judges it
(compare_twstrs against the policy MCIC); nothing is scored here."""

from __future__ import annotations

from dataclasses import dataclass

from collis.assessments.presenters import DIRECTION_WORDS, score_of
from collis.core.presenters import date_long
from collis.domain.policy import DEFAULT_POLICY
from collis.domain.risks import risk
from collis.domain.scales.twstrs import MCIC_SOURCES, compare_twstrs
from collis.outcomes.models import MUSCLE_CHOICES, SIDE_CHOICES

MUSCLE_LABELS = dict(MUSCLE_CHOICES)
SIDE_LABELS = dict(SIDE_CHOICES)


def muscle_words(muscle: str, side: str = "") -> str:
    name = MUSCLE_LABELS.get(muscle, muscle.replace("_", " ")).lower()
    return f"{name} ({SIDE_LABELS.get(side, side).lower()})" if side else name


def risk_name(code: str) -> str:
    try:
        return risk(code).name
    except KeyError:
        return code


def months_words(months: int) -> str:
    if months > 12 and months % 12 == 0:
        return f"{months // 12}-year review"
    return f"{months}-month review"


def number(value) -> str:
    return "–" if value is None else f"{value:g}"


def scale_choices(assessments) -> list[tuple[str, str]]:
    """Assessments a review can use, as choices: '2 June 2026: total 17'."""
    return [(str(a.pk), f"{date_long(a.assessed_on)}: total {number(a.total)}")
            for a in assessments]


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    date: str
    total: float
    change: str
    words: str
    important: bool
    detail: str


def outcome_rows(baseline, reviews, policy=DEFAULT_POLICY) -> list[OutcomeRow]:
    """Each review's TWSTRS against the baseline, judged by the domain's compare_twstrs."""
    rows = []
    if baseline is None or baseline.total is None:
        return rows
    for review in reviews:
        after = review.twstrs
        if after is None or after.total is None:
            continue
        change = compare_twstrs(score_of(baseline), score_of(after), policy)
        rows.append(OutcomeRow(months_words(review.months_after), date_long(after.assessed_on),
                               after.total, f"{change.change:+g}",
                               DIRECTION_WORDS[change.direction], change.clinically_important,
                               change.detail))
    return rows


MCIC_NOTE_SOURCES = MCIC_SOURCES

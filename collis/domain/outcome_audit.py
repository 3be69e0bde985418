"""What the service audit measures after selective denervation, and the published figures
it sets beside the unit's own (clinical reference §4 and §6).

Each published comparator is a figure of the one outcomes table (collis.domain.risks.OUTCOMES)
read as a percentage change, with the point it was measured at and the series it came from;
nothing here is a new clinical fact. Review points are the local policy's (3, 6, 12 months),
plus the last follow-up of each patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from collis.domain.risks import OUTCOMES, Intervention, Outcome, risk

OUTCOMES_BY_CODE: dict[str, Outcome] = {o.code: o for o in OUTCOMES}


class Measure(StrEnum):
    """A score compared before and after the operation (lower is better for each)."""

    TWSTRS_TOTAL = "twstrs_total"
    TWSTRS_SEVERITY = "twstrs_severity"
    TWSTRS_DISABILITY = "twstrs_disability"
    TWSTRS_PAIN = "twstrs_pain"
    TSUI_TOTAL = "tsui_total"


MEASURE_LABELS = {
    Measure.TWSTRS_TOTAL: "TWSTRS total (0-85)",
    Measure.TWSTRS_SEVERITY: "TWSTRS severity (0-35)",
    Measure.TWSTRS_DISABILITY: "TWSTRS disability (0-30)",
    Measure.TWSTRS_PAIN: "TWSTRS pain (0-20)",
    Measure.TSUI_TOTAL: "Tsui total (0-25)",
}
# The scale and the field of a scale assessment that holds each measure.
MEASURE_FIELDS = {
    Measure.TWSTRS_TOTAL: ("twstrs", "total"),
    Measure.TWSTRS_SEVERITY: ("twstrs", "severity"),
    Measure.TWSTRS_DISABILITY: ("twstrs", "disability"),
    Measure.TWSTRS_PAIN: ("twstrs", "pain"),
    Measure.TSUI_TOTAL: ("tsui", "total"),
}

LAST_FOLLOW_UP = "last"
# The review points the audit reports: months after the operation, then the last follow-up.
AUDIT_POINTS: tuple[int | str, ...] = (3, 6, 12, LAST_FOLLOW_UP)


def point_label(point: int | str) -> str:
    return "Last follow-up" if point == LAST_FOLLOW_UP else f"{point} months"


@dataclass(frozen=True, slots=True)
class PublishedChange:
    """A published mean change of a measure, as a percentage of the baseline, at a point."""

    measure: Measure
    point: int | str
    percent_change: float
    outcome_code: str
    words: str

    @property
    def outcome(self) -> Outcome:
        return OUTCOMES_BY_CODE[self.outcome_code]

    @property
    def sources(self) -> tuple[int, ...]:
        return self.outcome.sources

    @property
    def series(self) -> str:
        o = self.outcome
        return f"{o.series} (n = {o.n}; follow-up {o.follow_up})"


# Munchau: "TWSTRS -30%" at a mean follow-up of 16.7 months [28]; Bergenheim: "Tsui 10 ->
# 4.5 at 6 months (-57%), 5.3 late (-45%)" at 42 months [30]. A later point of the unit is
# set beside the series' late figure as "last follow-up".
PUBLISHED_CHANGES: tuple[PublishedChange, ...] = (
    PublishedChange(Measure.TWSTRS_TOTAL, LAST_FOLLOW_UP, -30, "SD_MUNCHAU",
                    "TWSTRS -30% at a mean follow-up of 16.7 months"),
    PublishedChange(Measure.TSUI_TOTAL, 6, -57, "SD_BERGENHEIM",
                    "Tsui 10 -> 4.5 at 6 months (-57%)"),
    PublishedChange(Measure.TSUI_TOTAL, LAST_FOLLOW_UP, -45, "SD_BERGENHEIM",
                    "Tsui 10 -> 5.3 late (-45%), follow-up 42 months"),
)


def published_changes_for(measure: Measure, point: int | str) -> tuple[PublishedChange, ...]:
    return tuple(p for p in PUBLISHED_CHANGES if p.measure == measure and p.point == point)


def sd_published_outcomes() -> tuple[Outcome, ...]:
    """Every published result for SD in the outcomes table, shown beside the unit's."""
    return tuple(o for o in OUTCOMES if o.intervention == Intervention.SELECTIVE_DENERVATION)


class FurtherSurgeryEndpoint(StrEnum):
    REOPERATION = "reoperation"
    CONVERSION_TO_DBS = "conversion_to_dbs"


ENDPOINT_LABELS = {
    FurtherSurgeryEndpoint.REOPERATION: "Time to reoperation",
    FurtherSurgeryEndpoint.CONVERSION_TO_DBS: "Time to conversion to deep brain stimulation",
}


def reoperation_published():
    """The published reoperation figures, each series on its own (2% to 63% by series,
    [25]-[30]), from the risk catalogue."""
    return risk("SD_REOPERATION").figures


def months_between(start, end) -> float:
    """Months from one date to another, as days / (365.25 / 12)."""
    return (end - start).days / (365.25 / 12)


# The NHS referral-to-treatment standard of 18 weeks, which issue 15 names. The clinical
# reference does not give it (UNSOURCED): the audit shows it as a service standard, labelled.
RTT_STANDARD_DAYS = 18 * 7
RTT_STANDARD_LABEL = ("18 weeks (the NHS referral-to-treatment standard; not in the clinical "
                      "reference, UNSOURCED)")

"""How the treatments record reads on screen: labels, sources and the benefit chart."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from collis.core.charts import Bar, bar_chart
from collis.core.presenters import date_long
from collis.domain import toxin as domain
from collis.domain.findings import LOCAL_POLICY_LABEL
from collis.treatments.models import (
    PRODUCT_LABELS,
    RESISTANCE_RESULT_CHOICES,
    RESISTANCE_TEST_CHOICES,
    ToxinCycle,
)

PATTERN_LABELS = {
    domain.ResponsePattern.GOOD_RESPONSE: "Good response",
    domain.ResponsePattern.PARTIAL_RESPONSE: "Partial response",
    domain.ResponsePattern.SECONDARY_NON_RESPONSE: "Secondary non-response",
    domain.ResponsePattern.PRIMARY_NON_RESPONSE: "Primary non-response",
}
TEST_LABELS = dict(RESISTANCE_TEST_CHOICES)
RESULT_LABELS = dict(RESISTANCE_RESULT_CHOICES)
NOT_REVIEWED = "not reviewed"


def sources(numbers: Sequence[int]) -> str:
    """(15, 19) -> "[15][19]", the way the clinical reference cites."""
    return "".join(f"[{n}]" for n in numbers)


def product_label(value: str) -> str:
    return PRODUCT_LABELS[domain.Product(value)]


def pattern_label(pattern: domain.ResponsePattern | None) -> str:
    return PATTERN_LABELS[pattern] if pattern else "Not derived"


def local_policy_label() -> str:
    return LOCAL_POLICY_LABEL


def product_information() -> list[dict]:
    """The domain's dosing evidence per product, with sources: information only."""
    return [{"product": product_label(p), "serotype": info.serotype,
             "evidence": info.cd_dosing_evidence, "sources": sources(info.sources)}
            for p, info in domain.PRODUCTS.items()]


def approximate_ratios() -> list[dict]:
    return [{"first": product_label(r.first), "second": product_label(r.second),
             "ratio": r.ratio, "sources": sources(r.sources)} for r in domain.APPROXIMATE_RATIOS]


def ratio_note() -> str:
    return domain.RATIO_NOTE


def resistance_test_info() -> list[dict]:
    return [{"test": TEST_LABELS[k.value], "description": info.description,
             "sources": sources(info.sources)} for k, info in domain.RESISTANCE_TESTS.items()]


def cycle_label(cycle: ToxinCycle) -> str:
    return date_long(cycle.given_on)


def benefit_bars(cycles: Sequence[ToxinCycle]) -> list[dict]:
    """One bar per cycle: the peak benefit, or "not reviewed"."""
    bars = []
    for cycle in cycles:
        review = cycle.review if cycle.reviewed else None
        bars.append({
            "label": cycle_label(cycle),
            "value": review.peak_benefit_percent if review else None,
            "weeks": review.benefit_weeks if review else None,
            "note": "" if review else NOT_REVIEWED,
            "product": cycle.product_label,
            "units": cycle.total_units,
        })
    return bars


def benefit_chart(cycles: Sequence[ToxinCycle]) -> Markup | None:
    """The bar chart of peak benefit per cycle (None when there are no cycles); the data
    table beside it carries the same numbers."""
    if not cycles:
        return None
    bars = [Bar(label=b["label"], value=None if b["value"] is None else float(b["value"]),
                note=b["note"]) for b in benefit_bars(cycles)]
    return bar_chart(
        title="Peak benefit of each botulinum toxin cycle",
        description=(f"Peak benefit in percent for {len(bars)} cycles, oldest first; cycles "
                     "without a review are shown as not reviewed. The same figures are in the "
                     "table below."),
        bars=bars, y_label="Peak benefit (%)", y_max=100)


def threshold_sources() -> str:
    from collis.domain.policy import DEFAULT_POLICY

    return sources(DEFAULT_POLICY.value("bont_response_thresholds").sources)


def warning_sources(warning: domain.ToxinWarning) -> str:
    return sources(warning.sources)

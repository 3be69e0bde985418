"""How the treatments record reads on screen: labels, sources and the benefit chart."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from markupsafe import Markup

from collis.core.charts import Bar, bar_chart
from collis.core.models import RecordStatus
from collis.core.prepared import related_rows
from collis.core.presenters import date_long, datetime_long
from collis.domain import toxin as domain
from collis.domain.findings import LOCAL_POLICY_LABEL
from collis.treatments.models import (
    PRODUCT_LABELS,
    RESISTANCE_RESULT_CHOICES,
    RESISTANCE_TEST_CHOICES,
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinReview,
    ToxinStop,
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


def warnings_heading(warnings: Sequence[domain.ToxinWarning]) -> str:
    """The heading of the warnings shown before a cycle is recorded anyway."""
    interval = any("INTERVAL" in w.code for w in warnings)
    units = any("INTERVAL" not in w.code for w in warnings)
    if interval and units:
        return "Check the interval and the units before you go on"
    return "Check the interval before you go on" if interval else \
        "Check the units before you go on"


def needs_reason(warnings: Sequence[domain.ToxinWarning]) -> bool:
    """Units above a limit are recorded only with a reason (the interval needs none)."""
    return any("INTERVAL" not in w.code for w in warnings)


# Corrections (ADR 0009) -------------------------------------------------------------------

STATUS_TAGS = {RecordStatus.AMENDED: ("Superseded", "grey"),
               RecordStatus.ENTERED_IN_ERROR: ("Entered in error", "red")}


def status_tag(entry) -> tuple[str, str] | None:
    """("Entered in error", "red") for an entry that is no longer current, else None."""
    return STATUS_TAGS.get(entry.record_status)


def status_notice(entry) -> str:
    """What the page of a corrected or mistaken entry says first."""
    if entry.is_current:
        return ""
    who = entry.status_changed_by.display_name if entry.status_changed_by else "someone"
    what = ("was marked as entered in error" if entry.record_status
            == RecordStatus.ENTERED_IN_ERROR else "was corrected")
    return (f"This entry {what} on {datetime_long(entry.status_changed_at)} by {who}: "
            f"{entry.status_reason}. It is kept in the record's history and left out of its "
            "summaries.")


def entry_href(entry) -> str:
    """The page of one version of an entry."""
    if isinstance(entry, ToxinCycle):
        return reverse("treatments:toxin_detail",
                       kwargs={"patient_id": entry.patient_id, "pk": entry.pk})
    if isinstance(entry, ToxinReview):
        return reverse("treatments:toxin_detail",
                       kwargs={"patient_id": entry.cycle.patient_id, "pk": entry.cycle_id})
    name = {ResistanceTest: "resistance_test_detail", Medication: "medication_detail",
            TherapySession: "therapy_detail", ToxinStop: "toxin_stop_detail"}[type(entry)]
    return reverse(f"treatments:{name}", kwargs={"patient_id": entry.patient_id,
                                                 "pk": entry.pk})


def describe_cycle(cycle: ToxinCycle) -> str:
    return f"{date_long(cycle.given_on)}, {cycle.total_units} units of {cycle.product_label}"


def describe_review(review: ToxinReview) -> str:
    effects = ", ".join(review.side_effects) or "no side effects"
    return (f"{date_long(review.reviewed_on)}: {review.peak_benefit_percent}% benefit for "
            f"{review.benefit_weeks} weeks; {effects}")


def describe_test(test: ResistanceTest) -> str:
    return (f"{date_long(test.tested_on)}: {TEST_LABELS[test.kind]}, "
            f"{RESULT_LABELS[test.result].lower()}")


STOP_LEAD = ("Record the decision to stop botulinum toxin, who made it and why. About 20% of "
             "patients eventually stop toxin, mostly because it stops working [19][20]. If "
             "toxin is given again later, record the cycle as usual: the stop stays in the "
             "record, shown as restarted.")


def describe_stop(stop: ToxinStop) -> str:
    return f"{date_long(stop.stopped_on)}: {stop.reason_label}"


def stop_rows(stop: ToxinStop) -> list[tuple[str, str]]:
    restarted = getattr(stop, "restarted_on", None)
    return [("Date toxin was stopped", date_long(stop.stopped_on)),
            ("Clinician responsible", stop.decided_by.display_name),
            ("Reason", stop.reason_label), ("Notes", stop.notes or "None"),
            ("Restarted", f"Yes, with the cycle of {date_long(restarted)}" if restarted
             else "No"),
            ("Recorded", _recorded(stop))]


def describe_medication(medication: Medication) -> str:
    stopped = f", stopped {date_long(medication.stopped_on)}" if medication.stopped_on else ""
    return (f"{medication.drug_name} {medication.dose} from "
            f"{date_long(medication.started_on)}{stopped}")


def describe_session(session: TherapySession) -> str:
    return (f"{date_long(session.session_on)}: {session.get_kind_display()}, "
            f"{session.duration_minutes} minutes")


def test_rows(test: ResistanceTest) -> list[tuple[str, str]]:
    return [("Date of the test", date_long(test.tested_on)), ("Test", TEST_LABELS[test.kind]),
            ("Result", RESULT_LABELS[test.result]), ("Notes", test.notes or "None"),
            ("Recorded", _recorded(test))]


def medication_rows(medication: Medication) -> list[tuple[str, str]]:
    rows = [("Medicine", medication.drug_name), ("Dose", medication.dose),
            ("Start date", date_long(medication.started_on))]
    if medication.stopped_on:
        rows.append(("Stopped", f"{date_long(medication.stopped_on)}: "
                                f"{medication.stop_reason}"))
    return rows + [("Effect", medication.effect or "Not recorded"),
                   ("Side effects", medication.side_effects or "Not recorded"),
                   ("Recorded", _recorded(medication))]


def session_rows(session: TherapySession) -> list[tuple[str, str]]:
    return [("Date of the session", date_long(session.session_on)),
            ("Kind of therapy", session.get_kind_display()),
            ("Therapist", session.therapist.display_name),
            ("Duration", f"{session.duration_minutes} minutes"),
            ("Goals", session.goals or "None"), ("Notes", session.notes or "None"),
            ("Recorded", _recorded(session))]


def cycle_rows(cycle: ToxinCycle) -> list[tuple[str, str]]:
    return [("Date of the injections", date_long(cycle.given_on)),
            ("Product", cycle.product_label),
            ("Total units", f"{cycle.total_units} units of {cycle.product_label}"),
            ("Injections", "; ".join(f"{i.muscle_label} ({i.side}) {i.units} U"
                                     for i in related_rows(cycle, "injections"))),
            ("Recorded", _recorded(cycle))]


def review_rows(review: ToxinReview) -> list[tuple[str, str]]:
    return [("Cycle", describe_cycle(review.cycle)), ("Review", describe_review(review)),
            ("Recorded", _recorded(review))]


def _recorded(entry) -> str:
    return f"{datetime_long(entry.created_at)} by {entry.created_by.display_name}"

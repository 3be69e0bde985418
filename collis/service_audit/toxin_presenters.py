"""The toxin clinic measures in words, tables and charts: each table one `Table` that the page
lays out and the CSV streams. A group (a product, a year, the clinic) with fewer patients
than the local-policy minimum is not shown; doses stay in each product's own units and are
never drawn on a shared axis [18]."""

from __future__ import annotations

from collis.core.presenters import date_long
from collis.domain.audit_statistics import Comparison, compare_with_disclosed, proportion_wilson
from collis.domain.risks import figure_percents, risk
from collis.domain.toxin import (
    LICENSED_MIN_INTERVAL_WEEKS,
    PRODUCTS,
    USUAL_INTERVAL_SOURCES,
    USUAL_MIN_INTERVAL_WEEKS,
    Product,
    ResponsePattern,
)
from collis.service_audit import toxin_charts
from collis.service_audit.presenters import (
    SUPPRESSED,
    Table,
    proportion_text,
    sources_text,
)
from collis.service_audit.toxin_measures import ToxinClinic
from collis.treatments.presenters import pattern_label

PATTERN_ORDER = (ResponsePattern.GOOD_RESPONSE, ResponsePattern.PARTIAL_RESPONSE,
                 ResponsePattern.SECONDARY_NON_RESPONSE, ResponsePattern.PRIMARY_NON_RESPONSE)
ALL_PRODUCTS = "All products"
# Reference §5: "About 20% of patients eventually stop BoNT, mostly because it stops
# working [19][20]"; "Partial secondary failure 14.5% over 9 years [22]".
STOPPING_PUBLISHED = "About 20% of patients eventually stop botulinum toxin, mostly because " \
                     "it stops working [19][20]."
SECONDARY_PUBLISHED = "Secondary non-response is the loss of a previously good response; " \
                      "shortening duration is the first sign, usually within 2 to 3 years " \
                      "[20][23]. Partial secondary failure: 14.5% over 9 years [22]."


def _rate(numerator: int, denominator: int) -> str:
    return proportion_text(proportion_wilson(numerator, denominator)) if denominator else ""


def _hidden(minimum: int, what: str = "patients") -> str:
    return f"{SUPPRESSED.format(minimum=minimum)} {what}"


def window_text(clinic: ToxinClinic) -> str:
    if clinic.first_cycle is None:
        return "No cycles"
    return f"cycles from {date_long(clinic.first_cycle)} to {date_long(clinic.last_cycle)}"


def thresholds_text(clinic: ToxinClinic) -> str:
    t = clinic.thresholds
    return (f"Good: at least {t.good_min_benefit_percent:g}% benefit for at least "
            f"{t.good_min_benefit_weeks:g} weeks; useful: at least "
            f"{t.useful_min_benefit_percent:g}%; at least {t.min_cycles} reviewed cycles "
            f". These are local policy (UNSOURCED: the reference gives no formal threshold "
            f"[20]).")


def patterns_table(clinic: ToxinClinic) -> Table:
    """Patients by response pattern, as it stood at their last reviewed cycle in the window,
    of the patients with a pattern; and how many have none yet."""
    shown = clinic.derived >= clinic.minimum
    rows = []
    for pattern in PATTERN_ORDER:
        n = clinic.patterns.get(pattern, 0)
        rows.append([pattern_label(pattern), _rate(n, clinic.derived) if shown
                     else _hidden(clinic.minimum)])
    rows.append([f"No pattern yet (fewer than {clinic.thresholds.min_cycles} reviewed "
                 f"cycles)", f"{clinic.not_derived} of {clinic.patients} patients treated"])
    return Table(
        caption=f"Response patterns: {clinic.derived} patients with a pattern, of "
                f"{clinic.patients} treated",
        headers=["Response pattern", "Patients, of those with a pattern (95% CI)"],
        rows=rows, slug="toxin-patterns")


def over_time_table(clinic: ToxinClinic) -> Table:
    """Per year (or quarter): patients with a pattern at their last reviewed cycle of it,
    how many had secondary non-response, with the rate and its interval."""
    rows = []
    for period in clinic.over_time:
        if period.derived < clinic.minimum:
            rows.append([period.label, str(period.derived), "", _hidden(clinic.minimum),
                         str(period.treated), "", "", ""])
            continue
        rows.append([period.label, str(period.derived), str(period.secondary),
                     _rate(period.secondary, period.derived), str(period.treated),
                     *(str(period.patterns.get(p, 0)) for p in (
                         ResponsePattern.GOOD_RESPONSE, ResponsePattern.PARTIAL_RESPONSE,
                         ResponsePattern.PRIMARY_NON_RESPONSE))])
    if not rows:
        rows.append(["No cycles", "", "", "", "", "", "", ""])
    return Table(
        caption=f"Secondary non-response by {clinic.period}",
        headers=[clinic.period.capitalize(), "Patients with a pattern",
                 "Secondary non-response", "Share (95% CI)", "Patients treated",
                 "Good response", "Partial response", "Primary non-response"],
        rows=rows, slug="toxin-secondary-over-time")


def _licensed_text(product: str, below: int | None, with_previous: int) -> str:
    if below is None:
        return "No licensed minimum in the reference"
    weeks, sources = LICENSED_MIN_INTERVAL_WEEKS[Product(product)]
    return f"Under {weeks} weeks {sources_text(sources)}: {_rate(below, with_previous)}"


def intervals_table(clinic: ToxinClinic) -> Table:
    """Per product: cycles given after a previous cycle, how many came sooner than the usual
    minimum interval [15][19] (and than a licensed minimum [15]), how many kept it."""
    rows = []
    for p in clinic.products:
        if p.patients < clinic.minimum:
            rows.append([p.product, str(p.with_previous), _hidden(clinic.minimum), "", ""])
            continue
        rows.append([p.product, str(p.with_previous),
                     _rate(p.shortened, p.with_previous) or "No cycle after another",
                     str(p.with_previous - p.shortened),
                     _licensed_text(p.product, p.below_licensed, p.with_previous)])
    if clinic.products:
        total = sum(p.with_previous for p in clinic.products)
        short = sum(p.shortened for p in clinic.products)
        rows.append([ALL_PRODUCTS, str(total),
                     _rate(short, total) if clinic.patients >= clinic.minimum and total
                     else _hidden(clinic.minimum) if total else "No cycle after another",
                     str(total - short) if clinic.patients >= clinic.minimum else "", ""])
    usual = f"{USUAL_MIN_INTERVAL_WEEKS} weeks {sources_text(USUAL_INTERVAL_SOURCES)}"
    return Table(
        caption=f"Intervals kept or shortened: cycles after the patient's previous cycle, "
                f"against the usual minimum of {usual}",
        headers=["Product", "Cycles after a previous cycle",
                 f"Given sooner than {USUAL_MIN_INTERVAL_WEEKS} weeks (shortened)",
                 f"{USUAL_MIN_INTERVAL_WEEKS} weeks or more (kept)",
                 "Sooner than the licensed minimum"],
        rows=rows, slug="toxin-intervals")


def _published_dose(product: str) -> str:
    info = PRODUCTS.get(Product(product))
    return f"{info.cd_dosing_evidence} {sources_text(info.sources)}" if info else ""


def dose_table(clinic: ToxinClinic) -> Table:
    """Per product: units per cycle (the total of its injections) as median, quartiles and
    range, in the product's own units, beside the reference's dosing evidence."""
    from collis.domain.toxin_audit import quartiles_of_counts

    rows = []
    for p in clinic.products:
        if p.patients < clinic.minimum:
            rows.append([p.product, str(p.cycles), str(p.patients), _hidden(clinic.minimum),
                         "", "", _published_dose(p.product)])
            continue
        q = quartiles_of_counts(p.doses)
        if q is None:
            rows.append([p.product, str(p.cycles), str(p.patients), "No injections recorded",
                         "", "", _published_dose(p.product)])
            continue
        rows.append([p.product, str(p.cycles), str(p.patients), f"{q.median:g} U",
                     f"{q.lower_quartile:g} to {q.upper_quartile:g} U",
                     f"{q.lowest:g} to {q.highest:g} U", _published_dose(p.product)])
    return Table(
        caption="Dose per product: units per cycle, in each product's own units (units are "
                "not interchangeable between products and are never converted [18])",
        headers=["Product", "Cycles", "Patients", "Median units per cycle",
                 "Middle half (quartiles)", "Lowest to highest", "Reference dosing evidence"],
        rows=rows, slug="toxin-dose")


def _dysphagia_text(product: str, dysphagia: int, reviewed: int) -> tuple[str, bool]:
    """Dysphagia among reviewed cycles; for onabotulinumtoxinA beside the 19% the reference
    gives [13], flagged when above it."""
    text = _rate(dysphagia, reviewed)
    if not reviewed or product != Product.ONABOTULINUMTOXIN_A:
        return text, False
    figure = risk("BONT_DYSPHAGIA").figures[0]
    comparison = compare_with_disclosed(proportion_wilson(dysphagia, reviewed),
                                        figure_percents(figure))
    above = comparison in (Comparison.ABOVE, Comparison.ABOVE_CLEARLY)
    return (f"{text} (published {figure.text} {sources_text(figure.sources)}"
            f"{': above it' if above else ''})"), above


def side_effects_table(clinic: ToxinClinic) -> Table:
    """Per product and for all products: reviewed cycles with dysphagia, neck weakness,
    another side effect, any side effect, each with its Wilson interval."""
    rows, flags = [], set()
    for p in clinic.products:
        if p.patients < clinic.minimum:
            rows.append([p.product, str(p.reviewed), _hidden(clinic.minimum), "", "", ""])
            continue
        dysphagia, above = _dysphagia_text(p.product, p.dysphagia, p.reviewed)
        if above:
            flags.add(len(rows))
        rows.append([p.product, str(p.reviewed),
                     dysphagia or "No reviews", _rate(p.neck_weakness, p.reviewed),
                     _rate(p.other_side_effect, p.reviewed), _rate(p.any_side_effect,
                                                                   p.reviewed)])
    if clinic.products:
        reviewed = sum(p.reviewed for p in clinic.products)
        if clinic.patients < clinic.minimum:
            rows.append([ALL_PRODUCTS, str(reviewed), _hidden(clinic.minimum), "", "", ""])
        else:
            rows.append([ALL_PRODUCTS, str(reviewed),
                         _rate(sum(p.dysphagia for p in clinic.products), reviewed),
                         _rate(sum(p.neck_weakness for p in clinic.products), reviewed),
                         _rate(sum(p.other_side_effect for p in clinic.products), reviewed),
                         _rate(sum(p.any_side_effect for p in clinic.products), reviewed)])
    return Table(
        caption="Side effects, of the reviewed cycles (from each cycle's current review)",
        headers=["Product", "Reviewed cycles", "Difficulty swallowing (dysphagia)",
                 "Neck weakness", "Another side effect", "Any side effect"],
        rows=rows, flags=flags, slug="toxin-side-effects")


def _reasons() -> list[tuple[str, str]]:
    from collis.treatments.models import StopReason

    return list(StopReason.choices)


def stopping_table(clinic: ToxinClinic) -> Table:
    """Of the patients treated in the window, those whose toxin is stopped now, by reason:
    as a share of those who stopped and of those treated, beside the reference's ~20%
    [19][20] (a figure over years of treatment, not per year)."""
    stopped, treated = clinic.stopped_patients, clinic.patients
    by_reason: dict = {}
    for (_year, reason), n in clinic.stopped.items():
        by_reason[reason] = by_reason.get(reason, 0) + n
    if treated < clinic.minimum:
        rows = [["All reasons", _hidden(clinic.minimum), "", "", STOPPING_PUBLISHED]]
    else:
        rows = [[label, str(by_reason.get(code, 0)), _rate(by_reason.get(code, 0), stopped),
                 _rate(by_reason.get(code, 0), treated), ""] for code, label in _reasons()]
        rows.append(["All reasons", str(stopped), "", _rate(stopped, treated),
                     STOPPING_PUBLISHED])
        rows.append(["Stopped and later restarted (a cycle after the stop; not counted "
                     "above)", str(clinic.restarted), "", _rate(clinic.restarted, treated), ""])
    return Table(
        caption=f"Patients who stopped botulinum toxin, and why: {stopped} of the {treated} "
                f"patients treated in the window have toxin stopped now",
        headers=["Reason", "Patients", "Share of those who stopped (95% CI)",
                 "Share of patients treated (95% CI)", "Published"],
        rows=rows, slug="toxin-stopping")


def stopping_by_year_table(clinic: ToxinClinic) -> Table:
    """Patients stopped now by the year of their stop and reason; a year with fewer such
    patients than the minimum is not shown."""
    reasons = _reasons()
    years = sorted({year for year, _reason in clinic.stopped})
    rows = []
    for year in years:
        counts = {reason: n for (y, reason), n in clinic.stopped.items() if y == year}
        total = sum(counts.values())
        if total < clinic.minimum or clinic.patients < clinic.minimum:
            rows.append([str(year), _hidden(clinic.minimum), *([""] * len(reasons))])
            continue
        rows.append([str(year), str(total), *(str(counts.get(code, 0)) for code, _ in reasons)])
    if not rows:
        rows.append(["No patient has toxin stopped", "", *([""] * len(reasons))])
    return Table(
        caption="Patients who stopped botulinum toxin, by the year of the stop and reason "
                "(toxin stopped now; of the patients treated in the window)",
        headers=["Year of the stop", "Patients who stopped", *(label for _, label in reasons)],
        rows=rows, slug="toxin-stopping-by-year")


def tables(clinic: ToxinClinic) -> list[Table]:
    return [patterns_table(clinic), over_time_table(clinic), intervals_table(clinic),
            dose_table(clinic), side_effects_table(clinic), stopping_table(clinic),
            stopping_by_year_table(clinic)]


def heading(clinic: ToxinClinic) -> list[str]:
    """The lines above the CSV's tables: what, when, which filters, the rules."""
    from collis.service_audit.presenters import computed_text

    return ["Collis service audit: toxin clinic measures",
            f"Time window: {window_text(clinic)}",
            f"Filters: {{'site': {clinic.filters.site_id}, 'year': {clinic.filters.year}}}",
            f"Groups of fewer than {clinic.minimum} patients are not shown (local policy)",
            f"Response patterns: {thresholds_text(clinic)}",
            computed_text(clinic.computed_at)]


# -- Charts --------------------------------------------------------------------------------
def patterns_chart(clinic: ToxinClinic):
    shown = clinic.derived >= clinic.minimum
    rows = []
    for pattern in PATTERN_ORDER:
        rows.append(_share_row(pattern_label(pattern), clinic.patterns.get(pattern, 0),
                               clinic.derived, shown, clinic.minimum))
    return toxin_charts.share_chart(
        title="Response patterns of the clinic's patients",
        description=(f"Share of the {clinic.derived} patients with a response pattern in each "
                     f"pattern, with its 95% interval. The table below gives the numbers."),
        rows=rows, uid="toxin-patterns")


def _share_row(label: str, n: int, of: int, shown: bool, minimum: int) -> dict:
    if not shown or not of:
        note = f"Not shown (fewer than {minimum} patients)" if of or not shown else "None"
        return {"label": label, "rate": None, "note": note}
    p = proportion_wilson(n, of)
    return {"label": label, "rate": p.percent, "low": p.percent_low, "high": p.percent_high,
            "words": f"{n} of {of}"}


def over_time_chart(clinic: ToxinClinic):
    points = []
    for period in clinic.over_time:
        if period.derived < clinic.minimum:
            points.append({"label": period.label, "rate": None})
            continue
        p = proportion_wilson(period.secondary, period.derived)
        points.append({"label": period.label, "rate": p.percent, "low": p.percent_low,
                       "high": p.percent_high, "words": f"{p.numerator} of {p.denominator}"})
    return toxin_charts.rate_over_time_chart(
        title=f"Secondary non-response by {clinic.period}",
        description=(f"Share of the patients with a response pattern in each {clinic.period} "
                     f"whose pattern was secondary non-response, with its 95% interval; "
                     f"{clinic.period}s with fewer than {clinic.minimum} such patients are "
                     f"not shown. The table below gives the numbers."),
        points=points, uid="toxin-over-time")


def side_effects_chart(clinic: ToxinClinic):
    reviewed = sum(p.reviewed for p in clinic.products)
    shown = clinic.patients >= clinic.minimum
    rows = [_share_row(label, sum(getattr(p, name) for p in clinic.products), reviewed,
                       shown, clinic.minimum)
            for label, name in (("Dysphagia", "dysphagia"), ("Neck weakness", "neck_weakness"),
                                ("Another side effect", "other_side_effect"),
                                ("Any side effect", "any_side_effect"))]
    rows.append(_share_row(f"Sooner than {USUAL_MIN_INTERVAL_WEEKS} weeks",
                           sum(p.shortened for p in clinic.products),
                           sum(p.with_previous for p in clinic.products), shown,
                           clinic.minimum))
    return toxin_charts.share_chart(
        title="Side effects and shortened intervals, all products",
        description=(f"Share of the {reviewed} reviewed cycles with each side effect, and of "
                     f"the cycles after a previous one given sooner than "
                     f"{USUAL_MIN_INTERVAL_WEEKS} weeks, each with its 95% interval. The "
                     f"tables below give the numbers by product."),
        rows=rows, uid="toxin-side-effects")

"""The service audit in words and tables: each table is one `Table` (caption, headers,
rows of text), which the page lays out and the CSV download streams, so the two never
disagree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from collis.core.presenters import date_long, datetime_long
from collis.domain.audit_statistics import COMPARISON_WORDS, Comparison, Proportion
from collis.domain.outcome_audit import (
    MEASURE_LABELS,
    Measure,
    point_label,
    published_changes_for,
    reoperation_published,
)
from collis.domain.risks import RISKS_BY_CODE
from collis.service_audit.selectors import (
    ComplicationAudit,
    ComplicationCell,
    OutcomeAudit,
    OutcomeCell,
    SurvivalCurve,
)

SUPPRESSED = "Not shown (fewer than {minimum})"


@dataclass(frozen=True)
class Table:
    """A table of text: what the page shows and the CSV holds. `flags` marks rows to
    highlight (by index)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]
    flags: set = field(default_factory=set)
    slug: str = ""


def percent(value: float) -> str:
    """25%, 8.9%, 0.6%: one decimal below 10, none above."""
    if value < 10 and round(value, 1) != round(value):
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def proportion_text(p: Proportion | None) -> str:
    """'3 of 12 (25%; 95% CI 8.9% to 53%)'"""
    if p is None:
        return ""
    return (f"{p.numerator} of {p.denominator} ({percent(p.percent)}; 95% CI "
            f"{percent(p.percent_low)} to {percent(p.percent_high)})")


def sources_text(sources) -> str:
    return "".join(f"[{s}]" for s in sources)


def figure_text(figure: dict) -> str:
    """A disclosed figure as the consent form quoted it, with its population and sources."""
    return (f"{figure.get('text', '')} ({figure.get('population', '')}) "
            f"{sources_text(figure.get('sources', []))}").strip()


def disclosed_text(row) -> str:
    if not row.disclosed_figures:
        if row.unit.told:
            return "Disclosed without a figure"
        return "Not disclosed to these patients"
    text = "; ".join(figure_text(f) for f in row.disclosed_figures)
    if row.disclosed_versions > 1:
        text += f" ({row.disclosed_versions} versions of the figures were disclosed)"
    return text


def range_text(span) -> str:
    if span is None:
        return "No figure"
    low, high = span
    return percent(low) if low == high else f"{percent(low)} to {percent(high)}"


def cell_text(cell: ComplicationCell, minimum: int) -> str:
    if cell.suppressed:
        return SUPPRESSED.format(minimum=minimum) if cell.told else "Not disclosed"
    return proportion_text(cell.observed)


def comparison_text(cell: ComplicationCell) -> str:
    if cell.suppressed or cell.comparison is None:
        return ""
    return COMPARISON_WORDS[cell.comparison]


def window_text(first: datetime.date | None, last: datetime.date | None) -> str:
    if first is None:
        return "No operations"
    return f"operations from {date_long(first)} to {date_long(last)}"


def computed_text(at: datetime.datetime) -> str:
    return f"Computed {datetime_long(at)}"


def complications_table(audit: ComplicationAudit) -> Table:
    """The unit's row for each risk: observed among those told, what the consent form
    quoted, the comparison, and those who had it without having been told."""
    rows, flags = [], set()
    for index, row in enumerate(audit.rows):
        cell = row.unit
        rows.append([
            row.name, cell_text(cell, audit.minimum), disclosed_text(row),
            range_text(row.disclosed_range), comparison_text(cell), str(cell.had_untold),
        ])
        if cell.flagged:
            flags.add(index)
    return Table(
        caption=f"Complications against what was disclosed: the unit, "
                f"{audit.operations} operations",
        headers=["Complication", "Had it, of the operated patients told of it (observed rate)",
                 "What the consent form quoted", "Disclosed range",
                 "Observed against disclosed", "Had it without having been told"],
        rows=rows, flags=flags, slug="complications-unit")


def complications_by_group_table(audit: ComplicationAudit) -> Table:
    """One row per risk, one column per group (a surgeon, a site, a year): the observed
    rate among those told, or "not shown" for a group smaller than the minimum."""
    keys = sorted(audit.group_sizes, key=lambda k: str(audit.group_labels.get(k, k)))
    rows, flags = [], set()
    for row in audit.rows:
        if not row.unit.told and not row.unit.had_untold:
            continue
        cells = []
        for key in keys:
            cell = row.groups[key]
            if not audit.group_shown(key):
                cells.append(SUPPRESSED.format(minimum=audit.minimum) + " operations")
            elif cell.flagged:
                cells.append(f"{cell_text(cell, audit.minimum)}: above the disclosed range")
            else:
                cells.append(cell_text(cell, audit.minimum))
        if any(audit.group_shown(k) and row.groups[k].flagged for k in keys):
            flags.add(len(rows))
        rows.append([row.name, range_text(row.disclosed_range), *cells])
    headers = ["Complication", "Disclosed range", *(
        f"{audit.group_labels.get(k, str(k))} ({audit.group_sizes[k]} operations)"
        for k in keys)]
    return Table(
        caption=f"Complications against what was disclosed, by {group_word(audit.group_by)}: "
                f"had it, of the operated patients told of it",
        headers=headers, rows=rows, flags=flags, slug="complications-by-group")


def flag_lines(audit: ComplicationAudit) -> list[str]:
    """One sentence per flag, for the clinical lead: which risk, where, how far above."""
    lines = []
    for row in audit.rows:
        where = []
        if row.unit.flagged:
            where.append(("the unit", row.unit))
        for key in row.flagged_groups:
            if audit.group_shown(key):
                where.append((audit.group_labels.get(key, str(key)), row.groups[key]))
        for label, cell in where:
            clearly = " (the whole 95% interval is above it)" \
                if cell.comparison == Comparison.ABOVE_CLEARLY else ""
            lines.append(f"{row.name}, {label}: {proportion_text(cell.observed)} against a "
                         f"disclosed {range_text(row.disclosed_range)}{clearly}.")
    return lines


def group_word(group_by: str) -> str:
    return {"surgeon": "surgeon", "site": "site", "year": "year"}.get(group_by, group_by)


def change_text(cell: OutcomeCell | None, minimum: int) -> str:
    if cell is None or (cell.change is None and not cell.suppressed):
        return "No pairs"
    if cell.suppressed:
        return SUPPRESSED.format(minimum=minimum)
    c = cell.change
    text = f"{c.mean_change:+.1f}"
    if c.low is not None:
        text += f" (95% CI {c.low:+.1f} to {c.high:+.1f})"
    if c.percent_change is not None:
        text += f"; {c.percent_change:+.0f}% of the baseline mean {c.mean_before:.1f}"
    return text


def outcomes_table(audit: OutcomeAudit) -> Table:
    """The unit's change of each measure at each point, with the published series beside."""
    rows = []
    for measure in audit.measures:
        for point in audit.points:
            cell = audit.unit.get((measure, point))
            published = published_changes_for(measure, point)
            rows.append([
                MEASURE_LABELS[measure], point_label(point), str(cell.n if cell else 0),
                change_text(cell, audit.minimum),
                proportion_text(cell.reached_mcic) if cell and cell.reached_mcic else "",
                "; ".join(f"{p.words}, {p.series} {sources_text(p.sources)}"
                          for p in published),
            ])
    return Table(
        caption=f"Change from the pre-operative baseline: the unit, {audit.operations} "
                f"operations",
        headers=["Measure", "Point", "Patients with both scores (pairs)",
                 "Mean change (lower is better)",
                 f"Improved by at least {audit.mcic_points:g} points (TWSTRS total)",
                 "Published series"],
        rows=rows, slug="outcomes-unit")


def outcomes_by_group_table(audit: OutcomeAudit,
                            measure: Measure = Measure.TWSTRS_TOTAL) -> Table:
    rows = []
    keys = sorted(audit.group_sizes, key=lambda k: str(audit.group_labels.get(k, k)))
    for key in keys:
        label = audit.group_labels.get(key, str(key))
        for point in audit.points:
            if not audit.group_shown(key):
                rows.append([label, point_label(point), "",
                             SUPPRESSED.format(minimum=audit.minimum), ""])
                continue
            cell = audit.groups.get(key, {}).get((measure, point))
            rows.append([label, point_label(point), str(cell.n if cell else 0),
                         change_text(cell, audit.minimum),
                         proportion_text(cell.reached_mcic) if cell and cell.reached_mcic
                         else ""])
    return Table(
        caption=f"{MEASURE_LABELS[measure]}: change by {group_word(audit.group_by)}",
        headers=[group_word(audit.group_by).capitalize(), "Point", "Pairs",
                 "Mean change (lower is better)",
                 f"Improved by at least {audit.mcic_points:g} points"],
        rows=rows, slug="outcomes-by-group")


SURVIVAL_TIMES = (3, 6, 12, 24, 36, 60)


def survival_table(curve: SurvivalCurve, minimum: int) -> Table:
    """The share who had further surgery by set times (those within the longest follow-up),
    with its 95% interval and the numbers at risk."""
    from collis.domain.audit_statistics import at_risk_at, survival_at

    what = ENDPOINT_WORDS[curve.endpoint]
    rows = []
    if curve.suppressed:
        rows.append(["", SUPPRESSED.format(minimum=minimum) + " operations", "", ""])
    else:
        longest = max((s.time for s in curve.steps), default=0)
        for months in [m for m in SURVIVAL_TIMES if m <= longest] or SURVIVAL_TIMES[:1]:
            at_risk = at_risk_at(curve.steps, months)
            value = survival_at(curve.steps, months)
            step = next((s for s in reversed(curve.steps) if s.time <= months), None)
            interval = _complement(step) if step and step.low is not None else ""
            rows.append([f"{months} months", str(at_risk), percent(100 * (1 - value)),
                         interval])
    return Table(
        caption=f"Time to {what}: {curve.events} of {curve.operations} operations "
                f"(Kaplan-Meier)",
        headers=["Time after the operation", "Number at risk",
                 f"Had {what} by then (estimate)", "95% CI"],
        rows=rows, slug=f"survival-{curve.endpoint}")


ENDPOINT_WORDS = {"reoperation": "reoperation",
                  "conversion_to_dbs": "conversion to deep brain stimulation"}


def _complement(step) -> str:
    """The interval of 1 - S (the share who had the event) from that of S."""
    return f"{percent(100 * (1 - step.high))} to {percent(100 * (1 - step.low))}"


def reoperation_published_text() -> list[str]:
    return [figure_text(f.as_dict()) for f in reoperation_published()]


def risk_name(code: str) -> str:
    risk = RISKS_BY_CODE.get(code)
    return risk.name if risk else code


def _days(value: float) -> str:
    weeks = value / 7
    return f"{value:.0f} days ({weeks:.1f} weeks)"


def waits_table(measures) -> Table:
    """Each wait as a distribution: count, median, quartiles, 90th centile, longest, and
    for referral to treatment the share within the standard."""
    from collis.domain.outcome_audit import RTT_STANDARD_LABEL

    rows = []
    for label, dist in (("Referral to MDT decision", measures.referral_to_mdt),
                        ("MDT decision to operation", measures.mdt_to_operation),
                        ("Referral to operation (referral to treatment)",
                         measures.referral_to_operation)):
        if dist is None:
            rows.append([label, "0", "No operations", "", "", "", ""])
            continue
        if dist.n < measures.minimum:
            rows.append([label, str(dist.n),
                         SUPPRESSED.format(minimum=measures.minimum) + " operations",
                         "", "", "", ""])
            continue
        rows.append([label, str(dist.n), _days(dist.median),
                     f"{dist.lower_quartile:.0f} to {dist.upper_quartile:.0f} days",
                     _days(dist.centile_90), _days(dist.longest),
                     proportion_text(dist.within) if dist.within else ""])
    return Table(
        caption=f"Waits of the {measures.operations} operations (distributions, not means)",
        headers=["Wait", "Operations", "Median", "Middle half (quartiles)", "90th centile",
                 "Longest", f"Within {RTT_STANDARD_LABEL}"],
        rows=rows, slug="waits")


def activity_table(measures) -> Table:
    rows = [[site, str(year), str(n) if n >= measures.minimum
             else SUPPRESSED.format(minimum=measures.minimum)]
            for site, year, n in measures.activity]
    return Table(caption="Operations by site and year", headers=["Site", "Year", "Operations"],
                 rows=rows, slug="activity")


def attendance_table(measures) -> Table:
    from collis.domain.scheduling import APPOINTMENT_TYPE_LABELS

    rows = []
    for site, kind, n, dna in measures.attendance:
        if n < measures.minimum:
            rows.append([site, APPOINTMENT_TYPE_LABELS.get(kind, kind), str(n),
                         SUPPRESSED.format(minimum=measures.minimum) + " appointments"])
            continue
        rows.append([site, APPOINTMENT_TYPE_LABELS.get(kind, kind), str(n),
                     proportion_text(proportion_wilson_of(dna, n))])
    if not rows:
        rows.append(["No appointment has passed yet", "", "", ""])
    return Table(
        caption="Did not attend, by site and type of appointment (appointments that have "
                "passed and were attended or missed)",
        headers=["Site", "Type of appointment", "Appointments", "Did not attend"],
        rows=rows, slug="attendance")


def proportion_wilson_of(numerator: int, denominator: int):
    from collis.domain.audit_statistics import proportion_wilson

    return proportion_wilson(numerator, denominator)


def funding_and_enquiries_table(measures) -> Table:
    """Funding: days from submission to decision and the share declined. Enquiries: hours
    to the first reply, and how many have none yet."""
    rows = []
    wait = measures.funding_wait
    if wait is None:
        rows.append(["Funding: submission to decision", "0", "No decisions", "", "", ""])
    elif wait.n < measures.minimum:
        rows.append(["Funding: submission to decision", str(wait.n),
                     SUPPRESSED.format(minimum=measures.minimum) + " decisions", "", "", ""])
    else:
        declined = proportion_wilson_of(measures.funding_declined, measures.funding_decided)
        rows.append(["Funding: submission to decision", str(wait.n), _days(wait.median),
                     f"{wait.lower_quartile:.0f} to {wait.upper_quartile:.0f} days",
                     _days(wait.centile_90), f"Declined: {proportion_text(declined)}"])
    hours = measures.enquiry_reply_hours
    unanswered = f"{measures.enquiries_unanswered} not yet answered"
    if hours is None:
        rows.append(["Enquiries: arrival to first reply", "0", "No replies", "", "",
                     unanswered])
    else:
        rows.append(["Enquiries: arrival to first reply", str(hours.n),
                     f"{hours.median:.1f} hours",
                     f"{hours.lower_quartile:.1f} to {hours.upper_quartile:.1f} hours",
                     f"{hours.centile_90:.1f} hours", unanswered])
    return Table(caption="Funding decisions and enquiries from the public",
                 headers=["Measure", "Number", "Median", "Middle half (quartiles)",
                          "90th centile", "Also"],
                 rows=rows, slug="funding-enquiries")


def patient_reported_table(audit) -> Table:
    """The portal's patient-reported TWSTRS sections: for the unit and each group, the pairs
    (of the operations counted) and the mean change from the surgical baseline. The
    reference's published series are clinician-rated, so none is set beside these."""
    from collis.service_audit.selectors import PATIENT_REPORTED, PATIENT_REPORTED_POINTS

    rows = []
    keys = [None, *sorted(audit.group_sizes, key=lambda k: str(audit.group_labels.get(k, k)))]
    for key in keys:
        if key is None:
            label, size, cells, shown = "The unit", audit.operations, audit.unit, True
        else:
            label = audit.group_labels.get(key, str(key))
            size, cells = audit.group_sizes.get(key, 0), audit.groups.get(key, {})
            shown = size >= audit.minimum
        for score, score_label in PATIENT_REPORTED:
            for point in PATIENT_REPORTED_POINTS:
                cell = cells.get((score, point))
                if not shown:
                    rows.append([label, score_label, point_label(point), "",
                                 SUPPRESSED.format(minimum=audit.minimum)])
                    continue
                rows.append([label, score_label, point_label(point),
                             f"{cell.n if cell else 0} of {size} operations",
                             change_text(cell, audit.minimum)])
    return Table(
        caption=f"Patient-reported outcomes: the TWSTRS disability and pain sections the "
                f"patient answered in the portal, change from the questionnaire before the "
                f"operation ({audit.operations} operations)",
        headers=[group_word(audit.group_by).capitalize() + " or unit", "Score", "Point",
                 "Patients who answered both (pairs)", "Mean change (lower is better)"],
        rows=rows, slug="outcomes-patient-reported")

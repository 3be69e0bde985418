"""Pages of the service audit: complications against what was disclosed (the first page),
and outcomes from baseline with time to further surgery; each table as a streamed CSV. The
filters are a GET form; the numbers come from the selectors (grouped queries, audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.audit_statistics import at_risk_at
from collis.domain.outcome_audit import (
    ENDPOINT_LABELS,
    MEASURE_LABELS,
    PUBLISHED_CHANGES,
    FurtherSurgeryEndpoint,
    Measure,
    point_label,
    sd_published_outcomes,
)
from collis.domain.risks import RISKS_BY_CODE
from collis.service_audit import (
    charts,
    downloads,
    presenters,
    selectors,
    services,
    toxin_measures,
    toxin_presenters,
    toxin_summaries,
    waiting_list,
)
from collis.service_audit.forms import AuditFilterForm, ResearchExtractForm, ToxinFilterForm
from collis.service_audit.models import SnapshotKind


def _filters(request, actor):
    form = AuditFilterForm(request.GET or None, choices=selectors.audit_choices(actor))
    return form, form.filters()


def _crumbs(current: str) -> list[dict]:
    return [{"text": "Home", "href": "/"}, {"text": current, "href": ""}]


def _query(request, **extra) -> str:
    keys = ("surgeon", "site", "year", "group_by", "live")
    chosen = {k: request.GET[k] for k in keys if request.GET.get(k)} | extra
    return f"?{urlencode(chosen)}" if chosen else ""


def _complication_chart(audit):
    rows = []
    for row in audit.rows:
        cell = row.unit
        if not cell.told and not cell.had_untold:
            continue
        entry = {"label": row.name, "disclosed": row.disclosed_range,
                 "flagged": cell.flagged}
        if cell.observed is not None:
            entry.update(rate=cell.observed.percent, low=cell.observed.percent_low,
                         high=cell.observed.percent_high)
        else:
            entry.update(rate=None, note=f"Not shown (fewer than {audit.minimum} told)")
        rows.append(entry)
    return charts.interval_chart(
        title="Observed complication rates against the disclosed range",
        description=("For each complication the consent form disclosed: the unit's observed "
                     "rate among patients told of it, with its 95% interval, and the range "
                     "the form quoted. The table below gives the same numbers."),
        rows=rows, uid="complications")


@require(Capability.SERVICE_AUDIT_VIEW)
def complication_audit(request):
    """Complications after SD against what the consent forms disclosed, flagged where the
    unit's rate is above the disclosed range."""
    actor = Actor.from_request(request)
    form, filters = _filters(request, actor)
    audit = selectors.complications_against_disclosed(actor=actor, filters=filters)
    return render(request, "service_audit/complication_audit.jinja", {
        "title": "Complications against what was disclosed", "form": form, "audit": audit,
        "unit_table": presenters.complications_table(audit),
        "group_table": presenters.complications_by_group_table(audit),
        "flags": presenters.flag_lines(audit),
        "chart": _complication_chart(audit),
        "window": presenters.window_text(audit.first_operation, audit.last_operation),
        "computed": presenters.computed_text(audit.computed_at),
        "csv_href": reverse("service_audit:complication_audit_csv") + _query(request),
        "xlsx_href": reverse("service_audit:complication_audit_xlsx") + _query(request),
        "outcomes_href": reverse("service_audit:outcome_audit") + _query(request),
        "snapshots": selectors.audit_snapshot_list(actor=actor, kind=SnapshotKind.COMPLICATIONS),
        "may_extract": can(request.user, Capability.RESEARCH_EXTRACT),
        "snapshot_kind": SnapshotKind.COMPLICATIONS,
        "breadcrumbs": _crumbs("Service audit"),
    })


def _survival(actor, filters):
    minimum = selectors.min_group_size()
    result = []
    for endpoint in FurtherSurgeryEndpoint:
        curve = selectors.further_surgery_survival(actor=actor, filters=filters,
                                                   endpoint=endpoint)
        times = [m for m in presenters.SURVIVAL_TIMES if m <= max(
            [s.time for s in curve.steps] + [12])]
        at_risk = [(0, curve.operations)] + [(m, at_risk_at(curve.steps, m)) for m in times]
        result.append({
            "label": ENDPOINT_LABELS[endpoint], "curve": curve,
            "table": presenters.survival_table(curve, minimum),
            "chart": None if curve.suppressed else charts.survival_chart(
                title=ENDPOINT_LABELS[endpoint],
                description=(f"Kaplan-Meier estimate of the share of operations followed by "
                             f"{endpoint.replace('_', ' ')}, with its 95% band and the "
                             f"numbers at risk; {curve.events} of {curve.operations} "
                             f"operations. The table below gives the figures."),
                steps=curve.steps, uid=f"km-{endpoint}", at_risk=at_risk)})
    return result


def _change_chart(audit):
    """TWSTRS total and Tsui total: mean change as a share of the baseline mean."""
    series = []
    for measure in (Measure.TWSTRS_TOTAL, Measure.TSUI_TOTAL):
        values = {}
        for point in audit.points:
            cell = audit.unit.get((measure, point))
            if cell is None or cell.change is None or not cell.change.mean_before:
                continue
            c, base = cell.change, cell.change.mean_before
            values[point_label(point)] = (
                100 * c.mean_change / base,
                None if c.low is None else 100 * c.low / base,
                None if c.high is None else 100 * c.high / base)
        series.append({"label": MEASURE_LABELS[measure], "values": values})
    published = [{"label": f"{p.words} {p.series}", "point": point_label(p.point),
                  "value": p.percent_change} for p in PUBLISHED_CHANGES
                 if p.measure in (Measure.TWSTRS_TOTAL, Measure.TSUI_TOTAL)]
    return charts.change_chart(
        title="Change from the pre-operative baseline, the unit",
        description=("Mean change of TWSTRS total and Tsui total at each review point, as a "
                     "percentage of the baseline mean, with the 95% interval of the mean "
                     "change, and the published series' figures (Munchau [28], Bergenheim "
                     "[30]). The table below gives the numbers and denominators."),
        points=[point_label(p) for p in audit.points], series=series, published=published,
        uid="change")


@require(Capability.SERVICE_AUDIT_VIEW)
def outcome_audit(request):
    """Change in TWSTRS and Tsui from baseline at 3, 6, 12 months and the last follow-up,
    beside the published series; time to reoperation and to conversion to DBS."""
    actor = Actor.from_request(request)
    form, filters = _filters(request, actor)
    audit = selectors.outcomes_paired(actor=actor, filters=filters)
    return render(request, "service_audit/outcome_audit.jinja", {
        "title": "Outcomes after selective denervation", "form": form, "audit": audit,
        "unit_table": presenters.outcomes_table(audit),
        "change_chart": _change_chart(audit),
        "group_table": presenters.outcomes_by_group_table(audit),
        "patient_reported_table": presenters.patient_reported_table(
            selectors.patient_reported_paired(actor=actor, filters=filters)),
        "survival": _survival(actor, filters),
        "published": sd_published_outcomes(),
        "reoperation_published": presenters.reoperation_published_text(),
        "reoperation_risk": RISKS_BY_CODE["SD_REOPERATION"],
        "window": presenters.window_text(audit.first_operation, audit.last_operation),
        "computed": presenters.computed_text(audit.computed_at),
        "csv_href": reverse("service_audit:outcome_audit_csv") + _query(request),
        "xlsx_href": reverse("service_audit:outcome_audit_xlsx") + _query(request),
        "complications_href": reverse("service_audit:complication_audit") + _query(request),
        "snapshots": selectors.audit_snapshot_list(actor=actor, kind=SnapshotKind.OUTCOMES),
        "snapshot_kind": SnapshotKind.OUTCOMES,
        "breadcrumbs": _crumbs("Service audit: outcomes"),
    })


@require(Capability.SERVICE_AUDIT_VIEW)
def service_audit_measures(request):
    """Waits as distributions (referral to MDT, MDT to operation, referral to treatment),
    operations by site and year, and did-not-attend rates by site and type."""
    actor = Actor.from_request(request)
    form, filters = _filters(request, actor)
    measures = selectors.service_measures(actor=actor, filters=filters)
    waiting = waiting_list.waiting_list_over_time(actor=actor, filters=filters)
    return render(request, "service_audit/service_measures.jinja", {
        "title": "Service measures", "form": form, "measures": measures,
        "tables": _measure_tables(measures),
        "waiting_table": waiting_list.waiting_list_table(waiting),
        "waiting_chart": waiting_list.waiting_list_chart(waiting),
        "waiting_window": waiting_list.window_text(waiting), "waiting_every": waiting.every,
        "window": presenters.window_text(measures.first_operation, measures.last_operation),
        "computed": presenters.computed_text(measures.computed_at),
        "csv_href": reverse("service_audit:service_measures_csv") + _query(request),
        "xlsx_href": reverse("service_audit:service_measures_xlsx") + _query(request),
        "breadcrumbs": _crumbs("Service audit: service measures"),
    })


def _measure_tables(measures):
    return [presenters.waits_table(measures), presenters.activity_table(measures),
            presenters.attendance_table(measures),
            presenters.funding_and_enquiries_table(measures)]


@require(Capability.SERVICE_AUDIT_VIEW)
def service_measures_csv(request, fmt="csv"):
    actor = Actor.from_request(request)
    _form, filters = _filters(request, actor)
    measures = selectors.service_measures(actor=actor, filters=filters)
    waiting = waiting_list.waiting_list_over_time(actor=actor, filters=filters)
    return _csv_response([*_measure_tables(measures),
                          waiting_list.waiting_list_table(waiting)],
                         filename="collis-service-measures.csv",
                         heading=["Collis service audit: service measures",
                                  "Time window: " + presenters.window_text(
                                      measures.first_operation, measures.last_operation),
                                  f"Filters: {filters.as_dict()}",
                                  f"Groups smaller than {measures.minimum} are not shown "
                                  f"(local policy)",
                                  presenters.computed_text(measures.computed_at)],
                         fmt=fmt)


def _csv_response(tables, *, filename: str, heading: list[str], fmt: str = "csv"):
    """The tables as a CSV (streamed) or an XLSX workbook: `filename` without its ending."""
    return downloads.tables_response(tables, filename=filename.removesuffix(".csv"),
                                     heading=heading, fmt=fmt)


def _heading(audit, filters, what: str) -> list[str]:
    return [f"Collis service audit: {what}",
            f"Time window: {presenters.window_text(audit.first_operation, audit.last_operation)}",
            f"Filters: {filters.as_dict()}",
            f"Groups smaller than {audit.minimum} operations are not shown (local policy)",
            presenters.computed_text(audit.computed_at)]


@require(Capability.SERVICE_AUDIT_VIEW)
def complication_audit_csv(request, fmt="csv"):
    actor = Actor.from_request(request)
    _form, filters = _filters(request, actor)
    audit = selectors.complications_against_disclosed(actor=actor, filters=filters)
    return _csv_response(
        [presenters.complications_table(audit), presenters.complications_by_group_table(audit)],
        filename="collis-complications-against-disclosed.csv",
        heading=_heading(audit, filters, "complications against what was disclosed"), fmt=fmt)


@require(Capability.SERVICE_AUDIT_VIEW)
def outcome_audit_csv(request, fmt="csv"):
    actor = Actor.from_request(request)
    _form, filters = _filters(request, actor)
    audit = selectors.outcomes_paired(actor=actor, filters=filters)
    survival = [s["table"] for s in _survival(actor, filters)]
    return _csv_response(
        [presenters.outcomes_table(audit), presenters.outcomes_by_group_table(audit),
         presenters.patient_reported_table(
             selectors.patient_reported_paired(actor=actor, filters=filters)),
         *survival],
        filename="collis-outcomes-after-sd.csv",
        heading=_heading(audit, filters, "outcomes after selective denervation"), fmt=fmt)


def _toxin_filters(request, actor):
    choices = toxin_summaries.toxin_choices_read(actor) or toxin_measures.toxin_choices(actor)
    form = ToxinFilterForm(request.GET or None, choices=choices)
    return form, form.filters()


def _toxin_clinic(request, actor, filters):
    """The measures from the worker's summary when there is one for these filters (and the
    page was not asked to compute live with ?live=1); otherwise computed now. Returns the
    measures and whether they came from the summary."""
    if request.GET.get("live") != "1":
        stored = toxin_summaries.toxin_summary_read(actor=actor, filters=filters)
        if stored is not None:
            return stored, True
    return toxin_measures.toxin_clinic_measures(actor=actor, filters=filters), False


@require(Capability.SERVICE_AUDIT_VIEW)
def toxin_clinic(request):
    """Toxin clinic measures: response patterns, intervals, secondary non-response over
    time, dose per product and side effects, by site and year of the injections."""
    actor = Actor.from_request(request)
    form, filters = _toxin_filters(request, actor)
    clinic, summarised = _toxin_clinic(request, actor, filters)
    return render(request, "service_audit/toxin_clinic.jinja", {
        "title": "Botulinum toxin clinic", "form": form, "clinic": clinic,
        "summarised": summarised,
        "refresh_minutes": getattr(settings, "COLLIS_AUDIT_SUMMARY_REFRESH_MINUTES", 60),
        "live_href": reverse("service_audit:toxin_clinic") + _query(request, live="1"),
        "tables": toxin_presenters.tables(clinic),
        "patterns_chart": toxin_presenters.patterns_chart(clinic),
        "over_time_chart": toxin_presenters.over_time_chart(clinic),
        "side_effects_chart": toxin_presenters.side_effects_chart(clinic),
        "thresholds": toxin_presenters.thresholds_text(clinic),
        "secondary_published": toxin_presenters.SECONDARY_PUBLISHED,
        "window": toxin_presenters.window_text(clinic),
        "computed": presenters.computed_text(clinic.computed_at),
        "csv_href": reverse("service_audit:toxin_clinic_csv") + _query(request),
        "xlsx_href": reverse("service_audit:toxin_clinic_xlsx") + _query(request),
        "breadcrumbs": _crumbs("Service audit: botulinum toxin clinic"),
    })


@require(Capability.SERVICE_AUDIT_VIEW)
def toxin_clinic_csv(request, fmt="csv"):
    actor = Actor.from_request(request)
    _form, filters = _toxin_filters(request, actor)
    clinic, _summarised = _toxin_clinic(request, actor, filters)
    return _csv_response(toxin_presenters.tables(clinic),
                         filename="collis-toxin-clinic.csv",
                         heading=toxin_presenters.heading(clinic), fmt=fmt)


@require(Capability.SERVICE_AUDIT_VIEW)
@methods("POST")
def snapshot_request(request):
    """Ask the task worker to compute this page with these filters; go to its progress."""
    actor = Actor.from_request(request)
    kind = request.POST.get("kind", "")
    back = reverse("service_audit:outcome_audit" if kind == SnapshotKind.OUTCOMES
                   else "service_audit:complication_audit")
    if kind not in SnapshotKind.values:
        messages.error(request, "Choose which page of the audit to compute.")
        return redirect(back)
    form = AuditFilterForm(request.POST, choices=selectors.audit_choices(actor))
    if not form.is_valid():
        messages.error(request, "The filters were not valid: choose them again.")
        return redirect(back)
    try:
        snapshot = services.audit_snapshot_request(kind=kind, filters=form.filters(),
                                                   actor=actor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    return redirect("service_audit:snapshot_detail", pk=snapshot.pk)


@require(Capability.SERVICE_AUDIT_VIEW)
def snapshot_detail(request, pk):
    """A snapshot: its progress while the worker computes it (the page refreshes itself
    every few seconds, without script), then its tables."""
    snapshot = selectors.audit_snapshot_get(actor=Actor.from_request(request),
                                            snapshot_id=pk)
    tables = [presenters.Table(caption=t["caption"], headers=t["headers"], rows=t["rows"],
                               flags=set(t["flags"]), slug=t["slug"])
              for t in snapshot.tables]
    return render(request, "service_audit/snapshot_detail.jinja", {
        "title": f"Snapshot: {snapshot.get_kind_display()}", "snapshot": snapshot,
        "tables": tables,
        "csv_href": reverse("service_audit:snapshot_csv", kwargs={"pk": snapshot.pk}),
        "xlsx_href": reverse("service_audit:snapshot_xlsx", kwargs={"pk": snapshot.pk}),
        "breadcrumbs": [{"text": "Home", "href": "/"},
                        {"text": "Service audit",
                         "href": reverse("service_audit:complication_audit")},
                        {"text": "Snapshot", "href": ""}],
    })


@require(Capability.SERVICE_AUDIT_VIEW)
def snapshot_csv(request, pk, fmt="csv"):
    snapshot = selectors.audit_snapshot_get(actor=Actor.from_request(request),
                                            snapshot_id=pk)
    tables = [presenters.Table(caption=t["caption"], headers=t["headers"], rows=t["rows"])
              for t in snapshot.tables]
    return _csv_response(tables, filename=f"collis-audit-snapshot-{snapshot.pk}.csv",
                         heading=snapshot.heading, fmt=fmt)


@require(Capability.RESEARCH_EXTRACT)
@methods("GET", "POST")
def research_extract_list(request):
    """The unit's research extracts (who, why, which cohort, when) and the form to make
    one."""
    actor = Actor.from_request(request)
    form = ResearchExtractForm(request.POST or None, choices=selectors.audit_choices(actor))
    if request.method == "POST":
        response = form_submit(
            request, form, lambda data: services.research_extract_request(
                cohort=data["cohort"], filters=form.filters(), reason=data["reason"],
                actor=actor),
            redirect_to=lambda extract: reverse("service_audit:research_extract_detail",
                                                kwargs={"pk": extract.pk}),
            message="Your extract has been asked for: this page shows how far it has got.")
        if response is not None:
            return response
    return render(request, "service_audit/research_extract_list.jinja", {
        "title": "Research extracts", "form": form,
        "extracts": selectors.research_extract_list(actor=actor),
        "expiry_hours": settings.COLLIS_RESEARCH_EXTRACT_EXPIRY_HOURS,
        "breadcrumbs": _crumbs("Research extracts"),
    })


@require(Capability.RESEARCH_EXTRACT)
def research_extract_detail(request, pk):
    """An extract: who asked, why, its progress while the worker builds it (the page
    refreshes itself, without script), then its report and, for the person who asked, the
    download until it expires."""
    extract = selectors.research_extract_get(actor=Actor.from_request(request),
                                             extract_id=pk)
    return render(request, "service_audit/research_extract_detail.jinja", {
        "title": f"Research extract {extract.pk}", "extract": extract,
        "mine": extract.requested_by_id == request.user.pk,
        "breadcrumbs": [{"text": "Home", "href": "/"},
                        {"text": "Research extracts",
                         "href": reverse("service_audit:research_extract_list")},
                        {"text": f"Extract {extract.pk}", "href": ""}],
    })


@require(Capability.RESEARCH_EXTRACT)
def research_extract_download(request, pk, fmt="csv"):
    """The extract's CSV, or its FHIR resources as NDJSON, streamed from its file, for the
    person who asked for it; each download is in the audit log."""
    extract = selectors.research_extract_download(actor=Actor.from_request(request),
                                                  extract_id=pk, fmt=fmt)
    filename = f"collis-research-extract-{extract.pk}.{fmt}"
    if fmt == "ndjson":
        return FileResponse(extract.fhir_file.open("rb"), as_attachment=True,
                            filename=filename, content_type="application/fhir+ndjson")
    if extract.file:
        return FileResponse(extract.file.open("rb"), as_attachment=True, filename=filename,
                            content_type="text/csv; charset=utf-8")
    response = HttpResponse(extract.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

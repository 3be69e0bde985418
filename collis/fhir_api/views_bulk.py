"""FHIR Bulk Data export over HTTP: the kick-off (`$export`, `Patient/$export`,
`Group/{id}/$export`), the status URL (poll, manifest, DELETE to cancel) and the NDJSON
files, for bearer tokens; and the staff page listing one's exports with their progress and
files (signed in on the pages).
Thin: the rules are in `bulk`."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

from collis.core.audit import Actor
from collis.core.models import AuditChannel
from collis.core.permissions import require
from collis.core.roles import Capability
from collis.fhir_api import bulk, groups, smart
from collis.fhir_api.models import ExportLevel, ExportState
from collis.fhir_api.outcomes import FhirError, invalid, operation_outcome
from collis.fhir_api.views import _require, fhir_endpoint, fhir_response

# Seconds a client is asked to wait between polls while the export runs.
RETRY_AFTER = 5


def _kickoff(request, level: str, group_id: str | None = None):
    if smart.grant_of(request) is None and not bulk.may_kick_off(request.user):
        _require(request, Capability.PATIENT_SEARCH)  # 403 naming what is missing
        _require(request, Capability.RECORD_VIEW)
    _require(request, None)  # a unit's staff (or a system client, by its scopes)
    group = None
    if group_id is not None:
        # A group's export is of patients' records: never the audit log's reader alone.
        _require(request, Capability.RECORD_VIEW)
        smart.scope_require(request, "Group", smart.READ)
        group, _count = groups.fhir_group_read(
            group_id=group_id, actor=Actor.from_request(request, AuditChannel.API))
    prefer = [p.strip().lower() for p in request.headers.get("Prefer", "").split(",")]
    if "respond-async" not in prefer:
        raise invalid("Prefer: a bulk export must be asked for with 'Prefer: "
                      "respond-async' (it runs in the background).", "Prefer")
    kickoff = bulk.kickoff_parse(request.GET, level=level, user=request.user,
                                 grant=smart.grant_of(request))
    export = bulk.bulk_export_request(
        actor=Actor.from_request(request, AuditChannel.API), level=level, kickoff=kickoff,
        request_url=request.build_absolute_uri(), group=group)
    response = fhir_response(operation_outcome(
        code="informational", severity="information",
        diagnostics=f"Bulk export {export.pk} accepted; poll the Content-Location for its "
                    "progress and manifest."), status=202)
    response["Content-Location"] = request.build_absolute_uri(
        reverse("fhir_api:export_status", kwargs={"pk": export.pk}))
    return response


@fhir_endpoint()
def export_system(request):
    """`GET /fhir/R4/$export`: everything the token's holder may see."""
    return _kickoff(request, ExportLevel.SYSTEM)


@fhir_endpoint()
def export_patient(request):
    """`GET /fhir/R4/Patient/$export`: the patients the holder may see, and their records."""
    return _kickoff(request, ExportLevel.PATIENT)


@fhir_endpoint()
def export_group(request, group_id: str):
    """`GET /fhir/R4/Group/{id}/$export`: the group's patients (its criteria evaluated as
    the export runs) and their records; 404 for a group not of the holder's unit."""
    return _kickoff(request, ExportLevel.GROUP, group_id)


@fhir_endpoint(methods=("GET", "HEAD", "DELETE"))
def export_status(request, pk: int):
    """Poll (202 with X-Progress while running; 200 with the manifest when done; 500 if it
    failed), or DELETE to cancel it and delete its files (202)."""
    actor = Actor.from_request(request, AuditChannel.API)
    if request.method == "DELETE":
        bulk.bulk_export_cancel(actor=actor, export_id=pk)
        return fhir_response(operation_outcome(
            code="informational", severity="information",
            diagnostics=f"Bulk export {pk} cancelled; its files were deleted."), status=202)
    export = bulk.bulk_export_get(actor=actor, export_id=pk)
    if export.state == ExportState.FAILED:
        raise FhirError(500, "exception", f"Bulk export {pk} failed: {export.error}")
    if not export.finished:
        response = HttpResponse(status=202)
        response["X-Progress"] = bulk.progress_text(export)
        response["Retry-After"] = str(RETRY_AFTER)
        add_never_cache_headers(response)
        return response
    body = bulk.manifest(export, file_url=lambda number: request.build_absolute_uri(
        reverse("fhir_api:export_file", kwargs={"pk": export.pk, "number": number})))
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Expires"] = http_date(export.expires_at.timestamp())
    add_never_cache_headers(response)
    return response


def _file_response(handle, entry, *, pk: int, number: int) -> FileResponse:
    response = FileResponse(handle, content_type=bulk.NDJSON, as_attachment=True,
                            filename=f"collis-export-{pk}-{number}-{entry['type']}.ndjson")
    add_never_cache_headers(response)
    return response


@fhir_endpoint()
def export_file(request, pk: int, number: int):
    """One NDJSON file of the holder's finished export (404 for anyone else)."""
    handle, entry = bulk.bulk_export_file_open(
        actor=Actor.from_request(request, AuditChannel.API), export_id=pk, number=number)
    return _file_response(handle, entry, pk=pk, number=number)


@require(Capability.RECORD_VIEW)
def export_list(request):
    """The signed-in member of staff's bulk exports: progress (a `<progress>` bar and a
    refresh link, no script), state, counts, expiry and the files."""
    exports = bulk.bulk_export_list(actor=Actor.from_request(request))
    return render(request, "fhir_api/export_list.jinja", {
        "title": "Your FHIR bulk exports", "exports": exports,
        "running": any(not e.finished for e in exports),
        "breadcrumbs": [{"text": "Home", "href": "/"},
                        {"text": "Your FHIR bulk exports", "href": ""}],
    })


@require(Capability.RECORD_VIEW)
def export_list_file(request, pk: int, number: int):
    """A file of one's own export, from the staff page (signed in; audited like the API's)."""
    try:
        handle, entry = bulk.bulk_export_file_open(actor=Actor.from_request(request),
                                                   export_id=pk, number=number)
    except FhirError as error:
        raise Http404(error.diagnostics) from None
    return _file_response(handle, entry, pk=pk, number=number)

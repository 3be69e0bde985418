"""Pages of a patient's investigations: list with the SD work-up, record, view, record the
result or correct (a new version, `?amends=<id>`), mark as entered in error, and the
download of attached files. The patient comes from patient_get (scoped to the user's unit,
audited); the investigations from this app's selectors."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse

from collis.assessments.presenters import correction_notice
from collis.assessments.views import already_corrected, amended_entry, entered_in_error_page
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.investigations import selectors, services
from collis.investigations.forms import MUSCLE_TICK_CHOICES, InvestigationForm
from collis.investigations.models import Investigation, InvestigationFile
from collis.investigations.presenters import (
    WORK_UP_SOURCE,
    InvestigationPresenter,
    WorkUpPresenter,
)
from collis.patients.presenters import PatientPresenter, record_crumbs
from collis.patients.selectors import patient_get

_crumbs = record_crumbs


def _list_crumb(patient):
    return {"text": "Investigations",
            "href": reverse("investigations:investigation_list", args=[patient.pk])}


def _not_found(request, what):
    return render(request, "core/error.jinja", {
        "title": f"{what.capitalize()} not found",
        "message": f"There is no {what} with this identifier for this patient."}, status=404)


def _details(data) -> services.InvestigationDetails:
    return services.InvestigationDetails.from_mapping(data)


def _files(data) -> list:
    return [data["file"]] if data.get("file") else []


def _muscle_grid(form):
    """Rows of the EMG muscle grid: (muscle label, [(value, side label, id, ticked)])."""
    ticked = {str(v) for v in (form["active_muscles"].value() or [])}
    rows = []
    for index in range(0, len(MUSCLE_TICK_CHOICES), 2):
        cells = []
        for position, (value, _label) in enumerate(MUSCLE_TICK_CHOICES[index:index + 2]):
            element_id = "active_muscles" if index + position == 0 else (
                "active_muscles-" + value.replace(":", "-"))
            cells.append({"value": value, "side": value.partition(":")[2].capitalize(),
                          "id": element_id, "ticked": value in ticked})
        rows.append({"muscle": MUSCLE_TICK_CHOICES[index][1].rpartition(",")[0],
                     "cells": cells})
    return rows


def _form_page(request, *, patient, form, title, action, submit, crumbs, amends=None,
               cancel_href=""):
    return render(request, "investigations/investigation_form.jinja", {
        "title": title, "patient": patient, "form": form, "action": action, "submit": submit,
        "muscle_rows": _muscle_grid(form), "amends": amends, "cancel_href": cancel_href,
        "breadcrumbs": crumbs,
    })


def _detail_href(patient, investigation) -> str:
    return reverse("investigations:investigation_detail", args=[patient.pk, investigation.pk])


def _investigation_get(*, patient, pk, actor):
    """The investigation through the selector, Http404 if it is not this patient's."""
    try:
        return selectors.investigation_get(patient=patient, investigation_id=pk, actor=actor)
    except Investigation.DoesNotExist:
        raise Http404("No such investigation") from None


@require(Capability.RECORD_VIEW)
def investigation_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    investigations = selectors.investigation_list(patient=patient, actor=actor)
    return render(request, "investigations/investigation_list.jinja", {
        "title": f"Investigations of {PatientPresenter(patient).name}", "patient": patient,
        "rows": [InvestigationPresenter(i) for i in investigations],
        "work_up": [WorkUpPresenter(item)
                    for item in selectors.work_up_summary(investigations)],
        "work_up_source": WORK_UP_SOURCE,
        "can_record": can(request.user, Capability.INVESTIGATION_RECORD),
        "breadcrumbs": _crumbs(patient, {"text": "Investigations", "href": ""}),
    })


@require(Capability.INVESTIGATION_RECORD)
@methods("GET", "POST")
def investigation_create(request, patient_id):
    """Record an investigation or, with `?amends=<id>`, its next version: its result, or a
    correction of a mistake."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends = amended_entry(request, _investigation_get, patient=patient, actor=actor)
    if amends is not None and request.method == "GET" and not amends.is_current:
        return already_corrected(request, amends, _detail_href(patient, amends))
    if request.method == "POST":
        form = InvestigationForm(request.POST, request.FILES, amends=amends)

        def recorded(investigation):
            presenter = InvestigationPresenter(investigation)
            if amends is None:
                return f"{presenter.kind} of {presenter.date} is recorded."
            return (f"{presenter.kind} of {presenter.date} is saved as a new version; the one "
                    "before is kept in its history.")

        response = form_submit(
            request, form,
            lambda data: services.investigation_create(
                patient=patient, details=_details(data), files=_files(data), actor=actor,
                amends=amends, correction_reason=data.get("correction_reason", "")),
            redirect_to=lambda investigation: _detail_href(patient, investigation),
            message=recorded)
        if response:
            return response
    else:
        form = InvestigationForm(
            initial=InvestigationForm.initial_from(amends) if amends else None, amends=amends)
    action = reverse("investigations:investigation_create", args=[patient.pk])
    if amends is None:
        return _form_page(
            request, patient=patient, form=form, title="Record an investigation",
            action=action, submit="Save investigation",
            crumbs=_crumbs(patient, _list_crumb(patient),
                           {"text": "Record an investigation", "href": ""}))
    presenter = InvestigationPresenter(amends)
    doing = "Record the result" if not amends.has_result else "Correct"
    title = f"{doing}: {presenter.kind}, {presenter.date}"
    return _form_page(
        request, patient=patient, form=form, amends=amends, title=title,
        action=f"{action}?amends={amends.pk}", submit="Save as a new version",
        cancel_href=_detail_href(patient, amends),
        crumbs=_crumbs(patient, _list_crumb(patient),
                       {"text": f"{presenter.kind}, {presenter.date}",
                        "href": _detail_href(patient, amends)},
                       {"text": doing, "href": ""}))


@require(Capability.RECORD_VIEW)
def investigation_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    try:
        investigation = selectors.investigation_get(patient=patient, investigation_id=pk,
                                                    actor=actor)
    except Investigation.DoesNotExist:
        return _not_found(request, "investigation")
    presenter = InvestigationPresenter(investigation)
    history = selectors.investigation_history(investigation)
    detail_href = lambda version: _detail_href(patient, version)  # noqa: E731
    return render(request, "investigations/investigation_detail.jinja", {
        "title": f"{presenter.kind}, {presenter.date}", "patient": patient,
        "investigation": investigation, "presenter": presenter,
        # Only a current entry is corrected; the page and the service check the role again.
        "can_record": (can(request.user, Capability.INVESTIGATION_RECORD)
                       and investigation.is_current),
        "history": history, "entry_pk": investigation.pk, "detail_href": detail_href,
        "describe": lambda v: InvestigationPresenter(v).version_text,
        "notice": correction_notice(investigation, history, detail_href),
        "breadcrumbs": _crumbs(patient, _list_crumb(patient),
                               {"text": f"{presenter.kind}, {presenter.date}", "href": ""}),
    })


@require(Capability.INVESTIGATION_RECORD)
@methods("GET", "POST")
def investigation_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    investigation = _investigation_get(patient=patient, pk=pk, actor=actor)
    presenter = InvestigationPresenter(investigation)
    detail = _detail_href(patient, investigation)
    return entered_in_error_page(
        request, patient=patient, entry=investigation,
        what=f"investigation ({presenter.kind}, {presenter.date})",
        mark=lambda reason: services.investigation_mark_entered_in_error(
            investigation=investigation, reason=reason, actor=actor),
        entry_rows=presenter.summary_rows()[:3], detail_href=detail,
        crumbs=_crumbs(patient, _list_crumb(patient),
                       {"text": f"{presenter.kind}, {presenter.date}", "href": detail}))


def file_response(attached: InvestigationFile, handle) -> FileResponse:
    """The stored bytes as a download, never rendered by the browser as a page."""
    response = FileResponse(handle, as_attachment=True, filename=attached.original_name,
                            content_type=attached.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require(Capability.RECORD_VIEW)
def investigation_file_download(request, patient_id, pk, file_pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    try:
        attached, handle = selectors.investigation_file_open(
            patient=patient, investigation_id=pk, file_id=file_pk, actor=actor)
    except InvestigationFile.DoesNotExist:
        return _not_found(request, "file")
    except FileNotFoundError:
        return render(request, "core/error.jinja", {
            "title": "File missing from storage",
            "message": "The record of this file exists but its content cannot be found. "
                       "Tell the system administrator."}, status=404)
    return file_response(attached, handle)

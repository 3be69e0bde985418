"""Pages of a patient's investigations: list with the SD work-up, add, view, change, and
the download of attached files. The patient comes from patient_get (scoped to the user's
unit, audited); the investigations from this app's selectors."""

from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse

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


def _form_page(request, *, patient, form, title, action, submit, crumbs, investigation=None,
               conflict=None, status=200):
    return render(request, "investigations/investigation_form.jinja", {
        "title": title, "patient": patient, "form": form, "action": action, "submit": submit,
        "muscle_rows": _muscle_grid(form), "investigation": investigation,
        "conflict": conflict, "breadcrumbs": crumbs,
    }, status=status)


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
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    if request.method == "POST":
        form = InvestigationForm(request.POST, request.FILES)

        def recorded(investigation):
            presenter = InvestigationPresenter(investigation)
            return f"{presenter.kind} of {presenter.date} is recorded."

        response = form_submit(
            request, form,
            lambda data: services.investigation_create(
                patient=patient, details=_details(data), files=_files(data), actor=actor),
            redirect_to=lambda investigation: reverse(
                "investigations:investigation_detail", args=[patient.pk, investigation.pk]),
            message=recorded)
        if response:
            return response
    else:
        form = InvestigationForm()
    return _form_page(
        request, patient=patient, form=form, title="Record an investigation",
        action=reverse("investigations:investigation_create", args=[patient.pk]),
        submit="Save investigation",
        crumbs=_crumbs(patient, _list_crumb(patient),
                       {"text": "Record an investigation", "href": ""}))


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
    return render(request, "investigations/investigation_detail.jinja", {
        "title": f"{presenter.kind}, {presenter.date}", "patient": patient,
        "investigation": investigation, "presenter": presenter,
        "can_record": can(request.user, Capability.INVESTIGATION_RECORD),
        "breadcrumbs": _crumbs(patient, _list_crumb(patient),
                               {"text": f"{presenter.kind}, {presenter.date}", "href": ""}),
    })


@require(Capability.INVESTIGATION_RECORD)
@methods("GET", "POST")
def investigation_edit(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    try:
        # Opening the form shows the investigation: audited as a view.
        investigation = selectors.investigation_get(patient=patient, investigation_id=pk,
                                                    actor=actor)
    except Investigation.DoesNotExist:
        return _not_found(request, "investigation")
    presenter = InvestigationPresenter(investigation)
    conflict = None
    if request.method == "POST":
        form = InvestigationForm(request.POST, request.FILES)
        try:
            response = form_submit(
                request, form,
                lambda data: services.investigation_update(
                    investigation=investigation, details=_details(data),
                    expected_version=data.get("version") or 0, files=_files(data),
                    actor=actor),
                redirect_to=reverse("investigations:investigation_detail",
                                    args=[patient.pk, investigation.pk]),
                message=f"{presenter.kind} of {presenter.date} is updated.")
        except services.InvestigationConflict as error:
            # Nothing was saved: show the form again, now based on the current version, so
            # that saving again applies what it shows.
            conflict = error.current
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            form = InvestigationForm(data)
            form.is_valid()
            form.add_error(None, "Someone else saved changes to this investigation while "
                                 "you were editing, so your changes have not been saved. "
                                 "Check the investigation's page, then save again: saving "
                                 "now applies what this form shows.")
        else:
            if response:
                return response
    else:
        form = InvestigationForm(initial=InvestigationForm.initial_from(investigation))
    return _form_page(
        request, patient=patient, form=form, investigation=investigation, conflict=conflict,
        title=f"Change: {presenter.kind}, {presenter.date}",
        action=reverse("investigations:investigation_edit", args=[patient.pk, pk]),
        submit="Save changes",
        crumbs=_crumbs(patient, _list_crumb(patient),
                       {"text": f"{presenter.kind}, {presenter.date}",
                        "href": reverse("investigations:investigation_detail",
                                        args=[patient.pk, pk])},
                       {"text": "Change", "href": ""}))


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

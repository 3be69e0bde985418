"""Pages of the patient registry: search, view, register, edit, timeline, access history.
Every patient is read through `selectors.patient_get` (scoped to the user's unit, audited)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.core.selectors import AuditCursor
from collis.patients import selectors, services
from collis.patients.forms import PatientForm, PatientSearchForm
from collis.patients.glance import record_at_a_glance
from collis.patients.presenters import PatientPresenter, conflict_differences, record_crumbs

HOME = {"text": "Home", "href": "/"}


def _patients_crumb():
    return {"text": "Patients", "href": reverse("patients:patient_list")}


def _patient(request, patient_id):
    return selectors.patient_get(patient_id=patient_id, actor=Actor.from_request(request))


@require(Capability.PATIENT_SEARCH)
def patient_list(request):
    form = PatientSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        query = selectors.PatientQuery(text=form.cleaned_data.get("q") or "",
                                       date_of_birth=form.cleaned_data.get("dob"))
        if query.is_empty:
            form.add_error("q", "Enter an NHS number, a name or a date of birth")
        elif query.problem:
            # Say why nothing can match, rather than showing an empty list of results.
            form.add_error("q", query.problem)
        else:
            page = selectors.patient_search(query=query, page_number=request.GET.get("page"),
                                            per_page=settings.COLLIS_PAGE_SIZE,
                                            actor=Actor.from_request(request))
    return render(request, "patients/patient_list.jinja", {
        "title": "Find a patient", "form": form, "page": page,
        "rows": [PatientPresenter(p) for p in page.object_list] if page else [],
        "can_create": can(request.user, Capability.PATIENT_CREATE),
        "breadcrumbs": [HOME, {"text": "Patients", "href": ""}],
    })


@require(Capability.PATIENT_VIEW)
def patient_detail(request, patient_id):
    try:
        patient = _patient(request, patient_id)
    except Http404:
        # The same page whether the record does not exist or belongs to another unit.
        return render(request, "core/error.jinja", {
            "title": "Patient not found",
            "message": "There is no patient with this identifier. Search for them instead."},
            status=404)
    presenter = PatientPresenter(patient)
    glance = (record_at_a_glance(patient=patient, actor=Actor.from_request(request))
              if can(request.user, Capability.RECORD_VIEW) else None)
    return render(request, "patients/patient_detail.jinja", {
        "title": presenter.name, "patient": patient, "presenter": presenter, "glance": glance,
        "can_edit": can(request.user, Capability.PATIENT_EDIT),
        "can_audit": can(request.user, Capability.AUDIT_VIEW),
        "breadcrumbs": [HOME, _patients_crumb(), {"text": presenter.name, "href": ""}],
    })


@require(Capability.PATIENT_CREATE)
@methods("GET", "POST")
def patient_create(request):
    form = PatientForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        done = form_submit(
            request, form,
            lambda data: services.patient_create(
                details=services.PatientDetails.from_mapping(data),
                actor=Actor.from_request(request)),
            redirect_to=lambda patient: reverse("patients:patient_detail", args=[patient.pk]),
            message=lambda patient: f"{PatientPresenter(patient).name} is registered.")
        if done:
            return done
    return render(request, "patients/patient_form.jinja", {
        "title": "Register a patient", "form": form, "action": reverse("patients:patient_create"),
        "submit": "Register patient",
        "breadcrumbs": [HOME, _patients_crumb(), {"text": "Register a patient", "href": ""}],
    })


@require(Capability.PATIENT_EDIT)
@methods("GET", "POST")
def patient_edit(request, patient_id):
    patient = _patient(request, patient_id)
    name = PatientPresenter(patient).name
    conflict = None
    if request.method == "POST":
        form = PatientForm(request.POST, patient=patient, user=request.user)
        try:
            done = form_submit(
                request, form,
                lambda data: services.patient_update(
                    patient=patient, details=services.PatientDetails.from_mapping(data),
                    expected_version=data.get("version") or 0,
                    actor=Actor.from_request(request)),
                redirect_to=reverse("patients:patient_detail", args=[patient.pk]),
                message=f"{name}'s details are updated.")
        except services.PatientConflict as error:
            conflict = error.current
            # Keep everything the user typed; the next save applies over the new version.
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            form = PatientForm(data, patient=conflict, user=request.user)
            form.is_valid()
            form.add_error(None, "Someone else saved changes to this patient while you "
                                 "were editing. Your changes have not been saved yet. "
                                 "Compare them with the current record below, then save "
                                 "again.")
        else:
            if done:
                return done
    else:
        form = PatientForm(initial=PatientForm.initial_from(patient), patient=patient,
                           user=request.user)
    return render(request, "patients/patient_form.jinja", {
        "title": f"Change details of {name}", "form": form, "conflict": conflict,
        "differences": conflict_differences(form, conflict) if conflict is not None else [],
        "submit": "Save changes",
        "action": reverse("patients:patient_edit", args=[patient.pk]),
        "breadcrumbs": record_crumbs(patient, {"text": "Change details", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def patient_timeline(request, patient_id):
    """Everything on the patient's record in date order, newest first."""
    patient = _patient(request, patient_id)
    events = selectors.patient_timeline(patient=patient, actor=Actor.from_request(request))
    return render(request, "patients/patient_timeline.jinja", {
        "title": f"Timeline of {PatientPresenter(patient).name}", "patient": patient,
        "events": events,
        "breadcrumbs": record_crumbs(patient, {"text": "Timeline", "href": ""}),
    })


@require(Capability.AUDIT_VIEW)
def patient_access_history(request, patient_id):
    patient = _patient(request, patient_id)
    page = selectors.patient_access_history(
        patient=patient, actor=Actor.from_request(request),
        before=AuditCursor.parse(request.GET.get("before")),
        after=AuditCursor.parse(request.GET.get("after")))
    return render(request, "patients/patient_access_history.jinja", {
        "title": f"Access history of {PatientPresenter(patient).name}", "patient": patient,
        "presenter": PatientPresenter(patient), "page": page,
        "breadcrumbs": record_crumbs(patient, {"text": "Access history", "href": ""}),
    })

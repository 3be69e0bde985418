"""Pages of the patient registry: search, view, register, edit, access history."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from collis.core.audit import Actor
from collis.core.permissions import require
from collis.core.roles import Capability, can
from collis.patients import selectors, services
from collis.patients.forms import PatientForm, PatientSearchForm
from collis.patients.models import Patient
from collis.patients.presenters import PatientPresenter

HOME = {"text": "Home", "href": "/"}


def _patients_crumb():
    return {"text": "Patients", "href": reverse("patients:patient_list")}


@require(Capability.PATIENT_SEARCH)
def patient_list(request):
    form = PatientSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        query = selectors.PatientQuery(text=form.cleaned_data.get("q") or "",
                                       date_of_birth=form.cleaned_data.get("dob"))
        if query.is_empty:
            form.add_error("q", "Enter an NHS number, a name or a date of birth")
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
        patient = selectors.patient_get(patient_id=patient_id, actor=Actor.from_request(request))
    except Patient.DoesNotExist:
        return render(request, "core/error.jinja", {
            "title": "Patient not found",
            "message": "There is no patient with this identifier. Search for them instead."},
            status=404)
    return render(request, "patients/patient_detail.jinja", {
        "title": PatientPresenter(patient).name, "patient": patient,
        "presenter": PatientPresenter(patient),
        "can_edit": can(request.user, Capability.PATIENT_EDIT),
        "can_audit": can(request.user, Capability.AUDIT_VIEW),
        "breadcrumbs": [HOME, _patients_crumb(), {"text": PatientPresenter(patient).name,
                                                   "href": ""}],
    })


@require(Capability.PATIENT_CREATE)
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = PatientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(
            details=services.PatientDetails.from_mapping(form.cleaned_data),
            actor=Actor.from_request(request))
        messages.success(request, f"{PatientPresenter(patient).name} is registered.")
        return redirect("patients:patient_detail", patient_id=patient.pk)
    return render(request, "patients/patient_form.jinja", {
        "title": "Register a patient", "form": form, "action": reverse("patients:patient_create"),
        "submit": "Register patient",
        "breadcrumbs": [HOME, _patients_crumb(), {"text": "Register a patient", "href": ""}],
    })


@require(Capability.PATIENT_EDIT)
@require_http_methods(["GET", "POST"])
def patient_edit(request, patient_id):
    patient = get_object_or_404(Patient.objects.select_related("home_site"), pk=patient_id)
    name = PatientPresenter(patient).name
    conflict = None
    if request.method == "POST":
        form = PatientForm(request.POST, patient=patient)
        if form.is_valid():
            try:
                services.patient_update(
                    patient=patient,
                    details=services.PatientDetails.from_mapping(form.cleaned_data),
                    expected_version=form.cleaned_data.get("version") or 0,
                    actor=Actor.from_request(request))
            except services.PatientConflict as error:
                conflict = error.current
                # Keep everything the user typed; the next save applies over the new version.
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = PatientForm(data, patient=conflict)
                form.is_valid()
                form.add_error(None, "Someone else saved changes to this patient while you "
                                     "were editing. Your changes have not been saved yet. "
                                     "Compare them with the current record below, then save "
                                     "again.")
            else:
                messages.success(request, f"{name}'s details are updated.")
                return redirect("patients:patient_detail", patient_id=patient.pk)
    else:
        form = PatientForm(initial=PatientForm.initial_from(patient), patient=patient)
    differences = []
    if conflict is not None:
        current = PatientForm.initial_from(conflict)
        for field_name, label in ((n, f.label) for n, f in PatientForm.base_fields.items()
                                  if n != "version"):
            theirs = current.get(field_name)
            if field_name == "home_site":
                theirs_text = str(conflict.home_site)
                mine = form.cleaned_data.get("home_site")
                mine_text = str(mine) if mine else ""
            else:
                theirs_text = "" if theirs is None else str(theirs)
                mine_value = form.cleaned_data.get(field_name, form.data.get(field_name, ""))
                mine_text = "" if mine_value is None else str(mine_value)
            if theirs_text != mine_text:
                differences.append({"label": label, "current": theirs_text, "yours": mine_text})
    return render(request, "patients/patient_form.jinja", {
        "title": f"Change details of {name}", "form": form, "conflict": conflict,
        "differences": differences, "submit": "Save changes",
        "action": reverse("patients:patient_edit", args=[patient.pk]),
        "breadcrumbs": [HOME, _patients_crumb(),
                        {"text": name, "href": reverse("patients:patient_detail",
                                                       args=[patient.pk])},
                        {"text": "Change details", "href": ""}],
    })


@require(Capability.RECORD_VIEW)
def patient_timeline(request, patient_id):
    """Everything on the patient's record in date order, newest first."""
    patient = get_object_or_404(Patient, pk=patient_id)
    events = selectors.patient_timeline(patient=patient, actor=Actor.from_request(request))
    name = PatientPresenter(patient).name
    return render(request, "patients/patient_timeline.jinja", {
        "title": f"Timeline of {name}", "patient": patient, "events": events,
        "breadcrumbs": [HOME, _patients_crumb(),
                        {"text": name, "href": reverse("patients:patient_detail",
                                                       args=[patient.pk])},
                        {"text": "Timeline", "href": ""}],
    })


@require(Capability.AUDIT_VIEW)
def patient_access_history(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    from django.core.paginator import Paginator

    events = selectors.patient_access_history(patient=patient, actor=Actor.from_request(request))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    name = PatientPresenter(patient).name
    return render(request, "patients/patient_access_history.jinja", {
        "title": f"Access history of {name}", "patient": patient,
        "presenter": PatientPresenter(patient), "page": page,
        "breadcrumbs": [HOME, _patients_crumb(),
                        {"text": name, "href": reverse("patients:patient_detail",
                                                       args=[patient.pk])},
                        {"text": "Access history", "href": ""}],
    })

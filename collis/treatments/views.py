"""Pages of the treatments record: botulinum toxin cycles, reviews and resistance tests,
medication and therapy sessions. Thin: forms validate, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from collis.core.audit import Actor
from collis.core.permissions import require
from collis.core.presenters import date_long
from collis.core.roles import Capability, can
from collis.patients.models import Patient
from collis.patients.presenters import record_crumbs
from collis.treatments import presenters, selectors, services
from collis.treatments.forms import (
    MedicationForm,
    MedicationStopForm,
    ResistanceTestForm,
    TherapySessionForm,
    ToxinCycleForm,
    ToxinReviewForm,
)
from collis.treatments.models import Medication, ToxinCycle

SECTIONS = {"toxin": ("Botulinum toxin", "treatments:toxin_list"),
            "medication": ("Medication", "treatments:medication_list"),
            "therapy": ("Therapy", "treatments:therapy_list")}


def _patient(patient_id) -> Patient:
    return get_object_or_404(Patient.objects.select_related("home_site"), pk=patient_id)


def _crumbs(patient: Patient, section: str, *current: str) -> list[dict]:
    label, url_name = SECTIONS[section]
    if not current:
        return record_crumbs(patient, {"text": label, "href": ""})
    return record_crumbs(
        patient, {"text": label, "href": reverse(url_name, kwargs={"patient_id": patient.pk})},
        {"text": current[0], "href": ""})

def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors on the form (fields it knows, or the whole form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Botulinum toxin ---------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def toxin_list(request, patient_id):
    patient = _patient(patient_id)
    record = selectors.toxin_record_get(patient=patient, actor=Actor.from_request(request))
    return render(request, "treatments/toxin_list.jinja", {
        "title": "Botulinum toxin", "patient": patient, "record": record,
        "bars": presenters.benefit_bars(record.cycles),
        "chart": presenters.benefit_chart(record.cycles),
        "p": presenters,
        "can_record": can(request.user, Capability.TOXIN_RECORD),
        "breadcrumbs": _crumbs(patient, "toxin"),
    })


@require(Capability.TOXIN_RECORD)
@require_http_methods(["GET", "POST"])
def toxin_create(request, patient_id):
    patient = _patient(patient_id)
    warnings = ()
    if request.method == "POST":
        form = ToxinCycleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            warnings = selectors.proposed_cycle_warnings(
                patient=patient, given_on=data["given_on"], product=data["product"])
            codes = sorted({w.code for w in warnings})
            # A warning, not a refusal: the clinician sees it once, then may proceed.
            if not warnings or data["acknowledged"] == ",".join(codes):
                try:
                    cycle = services.toxin_cycle_create(
                        patient=patient, given_on=data["given_on"], product=data["product"],
                        batch_number=data["batch_number"], guidance=data["guidance"],
                        injector=data["injector"], site=data["site"],
                        injections=data["injections"], notes=data["notes"],
                        warnings_acknowledged=codes, actor=Actor.from_request(request))
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    messages.success(request, f"The cycle of {date_long(cycle.given_on)} is "
                                              f"recorded: {cycle.total_units} units.")
                    return redirect("treatments:toxin_detail", patient_id=patient.pk,
                                    pk=cycle.pk)
            else:
                form.data = form.data.copy()
                form.data["acknowledged"] = ",".join(codes)
    else:
        form = ToxinCycleForm(initial={"injector": request.user.pk,
                                       "site": patient.home_site_id})
    return render(request, "treatments/toxin_form.jinja", {
        "title": "Record a toxin cycle", "patient": patient, "form": form,
        "warnings": warnings, "p": presenters,
        "breadcrumbs": _crumbs(patient, "toxin", "Record a toxin cycle"),
    })


def _cycle(patient, pk, actor=None) -> ToxinCycle:
    try:
        return selectors.toxin_cycle_get(patient=patient, pk=pk, actor=actor)
    except ToxinCycle.DoesNotExist:
        raise Http404("No such cycle for this patient") from None


@require(Capability.RECORD_VIEW)
def toxin_detail(request, patient_id, pk):
    patient = _patient(patient_id)
    cycle = _cycle(patient, pk, Actor.from_request(request))
    title = f"Toxin cycle of {date_long(cycle.given_on)}"
    return render(request, "treatments/toxin_detail.jinja", {
        "title": title, "patient": patient, "cycle": cycle, "p": presenters,
        "can_record": can(request.user, Capability.TOXIN_RECORD),
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.TOXIN_RECORD)
@require_http_methods(["GET", "POST"])
def toxin_review(request, patient_id, pk):
    patient = _patient(patient_id)
    cycle = _cycle(patient, pk)
    if cycle.reviewed:
        messages.info(request, "This cycle has already been reviewed.")
        return redirect("treatments:toxin_detail", patient_id=patient.pk, pk=cycle.pk)
    form = ToxinReviewForm(request.POST if request.method == "POST" else None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.toxin_review_create(
                cycle=cycle, reviewed_on=data["reviewed_on"],
                peak_benefit_percent=data["peak_benefit_percent"],
                benefit_weeks=data["benefit_weeks"], side_effects=data["side_effect_record"],
                notes=data["notes"], actor=Actor.from_request(request))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The review of the cycle of {date_long(cycle.given_on)} "
                                      "is recorded.")
            return redirect("treatments:toxin_list", patient_id=patient.pk)
    title = f"Review the cycle of {date_long(cycle.given_on)}"
    return render(request, "treatments/toxin_review_form.jinja", {
        "title": title, "patient": patient, "cycle": cycle, "form": form,
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.TOXIN_RECORD)
@require_http_methods(["GET", "POST"])
def resistance_test_create(request, patient_id):
    patient = _patient(patient_id)
    form = ResistanceTestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.resistance_test_create(patient=patient, tested_on=data["tested_on"],
                                        kind=data["kind"], result=data["result"],
                                        notes=data["notes"], actor=Actor.from_request(request))
        messages.success(request, "The resistance test is recorded.")
        return redirect("treatments:toxin_list", patient_id=patient.pk)
    return render(request, "treatments/simple_form.jinja", {
        "title": "Record a resistance test", "patient": patient, "form": form,
        "section": "toxin", "submit": "Save the resistance test",
        "info": presenters.resistance_test_info(),
        "breadcrumbs": _crumbs(patient, "toxin", "Record a resistance test"),
    })


# Medication --------------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def medication_list(request, patient_id):
    patient = _patient(patient_id)
    medications = selectors.medication_list(patient=patient, actor=Actor.from_request(request))
    return render(request, "treatments/medication_list.jinja", {
        "title": "Medication", "patient": patient,
        "current": [m for m in medications if m.is_current],
        "stopped": [m for m in medications if not m.is_current],
        "can_record": can(request.user, Capability.MEDICATION_RECORD),
        "breadcrumbs": _crumbs(patient, "medication"),
    })


@require(Capability.MEDICATION_RECORD)
@require_http_methods(["GET", "POST"])
def medication_create(request, patient_id):
    patient = _patient(patient_id)
    form = MedicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        medication = services.medication_start(patient=patient, **form.cleaned_data,
                                               actor=Actor.from_request(request))
        messages.success(request, f"{medication.drug_name} is recorded.")
        return redirect("treatments:medication_list", patient_id=patient.pk)
    return render(request, "treatments/simple_form.jinja", {
        "title": "Record a medicine", "patient": patient, "form": form,
        "section": "medication", "submit": "Save the medicine",
        "breadcrumbs": _crumbs(patient, "medication", "Record a medicine"),
    })


@require(Capability.MEDICATION_RECORD)
@require_http_methods(["GET", "POST"])
def medication_stop(request, patient_id, pk):
    patient = _patient(patient_id)
    medication = get_object_or_404(Medication, patient=patient, pk=pk)
    if not medication.is_current:
        messages.info(request, f"{medication.drug_name} is already recorded as stopped.")
        return redirect("treatments:medication_list", patient_id=patient.pk)
    form = MedicationStopForm(request.POST if request.method == "POST" else None,
                              medication=medication)
    if request.method == "POST" and form.is_valid():
        try:
            services.medication_stop(medication=medication,
                                     stopped_on=form.cleaned_data["stopped_on"],
                                     reason=form.cleaned_data["stop_reason"],
                                     actor=Actor.from_request(request))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{medication.drug_name} is recorded as stopped.")
            return redirect("treatments:medication_list", patient_id=patient.pk)
    title = f"Stop {medication.drug_name}"
    return render(request, "treatments/simple_form.jinja", {
        "title": title, "patient": patient, "form": form, "section": "medication",
        "submit": "Record that it stopped",
        "lead": f"{medication.drug_name} {medication.dose}, started "
                f"{date_long(medication.started_on)}.",
        "breadcrumbs": _crumbs(patient, "medication", title),
    })


# Therapy -----------------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def therapy_list(request, patient_id):
    patient = _patient(patient_id)
    sessions = selectors.therapy_session_list(patient=patient, actor=Actor.from_request(request))
    return render(request, "treatments/therapy_list.jinja", {
        "title": "Therapy", "patient": patient, "sessions": sessions,
        "can_record": can(request.user, Capability.THERAPY_RECORD),
        "breadcrumbs": _crumbs(patient, "therapy"),
    })


@require(Capability.THERAPY_RECORD)
@require_http_methods(["GET", "POST"])
def therapy_create(request, patient_id):
    patient = _patient(patient_id)
    form = TherapySessionForm(request.POST if request.method == "POST" else None,
                              initial={"therapist": request.user.pk})
    if request.method == "POST" and form.is_valid():
        session = services.therapy_session_create(patient=patient, **form.cleaned_data,
                                                  actor=Actor.from_request(request))
        messages.success(request, f"The {session.get_kind_display().lower()} session of "
                                  f"{date_long(session.session_on)} is recorded.")
        return redirect("treatments:therapy_list", patient_id=patient.pk)
    return render(request, "treatments/simple_form.jinja", {
        "title": "Record a therapy session", "patient": patient, "form": form,
        "section": "therapy", "submit": "Save the session",
        "breadcrumbs": _crumbs(patient, "therapy", "Record a therapy session"),
    })

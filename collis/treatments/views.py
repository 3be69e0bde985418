"""Pages of the treatments record: botulinum toxin cycles, reviews and resistance tests,
medication and therapy sessions. Thin: forms validate, services write, selectors read (the
patient through patient_get, scoped to the user's unit and audited)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.presenters import date_long
from collis.core.roles import Capability, can
from collis.patients.models import Patient
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
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


def _crumbs(patient: Patient, section: str, *current: str) -> list[dict]:
    label, url_name = SECTIONS[section]
    if not current:
        return record_crumbs(patient, {"text": label, "href": ""})
    return record_crumbs(
        patient, {"text": label, "href": reverse(url_name, kwargs={"patient_id": patient.pk})},
        {"text": current[0], "href": ""})


def _cycle(patient: Patient, pk: int, actor: Actor) -> ToxinCycle:
    try:
        return selectors.toxin_cycle_get(patient=patient, pk=pk, actor=actor)
    except ToxinCycle.DoesNotExist:
        raise Http404("No such cycle for this patient") from None


def _medication(patient: Patient, pk: int, actor: Actor) -> Medication:
    try:
        return selectors.medication_get(patient=patient, pk=pk, actor=actor)
    except Medication.DoesNotExist:
        raise Http404("No such medicine for this patient") from None


# Botulinum toxin ---------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def toxin_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    record = selectors.toxin_record_get(patient=patient, actor=actor)
    return render(request, "treatments/toxin_list.jinja", {
        "title": "Botulinum toxin", "patient": patient, "record": record,
        "bars": presenters.benefit_bars(record.cycles),
        "chart": presenters.benefit_chart(record.cycles),
        "p": presenters,
        "can_record": can(request.user, Capability.TOXIN_RECORD),
        "breadcrumbs": _crumbs(patient, "toxin"),
    })


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    warnings = ()
    if request.method == "POST":
        form = ToxinCycleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            warnings = selectors.proposed_cycle_warnings(
                patient=patient, given_on=data["given_on"], product=data["product"])
            codes = sorted({w.code for w in warnings})
            # A warning, not a refusal: the clinician sees it once, then may proceed. Until
            # they have seen these very warnings, the page is shown again with them.
            if warnings and data["acknowledged"] != ",".join(codes):
                form.data = form.data.copy()
                form.data["acknowledged"] = ",".join(codes)
            else:
                response = form_submit(
                    request, form,
                    lambda data: services.toxin_cycle_create(
                        patient=patient, given_on=data["given_on"], product=data["product"],
                        batch_number=data["batch_number"], guidance=data["guidance"],
                        injector=data["injector"], site=data["site"],
                        injections=data["injections"], notes=data["notes"],
                        warnings_acknowledged=codes, actor=actor),
                    redirect_to=lambda cycle: reverse(
                        "treatments:toxin_detail",
                        kwargs={"patient_id": patient.pk, "pk": cycle.pk}),
                    message=lambda cycle: f"The cycle of {date_long(cycle.given_on)} is "
                                          f"recorded: {cycle.total_units} units.")
                if response:
                    return response
    else:
        form = ToxinCycleForm(initial={"injector": request.user.pk,
                                       "site": patient.home_site_id})
    return render(request, "treatments/toxin_form.jinja", {
        "title": "Record a toxin cycle", "patient": patient, "form": form,
        "warnings": warnings, "p": presenters,
        "breadcrumbs": _crumbs(patient, "toxin", "Record a toxin cycle"),
    })


@require(Capability.RECORD_VIEW)
def toxin_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    cycle = _cycle(patient, pk, actor)
    title = f"Toxin cycle of {date_long(cycle.given_on)}"
    return render(request, "treatments/toxin_detail.jinja", {
        "title": title, "patient": patient, "cycle": cycle, "p": presenters,
        "can_record": can(request.user, Capability.TOXIN_RECORD),
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_review(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    cycle = _cycle(patient, pk, actor)
    if cycle.reviewed:
        messages.info(request, "This cycle has already been reviewed.")
        return redirect("treatments:toxin_detail", patient_id=patient.pk, pk=cycle.pk)
    form = ToxinReviewForm(request.POST if request.method == "POST" else None, cycle=cycle)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.toxin_review_create(
                cycle=cycle, reviewed_on=data["reviewed_on"],
                peak_benefit_percent=data["peak_benefit_percent"],
                benefit_weeks=data["benefit_weeks"], side_effects=data["side_effect_record"],
                notes=data["notes"], actor=actor),
            redirect_to=reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}),
            message=f"The review of the cycle of {date_long(cycle.given_on)} is recorded.")
        if response:
            return response
    title = f"Review the cycle of {date_long(cycle.given_on)}"
    return render(request, "treatments/toxin_review_form.jinja", {
        "title": title, "patient": patient, "cycle": cycle, "form": form,
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def resistance_test_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = ResistanceTestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.resistance_test_create(
                patient=patient, tested_on=data["tested_on"], kind=data["kind"],
                result=data["result"], notes=data["notes"], actor=actor),
            redirect_to=reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}),
            message="The resistance test is recorded.")
        if response:
            return response
    return render(request, "treatments/simple_form.jinja", {
        "title": "Record a resistance test", "patient": patient, "form": form,
        "section": "toxin", "submit": "Save the resistance test",
        "info": presenters.resistance_test_info(),
        "breadcrumbs": _crumbs(patient, "toxin", "Record a resistance test"),
    })


# Medication --------------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def medication_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    medications = selectors.medication_list(patient=patient, actor=actor)
    return render(request, "treatments/medication_list.jinja", {
        "title": "Medication", "patient": patient,
        "current": [m for m in medications if m.is_current],
        "stopped": [m for m in medications if not m.is_current],
        "can_record": can(request.user, Capability.MEDICATION_RECORD),
        "breadcrumbs": _crumbs(patient, "medication"),
    })


@require(Capability.MEDICATION_RECORD)
@methods("GET", "POST")
def medication_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = MedicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.medication_start(patient=patient, **data, actor=actor),
            redirect_to=reverse("treatments:medication_list",
                                kwargs={"patient_id": patient.pk}),
            message=lambda medication: f"{medication.drug_name} is recorded.")
        if response:
            return response
    return render(request, "treatments/simple_form.jinja", {
        "title": "Record a medicine", "patient": patient, "form": form,
        "section": "medication", "submit": "Save the medicine",
        "breadcrumbs": _crumbs(patient, "medication", "Record a medicine"),
    })


@require(Capability.MEDICATION_RECORD)
@methods("GET", "POST")
def medication_stop(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    medication = _medication(patient, pk, actor)
    if not medication.is_current:
        messages.info(request, f"{medication.drug_name} is already recorded as stopped.")
        return redirect("treatments:medication_list", patient_id=patient.pk)
    form = MedicationStopForm(request.POST if request.method == "POST" else None,
                              medication=medication)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.medication_stop(
                medication=medication, stopped_on=data["stopped_on"],
                reason=data["stop_reason"], actor=actor),
            redirect_to=reverse("treatments:medication_list",
                                kwargs={"patient_id": patient.pk}),
            message=f"{medication.drug_name} is recorded as stopped.")
        if response:
            return response
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
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    sessions = selectors.therapy_session_list(patient=patient, actor=actor)
    return render(request, "treatments/therapy_list.jinja", {
        "title": "Therapy", "patient": patient, "sessions": sessions,
        "can_record": can(request.user, Capability.THERAPY_RECORD),
        "breadcrumbs": _crumbs(patient, "therapy"),
    })


@require(Capability.THERAPY_RECORD)
@methods("GET", "POST")
def therapy_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = TherapySessionForm(request.POST if request.method == "POST" else None,
                              initial={"therapist": request.user.pk})
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.therapy_session_create(patient=patient, **data, actor=actor),
            redirect_to=reverse("treatments:therapy_list", kwargs={"patient_id": patient.pk}),
            message=lambda session: f"The {session.get_kind_display().lower()} session of "
                                    f"{date_long(session.session_on)} is recorded.")
        if response:
            return response
    return render(request, "treatments/simple_form.jinja", {
        "title": "Record a therapy session", "patient": patient, "form": form,
        "section": "therapy", "submit": "Save the session",
        "breadcrumbs": _crumbs(patient, "therapy", "Record a therapy session"),
    })

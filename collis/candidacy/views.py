"""Pages of candidacy assessment: the list, the one action that assesses, and a result.
Each reads the patient through `patient_get` (scoped to the user's unit, audited) and the
assessments through this app's selectors."""

from django.shortcuts import render
from django.urls import reverse

from collis.candidacy import selectors, services
from collis.candidacy.forms import CandidacyAnswersForm
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.candidacy.presenters import AssessmentPresenter, fact_rows
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.policy.presenters import CANDIDACY_KEYS, notice_for

_crumbs = record_crumbs


@require(Capability.RECORD_VIEW)
def candidacy_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    records = selectors.candidacy_assessment_list(patient=patient, actor=actor)
    return render(request, "candidacy/candidacy_list.jinja", {
        "title": "Selective denervation candidacy", "patient": patient,
        "records": [AssessmentPresenter(r) for r in records],
        "can_assess": can(request.user, Capability.CANDIDACY_ASSESS),
        "breadcrumbs": _crumbs(patient, {"text": "Candidacy", "href": ""}),
    })


@require(Capability.CANDIDACY_ASSESS)
@methods("GET", "POST")
def candidacy_new(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = CandidacyAnswersForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.candidacy_assess(patient=patient, answers=form.answers(),
                                                   actor=actor),
            redirect_to=lambda record: reverse("candidacy:candidacy_detail",
                                               args=[patient.pk, record.pk]),
            message="The assessment is stored with the facts it used.")
        if response:
            return response
    preview = selectors.case_facts_preview(patient=patient, actor=actor)
    return render(request, "candidacy/candidacy_new.jinja", {
        "title": "Assess selective denervation candidacy", "patient": patient, "form": form,
        "sources": fact_rows(preview.facts, preview.sources),
        "breadcrumbs": _crumbs(patient, {"text": "Candidacy", "href": reverse(
            "candidacy:candidacy_list", args=[patient.pk])}, {"text": "Assess", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def candidacy_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    try:
        record = selectors.candidacy_assessment_get(patient=patient, pk=pk, actor=actor)
    except CandidacyAssessmentRecord.DoesNotExist:
        return render(request, "core/error.jinja", {
            "title": "Assessment not found",
            "message": "This patient has no assessment with this number."}, status=404)
    return render(request, "candidacy/candidacy_detail.jinja", {
        "title": "Candidacy assessment", "patient": patient, "record": record,
        "presenter": AssessmentPresenter(record),
        "policy_notice": notice_for(record.policy_version_id, on=record.assessed_at.date(),
                                    keys=CANDIDACY_KEYS),
        "can_assess": can(request.user, Capability.CANDIDACY_ASSESS),
        "breadcrumbs": _crumbs(patient, {"text": "Candidacy", "href": reverse(
            "candidacy:candidacy_list", args=[patient.pk])},
            {"text": "Assessment", "href": ""}),
    })

"""Pages of candidacy assessment: the list, the one action that assesses, and a result."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from collis.candidacy import selectors, services
from collis.candidacy.facts import collect_case_facts
from collis.candidacy.forms import CandidacyAnswersForm
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.candidacy.presenters import AssessmentPresenter
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.permissions import require
from collis.core.roles import Capability, can
from collis.patients.models import Patient
from collis.patients.presenters import record_crumbs

_crumbs = record_crumbs

@require(Capability.RECORD_VIEW)
def candidacy_list(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    records = selectors.candidacy_assessment_list(patient=patient,
                                                  actor=Actor.from_request(request))
    return render(request, "candidacy/candidacy_list.jinja", {
        "title": "Selective denervation candidacy", "patient": patient,
        "records": [AssessmentPresenter(r) for r in records],
        "can_assess": can(request.user, Capability.CANDIDACY_ASSESS),
        "breadcrumbs": _crumbs(patient, {"text": "Candidacy", "href": ""}),
    })


@require(Capability.CANDIDACY_ASSESS)
@require_http_methods(["GET", "POST"])
def candidacy_new(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    actor = Actor.from_request(request)
    form = CandidacyAnswersForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        record = services.candidacy_assess(patient=patient, answers=form.answers(),
                                           actor=actor)
        messages.success(request, "The assessment is stored with the facts it used.")
        return redirect("candidacy:candidacy_detail", patient_id=patient.pk, pk=record.pk)
    preview = collect_case_facts(patient=patient, answers={})
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="case_facts",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary="Viewed the facts for a candidacy assessment")
    return render(request, "candidacy/candidacy_new.jinja", {
        "title": "Assess selective denervation candidacy", "patient": patient, "form": form,
        "sources": preview.sources,
        "breadcrumbs": _crumbs(patient, {"text": "Candidacy", "href": reverse(
            "candidacy:candidacy_list", args=[patient.pk])}, {"text": "Assess", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def candidacy_detail(request, patient_id, pk):
    patient = get_object_or_404(Patient, pk=patient_id)
    try:
        record = selectors.candidacy_assessment_get(patient=patient, pk=pk,
                                                    actor=Actor.from_request(request))
    except CandidacyAssessmentRecord.DoesNotExist:
        return render(request, "core/error.jinja", {
            "title": "Assessment not found",
            "message": "This patient has no assessment with this number."}, status=404)
    return render(request, "candidacy/candidacy_detail.jinja", {
        "title": "Candidacy assessment", "patient": patient, "record": record,
        "presenter": AssessmentPresenter(record),
        "breadcrumbs": _crumbs(patient, {"text": "Candidacy", "href": reverse(
            "candidacy:candidacy_list", args=[patient.pk])},
            {"text": "Assessment", "href": ""}),
    })

"""The record's page of patient-reported questionnaires: what the patient answered through
the portal, scored by the domain, marked patient-reported."""

from django.shortcuts import render

from collis.core.audit import Actor
from collis.core.permissions import require
from collis.core.roles import Capability
from collis.domain.questionnaires import questionnaire_load
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.questionnaires import selectors


@require(Capability.RECORD_VIEW)
def patient_reported(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    responses = selectors.patient_reported_list(patient=patient, actor=actor)
    titles = {r.questionnaire: questionnaire_load(r.questionnaire) for r in responses}
    return render(request, "questionnaires/patient_reported.jinja", {
        "title": "Patient-reported", "patient": patient, "responses": responses,
        "questionnaires": titles,
        "breadcrumbs": record_crumbs(patient, {"text": "Patient-reported", "href": ""}),
    })

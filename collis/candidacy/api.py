"""Candidacy through the JSON API: POST /api/v1/candidacy assesses a case-facts document
(the contract in docs/case-facts.md) and stores nothing; stored assessments of a patient
are read with the usual role check and audit."""

import json
from datetime import datetime
from uuid import UUID

from django.http import HttpResponse, JsonResponse
from ninja import Router, Schema

from collis.candidacy import selectors
from collis.core.api import ErrorOut, api_actor, api_patient, api_require
from collis.core.roles import Capability
from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import CaseFactsError, load_case_facts

router = Router(tags=["candidacy"])


class StoredAssessmentOut(Schema):
    id: int
    assessed_at: datetime
    assessed_by: str
    ruleset: str
    recommendation: str
    facts: dict
    provenance: list
    result: dict



@router.post("/candidacy", summary="Assess SD candidacy from case facts (stores nothing)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object",
                                                 "description": "collis-case/1 case facts"}}}}})
def candidacy_evaluate(request):
    """The body is a case-facts document (schema collis-case/1). Answers 200 with the
    assessment (ruleset collis-sd-candidacy/2), or 422 naming each bad field and the
    allowed values."""
    api_require(request, Capability.CANDIDACY_ASSESS)
    try:
        facts = load_case_facts(request.body.decode("utf-8", errors="replace"))
    except CaseFactsError as error:
        return JsonResponse({"detail": [str(p) for p in error.problems]}, status=422)
    return HttpResponse(json.dumps(assess_candidacy(facts).as_dict()),
                        content_type="application/json")


@router.get("/patients/{patient_id}/candidacy-assessments",
            response={200: list[StoredAssessmentOut], 403: ErrorOut, 404: ErrorOut},
            summary="A patient's stored candidacy assessments, newest first")
def candidacy_assessments(request, patient_id: UUID):
    """Each with the facts it used, their sources and the result. The read is audited."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    records = selectors.candidacy_assessment_list(patient=patient, actor=api_actor(request))
    return [{"id": r.pk, "assessed_at": r.assessed_at,
             "assessed_by": r.assessed_by.username, "ruleset": r.ruleset,
             "recommendation": r.recommendation, "facts": r.facts,
             "provenance": r.provenance, "result": r.result} for r in records]

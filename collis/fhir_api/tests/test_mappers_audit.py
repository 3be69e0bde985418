"""The AuditEvent mapper against JSON fixtures: a clinician's read of a patient's record,
a search page that showed several patients, and a failed sign-in; every fixture passes the
three validation layers."""

import json
import os
import uuid
from pathlib import Path

import pytest

from collis.core.models import AuditEvent
from collis.fhir_api.mappers_audit import audit_event_resource
from collis.fhir_api.tests.test_mappers import CHANGED
from collis.fhir_api.validation import validation_problems

FIXTURES = Path(__file__).parent / "fixtures"
PATIENT = uuid.UUID("5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11")


def entry(**changes):
    values = {"pk": 901, "at": CHANGED, "actor_id": 12, "actor_username": "neurologist",
              "actor_role": "neurologist", "action": "view", "channel": "api",
              "object_type": "questionnaire_response", "object_id": "5",
              "patient_id": PATIENT, "summary": "Viewed a questionnaire the patient sent",
              "ip_address": "192.0.2.10", "path": "/fhir/R4/QuestionnaireResponse/5"}
    values.update(changes)
    return AuditEvent(**values)


CASES = {
    "auditevent-read": lambda: audit_event_resource(entry()),
    "auditevent-search": lambda: audit_event_resource(entry(
        pk=902, action="search", object_type="patient", object_id="", patient_id=None,
        summary="Patient appeared in FHIR search results (2: 9990000018, 9990000026)")),
    "auditevent-login-failed": lambda: audit_event_resource(entry(
        pk=903, action="login_failed", actor_id=None, actor_role="", channel="web",
        actor_username="someone", object_type="", object_id="", patient_id=None,
        summary="Failed sign-in", ip_address=None)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_mapper_gives_the_fixture(case):
    resource = CASES[case]()
    fixture = FIXTURES / f"{case}.json"
    if os.environ.get("COLLIS_REGENERATE_FIXTURES"):
        fixture.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n")
    assert resource == json.loads(fixture.read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fixture_passes_the_three_validation_layers(case):
    assert validation_problems(json.loads((FIXTURES / f"{case}.json").read_text())) == []


def test_the_patient_is_an_entity_of_type_person_and_role_patient():
    [patient, record] = CASES["auditevent-read"]()["entity"]
    assert patient["what"] == {"reference": f"Patient/{PATIENT}"}
    assert (patient["type"]["code"], patient["role"]["code"]) == ("1", "1")
    assert record["name"] == "questionnaire_response 5"
    failed = CASES["auditevent-login-failed"]()
    assert (failed["type"]["code"], failed["outcome"], failed["action"]) == ("110114", "4",
                                                                             "E")

"""Questionnaires over HTTP: the questionnaires kept as data (read and search by url and
name, no token needed beyond a member of staff's), and the answers patients sent as
QuestionnaireResponses (read, search by patient, status, authored and questionnaire, keyset
pages, in $everything), scoped and audited; a draft not yet sent is not served."""

import datetime as dt

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.domain.questionnaires import Due, DueReason, questionnaire_load
from collis.fhir_api.tests.test_records import found, ids
from collis.fhir_api.validation import validation_problems
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.questionnaires.selectors import DueQuestionnaire
from collis.questionnaires.services import questionnaire_answers_save

pytestmark = pytest.mark.django_db

URL = "https://fhir.collis.example/Questionnaire/twstrs-patient"
ANSWERS = {"work": 2, "activities_of_daily_living": 1, "driving": 2, "reading": 1,
           "television": 1, "activities_outside_home": 2, "pain_severity": 5,
           "pain_duration": 3, "pain_disability": 3}


def answered(patient, anchor=dt.date(2026, 2, 1), *, send=True, answers=None):
    """The patient's answers to the questionnaire of one occasion, through the service."""
    questionnaire = questionnaire_load("twstrs-patient")
    due = Due(anchor + dt.timedelta(days=28), DueReason.TOXIN_PEAK, anchor)
    return questionnaire_answers_save(
        patient=patient, due=DueQuestionnaire(due=due, questionnaire=questionnaire,
                                              draft=None),
        answers=ANSWERS if answers is None else answers, send=send,
        actor=Actor.command_line())


def test_the_questionnaire_is_served_at_its_canonical_url(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    response = client.get("/fhir/R4/Questionnaire/twstrs-patient", **headers)
    assert response.status_code == 200, response.content
    resource = response.json()
    assert validation_problems(resource) == []
    assert (resource["url"], resource["version"]) == (URL, "1")
    assert "[9]" in resource["description"] and resource["copyright"]
    assert ids(client, headers, "Questionnaire", url=URL) == ["twstrs-patient"]
    assert ids(client, headers, "Questionnaire", url=f"{URL}|1") == ["twstrs-patient"]
    assert ids(client, headers, "Questionnaire", url=f"{URL}|2") == []
    assert ids(client, headers, "Questionnaire", name="twstrs") == ["twstrs-patient"]
    assert ids(client, headers, "Questionnaire", name="how your neck") == ["twstrs-patient"]
    assert ids(client, headers, "Questionnaire", name="tsui") == []
    assert client.get("/fhir/R4/Questionnaire/nothing", **headers).status_code == 404
    assert not AuditEvent.objects.filter(object_type__startswith="questionnaire").exists()


def test_a_sent_questionnaire_is_a_completed_response_and_its_read_is_audited(
        client, bearer, sites):
    patient = PatientFactory()
    response = answered(patient)
    headers = bearer(Role.NEUROLOGIST)
    got = client.get(f"/fhir/R4/QuestionnaireResponse/{response.pk}", **headers)
    assert got.status_code == 200, got.content
    resource = got.json()
    assert validation_problems(resource) == []
    assert resource["status"] == "completed"
    assert resource["questionnaire"] == f"{URL}|1"
    assert resource["author"] == resource["source"] == resource["subject"] == {
        "reference": f"Patient/{patient.pk}"}
    assert {i["linkId"]: i["answer"][0]["valueInteger"] for i in resource["item"]} == ANSWERS
    assert AuditEvent.objects.filter(
        object_type="questionnaire_response", object_id=str(response.pk),
        patient_id=patient.pk, action=AuditAction.VIEW, channel=AuditChannel.API).exists()


def test_a_draft_and_another_units_answers_are_not_served(client, bearer, sites):
    draft = answered(PatientFactory(), send=False, answers={"work": 1})
    elsewhere = answered(other_unit_patient())
    headers = bearer(Role.NEUROLOGIST)
    for pk in (draft.pk, elsewhere.pk, "x"):
        got = client.get(f"/fhir/R4/QuestionnaireResponse/{pk}", **headers)
        assert got.status_code == 404 and got.json()["resourceType"] == "OperationOutcome"
    assert ids(client, headers, "QuestionnaireResponse") == []
    assert client.get("/fhir/R4/QuestionnaireResponse",
                      **bearer(Role.CONTENT_EDITOR)).status_code == 403


def test_search_by_patient_status_authored_and_questionnaire_in_keyset_pages(
        client, bearer, sites):
    patient, other = PatientFactory(), PatientFactory()
    first = answered(patient, dt.date(2026, 1, 5))
    second = answered(patient, dt.date(2026, 4, 5))
    theirs = answered(other)
    headers = bearer(Role.NEUROLOGIST)
    everyone = [str(first.pk), str(second.pk), str(theirs.pk)]
    assert sorted(ids(client, headers, "QuestionnaireResponse"), key=int) == everyone
    assert ids(client, headers, "QuestionnaireResponse", patient=f"Patient/{patient.pk}") == [
        str(first.pk), str(second.pk)]
    assert len(ids(client, headers, "QuestionnaireResponse", status="completed")) == 3
    assert ids(client, headers, "QuestionnaireResponse", status="in-progress") == []
    today = first.submitted_at.date().isoformat()
    assert len(ids(client, headers, "QuestionnaireResponse", authored=today)) == 3
    assert ids(client, headers, "QuestionnaireResponse", authored="lt2020") == []
    for named in (URL, f"{URL}|1", "Questionnaire/twstrs-patient", "twstrs-patient"):
        assert len(ids(client, headers, "QuestionnaireResponse", questionnaire=named)) == 3
    assert ids(client, headers, "QuestionnaireResponse", questionnaire=f"{URL}|2") == []
    # Two to a page, by keyset: the next link carries the cursor.
    page = client.get("/fhir/R4/QuestionnaireResponse", {"_count": 2}, **headers).json()
    assert [e["resource"]["id"] for e in page["entry"]] == everyone[:2]
    [next_url] = [link["url"] for link in page["link"] if link["relation"] == "next"]
    rest = client.get(next_url, **headers).json()
    assert [e["resource"]["id"] for e in rest["entry"]] == everyone[2:]
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("id")
    assert event.object_type == "questionnaire_response"
    assert event.details["patients"] == [other.nhs_number]
    bad = client.get("/fhir/R4/QuestionnaireResponse", {"authored": "yesterday"}, **headers)
    assert bad.status_code == 400 and "authored" in bad.json()["issue"][0]["diagnostics"]


def test_everything_includes_the_questionnaires_the_patient_sent(client, bearer, sites):
    patient = PatientFactory()
    response = answered(patient)
    headers = bearer(Role.NEUROLOGIST)
    bundle = client.get(f"/fhir/R4/Patient/{patient.pk}/$everything", **headers).json()
    assert validation_problems(bundle) == []
    assert [e["resource"]["id"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "QuestionnaireResponse"] == [str(response.pk)]
    assert found(client, headers, "QuestionnaireResponse", _id=str(response.pk))

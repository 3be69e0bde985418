import pytest

from collis.assessments.tests.factories import make_diagnosis, make_examination, make_twstrs
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(db):
    def make(role):
        user = UserFactory(role=role)
        return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
            user=user, actor=Actor.command_line(user))}

    return make


@pytest.fixture
def patient(sites):
    return PatientFactory()


def test_diagnosis_api_gives_the_current_version_and_history_and_audits(client, bearer,
                                                                      patient):
    make_diagnosis(patient)
    make_diagnosis(patient, course="progressive")
    response = client.get(f"/api/v1/patients/{patient.pk}/diagnosis",
                          **bearer(Role.PHYSIOTHERAPIST))
    assert response.status_code == 200
    body = response.json()
    assert body["current"]["version"] == 2 and body["current"]["course"] == "progressive"
    assert [v["version"] for v in body["history"]] == [2, 1]
    assert body["current"]["age_at_onset"] == "late_adulthood"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, channel=AuditChannel.API,
                                     object_type="diagnosis", patient_id=patient.pk).exists()


def test_diagnosis_api_without_a_diagnosis_gives_none(client, bearer, patient):
    body = client.get(f"/api/v1/patients/{patient.pk}/diagnosis",
                      **bearer(Role.NEUROLOGIST)).json()
    assert body == {"current": None, "history": []}


def test_examinations_api_gives_patterns_and_muscles(client, bearer, patient):
    make_examination(patient)
    body = client.get(f"/api/v1/patients/{patient.pk}/examinations",
                      **bearer(Role.NEUROLOGIST)).json()
    assert body[0]["dominant_pattern"] == "torticaput"
    assert body[0]["patterns"][0] == {"pattern": "torticaput", "side": "right", "severity": 3}
    assert body[0]["muscles_confirmed"] is False
    assert AuditEvent.objects.filter(channel=AuditChannel.API,
                                     object_type="examination").count() == 1


def test_scales_api_gives_the_stored_scores(client, bearer, patient):
    make_twstrs(patient)
    body = client.get(f"/api/v1/patients/{patient.pk}/scales",
                      **bearer(Role.NEUROLOGIST)).json()
    assert body["tsui"] == []
    twstrs = body["twstrs"][0]
    assert (twstrs["total"], twstrs["severity"], twstrs["items"]["rotation"]) == (35, 17, 3)
    assert AuditEvent.objects.filter(channel=AuditChannel.API, object_type="scale",
                                     patient_id=patient.pk).exists()


@pytest.mark.parametrize("path", ["diagnosis", "examinations", "scales"])
def test_the_api_applies_the_record_view_check(client, bearer, patient, path):
    response = client.get(f"/api/v1/patients/{patient.pk}/{path}", **bearer(Role.AUDITOR))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(patient_id=patient.pk).exists()


def test_the_api_needs_a_token_and_an_existing_patient(client, bearer, patient):
    import uuid

    assert client.get(f"/api/v1/patients/{patient.pk}/scales").status_code == 401
    assert client.get(f"/api/v1/patients/{uuid.uuid4()}/scales",
                      **bearer(Role.NEUROLOGIST)).status_code == 404


@pytest.mark.parametrize("path", ["diagnosis", "examinations", "scales"])
def test_another_units_patient_is_not_found_and_not_audited(client, bearer, patient, path):
    from collis.assessments.tests.factories import another_units_patient

    theirs = another_units_patient()
    make_diagnosis(theirs), make_examination(theirs), make_twstrs(theirs)
    response = client.get(f"/api/v1/patients/{theirs.pk}/{path}", **bearer(Role.NEUROLOGIST))
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient has this id."}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW,
                                         patient_id=theirs.pk).exists()


def test_an_api_read_audits_the_patient_once_and_the_records_once(client, bearer, patient):
    make_twstrs(patient)
    client.get(f"/api/v1/patients/{patient.pk}/scales", **bearer(Role.NEUROLOGIST))
    reads = AuditEvent.objects.filter(action=AuditAction.VIEW, channel=AuditChannel.API)
    assert sorted(reads.values_list("object_type", flat=True)) == ["patient", "scale"]


def test_the_lists_give_current_entries_only_with_their_status(client, bearer, patient):
    import datetime

    from collis.assessments import services
    from collis.assessments.tests.factories import actor_for
    from collis.domain.phenotype import Pattern, PatternObservation

    wrong_exam = make_examination(patient)
    corrected_exam = services.examination_create(
        patient=patient, actor=actor_for(), amends=wrong_exam, correction_reason="Pattern",
        details=services.ExaminationDetails(
            examined_on=datetime.date(2026, 10, 1), tremor="none", sensory_trick="absent",
            patterns=(PatternObservation(Pattern.RETROCOLLIS, None, 2),)))
    kept = make_twstrs(patient, assessed_on=datetime.date(2026, 1, 1))
    mistaken = make_twstrs(patient, assessed_on=datetime.date(2026, 2, 1))
    services.scale_mark_entered_in_error(assessment=mistaken, reason="Duplicate",
                                         actor=actor_for())
    headers = bearer(Role.NEUROLOGIST)
    examinations = client.get(f"/api/v1/patients/{patient.pk}/examinations", **headers).json()
    assert [(e["id"], e["record_status"]) for e in examinations] == [
        (corrected_exam.pk, "current")]
    scales = client.get(f"/api/v1/patients/{patient.pk}/scales", **headers).json()
    assert [(a["id"], a["record_status"]) for a in scales["twstrs"]] == [(kept.pk, "current")]

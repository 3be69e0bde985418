import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)

D = datetime.date


@pytest.fixture
def bearer(db):
    def make(role):
        user = UserFactory(role=role)
        return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
            user=user, actor=Actor.command_line())}

    return make


@pytest.mark.django_db
def test_api_toxin_cycles_carry_injections_reviews_pattern_and_warnings(client, bearer, sites):
    patient = PatientFactory()
    first = cycle_with(patient, D(2025, 1, 6), benefit=75, weeks=12)
    cycle_with(patient, D(2025, 3, 3), benefit=70, weeks=11)  # 8 weeks later
    latest = cycle_with(patient, D(2025, 6, 2))
    ResistanceTestFactory(patient=patient, result="resistant")
    response = client.get(f"/api/v1/patients/{patient.pk}/toxin-cycles",
                          **bearer(Role.PHYSIOTHERAPIST))
    assert response.status_code == 200
    body = response.json()
    assert [c["total_units"] for c in body["cycles"]] == [200, 200, 200]
    assert body["cycles"][0]["injections"][0] == {"muscle": "sternocleidomastoid",
                                                  "side": "left", "units": 100}
    assert body["cycles"][0]["review"]["peak_benefit_percent"] == 75
    assert body["cycles"][2]["review"] is None
    assert body["warnings"][0]["code"] == "SHORT_INJECTION_INTERVAL"
    assert body["warnings"][0]["sources"] == [15, 19]
    pattern = body["response_pattern"]
    assert pattern["pattern"] == "good_response" and pattern["derived"] is True
    assert pattern["from_cycle_ids"][0] == first.pk
    assert pattern["left_out_cycle_ids"] == [latest.pk]
    assert pattern["thresholds"]["label"] == "local policy, needs clinical sign-off"
    assert {s["code"] for s in body["poor_responder_checklist"] if s["applies"]} == {
        "TOXIN_HOLIDAY", "BONT_B", "ANOTHER_BONT_A", "SURGERY_OR_DBS"}
    event = AuditEvent.objects.get(object_type="toxin_cycles")
    assert event.channel == AuditChannel.API and event.patient_id == patient.pk


@pytest.mark.django_db
def test_api_medications_and_therapy_sessions_are_audited(client, bearer, sites):
    patient = PatientFactory()
    MedicationFactory(patient=patient)
    TherapySessionFactory(patient=patient, goals="Posture")
    headers = bearer(Role.NURSE_SPECIALIST)
    medicines = client.get(f"/api/v1/patients/{patient.pk}/medications", **headers).json()
    sessions = client.get(f"/api/v1/patients/{patient.pk}/therapy-sessions", **headers).json()
    assert medicines[0]["drug_name"] == "Trihexyphenidyl" and medicines[0]["stopped_on"] is None
    assert sessions[0]["goals"] == "Posture" and sessions[0]["duration_minutes"] == 45
    views = AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW,
                                      channel=AuditChannel.API)
    assert sorted(views.values_list("object_type", flat=True)) == [
        "medications", "patient", "patient", "therapy_sessions"]  # each response shows them


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["toxin-cycles", "medications", "therapy-sessions"])
def test_api_refuses_roles_without_record_view(client, bearer, sites, path):
    patient = PatientFactory()
    response = client.get(f"/api/v1/patients/{patient.pk}/{path}", **bearer(Role.AUDITOR))
    assert response.status_code == 403 and "role" in response.json()["detail"]
    assert client.get(f"/api/v1/patients/{patient.pk}/{path}").status_code == 401
    assert not AuditEvent.objects.filter(patient_id=patient.pk).exists()


@pytest.mark.django_db
def test_api_unknown_patient_is_404(client, bearer):
    response = client.get("/api/v1/patients/00000000-0000-0000-0000-000000000000/toxin-cycles",
                          **bearer(Role.NEUROLOGIST))
    assert response.status_code == 404


@pytest.mark.django_db
def test_openapi_document_lists_the_treatment_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("toxin-cycles", "medications", "therapy-sessions"):
        assert f"/api/v1/patients/{{patient_id}}/{path}" in paths


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["toxin-cycles", "medications", "therapy-sessions"])
def test_api_answers_404_for_another_units_patient_and_audits_nothing(client, bearer, theirs,
                                                                      path):
    cycle_with(theirs, D(2026, 6, 1), site=theirs.home_site)
    MedicationFactory(patient=theirs)
    response = client.get(f"/api/v1/patients/{theirs.pk}/{path}", **bearer(Role.NEUROLOGIST))
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient has this id."}
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


@pytest.mark.django_db
def test_api_lists_hold_current_entries_only_each_with_its_status(client, bearer, sites):
    from collis.core.models import RecordStatus
    from collis.treatments.models import Medication, ResistanceTest, TherapySession, ToxinCycle

    patient = PatientFactory()
    kept = cycle_with(patient, D(2025, 1, 6), benefit=75, weeks=12)
    wrong = cycle_with(patient, D(2025, 4, 7), benefit=10, weeks=2)
    test = ResistanceTestFactory(patient=patient)
    medication = MedicationFactory(patient=patient)
    session = TherapySessionFactory(patient=patient)
    for model, entry in ((ToxinCycle, wrong), (ResistanceTest, test), (Medication, medication),
                         (TherapySession, session)):
        model.objects.filter(pk=entry.pk).update(record_status=RecordStatus.ENTERED_IN_ERROR)
    MedicationFactory(patient=patient, drug_name="Baclofen")
    headers = bearer(Role.NEUROLOGIST)
    toxin = client.get(f"/api/v1/patients/{patient.pk}/toxin-cycles", **headers).json()
    assert [c["id"] for c in toxin["cycles"]] == [kept.pk]
    assert toxin["cycles"][0]["record_status"] == "current"
    assert toxin["cycles"][0]["review"]["record_status"] == "current"
    assert toxin["response_pattern"]["from_cycle_ids"] == [kept.pk]
    assert toxin["resistance_tests"] == []
    medicines = client.get(f"/api/v1/patients/{patient.pk}/medications", **headers).json()
    assert [(m["drug_name"], m["record_status"]) for m in medicines] == [("Baclofen", "current")]
    assert client.get(f"/api/v1/patients/{patient.pk}/therapy-sessions", **headers).json() == []


@pytest.mark.django_db
def test_the_api_gives_the_stops_beside_the_cycles(client, bearer, sites):
    from collis.core.audit import Actor
    from collis.core.tests.factories import UserFactory
    from collis.treatments import services

    patient = PatientFactory()
    cycle_with(patient, D(2025, 1, 6))
    user = UserFactory()
    services.toxin_stop_create(patient=patient, stopped_on=D(2025, 2, 3), decided_by=user,
                               reason="stopped_working", actor=Actor.command_line(user))
    body = client.get(f"/api/v1/patients/{patient.pk}/toxin-cycles",
                      **bearer(Role.NEUROLOGIST)).json()
    assert body["stops"][0]["reason"] == "stopped_working"
    assert body["stops"][0]["restarted_on"] is None

"""Clinics over HTTP: a Schedule per clinic session, its Slots (free or busy) and the
patients' Appointments with FHIR's statuses; search, scope and audit."""

import datetime as dt

import pytest

from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api.validation import validation_problems
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.scheduling import services
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


def found(client, headers, resource_type, **query):
    response = client.get(f"/fhir/R4/{resource_type}", query, **headers)
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert validation_problems(bundle) == []
    return [e["resource"] for e in bundle.get("entry", [])]


def ids(client, headers, resource_type, **query):
    return [r["id"] for r in found(client, headers, resource_type, **query)]


@pytest.fixture
def booked(sites):
    """A toxin clinic of three 20-minute slots with a nurse, one of them booked."""
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    session = clinic(clinicians=[nurse])
    slots = list(session.slots.order_by("starts_at"))
    patient = PatientFactory()
    actor = coordinator_actor()
    appointment = services.appointment_book(patient=patient, slot=slots[0], actor=actor)
    return session, slots, patient, appointment, nurse, actor


def test_a_clinic_session_is_a_schedule_with_its_slots(client, bearer, booked):
    session, slots, _patient, _appointment, nurse, _actor = booked
    headers = bearer(Role.MDT_COORDINATOR)
    schedule = client.get(f"/fhir/R4/Schedule/{session.pk}", **headers).json()
    assert validation_problems(schedule) == []
    assert [a["reference"] for a in schedule["actor"]] == [
        f"Location/{session.room.site_id}", f"Practitioner/{nurse.pk}"]
    assert schedule["serviceType"][0]["coding"][0]["code"] == "toxin"
    statuses = [(s["id"], s["status"]) for s in found(client, headers, "Slot",
                                                      schedule=f"Schedule/{session.pk}")]
    assert statuses == [(str(slots[0].pk), "busy"),
                        *((str(s.pk), "free") for s in slots[1:])]
    assert ids(client, headers, "Slot", status="busy") == [str(slots[0].pk)]
    assert ids(client, headers, "Schedule", actor=f"Practitioner/{nurse.pk}") == [
        str(session.pk)]
    day = session.starts_at.date().isoformat()
    assert ids(client, headers, "Schedule", date=day, **{"service-type": "toxin"}) == [
        str(session.pk)]
    assert ids(client, headers, "Schedule", **{"service-type": "new_patient"}) == []
    assert len(ids(client, headers, "Slot", start=f"ge{day}")) == len(slots)
    # Schedules and slots show no patient: nothing about a patient is audited.
    assert not AuditEvent.objects.filter(channel=AuditChannel.API).exists()


def test_an_appointment_names_the_patient_clinician_site_and_slot(client, bearer, booked):
    session, slots, patient, appointment, nurse, _actor = booked
    headers = bearer(Role.NURSE_SPECIALIST)
    response = client.get(f"/fhir/R4/Appointment/{appointment.pk}", **headers)
    assert response.status_code == 200, response.content
    resource = response.json()
    assert validation_problems(resource) == []
    assert resource["status"] == "booked"
    assert [p["actor"]["reference"] for p in resource["participant"]] == [
        f"Patient/{patient.pk}", f"Practitioner/{nurse.pk}", f"Location/{session.room.site_id}"]
    assert resource["slot"] == [{"reference": f"Slot/{slots[0].pk}"}]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="appointment",
                                     patient_id=patient.pk, channel=AuditChannel.API).exists()


def test_a_cancelled_appointment_gives_its_reason_and_frees_the_slot(client, bearer, booked):
    _session, slots, patient, appointment, _nurse, actor = booked
    services.appointment_cancel(appointment=appointment, by_patient=True,
                                reason="Away that week", actor=actor)
    headers = bearer(Role.NEUROLOGIST)
    resource = client.get(f"/fhir/R4/Appointment/{appointment.pk}", **headers).json()
    assert resource["status"] == "cancelled"
    assert resource["cancelationReason"] == {"text": "Cancelled by the patient: Away that week"}
    assert resource["participant"][0]["status"] == "declined"
    assert client.get(f"/fhir/R4/Slot/{slots[0].pk}", **headers).json()["status"] == "free"
    assert ids(client, headers, "Appointment", status="cancelled") == [str(appointment.pk)]
    assert ids(client, headers, "Appointment", status="booked") == []


def test_appointments_are_searched_by_patient_date_and_kind(client, bearer, booked):
    session, slots, patient, appointment, _nurse, actor = booked
    other = services.appointment_book(patient=PatientFactory(), slot=slots[1], actor=actor)
    headers = bearer(Role.NEUROLOGIST)
    assert ids(client, headers, "Appointment", patient=f"Patient/{patient.pk}") == [
        str(appointment.pk)]
    day = session.starts_at.date().isoformat()
    assert ids(client, headers, "Appointment", date=day) == [str(appointment.pk), str(other.pk)]
    assert ids(client, headers, "Appointment", date="lt2000-01-01") == []
    assert ids(client, headers, "Appointment", **{"service-type": "toxin"}) == [
        str(appointment.pk), str(other.pk)]
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("id")
    assert event.object_type == "appointment" and len(event.details["patients"]) == 2


def test_another_units_clinics_and_appointments_are_not_found(client, bearer, booked):
    session, slots, _patient, appointment, _nurse, _actor = booked
    from collis.core.models import Organisation

    other = Organisation.objects.create(code="north", name="Northern unit")
    headers = bearer(Role.NEUROLOGIST, organisation=other)
    for path in (f"Schedule/{session.pk}", f"Slot/{slots[0].pk}",
                 f"Appointment/{appointment.pk}"):
        assert client.get(f"/fhir/R4/{path}", **headers).status_code == 404
    for resource_type in ("Schedule", "Slot", "Appointment"):
        assert found(client, headers, resource_type) == []


def test_an_appointment_of_a_patient_outside_the_unit_is_not_found(client, bearer, sites):
    theirs = other_unit_patient()
    headers = bearer(Role.NEUROLOGIST)
    assert found(client, headers, "Appointment", patient=str(theirs.pk)) == []


def test_roles_without_the_clinics_are_refused(client, bearer, booked):
    headers = bearer(Role.AUDITOR)
    for resource_type in ("Schedule", "Slot", "Appointment"):
        assert client.get(f"/fhir/R4/{resource_type}", **headers).status_code == 403


def test_a_page_of_each_takes_a_fixed_number_of_queries(
        client, bearer, sites, django_assert_max_num_queries):
    actor = coordinator_actor()
    for hour in (9, 11, 14):
        session = clinic(starts=dt.time(hour), ends=dt.time(hour + 1), actor=actor)
        for slot in session.slots.all():
            services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    headers = bearer(Role.NEUROLOGIST)
    for resource_type, expected in (("Schedule", 3), ("Slot", 9), ("Appointment", 9)):
        with django_assert_max_num_queries(8):
            response = client.get(f"/fhir/R4/{resource_type}", {"_count": 50}, **headers)
        assert len(response.json()["entry"]) == expected

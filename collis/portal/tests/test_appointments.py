"""A patient's appointments in the portal: upcoming and past, where and what to bring, a
calendar file, and a request to cancel or move that lands in the unit's inbox."""

import pytest
from icalendar import Calendar

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.enquiries.models import Enquiry, Topic
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import portal_client
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(user_with_role):
    return user_with_role(Role.NURSE_SPECIALIST)


def book(patient):
    session = clinic()
    slot = session.slots.order_by("starts_at").first()
    return scheduling.appointment_book(patient=patient, slot=slot, actor=coordinator_actor())


def test_the_patient_sees_an_upcoming_appointment_with_its_address(sites, nurse):
    patient = PatientFactory()
    appointment = book(patient)
    client = portal_client(patient, by=nurse)
    listing = client.get("/portal/appointments/").content.decode()
    assert "Coming up" in listing and appointment.session.room.site.name in listing
    page = client.get(f"/portal/appointments/{appointment.pk}/").content.decode()
    site = appointment.session.room.site
    assert site.postcode in page
    assert "What to bring" in page and "Local policy" in page
    assert "Add to your calendar" in page


def test_the_calendar_file_says_when_and_where_and_is_audited(sites, nurse):
    patient = PatientFactory()
    appointment = book(patient)
    client = portal_client(patient, by=nurse)
    response = client.get(f"/portal/appointments/{appointment.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.starts_at
    assert appointment.session.room.site.name in str(event["location"])
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, patient_id=patient.pk,
                                     object_type="appointment_calendar").exists()


def test_a_request_to_move_an_appointment_reaches_the_unit_and_changes_nothing(sites, nurse):
    patient = PatientFactory()
    appointment = book(patient)
    client = portal_client(patient, by=nurse)
    refused = client.post(f"/portal/appointments/{appointment.pk}/change/", {})
    assert "Choose whether to cancel or move" in refused.content.decode()
    assert not Enquiry.objects.exists()
    response = client.post(f"/portal/appointments/{appointment.pk}/change/",
                           {"change": "rebook", "details": "Mornings suit me"})
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.topic == Topic.APPOINTMENT and enquiry.patient == patient
    assert "move" in enquiry.question and "Mornings suit me" in enquiry.question
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_cancelled_appointment_cannot_be_changed_or_added_to_a_calendar(sites, nurse):
    patient = PatientFactory()
    appointment = book(patient)
    scheduling.appointment_cancel(appointment=appointment, by_patient=True,
                                  reason="Unwell", actor=coordinator_actor())
    client = portal_client(patient, by=nurse)
    assert client.get(f"/portal/appointments/{appointment.pk}/change/").status_code == 404
    assert client.get(f"/portal/appointments/{appointment.pk}/calendar.ics").status_code == 404

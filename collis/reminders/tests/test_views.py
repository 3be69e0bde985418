"""The appointment's page lists its messages (sent, waiting, skipped and why); staff record
the patient's choice of contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.reminders.models import ContactPreference
from collis.scheduling import services
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_as, sites):
    return client_as(Role.MDT_COORDINATOR)


def _preferences(patient):
    return reverse("reminders:contact_preferences", kwargs={"patient_id": patient.pk})


def test_staff_record_the_patients_choice_and_the_appointment_page_shows_messages(
        coordinator, django_assert_max_num_queries):
    patient = PatientFactory(email="alex@example.org", phone="07700900123")
    page = coordinator.get(_preferences(patient))
    assert "no messages are sent until you record" in page.content.decode()
    done = coordinator.post(_preferences(patient), {"email_ok": "yes", "sms_ok": "no"})
    assert done.status_code == 302
    choice = ContactPreference.objects.get(patient=patient)
    assert choice.email_ok and not choice.sms_ok and choice.recorded_by == coordinator.user
    session = clinic(day=timezone.localdate() + dt.timedelta(days=5))
    appointment = services.appointment_book(
        patient=patient, slot=session.slots.order_by("starts_at").first(),
        actor=coordinator_actor())
    url = reverse("scheduling:appointment_detail",
                  kwargs={"patient_id": patient.pk, "pk": appointment.pk})
    # The appointment page with its messages, contact preference and clinic letter.
    with django_assert_max_num_queries(20):
        page = coordinator.get(url)
    text = page.content.decode()
    assert "Messages to the patient" in text
    assert "Reminder by email" in text and "Waiting to be sent" in text
    assert "Confirmation by text message" in text


def test_choosing_text_messages_without_a_mobile_number_says_so_on_the_field(coordinator):
    patient = PatientFactory(email="", phone="")
    page = coordinator.post(_preferences(patient), {"email_ok": "no", "sms_ok": "yes"})
    assert page.status_code == 200
    assert "Add a UK mobile number" in page.content.decode()
    assert not ContactPreference.objects.filter(patient=patient).exists()


def test_a_physiotherapist_without_booking_rights_cannot_change_them(client_as, sites):
    patient = PatientFactory()
    page = client_as(Role.AUDITOR).post(_preferences(patient), {"email_ok": "yes",
                                                                 "sms_ok": "no"})
    assert page.status_code == 403

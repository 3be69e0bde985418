"""Confirmations, reminders and cancellations: planned with the booking, decided when due,
each sent once, with a calendar entry that follows the appointment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from icalendar import Calendar

from collis.core.audit import Actor
from collis.core.models import AuditEvent
from collis.core.outbox import outbox_claim
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.reminders import sms, wording
from collis.reminders.models import PENDING, AppointmentMessage, MessageKind, MessageState
from collis.reminders.services import (
    appointment_messages_plan,
    contact_preference_record,
    message_deliver,
    messages_due_enqueue,
)
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_sms():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def actor(sites):
    return coordinator_actor()


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks, monkeypatch):
    """Each booking, move or cancellation commits, so that the worker hears of its messages
    (the test's own transaction would otherwise hold them back)."""
    def committing(function):
        def run(**kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return function(**kwargs)
        return run
    for name in ("appointment_book", "appointment_cancel", "appointment_reschedule"):
        monkeypatch.setattr(scheduling, name, committing(getattr(scheduling, name)))


@pytest.fixture
def patient(sites):
    return PatientFactory(email="alex@example.org", phone="07700 900123")


def agree(patient, actor, *, email_ok=True, sms_ok=True):
    return contact_preference_record(patient=patient, email_ok=email_ok, sms_ok=sms_ok,
                                     actor=actor)


def book(patient, actor, *, days=5, slot_index=0, session=None):
    session = session or clinic(day=timezone.localdate() + dt.timedelta(days=days), actor=actor)
    slot = session.slots.order_by("starts_at")[slot_index]
    return scheduling.appointment_book(patient=patient, slot=slot, actor=actor)


def ical(message) -> Calendar:
    (_name, content, mimetype), = message.attachments
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def event_of(calendar):
    return next(iter(calendar.walk("VEVENT")))


def messages(appointment, kind):
    return {m.channel: m for m in appointment.messages.filter(kind=kind)}


def test_a_booking_sends_a_confirmation_with_a_calendar_entry_in_london_time(actor, patient):
    agree(patient, actor)
    appointment = book(patient, actor)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alex@example.org"]
    assert "Your appointment on" in email.subject
    calendar = ical(email)
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"appointment-{appointment.pk}@collis.localhost"
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/London"
    assert start == appointment.starts_at
    assert start.hour == 9  # the clinic's 09:00 on the wall clock
    assert "205-209 Great Portland Street" in str(event["LOCATION"])
    assert calendar.walk("VTIMEZONE")
    assert sms.outbox[0].to == "07700900123"
    assert "booked" in sms.outbox[0].text
    sent = messages(appointment, MessageKind.CONFIRMATION)
    assert {m.state for m in sent.values()} == {MessageState.SENT}


def test_a_reminder_is_sent_by_the_worker_when_due_and_not_before(actor, patient):
    agree(patient, actor)
    appointment = book(patient, actor)
    reminder = messages(appointment, MessageKind.REMINDER)["email"]
    assert reminder.due_at == appointment.starts_at - dt.timedelta(hours=48)
    mail.outbox.clear()
    assert message_deliver(message_id=reminder.pk) == "not due"
    assert mail.outbox == []
    assert message_deliver(message_id=reminder.pk, now=reminder.due_at) == MessageState.SENT
    assert mail.outbox[0].subject.startswith("Reminder:")
    assert int(event_of(ical(mail.outbox[0]))["SEQUENCE"]) == 0
    # A second worker (or a second task for the same row) sends nothing more.
    assert message_deliver(message_id=reminder.pk, now=reminder.due_at) == MessageState.SENT
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(object_type="appointment_message", object_id=reminder.pk,
                                     patient_id=patient.pk).exists()


def test_a_cancelled_appointment_gets_a_cancellation_and_never_its_reminder(actor, patient):
    agree(patient, actor)
    appointment = book(patient, actor)
    uid = str(event_of(ical(mail.outbox[0]))["UID"])
    mail.outbox.clear()
    scheduling.appointment_cancel(appointment=appointment, by_patient=True,
                                  reason="Away that week", actor=actor)
    cancellation = mail.outbox[0]
    assert cancellation.subject.startswith("Cancelled:")
    calendar = ical(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event_of(calendar)["UID"]) == uid
    assert int(event_of(calendar)["SEQUENCE"]) == 1
    reminder = messages(appointment, MessageKind.REMINDER)["email"]
    assert message_deliver(message_id=reminder.pk, now=reminder.due_at) == MessageState.SKIPPED
    reminder.refresh_from_db()
    assert reminder.skip_reason == "the appointment was cancelled"
    assert len(mail.outbox) == 1


def test_a_moved_appointment_keeps_its_calendar_uid_with_a_higher_sequence(actor, patient):
    agree(patient, actor)
    session = clinic(day=timezone.localdate() + dt.timedelta(days=5), actor=actor)
    first = book(patient, actor, session=session)
    old_reminder = messages(first, MessageKind.REMINDER)["email"]
    mail.outbox.clear()
    moved = scheduling.appointment_reschedule(
        appointment=first, slot=session.slots.order_by("starts_at")[1], reason="Clash",
        actor=actor)
    event = event_of(ical(mail.outbox[0]))
    assert str(event["UID"]) == f"appointment-{first.pk}@collis.localhost"
    assert int(event["SEQUENCE"]) == 1
    assert "has moved" in mail.outbox[0].body
    assert message_deliver(message_id=old_reminder.pk, now=old_reminder.due_at) == "skipped"
    old_reminder.refresh_from_db()
    assert "moved" in old_reminder.skip_reason
    new_reminder = messages(moved, MessageKind.REMINDER)["email"]
    assert message_deliver(message_id=new_reminder.pk, now=new_reminder.due_at) == "sent"


def test_without_the_patients_agreement_nothing_is_sent_and_the_page_says_why(actor, patient):
    appointment = book(patient, actor)
    assert mail.outbox == [] and sms.outbox == []
    skipped = messages(appointment, MessageKind.CONFIRMATION)
    assert skipped["email"].state == MessageState.SKIPPED
    assert skipped["email"].skip_reason == "the patient has not agreed to emails about appointments"
    assert "text messages" in skipped["sms"].skip_reason


def test_only_the_channel_the_patient_chose_is_used(actor, patient):
    agree(patient, actor, email_ok=False, sms_ok=True)
    book(patient, actor)
    assert mail.outbox == []
    assert len(sms.outbox) == 1


def test_a_reminder_due_before_the_booking_is_not_planned(actor, patient):
    appointment = book(patient, actor, days=1)  # tomorrow: inside the 48 hours
    assert not appointment.messages.filter(kind=MessageKind.REMINDER).exists()


def test_planning_twice_plans_each_message_once(actor, patient):
    appointment = book(patient, actor)
    count = appointment.messages.count()
    appointment_messages_plan(appointment=appointment, now=appointment.created_at)
    assert appointment.messages.count() == count


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                   EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2)
def test_a_failing_mail_server_leaves_the_message_to_try_again(actor, patient):
    agree(patient, actor, sms_ok=False)
    appointment = book(patient, actor)
    confirmation = messages(appointment, MessageKind.CONFIRMATION)["email"]
    assert confirmation.state == MessageState.RETRYING
    assert confirmation.attempts == 1 and confirmation.last_error
    assert confirmation.next_attempt_at > timezone.now()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert messages_due_enqueue(now=confirmation.next_attempt_at) == 1
        # The immediate backend ran it at once, before its next try: still waiting.
        assert message_deliver(message_id=confirmation.pk,
                               now=confirmation.next_attempt_at) == MessageState.SENT
    assert len(mail.outbox) == 1


def test_contact_preferences_need_an_address_and_the_right_role(actor, sites):
    patient = PatientFactory(email="", phone="020 7946 0000")
    with pytest.raises(ValidationError) as refused:
        contact_preference_record(patient=patient, email_ok=True, sms_ok=False, actor=actor)
    assert "email_ok" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        contact_preference_record(patient=patient, email_ok=False, sms_ok=True, actor=actor)
    assert "sms_ok" in refused.value.message_dict
    auditor = Actor.command_line(UserFactory(role=Role.AUDITOR))
    with pytest.raises(PermissionDenied):
        contact_preference_record(patient=patient, email_ok=False, sms_ok=False, actor=auditor)


def test_the_messages_are_plain_english(actor, patient, readability):
    appointment = book(patient, actor)
    for kind in ("confirmation", "reminder", "cancellation"):
        body = wording.email_body(kind, appointment)
        # Addresses and dates are not prose: measure the sentences people read.
        prose = " ".join(line for line in body.splitlines()
                         if line and not line.startswith(("Where:", "Dear")))
        assert readability.flesch_reading_ease(prose) >= 60, (kind, prose)
        assert readability.flesch_kincaid_grade(prose) <= 9, (kind, prose)
        assert len(wording.sms_text(kind, appointment)) <= 160 * 2


def _claimed_by_a_worker_that_stops(message, now):
    """A worker takes the row (the real claim) and stops before it records anything."""
    assert outbox_claim(AppointmentMessage, message.pk, pending=PENDING,
                        claimed=MessageState.SENDING, now=now)


def test_a_message_whose_worker_stopped_while_sending_is_tried_again_after_the_lease(
        actor, patient):
    agree(patient, actor, sms_ok=False)
    reminder = messages(book(patient, actor), MessageKind.REMINDER)["email"]
    mail.outbox.clear()
    _claimed_by_a_worker_that_stops(reminder, reminder.due_at)
    # Within the lease the worker may still be sending: the row stays with it.
    messages_due_enqueue(now=reminder.due_at + dt.timedelta(minutes=9))
    reminder.refresh_from_db()
    assert reminder.state == MessageState.SENDING and mail.outbox == []
    later = reminder.due_at + dt.timedelta(minutes=11)
    messages_due_enqueue(now=later)
    reminder.refresh_from_db()
    assert reminder.state == MessageState.RETRYING and reminder.attempts == 1
    assert "worker stopped" in reminder.last_error
    assert reminder.next_attempt_at == later + dt.timedelta(seconds=60)
    assert message_deliver(message_id=reminder.pk, now=reminder.next_attempt_at) == \
        MessageState.SENT
    assert len(mail.outbox) == 1


@override_settings(COLLIS_REMINDER_RETRY_SECONDS=[60])
def test_a_stopped_send_counts_as_a_try_and_the_tries_run_out(actor, patient):
    agree(patient, actor, sms_ok=False)
    reminder = messages(book(patient, actor), MessageKind.REMINDER)["email"]
    _claimed_by_a_worker_that_stops(reminder, reminder.due_at)
    messages_due_enqueue(now=reminder.due_at + dt.timedelta(minutes=11))
    reminder.refresh_from_db()
    _claimed_by_a_worker_that_stops(reminder, reminder.next_attempt_at)
    messages_due_enqueue(now=reminder.next_attempt_at + dt.timedelta(minutes=11))
    reminder.refresh_from_db()
    assert reminder.state == MessageState.FAILED and reminder.attempts == 2
    assert reminder.next_attempt_at is None

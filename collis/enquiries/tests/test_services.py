"""The enquiry services: saved first, refused without saving, every change audited, the
status moves one table, and emails retried until sent or given up (shown in the inbox)."""

import socket

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from collis.core.audit import Actor
from collis.core.models import AuditEvent, AuditEventPatient, Organisation
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.enquiries import services
from collis.enquiries.models import (
    STATUS_MOVES,
    DeliveryState,
    EmailKind,
    Enquiry,
    EnquiryEmail,
    EnquiryEvent,
    EnquiryStatus,
    EventKind,
)
from collis.enquiries.tests.factories import PUBLIC, an_enquiry, enquiry_data
from collis.patients.tests.factories import PatientFactory, other_unit_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(sites):
    return Actor.command_line(UserFactory(role=Role.MDT_COORDINATOR))


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_enquiry_is_saved_audited_and_acknowledged(sites, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = an_enquiry(email="ada@example.com")
    enquiry.refresh_from_db()
    assert enquiry.reference.startswith("ENQ-") and len(enquiry.reference) == 13
    assert enquiry.status == EnquiryStatus.NEW
    assert enquiry.organisation == enquiry.site.organisation
    assert [e.kind for e in enquiry.events.all()] == [EventKind.RECEIVED]
    assert AuditEvent.objects.filter(object_type="enquiry", action="create",
                                     object_id=str(enquiry.pk)).count() == 1
    ack = enquiry.emails.get()
    assert ack.kind == EmailKind.ACKNOWLEDGEMENT and ack.state == DeliveryState.SENT
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ada@example.com"] and enquiry.reference in sent.subject
    # The acknowledgement never repeats the question.
    assert "Portland" not in sent.body and enquiry.reference in sent.body


def test_the_client_address_is_kept_only_as_a_keyed_digest(sites):
    enquiry = an_enquiry(client_address="203.0.113.7")
    assert enquiry.client_digest and "203.0.113.7" not in enquiry.client_digest
    assert enquiry.client_digest == services.client_digest("203.0.113.7")


def test_no_acknowledgement_for_a_phone_only_enquirer(sites):
    enquiry = an_enquiry(email="", contact_method="phone", phone="020 7946 0000")
    assert not enquiry.emails.exists()


def test_the_honeypot_refuses_and_nothing_is_saved(sites):
    with pytest.raises(ValidationError) as refused:
        services.enquiry_submit(data=enquiry_data(), client_address="192.0.2.1",
                                honeypot="http://spam.example", actor=PUBLIC)
    assert "automatic program" in refused.value.messages[0]
    assert not Enquiry.objects.exists() and not EnquiryEmail.objects.exists()


def test_one_address_is_refused_over_the_hourly_limit(sites, settings):
    settings.COLLIS_ENQUIRY_LIMIT_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        an_enquiry(client_address="192.0.2.50", email=f"person{n}@example.com")
    with pytest.raises(services.EnquiryRefused, match="2 enquiries in the last hour"):
        an_enquiry(client_address="192.0.2.50", email="another@example.com")
    assert Enquiry.objects.count() == 2
    an_enquiry(client_address="192.0.2.51")  # another address is not counted with it


def test_one_email_address_is_refused_over_the_daily_limit(sites, settings):
    settings.COLLIS_ENQUIRY_LIMIT_PER_EMAIL_PER_DAY = 1
    an_enquiry(email="Ada@Example.com")
    with pytest.raises(services.EnquiryRefused, match="this email address"):
        an_enquiry(email="ada@example.com")  # the same address in other letters
    assert Enquiry.objects.count() == 1


@pytest.mark.parametrize("before", list(EnquiryStatus))
@pytest.mark.parametrize("after", list(EnquiryStatus))
def test_status_moves_follow_the_table(coordinator, before, after):
    enquiry = an_enquiry()
    Enquiry.objects.filter(pk=enquiry.pk).update(status=before)
    if after in STATUS_MOVES[before]:
        services.enquiry_status_change(enquiry_id=enquiry.pk, status=after, note="Called",
                                       actor=coordinator)
        enquiry.refresh_from_db()
        assert enquiry.status == after
        event = enquiry.events.get(kind=EventKind.STATUS)
        assert (event.status, event.by, event.text) == (after, coordinator.user, "Called")
        audit = AuditEvent.objects.get(object_type="enquiry", action="update")
        assert audit.details["before"] == before and audit.details["after"] == after
    else:
        with pytest.raises(ValidationError):
            services.enquiry_status_change(enquiry_id=enquiry.pk, status=after,
                                           actor=coordinator)
        assert not enquiry.events.filter(kind=EventKind.STATUS).exists()


def test_the_history_is_append_only(coordinator):
    enquiry = an_enquiry()
    event = enquiry.events.get()
    event.text = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        EnquiryEvent.objects.filter(pk=event.pk).update(text="changed")
    with pytest.raises(PermissionError):
        event.delete()


def test_a_role_that_only_reads_cannot_answer(sites):
    physio = Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST))
    enquiry = an_enquiry()
    with pytest.raises(PermissionDenied, match="answer enquiries from the public"):
        services.enquiry_reply_send(enquiry_id=enquiry.pk, body="Hello", actor=physio)
    assert not enquiry.emails.filter(kind=EmailKind.REPLY).exists()


def test_another_units_enquiry_is_not_found(sites):
    other = Organisation.objects.create(code="other", name="Other unit")
    outsider = Actor.command_line(UserFactory(role=Role.MDT_COORDINATOR, organisation=other))
    enquiry = an_enquiry()
    with pytest.raises(Http404):
        services.enquiry_note_add(enquiry_id=enquiry.pk, text="x", actor=outsider)


def test_a_reply_is_queued_sent_audited_and_answers_the_enquiry(
        coordinator, django_capture_on_commit_callbacks):
    enquiry = an_enquiry()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        email = services.enquiry_reply_send(enquiry_id=enquiry.pk, body="Yes, we can.",
                                            actor=coordinator)
    email.refresh_from_db()
    enquiry.refresh_from_db()
    assert email.state == DeliveryState.SENT and email.attempts == 1
    assert mail.outbox[0].body.startswith("Dear Ada Quill,\n\nYes, we can.")
    assert enquiry.status == EnquiryStatus.ANSWERED
    assert [e.kind for e in enquiry.events.all()] == [
        EventKind.RECEIVED, EventKind.REPLY, EventKind.STATUS]
    audit = AuditEvent.objects.get(object_type="enquiry_reply")
    assert audit.actor == coordinator.user and audit.details["to"] == enquiry.email


def test_a_reply_is_refused_without_an_email_address_or_when_closed(coordinator):
    by_phone = an_enquiry(email="", contact_method="phone", phone="020 7946 0000")
    with pytest.raises(ValidationError, match="gave no email address"):
        services.enquiry_reply_send(enquiry_id=by_phone.pk, body="Hi", actor=coordinator)
    closed = an_enquiry()
    services.enquiry_status_change(enquiry_id=closed.pk, status=EnquiryStatus.CLOSED,
                                   actor=coordinator)
    with pytest.raises(ValidationError, match="closed"):
        services.enquiry_reply_send(enquiry_id=closed.pk, body="Hi", actor=coordinator)


def test_assignment_is_to_the_units_staff_who_answer(coordinator):
    enquiry = an_enquiry()
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    services.enquiry_assign(enquiry_id=enquiry.pk, assignee=nurse, actor=coordinator)
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == nurse
    assert enquiry.events.get(kind=EventKind.ASSIGNED).assigned_to == nurse
    for wrong in (UserFactory(role=Role.PHYSIOTHERAPIST),
                  UserFactory(role=Role.NURSE_SPECIALIST, organisation=Organisation.objects.create(
                      code="elsewhere", name="Elsewhere"))):
        with pytest.raises(ValidationError, match="answers enquiries"):
            services.enquiry_assign(enquiry_id=enquiry.pk, assignee=wrong, actor=coordinator)


def test_linking_the_patient_reads_them_through_the_audited_selector(coordinator):
    patient = PatientFactory()
    enquiry = an_enquiry(nhs_number=patient.nhs_number)
    services.enquiry_patient_link(enquiry_id=enquiry.pk, patient_id=patient.pk,
                                  actor=coordinator)
    enquiry.refresh_from_db()
    assert enquiry.patient == patient
    assert AuditEvent.objects.filter(object_type="patient", patient_id=patient.pk,
                                     action="view").count() == 1
    link = AuditEvent.objects.get(object_type="enquiry", action="update")
    assert link.patient_id == patient.pk
    assert AuditEventPatient.objects.filter(patient_id=patient.pk, event=link).exists()


def test_a_patient_of_another_unit_cannot_be_linked(coordinator):
    stranger = other_unit_patient()
    enquiry = an_enquiry()
    with pytest.raises(Http404):
        services.enquiry_patient_link(enquiry_id=enquiry.pk, patient_id=stranger.pk,
                                      actor=coordinator)


def test_a_booking_request_joins_the_list_once(coordinator):
    enquiry = an_enquiry()
    services.enquiry_booking_request_mark(enquiry_id=enquiry.pk, actor=coordinator)
    assert list(Enquiry.objects.booking_requests()) == [enquiry]
    with pytest.raises(ValidationError, match="already a booking request"):
        services.enquiry_booking_request_mark(enquiry_id=enquiry.pk, actor=coordinator)


def test_an_enquiry_survives_a_mail_server_that_refuses_and_the_failure_is_kept(
        sites, settings, django_capture_on_commit_callbacks):
    """The SMTP backend pointed at a closed port: the enquiry is saved, every try fails
    (the immediate task backend retries at once), and the email is left "could not be
    sent" with its error, for the inbox to show."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1", closed_port(), 2)
    settings.COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS = [0, 0]
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = an_enquiry()
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()
    email = enquiry.emails.get()
    assert email.state == DeliveryState.FAILED and email.attempts == 3
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()


def test_an_email_given_up_on_can_be_tried_again(coordinator, settings,
                                                 django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS = []
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = an_enquiry()
    email = enquiry.emails.get()
    assert email.state == DeliveryState.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.enquiry_email_retry(email_id=email.pk, actor=coordinator)
    email.refresh_from_db()
    assert email.state == DeliveryState.SENT and email.attempts == 2
    assert AuditEvent.objects.filter(object_type="enquiry_email").count() == 1
    with pytest.raises(ValidationError):
        services.enquiry_email_retry(email_id=email.pk, actor=coordinator)


def test_an_emails_text_never_changes(sites):
    email = EnquiryEmail.objects.get(enquiry=an_enquiry())
    email.body = "Something else"
    with pytest.raises(PermissionError):
        email.save()


def test_the_emails_to_an_enquirer_are_plain_english(sites, readability):
    import textstat

    from collis.enquiries import emails

    enquiry = an_enquiry()
    for text in (emails.acknowledgement_body(enquiry),
                 emails.reply_body(enquiry, "Yes, you can.", UserFactory())):
        text = text.replace(enquiry.reference, "your number")
        assert textstat.flesch_reading_ease(text) >= 60, text


def test_scheduling_reads_the_units_booking_requests_oldest_first(coordinator):
    from collis.enquiries.selectors import enquiry_list_booking_requests
    from collis.patients.tests.factories import other_unit_site

    first, second, plain = an_enquiry(), an_enquiry(), an_enquiry()
    elsewhere = an_enquiry(site=other_unit_site())
    for enquiry in (first, second):
        services.enquiry_booking_request_mark(enquiry_id=enquiry.pk, actor=coordinator)
    Enquiry.objects.filter(pk=elsewhere.pk).update(booking_requested_at=first.submitted_at)
    assert list(enquiry_list_booking_requests(actor=coordinator)) == [first, second]
    assert plain not in enquiry_list_booking_requests(actor=coordinator)

"""Clinic letters: drafted from the record, edited as versions under optimistic locking,
sent (emailed with the PDF or printed) and frozen, corrected by a new version, entered in
error with a reason; the PDF says what the record says."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from pypdf import PdfReader

from collis.core.audit import Actor
from collis.core.models import AuditEvent, RecordStatus
from collis.core.outbox import outbox_claim
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.letters import services
from collis.letters.models import EmailState, LetterEmail, LetterState
from collis.letters.pdfs import letter_pdf
from collis.letters.selectors import letters_for_patient
from collis.letters.tests.factories import seen_appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def neurologist(sites):
    return UserFactory(role=Role.NEUROLOGIST, first_name="Nora", last_name="Neuro")


@pytest.fixture
def actor(neurologist):
    return Actor.command_line(neurologist)


@pytest.fixture
def appointment(neurologist):
    return seen_appointment(neurologist=neurologist)


def _current(letter):
    return services.letter_current_version(letter)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_draft_is_written_from_the_record(appointment, actor):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    draft = _current(letter)
    assert letter.state == LetterState.DRAFT and draft.number == 1
    assert "The GP, Example Medical Centre" in draft.recipients
    assert "Dr A Referrer (referrer)" in draft.recipients
    assert "toxin clinic at The Portland Hospital" in draft.clinic_summary
    assert "- Sternocleidomastoid (left): 100 units" in draft.treatment
    assert "200 units in all" in draft.treatment
    assert "peak benefit 70%, lasting 10 weeks" in draft.response
    assert draft.plan == "Recall for the next toxin cycle."
    assert AuditEvent.objects.filter(object_type="clinic_letter", object_id=letter.pk,
                                     patient_id=appointment.patient_id).exists()


def test_a_letter_needs_the_patient_seen_and_a_clinician(sites, appointment):
    coordinator = Actor.command_line(UserFactory(role=Role.MDT_COORDINATOR))
    with pytest.raises(PermissionDenied):
        services.letter_draft_create(appointment=appointment, actor=coordinator)
    nurse = Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST))
    services.letter_draft_create(appointment=appointment, actor=nurse)
    with pytest.raises(ValidationError, match="already has a clinic letter"):
        services.letter_draft_create(appointment=appointment, actor=nurse)


def test_each_edit_is_a_new_version_and_a_stale_form_is_refused(appointment, actor):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    first = _current(letter)
    sections = {f: getattr(first, f) for f in services.FIELDS}
    services.letter_edit(letter=letter, version=1, actor=actor,
                         sections={**sections, "plan": "Recall in 12 weeks."})
    with pytest.raises(ValidationError) as refused:
        services.letter_edit(letter=letter, version=1, actor=actor,
                             sections={**sections, "plan": "Something else."})
    assert "Someone else changed this letter" in refused.value.message_dict["version"][0]
    first.refresh_from_db()
    assert first.record_status == RecordStatus.AMENDED
    assert _current(letter).plan == "Recall in 12 weeks." and _current(letter).number == 2


def test_sending_by_email_sends_the_pdf_and_freezes_the_version(
        appointment, actor, django_capture_on_commit_callbacks):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    with pytest.raises(ValidationError) as refused:
        services.letter_send(letter=letter, version=1, how="email", to="not an address",
                             actor=actor)
    assert "to" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_send(letter=letter, version=1, how="email",
                                      to="gp.practice@nhs.net", actor=actor)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    assert letter.emails.get().state == "sent" and letter.emails.get().attempts == 1
    email = mail.outbox[0]
    assert email.to == ["gp.practice@nhs.net"]
    (name, content, mimetype), = email.attachments
    assert mimetype == "application/pdf" and name.endswith("-v1.pdf")
    text = pdf_text(content)
    assert "Clinic letter" in text and "Recall for the next toxin cycle" in text
    assert "Nora Neuro" in text
    with pytest.raises(ValidationError):
        services.letter_send(letter=letter, version=letter.version, how="printed", actor=actor)


def test_a_correction_after_sending_keeps_the_sent_version(appointment, actor):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    letter = services.letter_send(letter=letter, version=1, how="printed", actor=actor)
    sent = letter.sent_version
    sections = {f: getattr(sent, f) for f in services.FIELDS}
    with pytest.raises(ValidationError) as refused:
        services.letter_edit(letter=letter, version=letter.version, actor=actor,
                             sections={**sections, "plan": "Recall in 10 weeks."})
    assert "correction_reason" in refused.value.message_dict
    services.letter_edit(letter=letter, version=letter.version, actor=actor,
                         sections={**sections, "plan": "Recall in 10 weeks."},
                         reason="The interval was wrong")
    letter.refresh_from_db()
    sent.refresh_from_db()
    assert letter.state == LetterState.DRAFT
    assert letter.sent_version == sent and sent.plan == "Recall for the next toxin cycle."
    assert sent.record_status == RecordStatus.AMENDED
    assert sent.status_reason == "The interval was wrong"
    assert letters_for_patient(appointment.patient, actor) == []


def test_a_letter_entered_in_error_leaves_the_patients_letters(appointment, actor):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    letter = services.letter_send(letter=letter, version=1, how="printed", actor=actor)
    assert letters_for_patient(appointment.patient, actor) == [letter]
    with pytest.raises(ValidationError):
        services.letter_mark_entered_in_error(letter=letter, version=letter.version,
                                              reason=" ", actor=actor)
    services.letter_mark_entered_in_error(letter=letter, version=letter.version,
                                          reason="Wrong patient", actor=actor)
    assert letters_for_patient(appointment.patient, actor) == []
    letter.refresh_from_db()
    with pytest.raises(ValidationError, match="entered in error"):
        services.letter_send(letter=letter, version=letter.version, how="printed",
                             actor=actor)


def test_the_pdf_reads_as_a_clinic_letter(appointment, actor, tmp_path):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    data = letter_pdf(letter=letter, version=_current(letter), author=actor.user,
                      dated=appointment.starts_at.date())
    (tmp_path / "letter.pdf").write_bytes(data)
    text = pdf_text(data)
    patient = appointment.patient
    for expected in ("Clinic letter", "The Portland Hospital", "NHS number",
                     patient.family_name, "Botulinum toxin given", "Sternocleidomastoid",
                     "Next appointment", "Yours sincerely", "Letter version 1"):
        assert expected in text, expected


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                   EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2)
def test_a_failing_mail_server_leaves_the_letter_to_email_again(
        appointment, actor, django_capture_on_commit_callbacks):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, version=1, how="email", to="gp@nhs.net",
                             actor=actor)
    email = letter.emails.get()
    assert email.state == "retrying" and email.attempts == 1 and email.last_error
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert services.letter_email_deliver(email_id=email.pk,
                                             now=email.next_attempt_at) == "sent"
        # Another worker, or the same task queued twice, sends nothing more.
        assert services.letter_email_deliver(email_id=email.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_letter_email_whose_worker_stopped_is_emailed_again_by_the_sweep(
        appointment, actor, django_capture_on_commit_callbacks):
    letter = services.letter_draft_create(appointment=appointment, actor=actor)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2), \
            django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter=letter, version=1, how="email", to="gp@nhs.net",
                             actor=actor)
    email = letter.emails.get()
    claimed_at = email.next_attempt_at
    # A worker takes it for its next try and stops before recording anything.
    assert outbox_claim(LetterEmail, email.pk, pending=services.PENDING_EMAIL,
                        claimed=EmailState.SENDING, now=claimed_at)
    assert services.letter_emails_due_enqueue(now=claimed_at + dt.timedelta(minutes=1)) == 0
    email.refresh_from_db()
    assert email.state == EmailState.SENDING
    services.letter_emails_due_enqueue(now=claimed_at + dt.timedelta(minutes=11))
    email.refresh_from_db()
    assert email.state == EmailState.RETRYING and email.attempts == 2
    assert "worker stopped" in email.last_error
    assert services.letter_email_deliver(email_id=email.pk,
                                         now=email.next_attempt_at) == EmailState.SENT
    assert len(mail.outbox) == 1

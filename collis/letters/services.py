"""Writes of clinic letters: a draft from the record, edits (each a new version, checked
against the version the clinician opened), sending (emailed to the GP practice by the task
worker, or marked printed), corrections after sending (a new version to send again; the
sent one is kept as sent) and marking a letter entered in error. Each checks the role, runs
in one transaction and is audited."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.corrections import record_mark_entered_in_error, record_supersede
from collis.core.models import AuditAction, AuditChannel
from collis.core.outbox import outbox_claim, outbox_release_stale, outbox_send
from collis.core.roles import Capability, can, refusal_message
from collis.domain.scheduling import AppointmentStatus
from collis.letters.compose import letter_sections
from collis.letters.models import (
    EMAIL_DELIVERY_FIELDS,
    SECTIONS,
    ClinicLetter,
    EmailState,
    LetterEmail,
    LetterState,
    LetterVersion,
    SentHow,
)
from collis.letters.pdfs import letter_pdf

logger = logging.getLogger(__name__)
WORKER = Actor(user=None, channel=AuditChannel.CLI, path="task:letter_email_send")
PENDING_EMAIL = (EmailState.QUEUED, EmailState.RETRYING)
FIELDS = [field for field, _heading in SECTIONS]
CONFLICT = ("Someone else changed this letter after you opened it. Check the current "
            "version below and make your changes again.")


def _require(actor: Actor) -> None:
    if not can(actor.user, Capability.LETTER_WRITE):
        raise PermissionDenied(refusal_message(Capability.LETTER_WRITE))


def letter_current_version(letter: ClinicLetter) -> LetterVersion | None:
    return letter.versions.current().order_by("-number").first()


def _locked(letter: ClinicLetter, version: int) -> ClinicLetter:
    locked = ClinicLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.version != version:
        raise ValidationError({"version": CONFLICT})
    if locked.state == LetterState.ENTERED_IN_ERROR:
        raise ValidationError({"version": "This letter was marked entered in error and "
                                          "cannot be changed or sent."})
    return locked


def _version_add(letter: ClinicLetter, sections: dict, *, number: int, actor: Actor,
                 supersedes: LetterVersion | None, now: dt.datetime) -> LetterVersion:
    values = {field: (sections.get(field) or "").strip() for field in FIELDS}
    version = LetterVersion(letter=letter, number=number, supersedes=supersedes,
                            created_by=actor.user, created_at=now, **values)
    version.full_clean(exclude=["letter", "supersedes"])
    version.save()
    return version


@transaction.atomic
def letter_draft_create(*, appointment, actor: Actor,
                        now: dt.datetime | None = None) -> ClinicLetter:
    """The draft letter about an appointment the patient was seen at, from the record."""
    _require(actor)
    now = now or timezone.now()
    if appointment.status != AppointmentStatus.SEEN:
        raise ValidationError({"appointment": "Write the clinic letter once the patient has "
                                              "been seen (record the attendance first)"})
    if ClinicLetter.objects.filter(appointment=appointment).exists():
        raise ValidationError({"appointment": "This appointment already has a clinic letter: "
                                              "open it to edit it"})
    letter = ClinicLetter(patient=appointment.patient, appointment=appointment,
                          created_by=actor.user, created_at=now)
    letter.full_clean(exclude=["sent_version"])
    letter.save()
    version = _version_add(letter, letter_sections(appointment), number=1, actor=actor,
                           supersedes=None, now=now)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="clinic_letter",
                 object_id=letter.pk, patient_id=letter.patient_id,
                 summary=f"Drafted the clinic letter (version {version.number}) about the "
                         f"appointment {appointment.pk}")
    return letter


@transaction.atomic
def letter_edit(*, letter: ClinicLetter, version: int, sections: dict, actor: Actor,
                reason: str = "", now: dt.datetime | None = None) -> LetterVersion:
    """A new version with the clinician's text. A sent letter is corrected this way (with
    the reason): the sent version stays as sent, and the letter is a draft to send again."""
    _require(actor)
    now = now or timezone.now()
    letter = _locked(letter, version)
    current = letter_current_version(letter)
    was_sent = letter.state == LetterState.SENT
    if was_sent and not reason.strip():
        raise ValidationError({"correction_reason": "Give the reason for correcting a letter "
                                                    "that was sent"})
    if all((sections.get(f) or "").strip() == getattr(current, f) for f in FIELDS):
        raise ValidationError({"plan": "Nothing was changed"})
    new = _version_add(letter, sections, number=current.number + 1, actor=actor,
                       supersedes=current, now=now)
    record_supersede(old=current, new=new, actor=actor, object_type="clinic_letter_version",
                     patient_id=letter.patient_id,
                     reason=reason.strip() or "Edited before sending")
    letter.version += 1
    letter.state = LetterState.DRAFT
    letter.save(update_fields=["version", "state"])
    return new


@transaction.atomic
def letter_send(*, letter: ClinicLetter, version: int, how: str, to: str = "", actor: Actor,
                now: dt.datetime | None = None) -> ClinicLetter:
    """Send the current version: emailed to the GP practice (by the task worker, with the
    PDF) or marked as printed. The version sent is kept as it was sent."""
    _require(actor)
    now = now or timezone.now()
    letter = _locked(letter, version)
    if letter.state != LetterState.DRAFT:
        raise ValidationError({"how": "This version was already sent: correct the letter to "
                                      "send a new version"})
    if how not in SentHow.values:
        raise ValidationError({"how": "Choose how the letter is sent"})
    to = to.strip()
    if how == SentHow.EMAIL:
        try:
            validate_email(to)
        except ValidationError:
            raise ValidationError({"to": "Enter the GP practice's email address, like "
                                         "name@nhs.net"}) from None
    else:
        to = ""
    current = letter_current_version(letter)
    letter.state = LetterState.SENT
    letter.sent_version = current
    letter.sent_at, letter.sent_by, letter.sent_how, letter.sent_to = now, actor.user, how, to
    letter.version += 1
    letter.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="clinic_letter",
                 object_id=letter.pk, patient_id=letter.patient_id,
                 summary=f"Sent version {current.number} of the clinic letter: "
                         f"{SentHow(how).label.lower()}" + (f" ({to})" if to else ""))
    if how == SentHow.EMAIL:
        email = LetterEmail.objects.create(letter=letter, version=current, to=to, created_at=now)
        transaction.on_commit(lambda: letter_email_enqueue(email.pk))
    return letter


@transaction.atomic
def letter_mark_entered_in_error(*, letter: ClinicLetter, version: int, reason: str,
                                 actor: Actor) -> ClinicLetter:
    """The letter was written by mistake (the wrong patient or appointment): it leaves the
    patient's letters; every version stays in its history."""
    _require(actor)
    letter = _locked(letter, version)
    record_mark_entered_in_error(record=letter_current_version(letter), reason=reason,
                                 actor=actor, object_type="clinic_letter_version",
                                 patient_id=letter.patient_id)
    letter.state = LetterState.ENTERED_IN_ERROR
    letter.version += 1
    letter.save(update_fields=["state", "version"])
    return letter


def letter_email_enqueue(email_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Hand the letter's email to the task worker (after `run_after` where the backend can
    wait); a failure to queue leaves it waiting, shown on the letter's page."""
    from collis.letters.tasks import letter_email_send

    task = letter_email_send
    if run_after and run_after > timezone.now() and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    try:
        task.enqueue(email_id)
    except Exception:
        logger.exception("Could not queue clinic letter email %s", email_id)


def letter_email_deliver(*, email_id: int, now: dt.datetime | None = None) -> str:
    """Email the sent version's PDF to the GP practice (the task worker calls this): taken
    by one worker only, tried again after the local-policy delays while the mail server
    fails (`collis.core.outbox`). Returns the state it was left in."""
    now = now or timezone.now()
    email = LetterEmail.objects.select_related(
        "letter__patient", "letter__appointment__session__room__site",
        "version__created_by").get(pk=email_id)
    if email.state not in PENDING_EMAIL:
        return email.state
    if email.next_attempt_at and email.next_attempt_at > now:
        return "not due"
    if not outbox_claim(LetterEmail, email.pk, pending=PENDING_EMAIL,
                        claimed=EmailState.SENDING, now=now):
        return "taken by another worker"
    letter, version = email.letter, email.version
    pdf = letter_pdf(letter=letter, version=version, author=version.created_by,
                     dated=timezone.localtime(letter.sent_at).date())
    patient = letter.patient
    message = EmailMessage(
        subject=f"Clinic letter: {patient.given_name} {patient.family_name.upper()}, "
                f"NHS number {patient.nhs_number}",
        body="Please find attached a clinic letter from the dystonia unit about your patient.\n",
        to=[email.to], headers={"X-Collis-Letter": str(letter.pk)})
    message.attach(f"clinic-letter-{letter.pk}-v{version.number}.pdf", pdf, "application/pdf")
    if not outbox_send(email, message.send, now=now,
                       delays=settings.COLLIS_REMINDER_RETRY_SECONDS,
                       retrying=EmailState.RETRYING, failed=EmailState.FAILED,
                       sent=EmailState.SENT, fields=EMAIL_DELIVERY_FIELDS,
                       requeue=letter_email_enqueue):
        return email.state
    audit_record(actor=WORKER, action=AuditAction.UPDATE, object_type="clinic_letter",
                 object_id=letter.pk, patient_id=letter.patient_id,
                 summary=f"Emailed version {version.number} of the clinic letter to {email.to}")
    return email.state


def letter_emails_due_enqueue(*, now: dt.datetime | None = None) -> int:
    """Queue every letter email still waiting whose time has come (for a worker that was
    down), after giving back those whose worker stopped while sending them. Queuing one
    twice is harmless: only one worker takes it."""
    now = now or timezone.now()
    for email in outbox_release_stale(
            LetterEmail, claimed=EmailState.SENDING, retrying=EmailState.RETRYING,
            failed=EmailState.FAILED, delays=settings.COLLIS_REMINDER_RETRY_SECONDS, now=now):
        letter_email_enqueue(email.pk, run_after=email.next_attempt_at)
    ids = list(LetterEmail.objects.filter(state__in=PENDING_EMAIL).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True))
    for pk in ids:
        letter_email_enqueue(pk)
    return len(ids)

"""Writes of enquiries: the public form's submission, and the team's status changes,
assignment, notes, replies, patient link and booking requests. Each checks the actor's
capability itself (a page never hides a button as the only guard), runs in one transaction
and is audited. Emails are written to the outbox in the same transaction and handed to the
task worker only once it commits, so that an enquiry or a reply is never lost to a failing
mail server."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, Organisation
from collis.core.nhsuk_forms import staff_who_can
from collis.core.outbox import outbox_failure, outbox_sent
from collis.core.roles import Capability, can, refusal_message
from collis.enquiries import emails
from collis.enquiries.models import (
    DELIVERY_FIELDS,
    STATUS_MOVES,
    DeliveryState,
    EmailKind,
    Enquiry,
    EnquiryEmail,
    EnquiryEvent,
    EnquiryStatus,
    EventKind,
)

logger = logging.getLogger(__name__)

HONEYPOT_REFUSAL = ("Your enquiry was not sent because it looked like it came from an "
                    "automatic program. Check your answers and send it again.")


class EnquiryRefused(Exception):
    """The public form refused an enquiry (too many from one address); the message says
    what to do instead."""


def client_digest(address: str | None) -> str:
    """A keyed digest of the client's address: enough to count enquiries from it, without
    keeping the address."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _rate_limit_check(*, email_key: str, digest: str) -> None:
    """Refuse a new enquiry from an address (client IP) or an email address that has sent
    the most allowed in the window (local policy, settings)."""
    now = timezone.now()
    per_address = settings.COLLIS_ENQUIRY_LIMIT_PER_ADDRESS_PER_HOUR
    per_email = settings.COLLIS_ENQUIRY_LIMIT_PER_EMAIL_PER_DAY
    limits = (
        ({"client_digest": digest}, per_address, timedelta(hours=1),
         f"You have sent {per_address} enquiries in the last hour, which is as many as we "
         "accept from one place. Please wait an hour and try again, or phone the site you "
         "want to contact."),
        ({"email_key": email_key}, per_email, timedelta(days=1),
         f"We have had {per_email} enquiries from this email address in the last 24 hours, "
         "which is as many as we accept. We will reply to the ones you have sent. If you "
         "need to add something, reply to our email or phone the site."),
    )
    for key, limit, window, refusal in limits:
        if next(iter(key.values())) and Enquiry.objects.filter(
                **key, submitted_at__gte=now - window).count() >= limit:
            raise EnquiryRefused(refusal)


@transaction.atomic
def enquiry_submit(*, data: dict[str, Any], client_address: str | None, honeypot: str = "",
                   actor: Actor) -> Enquiry:
    """Save an enquiry from the public form (the fields of `EnquiryForm`), then queue the
    acknowledgement email when the enquirer gave an address. Refused (ValidationError)
    when the hidden honeypot field was filled, and (EnquiryRefused) over the rate limits;
    in both cases nothing is saved."""
    if honeypot.strip():
        raise ValidationError(HONEYPOT_REFUSAL, code="honeypot")
    email = (data.get("email") or "").strip()
    digest = client_digest(client_address)
    _rate_limit_check(email_key=email.lower(), digest=digest)
    site = data.get("site")
    enquiry = Enquiry(
        organisation=site.organisation if site else Organisation.objects.default(),
        site=site, name=data["name"].strip(), enquirer_type=data["enquirer_type"],
        contact_method=data["contact_method"], email=email, email_key=email.lower(),
        phone=(data.get("phone") or "").strip(),
        contact_time=(data.get("contact_time") or "").strip(), topic=data["topic"],
        question=data["question"].strip(), nhs_number=data.get("nhs_number") or "",
        client_digest=digest)
    enquiry.full_clean()
    enquiry.save()
    EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.RECEIVED, at=enquiry.submitted_at,
                                status=EnquiryStatus.NEW)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="enquiry",
                 object_id=enquiry.pk,
                 summary=f"Enquiry {enquiry.reference} received from the public form",
                 details={"reference": enquiry.reference, "topic": enquiry.topic,
                          "site": enquiry.site.code if enquiry.site else ""})
    if email:
        _email_queue(enquiry, kind=EmailKind.ACKNOWLEDGEMENT,
                     subject=emails.acknowledgement_subject(enquiry),
                     body=emails.acknowledgement_body(enquiry), created_by=None)
    return enquiry


# -- The team's work on an enquiry -------------------------------------------------------

def _enquiry_for_update(*, enquiry_id, actor: Actor,
                        capability: Capability = Capability.ENQUIRY_ANSWER) -> Enquiry:
    """The enquiry, locked, if the actor's role may answer enquiries and it is their unit's
    (otherwise PermissionDenied, or Http404 as if it did not exist)."""
    if not can(actor.user, capability):
        raise PermissionDenied(refusal_message(capability))
    try:
        return Enquiry.objects.visible_to(actor.user).select_for_update(of=("self",)).get(
            pk=enquiry_id)
    except (Enquiry.DoesNotExist, ValueError, TypeError):
        raise Http404("No enquiry has this id.") from None


def _audit(actor: Actor, enquiry: Enquiry, action: AuditAction, summary: str,
           object_type: str = "enquiry", **details) -> None:
    audit_record(actor=actor, action=action, object_type=object_type, object_id=enquiry.pk,
                 patient_id=enquiry.patient_id, summary=f"Enquiry {enquiry.reference}: {summary}",
                 details={"reference": enquiry.reference, **details})


def _status_move(enquiry: Enquiry, status: str, *, actor: Actor, note: str = "") -> None:
    before = enquiry.status
    enquiry.status = status
    enquiry.save(update_fields=["status"])
    EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.STATUS, by=actor.user,
                                status=status, text=note)
    _audit(actor, enquiry, AuditAction.UPDATE,
           f"status {EnquiryStatus(before).label.lower()} to "
           f"{EnquiryStatus(status).label.lower()}",
           before=before, after=status, note=note)


@transaction.atomic
def enquiry_status_change(*, enquiry_id, status: str, note: str = "",
                          actor: Actor) -> Enquiry:
    """Move the enquiry to `status`, if the table allows the move from where it is."""
    enquiry = _enquiry_for_update(enquiry_id=enquiry_id, actor=actor)
    if status not in EnquiryStatus.values:
        raise ValidationError({"status": "Choose a status"})
    if status == enquiry.status:
        raise ValidationError({"status": f"The enquiry is already "
                                         f"{EnquiryStatus(status).label.lower()}"})
    if status not in STATUS_MOVES[enquiry.status]:
        raise ValidationError({"status": (
            f"An enquiry that is {EnquiryStatus(enquiry.status).label.lower()} cannot become "
            f"{EnquiryStatus(status).label.lower()}; mark it in progress first")})
    _status_move(enquiry, status, actor=actor, note=(note or "").strip())
    return enquiry


@transaction.atomic
def enquiry_assign(*, enquiry_id, assignee, actor: Actor) -> Enquiry:
    """Give the enquiry to a member of the unit's staff who may answer enquiries (or to
    nobody, with `assignee` None)."""
    enquiry = _enquiry_for_update(enquiry_id=enquiry_id, actor=actor)
    if assignee is not None and not staff_who_can(
            Capability.ENQUIRY_ANSWER, organisation=enquiry.organisation_id).filter(
            pk=assignee.pk).exists():
        raise ValidationError({"assigned_to": "Choose a member of the unit's staff who "
                                              "answers enquiries"})
    if (assignee.pk if assignee else None) == enquiry.assigned_to_id:
        raise ValidationError({"assigned_to": "The enquiry is already assigned to them"
                               if assignee else "The enquiry is not assigned to anyone"})
    enquiry.assigned_to = assignee
    enquiry.save(update_fields=["assigned_to"])
    EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.ASSIGNED, by=actor.user,
                                assigned_to=assignee)
    _audit(actor, enquiry, AuditAction.UPDATE,
           f"assigned to {assignee.display_name}" if assignee else "assigned to nobody",
           assigned_to=assignee.username if assignee else "")
    return enquiry


@transaction.atomic
def enquiry_note_add(*, enquiry_id, text: str, actor: Actor) -> EnquiryEvent:
    """A note for the team (never sent to the enquirer)."""
    enquiry = _enquiry_for_update(enquiry_id=enquiry_id, actor=actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter the note"})
    event = EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.NOTE, by=actor.user,
                                        text=text)
    _audit(actor, enquiry, AuditAction.CREATE, "note added", object_type="enquiry_note")
    return event


@transaction.atomic
def enquiry_reply_send(*, enquiry_id, body: str, actor: Actor) -> EnquiryEmail:
    """Write a reply to the enquirer and queue it for the worker to email; the enquiry
    becomes answered. Refused for an enquirer who gave no email address, and for a closed
    enquiry (take it up again first)."""
    enquiry = _enquiry_for_update(enquiry_id=enquiry_id, actor=actor)
    body = (body or "").strip()
    if not enquiry.email:
        raise ValidationError({"body": "The enquirer gave no email address. Phone them and "
                                       "add a note of what you said"})
    if enquiry.status == EnquiryStatus.CLOSED:
        raise ValidationError({"body": "The enquiry is closed. Mark it in progress before "
                                       "you reply"})
    if not body:
        raise ValidationError({"body": "Enter your reply"})
    email = _email_queue(enquiry, kind=EmailKind.REPLY, subject=emails.reply_subject(enquiry),
                         body=emails.reply_body(enquiry, body, actor.user),
                         created_by=actor.user)
    EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.REPLY, by=actor.user,
                                text=body, email=email)
    _audit(actor, enquiry, AuditAction.CREATE, f"reply to {enquiry.email} queued",
           object_type="enquiry_reply", email_id=email.pk, to=enquiry.email)
    if enquiry.status != EnquiryStatus.ANSWERED:
        _status_move(enquiry, EnquiryStatus.ANSWERED, actor=actor, note="Reply sent")
    return email


@transaction.atomic
def enquiry_booking_request_mark(*, enquiry_id, actor: Actor) -> Enquiry:
    """Mark the enquiry as a request for an appointment: it joins the list of booking
    requests that scheduling reads (`Enquiry.objects.booking_requests()`)."""
    enquiry = _enquiry_for_update(enquiry_id=enquiry_id, actor=actor)
    if enquiry.is_booking_request:
        raise ValidationError("The enquiry is already a booking request")
    enquiry.booking_requested_at = timezone.now()
    enquiry.booking_requested_by = actor.user
    enquiry.save(update_fields=["booking_requested_at", "booking_requested_by"])
    EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.BOOKING_REQUEST, by=actor.user,
                                at=enquiry.booking_requested_at)
    _audit(actor, enquiry, AuditAction.UPDATE, "marked as a booking request")
    return enquiry


@transaction.atomic
def enquiry_patient_link(*, enquiry_id, patient_id, actor: Actor) -> Enquiry:
    """Link the enquiry to the patient's record, read through the scoped, audited
    `patient_get` (a patient outside the actor's unit is not found)."""
    from collis.patients.selectors import patient_get

    enquiry = _enquiry_for_update(enquiry_id=enquiry_id, actor=actor)
    if not can(actor.user, Capability.PATIENT_VIEW):
        raise PermissionDenied(refusal_message(Capability.PATIENT_VIEW))
    if enquiry.patient_id:
        raise ValidationError("The enquiry is already linked to a patient's record")
    patient = patient_get(patient_id=patient_id, actor=actor)
    enquiry.patient = patient
    enquiry.save(update_fields=["patient"])
    EnquiryEvent.objects.create(enquiry=enquiry, kind=EventKind.PATIENT_LINKED, by=actor.user,
                                text=patient.nhs_number)
    _audit(actor, enquiry, AuditAction.UPDATE,
           f"linked to the record of {patient.nhs_number}", nhs_number=patient.nhs_number)
    return enquiry


@transaction.atomic
def enquiry_email_retry(*, email_id, actor: Actor) -> EnquiryEmail:
    """Try once more an email that the worker gave up on."""
    if not can(actor.user, Capability.ENQUIRY_ANSWER):
        raise PermissionDenied(refusal_message(Capability.ENQUIRY_ANSWER))
    try:
        email = EnquiryEmail.objects.select_for_update(of=("self",)).select_related(
            "enquiry").get(pk=email_id, enquiry__in=Enquiry.objects.visible_to(actor.user))
    except (EnquiryEmail.DoesNotExist, ValueError, TypeError):
        raise Http404("No email has this id.") from None
    if email.state != DeliveryState.FAILED:
        raise ValidationError("Only an email that could not be sent can be tried again")
    email.state = DeliveryState.QUEUED
    email.next_attempt_at = None
    email.save(update_fields=["state", "next_attempt_at"])
    _audit(actor, email.enquiry, AuditAction.UPDATE,
           f"{email.get_kind_display().lower()} email to be tried again",
           object_type="enquiry_email", email_id=email.pk)
    transaction.on_commit(lambda: enquiry_email_enqueue(email.pk))
    return email


# -- The outbox ----------------------------------------------------------------------------

def _email_queue(enquiry: Enquiry, *, kind: EmailKind, subject: str, body: str,
                 created_by) -> EnquiryEmail:
    email = EnquiryEmail(enquiry=enquiry, kind=kind, to=enquiry.email, subject=subject,
                         body=body, created_by=created_by)
    email.full_clean()
    email.save()
    # Only once the enquiry (or the reply) is safely stored does the worker hear of it.
    transaction.on_commit(lambda: enquiry_email_enqueue(email.pk))
    return email


def enquiry_email_enqueue(email_id: int, *, delay_seconds: int = 0) -> None:
    """Hand the email to the task worker, after `delay_seconds` when the task backend can
    wait (the database backend can; the immediate one used in tests runs it now). A failure
    to queue leaves the email waiting in the outbox, shown in the inbox."""
    from collis.enquiries.tasks import enquiry_email_send

    task = enquiry_email_send
    if delay_seconds and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    try:
        task.enqueue(email_id)
    except Exception:
        logger.exception("Could not queue enquiry email %s; it stays in the outbox", email_id)


class EmailNotSent(Exception):
    """The mail server refused or could not be reached; the outbox row says what next."""


def enquiry_email_deliver(*, email_id: int) -> str:
    """Send one email of the outbox (the task worker calls this). On success it is marked
    sent; on failure the attempt and its error are recorded and, until the retry delays
    (local policy) are used up, it is queued again after the next delay; then it is marked
    as could not be sent, for the inbox to show. Returns the state it was left in, and
    raises EmailNotSent after a failure so that the task's result records it too."""
    email = EnquiryEmail.objects.select_related("enquiry").get(pk=email_id)
    if email.state == DeliveryState.SENT:
        return email.state
    message = EmailMessage(
        subject=email.subject, body=email.body, to=[email.to],
        reply_to=settings.COLLIS_ENQUIRY_REPLY_TO or None,
        headers={"X-Collis-Enquiry": email.enquiry.reference})
    now = timezone.now()
    try:
        message.send()
    except Exception as error:  # any failure of the mail server or the connection to it
        delay = outbox_failure(email, error, delays=settings.COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS,
                               now=now, retrying=DeliveryState.RETRYING,
                               failed=DeliveryState.FAILED)
        email.save(update_fields=list(DELIVERY_FIELDS))
        logger.warning("Enquiry email %s not sent (attempt %s): %s", email.pk, email.attempts,
                       email.last_error)
        if delay is not None:
            enquiry_email_enqueue(email.pk, delay_seconds=delay)
        raise EmailNotSent(email.last_error) from error
    outbox_sent(email, now=now, sent=DeliveryState.SENT)
    email.save(update_fields=list(DELIVERY_FIELDS))
    return email.state


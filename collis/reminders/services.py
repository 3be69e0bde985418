"""Writes of appointment messages and contact preferences (ADR 0018).

The scheduling services call `appointment_messages_plan` when they book (or move) an
appointment and `appointment_messages_cancel` when it is cancelled, inside their own
transaction: the messages are stored with the appointment, and the worker hears of them only
once it commits. `message_deliver` (the task) decides at send time."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, AuditChannel
from collis.core.outbox import outbox_claim, outbox_release_stale, outbox_send
from collis.core.roles import Capability, can, refusal_message
from collis.domain.scheduling import AppointmentStatus
from collis.reminders import wording
from collis.reminders.calendar import appointment_ical, appointment_root
from collis.reminders.models import (
    DELIVERY_FIELDS,
    PENDING,
    AppointmentMessage,
    Channel,
    ContactPreference,
    MessageKind,
    MessageState,
)
from collis.reminders.sms import sms_send

logger = logging.getLogger(__name__)

# The worker, when it sends: no user, and the task's name as the path in the audit log.
WORKER = Actor(user=None, channel=AuditChannel.CLI, path="task:appointment_message_send")

STANDING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
CANCELLED = (AppointmentStatus.CANCELLED_BY_PATIENT, AppointmentStatus.CANCELLED_BY_HOSPITAL)
# A UK mobile number: 07 then nine digits, or +44 7 then nine (spaces allowed).
MOBILE = re.compile(r"^(?:07|\+447)\d{9}$")


def reminder_offsets() -> list[dt.timedelta]:
    """How long before an appointment each reminder is sent (local policy)."""
    return [dt.timedelta(hours=h) for h in settings.COLLIS_REMINDER_HOURS_BEFORE]


# -- Contact preferences ---------------------------------------------------------------------

def contact_preference_current(patient) -> ContactPreference | None:
    return patient.contact_preferences.select_related("recorded_by").order_by(
        "-recorded_at", "-pk").first()


@transaction.atomic
def contact_preference_record(*, patient, email_ok: bool, sms_ok: bool, actor: Actor,
                              now: dt.datetime | None = None) -> ContactPreference:
    """Record what the patient said about email and text messages (a new row; the old kept)."""
    if not can(actor.user, Capability.APPOINTMENT_BOOK):
        raise PermissionDenied(refusal_message(Capability.APPOINTMENT_BOOK))
    if email_ok and not patient.email:
        raise ValidationError({"email_ok": "Add the patient's email address to their details "
                                           "before choosing email"})
    if sms_ok and not MOBILE.match(re.sub(r"\s", "", patient.phone or "")):
        raise ValidationError({"sms_ok": "Add a UK mobile number (starting 07) to the "
                                         "patient's details before choosing text messages"})
    preference = ContactPreference(patient=patient, email_ok=email_ok, sms_ok=sms_ok,
                                   recorded_at=now or timezone.now(), recorded_by=actor.user)
    preference.full_clean()
    preference.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="contact_preference",
                 object_id=preference.pk, patient_id=patient.pk,
                 summary=f"Recorded contact about appointments: email "
                         f"{'yes' if email_ok else 'no'}, text messages "
                         f"{'yes' if sms_ok else 'no'}")
    return preference


# -- Planning -----------------------------------------------------------------------------

def _plan(appointment, kind: MessageKind, due_at: dt.datetime, *, sequence: int,
          now: dt.datetime) -> list[AppointmentMessage]:
    planned = []
    for channel in Channel:
        try:
            with transaction.atomic():
                planned.append(AppointmentMessage.objects.create(
                    appointment=appointment, kind=kind, channel=channel, due_at=due_at,
                    sequence=sequence, created_at=now))
        except IntegrityError:
            continue  # already planned (the unique constraint): never twice
    for message in planned:
        transaction.on_commit(lambda pk=message.pk, due=message.due_at:
                              appointment_message_enqueue(pk, run_after=due))
    return planned


def appointment_messages_plan(*, appointment, now: dt.datetime) -> list[AppointmentMessage]:
    """A booking (or a move): the confirmation now, and each reminder whose time is still
    ahead (when booked later than that, the confirmation serves)."""
    _root, moves = appointment_root(appointment)
    planned = _plan(appointment, MessageKind.CONFIRMATION, now, sequence=moves, now=now)
    for offset in reminder_offsets():
        due = appointment.starts_at - offset
        if due > now:
            planned += _plan(appointment, MessageKind.REMINDER, due, sequence=moves, now=now)
    return planned


def appointment_messages_cancel(*, appointment, now: dt.datetime) -> list[AppointmentMessage]:
    """A cancellation: tell the patient now (its calendar entry says CANCEL). The reminders
    already planned are skipped when due, because the appointment no longer stands."""
    _root, moves = appointment_root(appointment)
    return _plan(appointment, MessageKind.CANCELLATION, now, sequence=moves + 1, now=now)


def appointment_message_enqueue(message_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Hand the message to the task worker, to run at its due time where the task backend
    can wait (the database backend can; the immediate one used in tests runs it now, and a
    message not yet due is then left for `reminders_send_due`). A failure to queue leaves the
    message waiting, shown on the appointment's page."""
    from collis.reminders.tasks import appointment_message_send

    task = appointment_message_send
    if run_after and run_after > timezone.now() and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    try:
        task.enqueue(message_id)
    except Exception:
        logger.exception("Could not queue appointment message %s; it stays waiting", message_id)


def messages_due(*, now: dt.datetime | None = None):
    """The messages whose time has come and that are still to be sent."""
    now = now or timezone.now()
    return AppointmentMessage.objects.filter(state__in=PENDING).filter(
        Q(next_attempt_at__isnull=True, due_at__lte=now) | Q(next_attempt_at__lte=now))


# -- Sending --------------------------------------------------------------------------------

def _why_not(message: AppointmentMessage, preference, now: dt.datetime) -> str:
    """Why this message must not be sent now, in words for the appointment's page, or ""."""
    appointment = message.appointment
    status = appointment.status
    if message.kind == MessageKind.CANCELLATION:
        if status not in CANCELLED:
            return "the appointment is no longer cancelled"
        if appointment.starts_at <= now:
            return "the appointment time has passed"
    else:
        if status == AppointmentStatus.RESCHEDULED:
            return "the appointment was moved (the new one has its own messages)"
        if status in CANCELLED:
            return "the appointment was cancelled"
        if status not in STANDING:
            return f"the appointment is already marked {AppointmentStatus(status).label.lower()}"
        if appointment.starts_at <= now:
            return "the appointment has already started"
    patient = appointment.patient
    if message.channel == Channel.EMAIL:
        if preference is None or not preference.email_ok:
            return "the patient has not agreed to emails about appointments"
        if not patient.email:
            return "there is no email address on the patient's record"
    else:
        if preference is None or not preference.sms_ok:
            return "the patient has not agreed to text messages about appointments"
        if not MOBILE.match(re.sub(r"\s", "", patient.phone or "")):
            return "there is no mobile phone number on the patient's record"
    return ""


def _send(message: AppointmentMessage, now: dt.datetime) -> None:
    appointment = message.appointment
    patient = appointment.patient
    if message.channel == Channel.EMAIL:
        message.to = patient.email
        message.subject = wording.email_subject(message.kind, appointment)
        message.body = wording.email_body(message.kind, appointment)
        email = EmailMessage(subject=message.subject, body=message.body, to=[message.to],
                             headers={"X-Collis-Message": str(message.pk)})
        cancel = message.kind == MessageKind.CANCELLATION
        email.attach("appointment.ics",
                     appointment_ical(appointment, sequence=message.sequence, cancel=cancel,
                                      now=now),
                     f"text/calendar; charset=utf-8; method={'CANCEL' if cancel else 'PUBLISH'}")
        email.send()
    else:
        message.to = re.sub(r"\s", "", patient.phone)
        message.body = wording.sms_text(message.kind, appointment)
        sms_send(to=message.to, text=message.body)


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Send one message if it is due (the task worker calls this). The worker first takes
    the row (only one worker can); then it checks that the appointment still stands and that
    the patient agreed to this channel, and records a skip with the reason if not. A failed
    send is tried again after the local-policy delays. Returns the state it was left in."""
    now = now or timezone.now()
    message = AppointmentMessage.objects.select_related(
        "appointment__patient", "appointment__session__room__site",
        "appointment__rescheduled_from").get(pk=message_id)
    if message.state not in PENDING:
        return message.state
    if message.due_at > now or (message.next_attempt_at and message.next_attempt_at > now):
        return "not due"
    if not outbox_claim(AppointmentMessage, message.pk, pending=PENDING,
                        claimed=MessageState.SENDING, now=now):
        return "taken by another worker"
    appointment = message.appointment
    reason = _why_not(message, contact_preference_current(appointment.patient), now)
    label = f"{message.get_kind_display().lower()} by {message.get_channel_display().lower()}"
    if reason:
        message.state = MessageState.SKIPPED
        message.skip_reason = reason[:200]
        message.save(update_fields=list(DELIVERY_FIELDS))
        audit_record(actor=WORKER, action=AuditAction.UPDATE, object_type="appointment_message",
                     object_id=message.pk, patient_id=appointment.patient_id,
                     summary=f"Did not send the {label}: {reason}")
        return message.state
    if not outbox_send(message, lambda: _send(message, now), now=now,
                       delays=settings.COLLIS_REMINDER_RETRY_SECONDS,
                       retrying=MessageState.RETRYING, failed=MessageState.FAILED,
                       sent=MessageState.SENT, fields=DELIVERY_FIELDS,
                       requeue=appointment_message_enqueue):
        return message.state
    audit_record(actor=WORKER, action=AuditAction.UPDATE, object_type="appointment_message",
                 object_id=message.pk, patient_id=appointment.patient_id,
                 summary=f"Sent the {label} to the patient")
    return message.state


def messages_due_enqueue(*, now: dt.datetime | None = None) -> int:
    """Queue every message that is due and still waiting (for a worker that was down, or a
    task backend that cannot wait), after giving back those whose worker stopped while
    sending them (`collis.core.outbox.outbox_release_stale`). Queuing one twice is
    harmless: only one worker takes it."""
    now = now or timezone.now()
    released = outbox_release_stale(
        AppointmentMessage, claimed=MessageState.SENDING, retrying=MessageState.RETRYING,
        failed=MessageState.FAILED, delays=settings.COLLIS_REMINDER_RETRY_SECONDS, now=now)
    for message in released:
        appointment_message_enqueue(message.pk, run_after=message.next_attempt_at)
    ids = list(messages_due(now=now).values_list("pk", flat=True))
    for pk in ids:
        appointment_message_enqueue(pk)
    return len(ids)

"""Messages about appointments (confirmation, reminder, cancellation) by email and text
message, and each patient's choice of how we may contact them (ADR 0018).

A message is planned when the appointment is booked, moved or cancelled: one row per kind,
channel and due time, which the database keeps unique, so that however many web servers
plan and however many workers send, each is sent at most once. Whether it is sent is
decided when it is due, not when it is planned: the worker checks again that the
appointment still stands and that the patient agreed to that channel, and records a skip
with the reason when not."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel


class MessageKind(models.TextChoices):
    CONFIRMATION = "confirmation", "Confirmation"
    REMINDER = "reminder", "Reminder"
    CANCELLATION = "cancellation", "Cancellation"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageState(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    RETRYING = "retrying", "Not sent yet: trying again"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent"
    FAILED = "failed", "Could not be sent"


# The states in which a worker may still take a message to send it.
PENDING = (MessageState.QUEUED, MessageState.RETRYING)

# What a send may change on a message; what it was about (appointment, kind, channel, due
# time) never changes.
DELIVERY_FIELDS = ("state", "to", "subject", "body", "skip_reason", "attempts", "last_error",
                   "last_attempt_at", "next_attempt_at", "sent_at")


class ContactPreference(AppendOnlyModel):
    """What the patient said about being contacted about appointments by email and by text
    message, with who recorded it and when. The latest row counts; earlier ones are kept."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="contact_preferences")
    email_ok = models.BooleanField("Email about appointments")
    sms_ok = models.BooleanField("Text messages about appointments")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["patient", "recorded_at"], name="contact_pref_latest")]


class AppointmentMessage(models.Model):
    """One message about one appointment on one channel, due at one time."""

    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.PROTECT,
                                    related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    due_at = models.DateTimeField()
    # The calendar entry's SEQUENCE when it was planned (bumped by each move).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    state = models.CharField(max_length=10, choices=MessageState.choices,
                             default=MessageState.QUEUED)
    # Filled when it is sent: where to and what it said.
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "kind", "channel", "pk"]
        constraints = [models.UniqueConstraint(fields=["appointment", "kind", "channel", "due_at"],
                                               name="appointment_message_once")]
        indexes = [models.Index(fields=["state", "due_at"], name="appointment_message_due")]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.get_channel_display().lower()} " \
               f"for appointment {self.appointment_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("A message about an appointment is never deleted.")

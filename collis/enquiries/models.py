"""Enquiries from the public (the contact form) and how the team answers them.

An enquiry is saved the moment it is sent, before any email is tried. Its history is an
append-only list of events (received, each status change, assignment, note, reply, the
patient linked, the booking request), each with who and when; the enquiry row keeps the
current status, assignee and patient for the inbox to list without reading the history.
Emails (the acknowledgement and each reply) are an outbox: their text is written once, and
only their delivery (attempts, the last error, when sent) moves."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel, Organisation
from collis.sites.models import Site

# Letters and digits that cannot be mistaken for each other when read out on the phone
# (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def reference_new() -> str:
    """A new reference such as "ENQ-7K4P-MQ9X": random (not counting enquiries, so that it
    says nothing about others), easy to read out."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"ENQ-{chars[:4]}-{chars[4:]}"


class EnquiryStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


# Which status may follow which: one table (an answered or closed enquiry can be taken up
# again when the enquirer writes back).
STATUS_MOVES: dict[str, frozenset[str]] = {
    EnquiryStatus.NEW: frozenset({EnquiryStatus.IN_PROGRESS, EnquiryStatus.ANSWERED,
                                  EnquiryStatus.CLOSED}),
    EnquiryStatus.IN_PROGRESS: frozenset({EnquiryStatus.ANSWERED, EnquiryStatus.CLOSED}),
    EnquiryStatus.ANSWERED: frozenset({EnquiryStatus.IN_PROGRESS, EnquiryStatus.CLOSED}),
    EnquiryStatus.CLOSED: frozenset({EnquiryStatus.IN_PROGRESS}),
}

# The colour of each status's tag in the inbox.
STATUS_TAG_COLOUR = {EnquiryStatus.NEW: "blue", EnquiryStatus.IN_PROGRESS: "yellow",
                     EnquiryStatus.ANSWERED: "green", EnquiryStatus.CLOSED: "grey"}


class EnquirerType(models.TextChoices):
    PATIENT = "patient", "A patient"
    RELATIVE = "relative", "A relative or carer"
    PROFESSIONAL = "professional", "A health professional"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Topic(models.TextChoices):
    APPOINTMENT = "appointment", "An appointment"
    REFERRAL = "referral", "Being referred to the unit"
    TREATMENT = "treatment", "Treatment or surgery"
    OTHER = "other", "Something else"


class EnquiryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The enquiries of the user's unit (those sent to one of its sites, or to the
        installation's first unit when no site was chosen); nobody else's."""
        if not getattr(user, "is_authenticated", False) or not user.is_active \
                or not getattr(user, "organisation_id", None):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def booking_requests(self):
        """Enquiries marked as a request for an appointment: the list the scheduling app
        reads, oldest first."""
        return self.filter(booking_requested_at__isnull=False).order_by(
            "booking_requested_at", "pk")


class Enquiry(models.Model):
    reference = models.CharField(max_length=13, unique=True, default=reference_new,
                                 editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="enquiries")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="enquiries", verbose_name="Preferred site")
    name = models.CharField("Name", max_length=120)
    enquirer_type = models.CharField("Who is asking", max_length=16,
                                     choices=EnquirerType.choices)
    contact_method = models.CharField("How to contact them", max_length=8,
                                      choices=ContactMethod.choices)
    email = models.EmailField("Email address", blank=True)
    # The address in lower case: the rate limit counts enquiries per address.
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone = models.CharField("Phone number", max_length=30, blank=True)
    contact_time = models.CharField("When to contact them", max_length=120, blank=True)
    topic = models.CharField("About", max_length=16, choices=Topic.choices)
    question = models.TextField("Question")
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    # A keyed digest of the sender's address (never the address itself): the rate limit
    # counts enquiries per address without keeping where people wrote from.
    client_digest = models.CharField(max_length=64, blank=True, editable=False)

    # The current state, kept with the row for the inbox; the events hold the history.
    status = models.CharField(max_length=16, choices=EnquiryStatus.choices,
                              default=EnquiryStatus.NEW)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="enquiries")
    booking_requested_at = models.DateTimeField(null=True, blank=True)
    booking_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name_plural = "enquiries"
        indexes = [
            models.Index(fields=["organisation", "status", "submitted_at"],
                         name="enquiry_inbox"),
            models.Index(fields=["client_digest", "submitted_at"], name="enquiry_rate_client"),
            models.Index(fields=["email_key", "submitted_at"], name="enquiry_rate_email"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_booking_request(self) -> bool:
        return self.booking_requested_at is not None


class EventKind(models.TextChoices):
    RECEIVED = "received", "Received"
    STATUS = "status", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    NOTE = "note", "Note"
    REPLY = "reply", "Reply sent"
    PATIENT_LINKED = "patient_linked", "Linked to a patient's record"
    BOOKING_REQUEST = "booking_request", "Marked as a booking request"


class EnquiryEvent(AppendOnlyModel):
    """One step in an enquiry's history, with who (none for the public form) and when."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=EnquiryStatus.choices, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    email = models.ForeignKey("EnquiryEmail", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.enquiry} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class EmailKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    REPLY = "reply", "Reply"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    RETRYING = "retrying", "Not sent yet: trying again"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


# The fields of an email that its delivery may change; its text never changes.
DELIVERY_FIELDS = ("state", "attempts", "last_error", "last_attempt_at", "next_attempt_at",
                   "sent_at")


class EnquiryEmail(models.Model):
    """An email to the enquirer, kept from the moment it is written: sent by the task
    worker, retried with back-off while it fails, and shown in the inbox until sent."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.PROTECT, related_name="emails")
    kind = models.CharField(max_length=16, choices=EmailKind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.enquiry}"

    def save(self, *args, **kwargs):
        # Once written, only the delivery moves (the text is what was sent).
        fields = set(kwargs.get("update_fields") or ())
        if not self._state.adding and not (fields and fields <= set(DELIVERY_FIELDS)):
            raise PermissionError("An email's text is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("An email to an enquirer is never deleted.")

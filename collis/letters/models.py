"""Clinic letters to the GP and the referrer (ADR 0018): a letter about one appointment,
kept as versions. Each version is a clinical record that never changes (ADR 0009): an edit,
before or after sending, is a new version that supersedes the last; the version that was
sent stays as it was sent; a letter written by mistake is marked entered in error with the
reason. The letter row keeps its state, who sent which version how, and a version number
for optimistic locking (ADR 0003)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import CorrectableRecord


class LetterState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class SentHow(models.TextChoices):
    EMAIL = "email", "Emailed to the GP practice"
    PRINTED = "printed", "Printed and posted"


# The text sections of a letter, in the order it prints them: (field, heading).
SECTIONS = (
    ("recipients", "To"),
    ("diagnosis", "Diagnosis"),
    ("clinic_summary", "What we did"),
    ("treatment", "Botulinum toxin given"),
    ("response", "Response to treatment"),
    ("plan", "Plan"),
    ("next_appointment", "Next appointment"),
)


class ClinicLetter(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="clinic_letters")
    appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.PROTECT,
                                       related_name="letter")
    state = models.CharField(max_length=20, choices=LetterState.choices,
                             default=LetterState.DRAFT)
    # Optimistic locking: each change adds one; a form opened on an older one is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    sent_version = models.ForeignKey("LetterVersion", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    sent_how = models.CharField(max_length=10, choices=SentHow.choices, blank=True)
    sent_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Clinic letter {self.pk}"


class LetterVersion(CorrectableRecord):
    letter = models.ForeignKey(ClinicLetter, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    recipients = models.TextField("To")
    diagnosis = models.TextField("Diagnosis", blank=True)
    clinic_summary = models.TextField("What we did")
    treatment = models.TextField("Botulinum toxin given", blank=True)
    response = models.TextField("Response to treatment", blank=True)
    plan = models.TextField("Plan")
    next_appointment = models.TextField("Next appointment", blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["letter", "number"],
                                               name="letter_version_number_once")]

    def __str__(self):
        return f"Version {self.number} of {self.letter}"

    def sections(self) -> list[tuple[str, str]]:
        return [(heading, getattr(self, field)) for field, heading in SECTIONS]


class EmailState(models.TextChoices):
    QUEUED = "queued", "Waiting to be emailed"
    SENDING = "sending", "Being emailed"
    RETRYING = "retrying", "Not emailed yet: trying again"
    SENT = "sent", "Emailed"
    FAILED = "failed", "Could not be emailed"


# What a try at emailing may change on the outbox row (core.outbox, ADR 0014 and 0018).
EMAIL_DELIVERY_FIELDS = ("state", "attempts", "last_error", "last_attempt_at",
                         "next_attempt_at", "sent_at")


class LetterEmail(models.Model):
    """The email of one sent version to the GP practice: an outbox row, sent by the task
    worker and tried again after the local-policy delays while the mail server fails."""

    letter = models.ForeignKey(ClinicLetter, on_delete=models.PROTECT, related_name="emails")
    version = models.ForeignKey(LetterVersion, on_delete=models.PROTECT, related_name="+")
    to = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    state = models.CharField(max_length=10, choices=EmailState.choices,
                             default=EmailState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Email of {self.letter} to {self.to}"

    def delete(self, *args, **kwargs):
        raise PermissionError("A letter's email is never deleted.")

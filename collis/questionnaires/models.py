"""A patient's answers to a questionnaire (collis.domain.questionnaires) on one occasion it
was due: saved as they go, scored by the domain once sent, shown on the record as
patient-reported; and the emails that invited them."""

from django.db import models
from django.utils import timezone

from collis.domain.questionnaires import DueReason
from collis.patients.models import Patient

REASON_CHOICES = [(r.value, r.label) for r in DueReason]


class QuestionnaireResponse(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="questionnaire_responses")
    questionnaire = models.CharField(max_length=60)
    questionnaire_version = models.CharField(max_length=20)
    # The occasion it answers (`Due.key`), its reason and the day it was due.
    occasion = models.CharField(max_length=60)
    reason = models.CharField(max_length=30, choices=REASON_CHOICES)
    due_on = models.DateField()
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Scores the domain gave when the answers were sent (TWSTRS sections [9]).
    disability = models.PositiveSmallIntegerField(null=True, blank=True)
    pain = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["patient", "questionnaire", "occasion"],
                                               name="one_response_per_occasion")]

    def __str__(self):
        return f"{self.questionnaire} {self.occasion} of {self.patient_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class InvitationKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder"


class QuestionnaireEmail(models.Model):
    """An email that asked the patient to answer: one invitation and one reminder per
    occasion at most."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.CharField(max_length=60)
    occasion = models.CharField(max_length=60)
    kind = models.CharField(max_length=12, choices=InvitationKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["patient", "questionnaire", "occasion", "kind"],
            name="one_email_of_a_kind_per_occasion")]

    def __str__(self):
        return f"{self.kind} for {self.occasion} to {self.patient_id}"

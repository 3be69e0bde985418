"""Stored candidacy assessments: exactly what the engine was given, where each fact came
from, and what it concluded, so that the MDT later sees what was assessed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel
from collis.patients.models import Patient


class CandidacyAssessmentRecord(AppendOnlyModel):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="candidacy_assessments")
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    ruleset = models.CharField(max_length=60)
    recommendation = models.CharField(max_length=40)
    facts = models.JSONField(help_text="The case facts given to the engine (collis-case/1).")
    provenance = models.JSONField(default=list,
                                  help_text="Where each fact came from in the record.")
    result = models.JSONField(help_text="The engine's assessment, in the contract's shape.")
    policy = models.JSONField(default=list, help_text="The local-policy values in force.")
    # The local-policy version it used (collis.policy); empty: made before policy versions.
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-assessed_at"],
                                name="candidacy_patient_at")]

    def __str__(self):
        return f"{self.ruleset} {self.recommendation} ({self.assessed_at:%Y-%m-%d})"

"""Versions of the unit's local policy: every value the clinical reference leaves open
(collis.domain.policy.POLICY_SETTINGS), kept together. A change is a new version with the
values changed, the reason, who signed it off and when, and the date it takes effect from;
earlier versions stay as they were (ADR 0011)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel


class PolicyVersion(AppendOnlyModel):
    number = models.PositiveIntegerField("Version", unique=True)
    values = models.JSONField(help_text="Every local-policy value, {setting key: value}.")
    changed = models.JSONField(default=list, blank=True,
                               help_text="The keys whose value differs from the version before.")
    signed_off = models.JSONField(
        default=list, blank=True,
        help_text="The keys the signer signed off in this version: those changed and those "
                  "confirmed as they stood.")
    reason = models.TextField("Reason for the change")
    effective_from = models.DateField("Takes effect from")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [models.CheckConstraint(
            condition=models.Q(signed_off_by__isnull=True, signed_off_at__isnull=True)
            | models.Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
            name="policy_signed_off_by_and_at")]

    def __str__(self):
        return f"Local policy version {self.number} (from {self.effective_from:%Y-%m-%d})"

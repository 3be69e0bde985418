"""Versions of the unit's local policy: every value the clinical reference leaves open
(collis.domain.policy.POLICY_SETTINGS), kept together. A change is a new version with the
values changed, the reason, who signed it off and when, and the date it takes effect from;
earlier versions stay as they were (ADR 0011)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel, AppendOnlyQuerySet
from collis.domain.policy import DEFAULT_LOCAL_POLICY, local_policy_flatten

VERSION_1_REASON = "The defaults Collis was built with: local policy, not yet signed off."


def version_1_values() -> dict:
    """The values of version 1: the domain's defaults, with the cooling-off period and the
    review window from their settings where set (the settings only seed version 1)."""
    values = local_policy_flatten(DEFAULT_LOCAL_POLICY)
    for key, name in (("consent_cooling_off_days", "COLLIS_CONSENT_COOLING_OFF_DAYS"),
                      ("follow_up_review_window_weeks", "COLLIS_FOLLOW_UP_REVIEW_WINDOW_WEEKS")):
        if hasattr(settings, name):
            values[key] = int(getattr(settings, name))
    return values


def version_1_create(model) -> None:
    """Version 1, not yet signed off, unless a version is stored (`model` may be the
    migration's historical model)."""
    if not model.objects.exists():
        model.objects.get_or_create(number=1, defaults={
            "values": version_1_values(), "changed": [], "signed_off": [],
            "reason": VERSION_1_REASON, "effective_from": timezone.localdate()})


class PolicyVersionQuerySet(AppendOnlyQuerySet):
    def every(self) -> list["PolicyVersion"]:
        """Every version, oldest first; version 1 is made on first use if none is stored
        (the migration seeds it; a database emptied since, as between tests, gets it back),
        as the default organisation is."""
        versions = list(self.select_related("signed_off_by").order_by("number"))
        if not versions:
            version_1_create(self.model)
            versions = list(self.select_related("signed_off_by").order_by("number"))
        # A value added to the policy after a version was stored (such as the service
        # audit's smallest group) reads as its default in that version, in memory only:
        # stored versions never change.
        defaults = local_policy_flatten(DEFAULT_LOCAL_POLICY)
        for version in versions:
            if set(defaults) - set(version.values):
                version.values = {**defaults, **version.values}
        return versions


class PolicyVersion(AppendOnlyModel):
    objects = PolicyVersionQuerySet.as_manager()

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

"""A FHIR Bulk Data export (`$export`): who asked, what, how far the task worker has got,
and the NDJSON files it wrote (ADR 0019, addendum on bulk export); and the SMART Backend
Services system clients, their access tokens and the assertion ids they used (ADR 0019,
addendum on SMART Backend Services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportLevel(models.TextChoices):
    SYSTEM = "system", "Everything the requester may see ($export)"
    PATIENT = "patient", "Every patient's record (Patient/$export)"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting for the task worker"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired (files deleted)"


FINISHED_STATES = (ExportState.DONE, ExportState.FAILED, ExportState.CANCELLED,
                   ExportState.EXPIRED)


class BulkExport(models.Model):
    """One kick-off of `$export` and its run. `files` lists what the worker wrote:
    [{"type", "name" (in the default storage), "count", "bytes"}], in the order written."""

    # A member of staff (staff API token) or a system client (SMART access token): one of
    # the two.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True)
    requested_by_client = models.ForeignKey("SystemClient", on_delete=models.PROTECT,
                                            related_name="+", null=True, blank=True)
    level = models.CharField(max_length=10, choices=ExportLevel.choices)
    request_url = models.TextField(help_text="The kick-off request, as the client sent it.")
    types = models.JSONField(default=list, help_text="The resource types asked for.")
    since = models.DateTimeField(null=True, blank=True,
                                 help_text="_since: only resources changed after this.")
    state = models.CharField(max_length=10, choices=ExportState.choices,
                             default=ExportState.QUEUED)
    types_done = models.PositiveSmallIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True,
                              help_text="Resources written so far, by type.")
    files = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the worker began reading: the manifest's transactionTime.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"]),
                   models.Index(fields=["state", "expires_at"])]
        constraints = [models.CheckConstraint(
            name="bulk_export_one_requester",
            condition=(models.Q(requested_by__isnull=False, requested_by_client__isnull=True)
                       | models.Q(requested_by__isnull=True,
                                  requested_by_client__isnull=False)))]

    def __str__(self):
        return f"FHIR bulk export {self.pk} ({self.state})"

    @property
    def types_total(self) -> int:
        return len(self.types)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return round(100 * self.types_done / max(self.types_total, 1))

    @property
    def resources(self) -> int:
        return sum(self.counts.values())

    def is_expired(self, now=None) -> bool:
        return self.state == ExportState.EXPIRED or bool(
            self.expires_at and self.expires_at <= (now or timezone.now()))


class SystemClient(models.Model):
    """A system registered by an administrator to read one unit's records through SMART
    Backend Services: it proves who it is with a JWT signed by one of its keys (a JWKS
    pasted here, or fetched from its JWKS URL) and is granted at most `scopes`."""

    name = models.CharField(max_length=120, help_text="Who runs the system, and what for.")
    client_id = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+",
                                     help_text="The unit whose records it reads.")
    scopes = models.JSONField(default=list, help_text="The SMART scopes it may be granted, "
                                                      "such as system/Patient.read.")
    jwks = models.JSONField(null=True, blank=True, help_text="Its public keys, as a JWKS.")
    jwks_url = models.URLField(max_length=500, blank=True,
                               help_text="Where its public keys are published, as a JWKS.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       related_name="+", null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-active", "name", "id"]
        constraints = [models.CheckConstraint(
            name="system_client_has_keys",
            condition=~models.Q(jwks__isnull=True, jwks_url=""))]

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    @property
    def audit_username(self) -> str:
        """How the audit log names it: a colon, which no account's username may hold, so
        it can never be mistaken for a member of staff."""
        return f"smart:{self.client_id}"


class SmartAccessToken(models.Model):
    """An access token issued to a system client: only its SHA-256 digest is kept, with
    the scopes granted and when it stops working."""

    client = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"SMART access token of {self.client_id} until {self.expires_at:%H:%M:%S}"


class UsedAssertion(models.Model):
    """The `jti` of a client assertion already used, kept until the assertion expires, so
    that it cannot be replayed (RFC 7523; SMART Backend Services)."""

    client = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"],
                                               name="assertion_jti_used_once")]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"Assertion {self.jti} of {self.client_id}"

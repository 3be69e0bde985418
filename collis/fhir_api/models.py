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
    GROUP = "group", "A group's patients and their records (Group/{id}/$export)"


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
    # A group export: the group whose patients (evaluated as the export runs) it holds.
    group = models.ForeignKey("PatientGroup", on_delete=models.PROTECT, related_name="+",
                              null=True, blank=True)
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


class PatientGroup(models.Model):
    """A staff-defined cohort of the unit's patients (FHIR Group, for `Group/{id}/$export`;
    ADR 0019, addendum on groups): a name and criteria, every one given to be met, evaluated
    whenever the group is read or exported (a definitional group, FHIR `actual` false), so
    its membership follows the record without being kept. Edits keep no history here: each
    creation and edit is in the audit log with the criteria before and after."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField("Name", max_length=120)
    description = models.TextField("What the group is for", blank=True)
    # Criteria: each one set must hold (AND); at least one is set.
    operated_since = models.DateField(
        "Operated on since", null=True, blank=True,
        help_text="Patients with a selective denervation on or after this date.")
    toxin_site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name="Toxin site")
    toxin_since = models.DateField(
        "Toxin since", null=True, blank=True,
        help_text="Patients with a botulinum toxin session (at the site, if one is chosen) "
                  "on or after this date.")
    pathway_state = models.CharField("Pathway state", max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="fhir_group_unique_name")]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from collis.domain.pathway import State

        errors = {}
        if self.pathway_state and self.pathway_state not in {s.value for s in State}:
            errors["pathway_state"] = "Choose one of the pathway's states."
        if self.toxin_site_id and not self.toxin_since:
            errors["toxin_since"] = "Enter the date the toxin sessions at the site count from."
        today = timezone.localdate()
        for field in ("operated_since", "toxin_since"):
            value = getattr(self, field)
            if value and value > today:
                errors[field] = (f"{self._meta.get_field(field).verbose_name} must be today "
                                 "or in the past.")
        if not (self.operated_since or self.toxin_since or self.pathway_state):
            errors["operated_since"] = ("Give at least one criterion: an operation date, a "
                                        "toxin date or a pathway state.")
        if errors:
            raise ValidationError(errors)

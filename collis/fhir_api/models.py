"""A FHIR Bulk Data export (`$export`): who asked, what, how far the task worker has got,
and the NDJSON files it wrote (ADR 0019, addendum on bulk export)."""

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

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
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

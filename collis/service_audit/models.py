"""Snapshots of the service audit computed by the task worker: the tables of one page for
one unit and one set of filters, kept with who asked, when and how far the worker has got.
A snapshot is the record of what an audit meeting saw; the pages compute live."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import Organisation


class SnapshotKind(models.TextChoices):
    COMPLICATIONS = "complications", "Complications against what was disclosed"
    OUTCOMES = "outcomes", "Outcomes after selective denervation"


class SnapshotStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Being computed"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class AuditSnapshot(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=SnapshotKind.choices)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=SnapshotStatus.choices,
                              default=SnapshotStatus.QUEUED)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=1)
    heading = models.JSONField(default=list, blank=True,
                               help_text="The lines the CSV starts with: window, filters...")
    tables = models.JSONField(default=list, blank=True,
                              help_text="[{caption, headers, rows, flags, slug}]")
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.status}, {self.requested_at:%Y-%m-%d})"

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / max(self.steps_total, 1))

    @property
    def finished(self) -> bool:
        return self.status in (SnapshotStatus.DONE, SnapshotStatus.FAILED)


class ResearchCohort(models.TextChoices):
    OPERATED = "operated", "Every patient operated on (selective denervation)"


class ResearchExtract(models.Model):
    """A de-identified extract of a cohort: who asked, why, which cohort, when, how many
    patients, and the motivated-intruder report. The task worker builds the file
    (pseudonyms, shifted dates, no names, numbers, postcodes or free text), recording its
    progress here; only the person who asked may download it, until it expires (the
    setting COLLIS_RESEARCH_EXTRACT_EXPIRY_HOURS), when the file is deleted and this record
    of it kept."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    cohort = models.CharField("Cohort", max_length=20, choices=ResearchCohort.choices)
    filters = models.JSONField(default=dict, blank=True)
    reason = models.TextField("Why the extract is needed")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    patients = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True,
                              help_text="The uniqueness (motivated-intruder) report.")
    content = models.TextField(blank=True, help_text="The extract as CSV (extracts made "
                                                     "before the worker built them).")
    status = models.CharField(max_length=10, choices=SnapshotStatus.choices,
                              default=SnapshotStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="research-extracts/", blank=True,
                            help_text="The extract as CSV, built by the task worker.")
    fhir_file = models.FileField(upload_to="research-extracts/", blank=True,
                                 help_text="The extract's patients as FHIR resources "
                                           "(NDJSON), built with the CSV.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Research extract {self.pk} ({self.created_at:%Y-%m-%d})"

    @property
    def percent(self) -> int:
        """How far the worker has got: it reads the cohort twice (counting, then writing)."""
        if self.status == SnapshotStatus.DONE:
            return 100
        return round(100 * self.rows_done / max(self.rows_total, 1))

    @property
    def finished(self) -> bool:
        return self.status in (SnapshotStatus.DONE, SnapshotStatus.FAILED)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return (self.status == SnapshotStatus.DONE and not self.expired
                and bool(self.file or self.content))


class ToxinClinicSummary(models.Model):
    """The toxin clinic page as the task worker last computed it for one unit and one choice
    of filters (site, year; `key` "site:year" with "-" for none), so that the page reads one
    row whatever the number of cycles (ADR 0020, addendum on summaries). `data` is the
    measures (`toxin_summaries.clinic_as_json`), with no patient in it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    data = models.JSONField()
    computed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"],
                                               name="toxin_clinic_summary_one_per_key")]

    def __str__(self):
        return f"toxin clinic summary {self.key} at {self.computed_at:%Y-%m-%d %H:%M}"

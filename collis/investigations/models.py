"""Investigations: tests, imaging, EMG and swallow studies, with their attached reports.

The diagnostic work-up (blood and urine tests, MRI/CT brain, cervical-spine CT, EMG) is in
the clinical reference §1; the work-up before selective denervation (EMG mapping of active
muscles, videofluoroscopic swallow, CT of the cervical spine) in §6 [28].
"""

from django.conf import settings
from django.db import models
from django.db.models import Prefetch

from collis.core.models import CorrectableQuerySet, CorrectableRecord
from collis.domain.muscles import Muscle, MuscleSide, muscle_info
from collis.patients.models import Patient


class InvestigationKind(models.TextChoices):
    BLOOD_TESTS = "blood_tests", "Blood tests"
    URINE_TESTS = "urine_tests", "Urine tests"
    MRI_BRAIN = "mri_brain", "MRI brain"
    CT_BRAIN = "ct_brain", "CT brain"
    CT_CERVICAL_SPINE = "ct_cervical_spine", "CT cervical spine"
    EMG = "emg", "Electromyography (EMG)"
    VIDEOFLUOROSCOPY = "videofluoroscopy", "Videofluoroscopic swallow study"
    GENETIC_TEST = "genetic_test", "Genetic test"


# The work-up before selective denervation, in the reference's order (§6 [28]).
SD_WORK_UP = (InvestigationKind.EMG, InvestigationKind.VIDEOFLUOROSCOPY,
              InvestigationKind.CT_CERVICAL_SPINE)
SD_WORK_UP_SOURCE = 28


class ResultStatus(models.TextChoices):
    """Normal and abnormal share the domain's StudyResult values."""

    PENDING = "pending", "Result pending"
    NORMAL = "normal", "Normal"
    ABNORMAL = "abnormal", "Abnormal"


def muscle_label(muscle: str) -> str:
    """'splenius_capitis' -> 'Splenius capitis', from the domain's muscle catalogue."""
    return muscle_info(muscle).name.capitalize()


MUSCLE_CHOICES = [(m.value, muscle_label(m)) for m in Muscle]
SIDE_CHOICES = [(s.value, s.value.capitalize()) for s in MuscleSide]


class InvestigationQuerySet(CorrectableQuerySet):
    def for_patient(self, patient):
        return self.filter(patient=patient)

    def with_result(self):
        return self.exclude(status=ResultStatus.PENDING)

    def newest_first(self):
        return self.order_by("-performed_on", "-created_at", "-id")

    def with_details(self):
        """Muscles and files in two more queries, whatever the number of investigations."""
        return self.select_related(
            "created_by", "updated_by", "status_changed_by").prefetch_related(
            "active_muscles",
            Prefetch("files", queryset=InvestigationFile.objects.select_related("uploaded_by")))


class Investigation(CorrectableRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="investigations")
    kind = models.CharField("Investigation", max_length=30, choices=InvestigationKind.choices)
    requested_on = models.DateField("Date requested", null=True, blank=True)
    performed_on = models.DateField("Date of the investigation")
    result_on = models.DateField("Date of the result", null=True, blank=True)
    status = models.CharField("Result", max_length=10, choices=ResultStatus.choices,
                              default=ResultStatus.PENDING)
    report = models.TextField("Report", blank=True)
    gene_panel = models.CharField("Gene or panel tested", max_length=200, blank=True)
    requested_by = models.CharField("Requested by", max_length=120, blank=True)
    # The version's number in its chain of corrections (1 for the first entry).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Who last changed the entry in place, before corrections kept every version (ADR
    # 0009); kept for those older entries, never written now.
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvestigationQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "kind", "performed_on"],
                                name="investigation_patient_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=InvestigationKind.values),
                name="investigation_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=ResultStatus.values),
                name="investigation_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.performed_on:%d/%m/%Y}"

    @property
    def has_result(self) -> bool:
        return self.status != ResultStatus.PENDING


class EmgActiveMuscle(models.Model):
    """A muscle found active on an EMG, with its side: feeds the candidacy assessment."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE,
                                      related_name="active_muscles")
    muscle = models.CharField("Muscle", max_length=40, choices=MUSCLE_CHOICES)
    side = models.CharField("Side", max_length=10, choices=SIDE_CHOICES)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["investigation", "muscle"],
                                    name="emg_muscle_once_per_investigation"),
        ]

    def __str__(self):
        return f"{muscle_label(self.muscle)} ({self.side})"


class FileType(models.TextChoices):
    """The only kinds of file accepted, told apart by their first bytes."""

    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG image"
    JPEG = "image/jpeg", "JPEG image"


class InvestigationFile(models.Model):
    """A report or image attached to an investigation. The bytes live under MEDIA_ROOT,
    which no URL serves, under a random name; only the download view reads them."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="files")
    original_name = models.CharField("File name", max_length=255)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(max_length=40, choices=FileType.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

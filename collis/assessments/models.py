"""Diagnosis and classification, neck examinations and rating scales of a patient.

The vocabularies are the domain's enums (collis.domain); the apps store the domain's
results (age-at-onset band, derived distribution, TWSTRS scores) and never recompute them.
"""

from django.conf import settings
from django.db import models

from collis.core.models import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    ClinicalRecord,
    CorrectableQuerySet,
    CorrectableRecord,
)
from collis.domain.case_facts import Tremor as DomainTremor
from collis.domain.classification import (
    AcquiredCause,
    Aetiology,
    AgeAtOnset,
    AssociatedFeatures,
    Course,
    Distribution,
    IdiopathicForm,
    Inheritance,
    NervousSystemPathology,
    Region,
    Variability,
)
from collis.domain.muscles import Muscle
from collis.domain.phenotype import Pattern, Side
from collis.patients.models import Patient


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def choices_of(enum, labels: dict | None = None) -> list[tuple[str, str]]:
    """Model choices from a domain StrEnum: the stored value is the domain's."""
    labels = labels or {}
    return [(member.value, labels.get(member.value, _label(member.value))) for member in enum]


AGE_AT_ONSET_LABELS = {
    "infancy": "Infancy (0 to 2 years)", "childhood": "Childhood (3 to 12 years)",
    "adolescence": "Adolescence (13 to 20 years)",
    "early_adulthood": "Early adulthood (21 to 40 years)",
    "late_adulthood": "Late adulthood (over 40 years)",
}
DISTRIBUTION_LABELS = {
    "focal": "Focal (one region)", "segmental": "Segmental (two or more contiguous regions)",
    "multifocal": "Multifocal (two or more non-contiguous regions)",
    "hemidystonia": "Hemidystonia (one side of the body)",
    "generalised": "Generalised (trunk plus at least two other sites)",
}
REGION_LABELS = {"larynx": "Larynx", "upper_limb": "Upper limb", "lower_limb": "Lower limb",
                 "cranial": "Cranial", "neck": "Neck", "trunk": "Trunk"}
ASSOCIATED_LABELS = {
    "isolated": "Isolated (tremor allowed)",
    "combined": "Combined with another movement disorder",
}
INHERITANCE_LABELS = {"autosomal_dominant": "Autosomal dominant",
                      "autosomal_recessive": "Autosomal recessive",
                      "x_linked_recessive": "X-linked recessive",
                      "mitochondrial": "Mitochondrial"}
ACQUIRED_LABELS = {"drug_toxic": "Drug or toxic", "brain_injury": "Brain injury"}
PATTERN_LABELS = {"lateral_shift": "Lateral shift",
                  "sagittal_shift_forward": "Sagittal shift (forward)",
                  "sagittal_shift_backward": "Sagittal shift (backward)",
                  "shoulder_elevation": "Shoulder elevation"}
MUSCLE_LABELS = {m.value: m.value.replace("_", " ").capitalize() for m in Muscle}

# The subtype of each aetiology: (form field, its enum, its labels) [1].
AETIOLOGY_SUBTYPES = {
    Aetiology.INHERITED: ("inheritance", Inheritance, INHERITANCE_LABELS),
    Aetiology.ACQUIRED: ("acquired_cause", AcquiredCause, ACQUIRED_LABELS),
    Aetiology.IDIOPATHIC: ("idiopathic_form", IdiopathicForm, {}),
}
SUBTYPE_LABELS = {value: label for _, enum, labels in AETIOLOGY_SUBTYPES.values()
                  for value, label in choices_of(enum, labels)}


class DiagnosisVersionQuerySet(AppendOnlyQuerySet):
    def for_patient(self, patient):
        return self.filter(patient=patient).select_related("created_by").order_by("-version")


class DiagnosisVersion(AppendOnlyModel, ClinicalRecord):
    """One version of a patient's diagnosis and classification (Albanese 2013 [1]).

    Append-only: each change adds a version; earlier versions are kept unchanged."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="diagnosis_versions")
    version = models.PositiveIntegerField()
    # Axis I
    onset_age = models.PositiveSmallIntegerField("Age at onset (years)", null=True, blank=True)
    age_at_onset = models.CharField(
        "Age at onset band", max_length=20, blank=True,
        choices=choices_of(AgeAtOnset, AGE_AT_ONSET_LABELS),
        help_text="From the domain's age_at_onset_band [1].")
    regions = models.JSONField("Body regions involved", default=list, blank=True)
    one_side_of_body = models.BooleanField("All regions are on one side of the body",
                                           default=False)
    derived_distribution = models.CharField(
        max_length=20, blank=True, choices=choices_of(Distribution, DISTRIBUTION_LABELS),
        help_text="Derived by the domain from the regions [1].")
    derived_distribution_reason = models.CharField(max_length=300, blank=True)
    distribution = models.CharField(
        "Body distribution", max_length=20, blank=True,
        choices=choices_of(Distribution, DISTRIBUTION_LABELS),
        help_text="As confirmed by the clinician.")
    course = models.CharField("Course", max_length=20, blank=True, choices=choices_of(Course))
    variability = models.CharField("Variability", max_length=20, blank=True,
                                   choices=choices_of(Variability))
    associated_features = models.CharField(
        "Associated features", max_length=20, blank=True,
        choices=choices_of(AssociatedFeatures, ASSOCIATED_LABELS))
    other_movement_disorder = models.CharField("Other movement disorder", max_length=200,
                                               blank=True)
    # Axis II
    nervous_system_pathology = models.CharField(
        "Nervous-system pathology", max_length=20, blank=True,
        choices=choices_of(NervousSystemPathology, {"none": "None"}))
    aetiology = models.CharField("Aetiology", max_length=20, blank=True,
                                 choices=choices_of(Aetiology))
    aetiology_subtype = models.CharField("Aetiology subtype", max_length=30, blank=True,
                                         choices=list(SUBTYPE_LABELS.items()))
    family_history = models.JSONField(
        "Relatives affected", default=list, blank=True,
        help_text='A list of {"relationship": ..., "condition": ...}.')
    family_history_notes = models.TextField("Family history notes", blank=True)
    notes = models.TextField("Notes", blank=True)
    changes = models.JSONField(default=dict, blank=True,
                               help_text="What changed from the previous version.")

    objects = DiagnosisVersionQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [models.UniqueConstraint(fields=["patient", "version"],
                                               name="diagnosis_version_unique")]

    def __str__(self):
        return f"Diagnosis v{self.version} of {self.patient_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A diagnosis version is never changed: record a new one.")
        super().save(*args, **kwargs)


class Tremor(models.TextChoices):
    NONE = DomainTremor.NONE.value, "None"
    MILD = DomainTremor.MILD.value, "Mild"
    MODERATE = DomainTremor.MODERATE.value, "Moderate"
    SEVERE = DomainTremor.SEVERE.value, "Severe"


class SensoryTrick(models.TextChoices):
    NOT_EXAMINED = "not_examined", "Not examined"
    ABSENT = "absent", "Absent"
    PRESENT = "present", "Present"


class SensoryTrickEffect(models.TextChoices):
    # Descriptive words only: how much the trick relieved the posture when tried.
    COMPLETE = "complete", "Complete relief"
    PARTIAL = "partial", "Partial relief"
    LITTLE = "little", "Little or no relief"


class ExaminationQuerySet(CorrectableQuerySet):
    def for_patient(self, patient):
        return (self.filter(patient=patient).select_related("created_by")
                .prefetch_related("patterns", "muscles").order_by("-examined_on", "-id"))


class Examination(CorrectableRecord):
    """A neck examination: Col-Cap patterns [2][3], tremor, sensory trick, and the
    muscles the clinician confirmed as involved."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="examinations")
    examined_on = models.DateField("Date of examination")
    tremor = models.CharField("Tremor", max_length=10, choices=Tremor.choices)
    sensory_trick = models.CharField("Sensory trick", max_length=15,
                                     choices=SensoryTrick.choices)
    sensory_trick_effect = models.CharField("Effect of the sensory trick", max_length=10,
                                            blank=True, choices=SensoryTrickEffect.choices)
    sensory_trick_description = models.CharField("Sensory trick used", max_length=200,
                                                 blank=True)
    notes = models.TextField("Notes", blank=True)
    # The domain's results when the examination was recorded.
    dominant_pattern = models.CharField(max_length=30, blank=True,
                                        choices=choices_of(Pattern, PATTERN_LABELS))
    dominant_side = models.CharField(max_length=5, blank=True, choices=choices_of(Side))
    pattern_table_version = models.CharField(max_length=40, blank=True)
    muscles_confirmed_at = models.DateTimeField(null=True, blank=True)
    muscles_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")

    objects = ExaminationQuerySet.as_manager()

    class Meta:
        ordering = ["-examined_on", "-id"]
        indexes = [models.Index(fields=["patient", "-examined_on"], name="exam_patient_date")]

    def __str__(self):
        return f"Examination of {self.patient_id} on {self.examined_on}"


class ExaminationPattern(models.Model):
    """One Col-Cap pattern seen at an examination, in the order the patterns are listed."""

    examination = models.ForeignKey(Examination, on_delete=models.CASCADE,
                                    related_name="patterns")
    position = models.PositiveSmallIntegerField()
    pattern = models.CharField(max_length=30, choices=choices_of(Pattern, PATTERN_LABELS))
    side = models.CharField(max_length=5, blank=True, choices=choices_of(Side))
    severity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["examination", "position"]
        constraints = [
            models.UniqueConstraint(fields=["examination", "pattern"],
                                    name="exam_pattern_once"),
            models.CheckConstraint(name="exam_pattern_severity_0_4",
                                   condition=models.Q(severity__lte=4)),
        ]

    def __str__(self):
        return f"{self.pattern} {self.side} {self.severity}"


class ExaminationMuscle(models.Model):
    """A muscle on one side that the clinician confirmed as involved (to be checked with
    EMG); `suggested` says whether the pattern table suggested it."""

    examination = models.ForeignKey(Examination, on_delete=models.CASCADE,
                                    related_name="muscles")
    muscle = models.CharField(max_length=40, choices=choices_of(Muscle, MUSCLE_LABELS))
    side = models.CharField(max_length=5, choices=choices_of(Side))
    suggested = models.BooleanField(default=False)

    class Meta:
        ordering = ["examination", "muscle", "side"]
        constraints = [models.UniqueConstraint(fields=["examination", "muscle", "side"],
                                               name="exam_muscle_once")]

    def __str__(self):
        return f"{self.muscle} ({self.side})"


class Scale(models.TextChoices):
    TWSTRS = "twstrs", "TWSTRS"
    TSUI = "tsui", "Tsui scale"


class EntryMode(models.TextChoices):
    ITEMS = "items", "Item by item"
    SUBSCORES = "subscores", "Subscores only"


class ScaleAssessmentQuerySet(CorrectableQuerySet):
    def for_patient(self, patient):
        return (self.filter(patient=patient).select_related("created_by")
                .order_by("assessed_on", "id"))


class ScaleAssessment(CorrectableRecord):
    """A rating-scale assessment: the raw items as entered and the scores the domain gave."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="scale_assessments")
    scale = models.CharField(max_length=10, choices=Scale.choices)
    scale_version = models.CharField(max_length=60)
    assessed_on = models.DateField("Date of assessment")
    entry_mode = models.CharField(max_length=10, choices=EntryMode.choices)
    items = models.JSONField(default=dict, blank=True)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    disability = models.PositiveSmallIntegerField(null=True, blank=True)
    pain = models.FloatField(null=True, blank=True)
    total = models.FloatField(null=True, blank=True)
    notes = models.TextField("Notes", blank=True)

    objects = ScaleAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessed_on", "id"]
        indexes = [models.Index(fields=["patient", "scale", "assessed_on"],
                                name="scale_patient_date")]

    def __str__(self):
        return f"{self.get_scale_display()} of {self.patient_id} on {self.assessed_on}"


REGION_CHOICES = choices_of(Region, REGION_LABELS)


def twstrs_item_label(item) -> str:
    """How a TWSTRS item is named on screen and in messages ("Rotation", "Work")."""
    label = item.label or item.name.replace("_", " ")
    return label.removeprefix("Maximal excursion: ").capitalize() \
        if label.startswith("Maximal excursion") else label


TSUI_LABELS = {"rotation": "Rotation", "tilt": "Tilt", "antero_retrocollis":
               "Anterocollis or retrocollis", "shoulder_elevation": "Shoulder elevation",
               "tremor": "Tremor", "continuity": "Continuous or intermittent movements",
               "total": "Total Tsui score"}
TWSTRS_SUBSCORE_LABELS = {"severity": "Severity subscore", "disability": "Disability subscore",
                          "pain": "Pain subscore"}

"""Treatments: botulinum toxin cycles and their reviews, resistance tests, oral medication
and therapy sessions. Vocabularies reuse the domain's enums (collis/domain/toxin.py,
collis/domain/muscles.py); units are stored per product and never converted [18].

Every entry is correctable (ADR 0009): an amendment is a new row that supersedes the old
one (an amended cycle is a new cycle with its own injections), a mistaken entry is marked
entered in error; summaries read `.current()`."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from collis.core.models import CorrectableQuerySet, CorrectableRecord
from collis.core.prepared import related_rows
from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.toxin import Product, ResistanceResult, ResistanceTestKind
from collis.patients.models import Patient
from collis.sites.models import Site

# Per injection row. rimabotulinumtoxinB is dosed in thousands of units (2,500-5,000 U [16]),
# so the ceiling is wider than any type A product needs; the form says so in its message.
MAX_UNITS_PER_INJECTION = 5000
INJECTION_ROWS = 8

# Labels are the international non-proprietary names the reference uses (§5).
PRODUCT_LABELS = {p: p.value for p in Product}
PRODUCT_CHOICES = [(p.value, PRODUCT_LABELS[p]) for p in Product]
MUSCLE_CHOICES = [(m.value, m.value.replace("_", " ").capitalize()) for m in Muscle]
SIDE_CHOICES = [(s.value, s.value.capitalize()) for s in MuscleSide]
# get_muscle_display() builds the choices into a dict on every call; a label is read per
# injection on every toxin page.
_MUSCLE_LABELS = dict(MUSCLE_CHOICES)
RESISTANCE_TEST_CHOICES = [
    (ResistanceTestKind.FRONTALIS.value, "Frontalis test"),
    (ResistanceTestKind.EXTENSOR_DIGITORUM_BREVIS.value, "Extensor digitorum brevis test"),
    (ResistanceTestKind.ANTIBODY_ASSAY.value, "Neutralising antibody assay"),
]
RESISTANCE_RESULT_CHOICES = [
    (ResistanceResult.RESISTANT.value, "Resistant"),
    (ResistanceResult.NOT_RESISTANT.value, "Not resistant"),
    (ResistanceResult.INCONCLUSIVE.value, "Inconclusive"),
]


class Guidance(models.TextChoices):
    EMG = "emg", "Electromyography (EMG)"
    ULTRASOUND = "ultrasound", "Ultrasound"
    EMG_AND_ULTRASOUND = "emg_ultrasound", "EMG and ultrasound"
    LANDMARKS = "landmarks", "Anatomical landmarks"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class TherapyKind(models.TextChoices):
    PHYSIOTHERAPY = "physiotherapy", "Physiotherapy"
    SPEECH = "speech_therapy", "Speech and language therapy"
    OCCUPATIONAL = "occupational_therapy", "Occupational therapy"
    OTHER = "other", "Other therapy"


class DoseUnit(models.TextChoices):
    """The units a dose of an oral medicine is written in (a vocabulary, never free text)."""

    MG = "mg", "mg"
    MICROGRAMS = "micrograms", "micrograms"
    G = "g", "g"
    ML = "ml", "ml"
    UNITS = "units", "units"
    TABLETS = "tablets", "tablets"
    CAPSULES = "capsules", "capsules"
    DROPS = "drops", "drops"
    PUFFS = "puffs", "puffs"
    PATCHES = "patches", "patches"
    SACHETS = "sachets", "sachets"


class ToxinCycleQuerySet(CorrectableQuerySet):
    def with_details(self):
        """With injector, site, authors, injections and every version of the review (the
        current one is `cycle.review`), oldest first."""
        reviews = (ToxinReview.objects.select_related("created_by", "status_changed_by")
                   .order_by("created_at", "id"))
        return (self.select_related("injector", "site", "created_by", "status_changed_by")
                .prefetch_related("injections", models.Prefetch("reviews", queryset=reviews))
                .order_by("given_on", "id"))


class ToxinCycle(CorrectableRecord):
    """One botulinum toxin injection session: product, batch and the injections given."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="toxin_cycles")
    given_on = models.DateField("Date of the injections")
    product = models.CharField("Product", max_length=32, choices=PRODUCT_CHOICES)
    batch_number = models.CharField("Batch number", max_length=40)
    # Optional: entries made before Collis asked for it have none; a cycle recorded from a
    # clinic appointment always has it, and it is never before the injections.
    batch_expires_on = models.DateField("Batch expiry date", null=True, blank=True)
    guidance = models.CharField("Guidance", max_length=20, choices=Guidance.choices)
    injector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="Injector")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+",
                             verbose_name="Site")
    notes = models.TextField("Notes", blank=True)
    # The warnings the clinician saw and recorded the cycle despite (interval, units per
    # session or per muscle), each {"code", "detail", "sources"}, and why they went on.
    warnings_acknowledged = models.JSONField(default=list, blank=True, editable=False)
    warnings_reason = models.TextField("Reason for recording it anyway", blank=True)

    objects = ToxinCycleQuerySet.as_manager()

    class Meta:
        ordering = ["given_on", "id"]
        indexes = [models.Index(fields=["patient", "given_on"], name="toxin_cycle_patient")]

    def __str__(self):
        return f"{self.product} on {self.given_on}"

    @property
    def total_units(self) -> int:
        """Sum of this cycle's units, in this product's own units (never converted)."""
        return sum(i.units for i in related_rows(self, "injections"))

    @property
    def product_label(self) -> str:
        return PRODUCT_LABELS[Product(self.product)]

    @property
    def review(self) -> "ToxinReview | None":
        """The current review of the cycle; corrected and mistaken versions stay in
        `reviews` (read from the prefetch of `with_details` when there is one)."""
        return next((r for r in related_rows(self, "reviews") if r.is_current), None)

    @property
    def reviewed(self) -> bool:
        return self.review is not None


class ToxinInjection(models.Model):
    cycle = models.ForeignKey(ToxinCycle, on_delete=models.CASCADE, related_name="injections")
    position = models.PositiveSmallIntegerField(default=0)
    muscle = models.CharField("Muscle", max_length=40, choices=MUSCLE_CHOICES)
    side = models.CharField("Side", max_length=10, choices=SIDE_CHOICES)
    units = models.PositiveIntegerField(
        "Units", validators=[MinValueValidator(1), MaxValueValidator(MAX_UNITS_PER_INJECTION)])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "muscle", "side"],
                                    name="toxin_injection_one_row_per_muscle_side"),
            models.CheckConstraint(name="toxin_injection_units_positive",
                                   condition=models.Q(units__gte=1)),
        ]

    def __str__(self):
        return f"{self.muscle_label} ({self.side}): {self.units} U"

    @property
    def muscle_label(self) -> str:
        return _MUSCLE_LABELS.get(self.muscle, self.muscle).lower()


class ToxinReview(CorrectableRecord):
    """The follow-up review of a cycle: how much it helped, for how long, side effects. A
    cycle has one current review; its corrections and mistaken versions are kept."""

    cycle = models.ForeignKey(ToxinCycle, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField("Date of the review")
    peak_benefit_percent = models.PositiveSmallIntegerField(
        "Peak benefit (%)", validators=[MaxValueValidator(100)])
    benefit_weeks = models.PositiveSmallIntegerField(
        "Weeks of benefit", validators=[MaxValueValidator(52)])
    dysphagia = models.BooleanField("Difficulty swallowing (dysphagia)", default=False)
    neck_weakness = models.BooleanField("Neck weakness", default=False)
    other_side_effect = models.CharField("Other side effect", max_length=200, blank=True)
    side_effect_severity = models.CharField("Severity of side effects", max_length=10,
                                            choices=Severity.choices, blank=True)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(name="toxin_review_benefit_percent_range",
                                   condition=models.Q(peak_benefit_percent__lte=100)),
            # Two first reviews of one cycle at once: the second insert fails here, and the
            # service says who reviewed it (an amendment, which names what it supersedes,
            # is kept to one by `supersedes` itself).
            models.UniqueConstraint(
                fields=["cycle"], name="toxin_review_one_first_review_per_cycle",
                condition=models.Q(record_status="current", supersedes__isnull=True)),
        ]

    def __str__(self):
        return f"Review of {self.cycle}"

    @property
    def side_effects(self) -> list[str]:
        found = []
        if self.dysphagia:
            found.append("difficulty swallowing (dysphagia)")
        if self.neck_weakness:
            found.append("neck weakness")
        if self.other_side_effect:
            found.append(self.other_side_effect)
        return found


class ResistanceTest(CorrectableRecord):
    """A test for resistance to botulinum toxin and its result [20][21][22]."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="toxin_resistance_tests")
    tested_on = models.DateField("Date of the test")
    kind = models.CharField("Test", max_length=40, choices=RESISTANCE_TEST_CHOICES)
    result = models.CharField("Result", max_length=20, choices=RESISTANCE_RESULT_CHOICES)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["tested_on", "id"]

    def __str__(self):
        return f"{self.kind} on {self.tested_on}: {self.result}"


class StopReason(models.TextChoices):
    """Why botulinum toxin was stopped. The reference says about 20% of patients eventually
    stop, mostly because it stops working [19][20]; for a poor responder the British
    Neurotoxin Network pathway includes surgery or deep brain stimulation [20]. Primary
    non-response, side effects, the patient's choice and "another reason" complete the list
    (a local vocabulary, not a published one)."""

    STOPPED_WORKING = "stopped_working", "It stopped working (secondary non-response)"
    NEVER_WORKED = "never_worked", "It never worked well enough (primary non-response)"
    SIDE_EFFECTS = "side_effects", "Side effects"
    PATIENT_CHOICE = "patient_choice", "The patient chose to stop"
    SURGERY_OR_DBS = "surgery_or_dbs", "Went on to surgery or deep brain stimulation"
    OTHER = "other", "Another reason"


STOP_REASON_LABELS = dict(StopReason.choices)


class ToxinStop(CorrectableRecord):
    """The decision to stop botulinum toxin: when, who decided, and why (a reason from a
    fixed list, with words when it is "another reason"). A cycle given after the stop date
    means toxin was restarted: the stop stays as it was recorded (it was true then) and is
    read as "restarted" (`collis.treatments.selectors.toxin_stops_of`)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="toxin_stops")
    stopped_on = models.DateField("Date toxin was stopped")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="Clinician responsible")
    reason = models.CharField("Reason for stopping", max_length=20, choices=StopReason.choices)
    reason_other = models.CharField("The other reason", max_length=200, blank=True)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["stopped_on", "id"]
        indexes = [models.Index(fields=["patient", "stopped_on"], name="toxin_stop_patient")]
        constraints = [
            models.CheckConstraint(
                name="toxin_stop_other_reason_has_words",
                condition=~models.Q(reason="other") | ~models.Q(reason_other="")),
        ]

    def __str__(self):
        return f"toxin stopped on {self.stopped_on}: {self.reason}"

    @property
    def reason_label(self) -> str:
        label = STOP_REASON_LABELS.get(self.reason, self.reason)
        return f"{label}: {self.reason_other}" if self.reason_other else label


class Medication(CorrectableRecord):
    """An oral medicine taken for dystonia, from its start to (perhaps) its stop."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    drug_name = models.CharField("Medicine", max_length=120)
    dose_amount = models.CharField("Dose", max_length=20)
    dose_unit = models.CharField("Unit", max_length=20, choices=DoseUnit.choices)
    frequency = models.CharField("How often", max_length=80)
    started_on = models.DateField("Start date")
    effect = models.TextField("Effect", blank=True)
    side_effects = models.TextField("Side effects", blank=True)
    stopped_on = models.DateField("Stop date", null=True, blank=True)
    stop_reason = models.CharField("Reason for stopping", max_length=300, blank=True)
    stopped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="medication_stops_after_it_starts",
                condition=models.Q(stopped_on__isnull=True)
                | models.Q(stopped_on__gte=models.F("started_on"))),
        ]

    def __str__(self):
        return f"{self.drug_name} {self.dose}"

    @property
    def dose(self) -> str:
        return f"{self.dose_amount} {self.dose_unit} {self.frequency}".strip()

    @property
    def is_ongoing(self) -> bool:
        """Still taken (not stopped). Whether the entry is the current version of itself is
        `is_current`, as for every correctable record."""
        return self.stopped_on is None


class TherapySession(CorrectableRecord):
    """A physiotherapy, speech, occupational or other therapy session."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="therapy_sessions")
    kind = models.CharField("Kind of therapy", max_length=24, choices=TherapyKind.choices)
    session_on = models.DateField("Date of the session")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="Therapist")
    duration_minutes = models.PositiveSmallIntegerField(
        "Duration (minutes)", validators=[MinValueValidator(1), MaxValueValidator(480)])
    goals = models.TextField("Goals", blank=True)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["session_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.session_on}"


class ToxinLastCycle(models.Model):
    """The date of each patient's last valid toxin cycle (current, not entered in error):
    a copy kept for the toxin recall list (ADR 0017), so that a page of the list is a range
    of an index whatever the size of the unit. The toxin services are its only writers
    (`collis.treatments.services.toxin_last_cycle_refresh`), after every cycle recorded,
    amended or marked entered in error; a patient with no valid cycle has no row."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True,
                                   related_name="+")
    last_given_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["last_given_on", "patient"],
                                name="toxin_last_cycle_date")]

    def __str__(self):
        return f"last toxin cycle on {self.last_given_on}"

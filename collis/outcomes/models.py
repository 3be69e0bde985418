"""After selective denervation: the operation note, the post-operative physiotherapy
programme, follow-up reviews, complications and further surgery of an episode.

Vocabularies are the domain's (muscles, sides, SD risk codes from collis.domain.risks);
scores are the assessments app's ScaleAssessment records, never recomputed here. Every
entry but the programme is correctable (ADR 0009): a correction is a new row that
supersedes the old, so "one per episode" (one note, one session of each number, one review
at each point) holds for the current rows only. The services keep it, each under the
episode's row lock; the database cannot, because a correction briefly has two current rows
inside its transaction and PostgreSQL cannot defer a partial unique index. What the
database does keep is that each row is superseded at most once (`supersedes` is one to
one)."""

from django.conf import settings
from django.db import models

from collis.core.models import ClinicalRecord, CorrectableRecord
from collis.domain.muscles import MUSCLES, Muscle, MuscleSide
from collis.domain.risks import Intervention, risks_for
from collis.patients.models import Patient
from collis.sites.models import Site
from collis.surgery.models import Episode

MUSCLE_CHOICES = [(m.value, m.value.replace("_", " ").capitalize()) for m in Muscle
                  if MUSCLES[m].reach.reachable]
SIDE_CHOICES = [(s.value, s.value.capitalize()) for s in MuscleSide]
SD_RISK_CHOICES = [(r.code, r.name) for r in risks_for(Intervention.SELECTIVE_DENERVATION)]


class Anaesthetic(models.TextChoices):
    # SD is done under general anaesthetic (reference §1); "other" keeps an honest record.
    GENERAL = "general", "General anaesthetic"
    OTHER = "other", "Other (say which in the notes)"


class Operation(CorrectableRecord):
    """The operation note of an episode: one current note per episode, pre-filled from the
    plan of the consent it was done under (`consent`)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="operations")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="operations")
    # The consent the operation was done under, whose planned denervation the nerves
    # divided are compared with.
    consent = models.ForeignKey("consent.Consent", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    operated_on = models.DateField("Date of the operation")
    started_at = models.TimeField(
        "Time the operation started", null=True, blank=True,
        help_text="A TWSTRS recorded earlier that day counts as the pre-operative baseline.")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+",
                             verbose_name="Site")
    surgeon = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name="Surgeon")
    anaesthetic = models.CharField("Anaesthetic", max_length=10, choices=Anaesthetic.choices)
    anaesthetist = models.CharField("Anaesthetist", max_length=120)
    myectomy = models.BooleanField("Myectomy", default=False)
    myectomy_muscles = models.JSONField("Muscles with myectomy", default=list, blank=True)
    findings = models.TextField("Findings", blank=True)
    complication_codes = models.JSONField("Intra-operative complications", default=list,
                                          blank=True)
    complication_notes = models.TextField("Other intra-operative complications", blank=True)
    outside_plan_reason = models.TextField(
        "Reason for dividing nerves outside the consented plan", blank=True)
    # The local-policy version of its follow-up schedule, review points and windows
    # (collis.policy); empty: made before policy versions.
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-operated_on", "-id"]

    def __str__(self):
        return f"Operation of {self.patient_id} on {self.operated_on}"


class NerveDivision(models.Model):
    """One nerve divided: the muscle it supplies, the side and the nerve or level."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="divisions")
    position = models.PositiveSmallIntegerField()
    muscle = models.CharField("Muscle", max_length=40, choices=MUSCLE_CHOICES)
    side = models.CharField("Side", max_length=10, choices=SIDE_CHOICES)
    nerve = models.CharField("Nerve and level", max_length=200)
    # Not in the planned denervation of the consent: the note gives the reason.
    outside_plan = models.BooleanField("Outside the consented plan", default=False)

    class Meta:
        ordering = ["operation", "position"]
        constraints = [models.UniqueConstraint(fields=["operation", "muscle", "side"],
                                               name="nerve_division_once")]

    def __str__(self):
        return f"{self.muscle} ({self.side}): {self.nerve}"


class PhysioProgramme(ClinicalRecord):
    """The post-operative physiotherapy programme of an episode (length decided locally)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="physio_programmes")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT,
                                   related_name="physio_programme")
    starts_on = models.DateField("Date of the first session")
    session_count = models.PositiveSmallIntegerField("Number of sessions")
    interval_days = models.PositiveSmallIntegerField("Days between sessions")
    goals = models.TextField("Goals and exercises planned", blank=True)

    def __str__(self):
        return f"Physiotherapy programme of episode {self.episode_id}"


class Attendance(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class PhysioSession(CorrectableRecord):
    programme = models.ForeignKey(PhysioProgramme, on_delete=models.CASCADE,
                                  related_name="sessions")
    number = models.PositiveSmallIntegerField()
    scheduled_on = models.DateField("Scheduled date")
    attendance = models.CharField("Attendance", max_length=15, choices=Attendance.choices,
                                  default=Attendance.SCHEDULED)
    held_on = models.DateField("Date of the session", null=True, blank=True)
    exercises = models.TextField("Exercises", blank=True)
    notes = models.TextField("Notes", blank=True)
    # Who recorded the attendance and when (the session row is made when it is scheduled).
    attendance_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                               blank=True, on_delete=models.PROTECT,
                                               related_name="+")
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "number", "id"]

    def __str__(self):
        return f"Session {self.number} ({self.attendance})"


class FollowUpReview(CorrectableRecord):
    """A follow-up review at a scheduled point (months after the operation), with the
    TWSTRS and/or Tsui recorded through the assessments app."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="follow_up_reviews")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT,
                                related_name="follow_up_reviews")
    months_after = models.PositiveSmallIntegerField("Months after the operation")
    due_on = models.DateField("Due")
    reviewed_on = models.DateField("Date of the review")
    twstrs = models.ForeignKey("assessments.ScaleAssessment", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    tsui = models.ForeignKey("assessments.ScaleAssessment", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    notes = models.TextField("Notes", blank=True)
    # The local-policy version whose schedule and window it was checked against
    # (collis.policy); empty: made before policy versions.
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["episode", "months_after", "id"]

    def __str__(self):
        return f"{self.months_after}-month review of episode {self.episode_id}"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class ComplicationStatus(models.TextChoices):
    ONGOING = "ongoing", "Ongoing"
    RESOLVED = "resolved", "Resolved"
    PERMANENT = "permanent", "Permanent"


class Complication(CorrectableRecord):
    """A complication after SD, coded from the domain's SD risk catalogue."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="sd_complications")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="complications")
    risk_code = models.CharField("Complication", max_length=40, choices=SD_RISK_CHOICES)
    onset_on = models.DateField("Date of onset")
    severity = models.CharField("Severity", max_length=10, choices=Severity.choices)
    status = models.CharField("Status", max_length=10, choices=ComplicationStatus.choices)
    resolved_on = models.DateField("Date resolved", null=True, blank=True)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["onset_on", "id"]

    def __str__(self):
        return f"{self.risk_code} from {self.onset_on}"


class FurtherSurgeryKind(models.TextChoices):
    REOPERATION = "reoperation", "Reoperation (further denervation)"
    CONVERSION_TO_DBS = "conversion_to_dbs", "Conversion to GPi deep brain stimulation"


class FurtherSurgery(CorrectableRecord):
    """A reoperation or a conversion to DBS after SD, with its date and reason."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="further_surgeries")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT,
                                related_name="further_surgeries")
    kind = models.CharField("Kind", max_length=20, choices=FurtherSurgeryKind.choices)
    performed_on = models.DateField("Date")
    reason = models.TextField("Reason")

    class Meta:
        ordering = ["performed_on", "id"]

    def __str__(self):
        return f"{self.kind} on {self.performed_on}"

"""MDT meetings, their agendas of episodes, the decisions taken (append-only, with the
engine's recommendation as it was) and funding requests for selective denervation."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.models import AppendOnlyModel, AppendOnlyQuerySet, ClinicalRecord
from collis.domain import funding
from collis.domain.muscles import Muscle, MuscleSide
from collis.patients.models import Patient
from collis.sites.models import Site
from collis.surgery.models import Episode

MUSCLE_CHOICES = [(m.value, m.value.replace("_", " ").capitalize()) for m in Muscle]
SIDE_CHOICES = [(s.value, s.value.capitalize()) for s in MuscleSide]
MUSCLE_LABELS = dict(MUSCLE_CHOICES)
SIDE_LABELS = dict(SIDE_CHOICES)

# The OPCS-4 codes of selective peripheral denervation for cervical dystonia, from NICE
# IPG80 (reference §8, source [24]).
SD_OPCS_CODES = ("A60.6", "Z92.3")
SD_OPCS_SOURCES = (24,)


class Decision(models.TextChoices):
    SD = "sd", "Selective denervation"
    SD_MYECTOMY = "sd_myectomy", "Selective denervation with myectomy"
    GPI_DBS = "gpi_dbs", "Deep brain stimulation (GPi-DBS)"
    CONTINUE_TOXIN = "continue_toxin", "Continue botulinum toxin"
    REVIEW_TOXIN = "review_toxin", "Review botulinum toxin treatment"
    OTHER = "other", "Other"


SURGICAL_DECISIONS = frozenset({Decision.SD, Decision.SD_MYECTOMY})


class MdtMeeting(ClinicalRecord):
    held_on = models.DateField("Date of the meeting")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="mdt_meetings",
                             verbose_name="Site")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="mdt_meetings",
                                       verbose_name="Attendees")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"MDT meeting {self.held_on:%d %b %Y} at {self.site}"


class MdtAgendaItem(ClinicalRecord):
    meeting = models.ForeignKey(MdtMeeting, on_delete=models.PROTECT, related_name="items")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT,
                                related_name="mdt_agenda_items")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "episode"],
                                               name="mdt_agenda_episode_once")]

    def __str__(self):
        return f"Episode {self.episode_id} at {self.meeting}"


class MdtDecisionQuerySet(AppendOnlyQuerySet):
    def current(self):
        """Decisions that no later decision corrects."""
        return self.filter(corrected_by__isnull=True)


class MdtDecision(AppendOnlyModel, ClinicalRecord):
    """What the MDT decided for an episode, on what evidence. Never changed: a correction
    is a new decision that names the one it corrects."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="mdt_decisions")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="mdt_decisions")
    agenda_item = models.ForeignKey(MdtAgendaItem, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="decisions")
    # The stored candidacy assessment discussed, and its output as it was (kept here too
    # so that the decision reads the same whatever happens to the record later).
    assessment = models.ForeignKey(CandidacyAssessmentRecord, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="mdt_decisions")
    engine_ruleset = models.CharField(max_length=60, blank=True)
    engine_recommendation = models.CharField(max_length=40, blank=True)
    # True, False, or None when there was no assessment to agree or disagree with.
    agrees_with_engine = models.BooleanField(null=True, blank=True)
    decision = models.CharField("Decision", max_length=20, choices=Decision.choices)
    discussion = models.TextField("Discussion")
    departure_reason = models.TextField("Reason for departing from the recommendation",
                                        blank=True)
    corrects = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="corrected_by")
    correction_reason = models.TextField(blank=True)

    objects = MdtDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="mdt_decision_patient")]

    def __str__(self):
        return f"{self.get_decision_display()} ({self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("An MDT decision is never changed: record a correction.")
        super().save(*args, **kwargs)

    @property
    def is_surgical(self) -> bool:
        return self.decision in SURGICAL_DECISIONS


class PlannedDenervation(models.Model):
    decision = models.ForeignKey(MdtDecision, on_delete=models.PROTECT, related_name="planned")
    muscle = models.CharField("Muscle", max_length=40, choices=MUSCLE_CHOICES)
    side = models.CharField("Side", max_length=10, choices=SIDE_CHOICES)
    target = models.CharField("Nerve target", max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_muscle_display()} ({self.side}): {self.target}"


class MdtAction(models.Model):
    decision = models.ForeignKey(MdtDecision, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField("Action", max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="mdt_actions", verbose_name="Owner")
    due_on = models.DateField("Due date")

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.description


class FundingRoute(models.TextChoices):
    # The commissioning route varies by region (reference §8, UNSOURCED): modelled
    # generically as one of the two NHS routes.
    PRIOR_APPROVAL = "prior_approval", "Prior approval"
    INDIVIDUAL_FUNDING_REQUEST = "individual_funding_request", "Individual funding request"


# The statuses and their labels are the funding table's (collis/domain/funding.py), here as
# Django choices.
FundingStatus = models.TextChoices("FundingStatus", [
    (status.name, (status.value, funding.FUNDING_STATUS_LABELS[status]))
    for status in funding.FundingStatus])


class FundingRequest(ClinicalRecord):
    """A request to fund selective denervation, generated from the record: the criteria met
    with their evidence are kept as they were when the request was drawn up."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="funding_requests")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT,
                                related_name="funding_requests")
    decision = models.ForeignKey(MdtDecision, on_delete=models.PROTECT,
                                 related_name="funding_requests")
    route = models.CharField("Route", max_length=30, choices=FundingRoute.choices)
    commissioner = models.CharField("Commissioner", max_length=160)
    evidence = models.JSONField(default=list, help_text="Criteria met, each with its sources.")
    procedure_codes = models.JSONField(default=list)
    status = models.CharField("Status", max_length=12, choices=FundingStatus.choices,
                              default=FundingStatus.DRAFT)
    reference = models.CharField("Reference number", max_length=60, blank=True)
    submitted_on = models.DateField("Date submitted", null=True, blank=True)
    decided_on = models.DateField("Date of the decision", null=True, blank=True)
    expires_on = models.DateField("Approval expires", null=True, blank=True)
    decline_reason = models.TextField("Reason funding was declined", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_route_display()} {self.reference or '(no reference)'}"


class FundingStatusChange(AppendOnlyModel):
    """One change of a funding request's status: who, when, what. Rows are only added."""

    request = models.ForeignKey(FundingRequest, on_delete=models.PROTECT,
                                related_name="changes")
    status = models.CharField(max_length=12, choices=FundingStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M}"

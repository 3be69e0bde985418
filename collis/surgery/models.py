"""Episodes of the selective denervation pathway: one per referral, with the referral,
triage and waiting-list details, and an append-only history of status rows."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel
from collis.domain.pathway import STATE_LABELS, TERMINAL, Event, State
from collis.patients.models import Patient
from collis.sites.models import Site

STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]
EVENT_CHOICES = [(e.value, e.value.replace("_", " ")) for e in Event]


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon"
    URGENT = "urgent", "Urgent"


class EpisodeQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state__in=[str(state) for state in TERMINAL])

    def visible_to(self, user):
        """Episodes of the patients `user` may read (Patient.objects.visible_to)."""
        return self.filter(patient__in=Patient.objects.visible_to(user))

    def in_state(self, *states):
        return self.filter(state__in=[str(s) for s in states])


class Episode(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    # The current state: always the state of the newest status row, written in the same
    # transaction under a row lock (see services.episode_transition).
    state = models.CharField(max_length=40, choices=STATE_CHOICES,
                             default=State.REFERRAL_RECEIVED)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    # Referral
    referrer_name = models.CharField("Referring consultant", max_length=120)
    referrer_gmc_number = models.CharField("GMC number", max_length=7)
    referrer_organisation = models.CharField("Organisation", max_length=160)
    referral_reason = models.TextField("Reason for referral")
    urgency = models.CharField("Urgency", max_length=10, choices=Urgency.choices,
                               default=Urgency.ROUTINE)
    referral_received_on = models.DateField("Date the referral was received")
    referral_letter = models.FileField("Referral letter", upload_to="referrals/", blank=True)
    # Waiting list
    listed_on = models.DateField("Date listed", null=True, blank=True)
    priority = models.CharField("Priority", max_length=10, choices=Priority.choices,
                                blank=True)
    listing_site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="Site")
    surgeon = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name="Surgeon")

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["state", "opened_at"], name="episode_state")]

    def __str__(self):
        return f"Episode {self.pk} ({self.get_state_display()})"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]


class EpisodeStatus(AppendOnlyModel):
    """One move along the pathway: who, when, why. Rows are only ever added."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="statuses")
    state = models.CharField(max_length=40, choices=STATE_CHOICES)
    event = models.CharField(max_length=40, choices=EVENT_CHOICES, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.state} at {self.at:%Y-%m-%d %H:%M}"

"""The public information pages and patient stories (ADR 0013).

A page's text is kept in versions that are never changed: an editor's draft is a new
version; a reviewer's sign-off is a publication row that names the version, who reviewed it
and when. Readers see the latest published version. The figures in a page come from the
risk catalogue at render time; each change in what they say is kept as a figure note, so a
page's history says when its figures changed.

A patient story is shown only while the written consent given for its exact text stands
and covers the website; withdrawing consent is a row of its own, which takes the story off
at once and keeps the consent it withdraws."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from collis.core.models import AppendOnlyModel, AppendOnlyQuerySet


class InformationPage(models.Model):
    """A public page, by its place in the site; its content lives in its versions."""

    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=100,
                                                help_text="Order in the site's lists.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self) -> str:
        return f"/information/{self.slug}/"


class PageVersionQuerySet(AppendOnlyQuerySet):
    def published(self):
        return self.filter(publication__isnull=False)


class PageVersion(AppendOnlyModel):
    objects = PageVersionQuerySet.as_manager()

    page = models.ForeignKey(InformationPage, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, help_text="One sentence shown in lists and "
                                                         "search results.")
    body = models.TextField(help_text="Markdown; figures as placeholders such as "
                                      "{{risk:SD_SWALLOWING_DIFFICULTY}}.")
    review_due = models.DateField("Next review due")
    change_note = models.CharField("What changed", max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True,
                                   help_text="Empty for the first content, loaded with Collis.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"],
                                               name="page_version_number_unique")]

    def __str__(self):
        return f"{self.page.slug} version {self.number}"


class PagePublication(AppendOnlyModel):
    """A reviewer's sign-off of one version, which publishes it."""

    version = models.OneToOneField(PageVersion, on_delete=models.PROTECT,
                                   related_name="publication")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True,
                                    help_text="Empty for the first content, loaded with Collis.")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]


class FigureNote(AppendOnlyModel):
    """What a page's figures said from a moment on: a new row each time what the catalogue
    gives for the page's placeholders changes."""

    page = models.ForeignKey(InformationPage, on_delete=models.PROTECT,
                             related_name="figure_notes")
    digest = models.CharField(max_length=64)
    figures = models.JSONField(help_text="{placeholder: the HTML it expanded to}")
    changed = models.JSONField(default=list, help_text="The placeholders that changed.")
    noted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Not unique by digest: figures that change back are a change too.
        ordering = ["-noted_at", "-pk"]


class Channel(models.TextChoices):
    WEBSITE = "website", "The unit's website (these pages)"
    PRINT = "print", "Printed leaflets"
    SOCIAL = "social", "Social media"


class Story(models.Model):
    """A patient's story as they approved it. Its text never changes: a new text is a new
    story with its own consent."""

    title = models.CharField(max_length=120)
    teller = models.CharField("Name shown with the story", max_length=80,
                              help_text="As the person asked, such as a first name.")
    body = models.TextField(help_text="Markdown.")
    photograph = models.CharField(
        "Description of the photograph", max_length=200, blank=True,
        help_text="What the photograph shows, for people who cannot see it (its "
                  "alternative text); empty when there is no photograph.")
    photograph_stored = models.CharField(max_length=100, blank=True, editable=False)
    photograph_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    photograph_type = models.CharField(max_length=20, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "stories"

    def __str__(self):
        return self.title

    @property
    def text_digest(self) -> str:
        """What consent is given for: the text, and the photograph's bytes and description."""
        return hashlib.sha256("\x1f".join((self.title, self.body, self.photograph,
                                           self.photograph_sha256)).encode()).hexdigest()

    @property
    def has_photograph(self) -> bool:
        return bool(self.photograph_stored)


class ConsentGiver(models.TextChoices):
    PATIENT = "patient", "The patient"
    REPRESENTATIVE = "representative", "Someone legally able to consent for the patient"


class StoryConsentQuerySet(AppendOnlyQuerySet):
    def standing(self):
        return self.filter(withdrawal__isnull=True)


class StoryConsent(AppendOnlyModel):
    """Written consent to publish one story's exact text (and photograph, if any) on the
    channels named."""

    objects = StoryConsentQuerySet.as_manager()

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField("Who gave consent", max_length=120)
    given_by_kind = models.CharField("They are", max_length=20, choices=ConsentGiver.choices)
    given_on = models.DateField("Date consent was signed")
    text_digest = models.CharField(max_length=64, help_text="The story's text consented to.")
    includes_photograph = models.BooleanField(default=False)
    channels = models.JSONField(help_text="The channels consented to.")
    form_reference = models.CharField("Where the signed form is kept", max_length=120)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_at"]

    @property
    def channel_labels(self) -> list[str]:
        return [Channel(c).label for c in self.channels if c in Channel.values]


class StoryConsentWithdrawal(AppendOnlyModel):
    consent = models.OneToOneField(StoryConsent, on_delete=models.PROTECT,
                                   related_name="withdrawal")
    withdrawn_on = models.DateField("Date consent was withdrawn")
    how = models.CharField("How it was withdrawn", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

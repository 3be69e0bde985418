"""Reads of the public pages and stories: what readers see (published versions, stories
whose consent stands) and what editors see (drafts, review dates)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.public.models import (
    Channel,
    FigureNote,
    InformationPage,
    PagePublication,
    PageVersion,
    Story,
    StoryConsent,
)


def page_exists(slug: str | None) -> bool:
    return bool(slug) and InformationPage.objects.filter(slug=slug).exists()


def _published(queryset):
    return queryset.filter(publication__isnull=False).select_related("publication")


@dataclass(frozen=True)
class PublishedPage:
    page: InformationPage
    version: PageVersion
    first_published: datetime.datetime

    @property
    def last_reviewed(self) -> datetime.datetime:
        return self.version.publication.published_at

    @property
    def review_overdue(self) -> bool:
        return self.version.review_due < timezone.localdate()


def page_published_get(*, slug: str) -> PublishedPage:
    """The latest published version of a page (404 when none)."""
    versions = list(_published(PageVersion.objects.filter(page__slug=slug))
                    .select_related("page").order_by("-number"))
    if not versions:
        raise Http404("No such page")
    return PublishedPage(versions[0].page, versions[0],
                         min(v.publication.published_at for v in versions))


def page_published_list() -> list[PublishedPage]:
    """Every page with a published version, in the site's order, with its latest one."""
    latest: dict[int, PageVersion] = {}
    first: dict[int, datetime.datetime] = {}
    for version in _published(PageVersion.objects.select_related("page")).order_by("number"):
        latest[version.page_id] = version
        published = version.publication.published_at
        first[version.page_id] = min(first.get(version.page_id, published), published)
    pages = [PublishedPage(v.page, v, first[pid]) for pid, v in latest.items()]
    return sorted(pages, key=lambda p: (p.page.position, p.page.slug))


def page_history(*, page: InformationPage) -> list[dict]:
    """What readers see of a page's history, newest first: each publication and each change
    in its figures."""
    entries = [{"at": v.publication.published_at, "kind": "published", "note": v.change_note}
               for v in _published(page.versions.all())]
    notes = list(FigureNote.objects.filter(page=page).order_by("noted_at", "pk"))
    for note in notes[1:]:  # the first note is the figures as first shown
        entries.append({"at": note.noted_at, "kind": "figures", "changed": note.changed})
    return sorted(entries, key=lambda e: e["at"], reverse=True)


@dataclass(frozen=True)
class EditorRow:
    page: InformationPage
    latest: PageVersion
    published: PageVersion | None

    @property
    def has_draft(self) -> bool:
        return self.published is None or self.latest.number > self.published.number

    @property
    def review_overdue(self) -> bool:
        current = self.published or self.latest
        return current.review_due < timezone.localdate()


def page_editor_list() -> list[EditorRow]:
    """Every page, with its latest version and its latest published one, for editors."""
    versions = PageVersion.objects.select_related("publication", "created_by").order_by(
        "number")
    pages = InformationPage.objects.prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="all_versions"))
    rows = []
    for page in pages:
        if not page.all_versions:
            continue
        published = [v for v in page.all_versions if _has_publication(v)]
        rows.append(EditorRow(page, page.all_versions[-1], published[-1] if published else None))
    return rows


def _has_publication(version: PageVersion) -> bool:
    try:
        return version.publication is not None
    except PagePublication.DoesNotExist:
        return False


def page_get(*, slug: str) -> InformationPage:
    try:
        return InformationPage.objects.get(slug=slug)
    except InformationPage.DoesNotExist:
        raise Http404("No such page") from None


def page_versions(*, page: InformationPage) -> list[PageVersion]:
    """Every version of a page, newest first, with who wrote and who reviewed it."""
    return list(page.versions.select_related("created_by", "publication",
                                             "publication__reviewed_by").order_by("-number"))


def page_version_get(*, page: InformationPage, number: int) -> PageVersion:
    try:
        return page.versions.select_related("created_by").get(number=number)
    except PageVersion.DoesNotExist:
        raise Http404("No such version") from None


def version_is_published(version: PageVersion) -> bool:
    return _has_publication(version)


# -- stories ---------------------------------------------------------------------------

def story_is_published(story: Story, consents: list[StoryConsent] | None = None) -> bool:
    """True while a consent stands that covers this exact text (and its photograph) on the
    website."""
    consents = consents if consents is not None else list(
        story.consents.select_related("withdrawal"))
    return any(_covers(story, c) for c in consents)


def consent_is_withdrawn(consent: StoryConsent) -> bool:
    try:
        return consent.withdrawal is not None
    except StoryConsent.withdrawal.RelatedObjectDoesNotExist:
        return False


def _covers(story: Story, consent: StoryConsent) -> bool:
    return (not consent_is_withdrawn(consent) and consent.text_digest == story.text_digest
            and Channel.WEBSITE in consent.channels
            and (consent.includes_photograph or not story.has_photograph))


def story_published_list() -> list[Story]:
    """The stories readers may see: those with standing consent for the website."""
    standing = StoryConsent.objects.filter(story=OuterRef("pk"), withdrawal__isnull=True)
    stories = Story.objects.filter(Exists(standing)).prefetch_related(
        Prefetch("consents", queryset=StoryConsent.objects.select_related("withdrawal")))
    return [s for s in stories if story_is_published(s, list(s.consents.all()))]


def story_published_get(*, pk: int) -> Story:
    story = Story.objects.filter(pk=pk).first()
    if story is None or not story_is_published(story):
        raise Http404("No such story")
    return story


def story_list() -> list[tuple[Story, bool]]:
    """Every story, for staff, with whether it is published now."""
    stories = Story.objects.prefetch_related(
        Prefetch("consents", queryset=StoryConsent.objects.select_related("withdrawal")))
    return [(s, story_is_published(s, list(s.consents.all()))) for s in stories]


def story_get(*, pk: int) -> Story:
    try:
        return Story.objects.select_related("created_by").get(pk=pk)
    except Story.DoesNotExist:
        raise Http404("No such story") from None


def story_consents(*, story: Story, actor: Actor) -> list[StoryConsent]:
    """A story's consents and withdrawals (who gave them, where the signed forms are): the
    reading is audited, as they name the patient."""
    consents = list(story.consents.select_related("recorded_by", "withdrawal",
                                                  "withdrawal__recorded_by"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="story", object_id=story.pk,
                 summary=f"Viewed the consent to publish the story “{story.title}”")
    return consents

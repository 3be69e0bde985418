"""Writes of the public pages and stories: an editor's new version, a reviewer's sign-off
(which publishes it and clears the page from the cache), a story with its consent and a
withdrawal. Each checks the role itself, runs in a transaction and is audited."""

from __future__ import annotations

import datetime

from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.presenters import date_long
from collis.core.roles import Capability, can, refusal_message
from collis.public import figures, selectors
from collis.public.markdown import link_problems
from collis.public.models import (
    Channel,
    FigureNote,
    InformationPage,
    PagePublication,
    PageVersion,
    Story,
    StoryConsent,
    StoryConsentWithdrawal,
)
from collis.public.photos import photo_problem, photo_store

# The longest a review date may be set ahead. Local policy (UNSOURCED): the unit's
# information governance sets it; NHS.UK pages are commonly reviewed within 3 years.
REVIEW_AT_MOST_DAYS = 3 * 366


def _require(actor: Actor, capability: Capability) -> None:
    if not can(actor.user, capability):
        raise PermissionDenied(refusal_message(capability))


# -- the cache --------------------------------------------------------------------------

CACHE_PREFIX = "collis-public"


def public_cache_key(path: str) -> str:
    """The cache key of a public page: its path. What is kept with it says which catalogue
    it was rendered from (collis.public.caching), so a changed figure is never served."""
    return f"{CACHE_PREFIX}:{path}"


def public_cache_clear(*paths: str) -> None:
    """Clear these pages, and the lists that show them (home, search, sitemap), from the
    cache: called whenever something they show is published or withdrawn."""
    from django.urls import reverse

    always = ("/", reverse("public:page_list"), reverse("public:story_list"))
    caches["public"].delete_many([public_cache_key(p) for p in (*paths, *always)])


def page_load_initial() -> int:
    """Create and publish the first content of the pages that do not exist yet."""
    from collis.public.content import initial_pages_load

    created = initial_pages_load(InformationPage, PageVersion, PagePublication,
                                 timezone.localdate())
    if created:
        public_cache_clear()
    return created


# -- pages ------------------------------------------------------------------------------

def _content_problems(*, title: str, summary: str, body: str, review_due) -> dict:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Enter the page title"]
    if not summary.strip():
        errors["summary"] = ["Enter the summary"]
    body_problems = figures.placeholder_problems(body) + link_problems(
        body, page_exists=selectors.page_exists)
    if not body.strip():
        body_problems.insert(0, "Enter the page text")
    if body_problems:
        errors["body"] = body_problems
    today = timezone.localdate()
    if review_due is None:
        errors["review_due"] = ["Enter the date the page is next due for review"]
    elif review_due <= today:
        errors["review_due"] = ["The date of the next review must be in the future"]
    elif review_due > today + datetime.timedelta(days=REVIEW_AT_MOST_DAYS):
        errors["review_due"] = [
            f"The date of the next review must be by "
            f"{date_long(today + datetime.timedelta(days=REVIEW_AT_MOST_DAYS))} (local policy)"]
    return errors


def page_content_check(*, title: str, summary: str, body: str, review_due) -> None:
    """Raise ValidationError, on each field, for what is wrong with a draft: missing text,
    a placeholder naming no figure, an unsafe or broken link, a review date not ahead."""
    errors = _content_problems(title=title, summary=summary, body=body, review_due=review_due)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def page_version_create(*, page: InformationPage, title: str, summary: str, body: str,
                        review_due: datetime.date, change_note: str,
                        actor: Actor) -> PageVersion:
    """A new draft version of a page: checked, numbered after the latest, audited. Readers
    keep seeing the published version until a reviewer publishes this one."""
    _require(actor, Capability.CONTENT_EDIT)
    errors = _content_problems(title=title, summary=summary, body=body, review_due=review_due)
    if not (change_note or "").strip():
        errors["change_note"] = ["Enter what changed"]
    if errors:
        raise ValidationError(errors)
    InformationPage.objects.select_for_update().get(pk=page.pk)  # one number at a time
    latest = page.versions.order_by("-number").first()
    version = PageVersion(page=page, number=(latest.number if latest else 0) + 1,
                          title=title.strip(), summary=summary.strip(), body=body,
                          review_due=review_due, change_note=change_note.strip(),
                          created_by=actor.user)
    version.full_clean()
    version.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="page_version",
                 object_id=version.pk,
                 summary=f"Drafted version {version.number} of the page “{version.title}”",
                 details={"page": page.slug, "number": version.number,
                          "change_note": version.change_note})
    return version


def may_review(version: PageVersion, user) -> str | None:
    """Why this user may not publish this version (None when they may): the reviewer is a
    clinician with CONTENT_REVIEW and a second person, never the version's author."""
    if not can(user, Capability.CONTENT_REVIEW):
        return refusal_message(Capability.CONTENT_REVIEW)
    if version.created_by_id == getattr(user, "pk", None):
        return ("You wrote this version: another person must review and publish it")
    return None


@transaction.atomic
def page_version_publish(*, version: PageVersion, confirmed: bool,
                         actor: Actor) -> PagePublication:
    """A reviewer's sign-off, which publishes the version: refused to anyone without
    CONTENT_REVIEW and to its author; refused for a version already published or older
    than the one published, or whose links or figures no longer hold. Clears the page
    from the cache."""
    refusal = may_review(version, actor.user)
    if refusal:
        raise PermissionDenied(refusal)
    if not confirmed:
        raise ValidationError({"confirmed": ["Confirm that you have reviewed the page"]})
    PageVersion.objects.select_for_update().filter(page=version.page)  # serialise publishing
    latest_published = version.page.versions.published().order_by("-number").first()
    if latest_published and latest_published.number >= version.number:
        raise ValidationError("A later or the same version is already published")
    page_content_check(title=version.title, summary=version.summary, body=version.body,
                       review_due=version.review_due)
    try:
        with transaction.atomic():
            publication = PagePublication.objects.create(version=version,
                                                         reviewed_by=actor.user)
    except IntegrityError:
        raise ValidationError("This version is already published") from None
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="page_version",
                 object_id=version.pk,
                 summary=f"Reviewed and published version {version.number} of the page "
                         f"“{version.title}”",
                 details={"page": version.page.slug, "number": version.number,
                          "author": getattr(version.created_by, "username", "")})
    transaction.on_commit(lambda: public_cache_clear(version.page.get_absolute_url()))
    return publication


def page_figures_note(*, page: InformationPage, body: str) -> None:
    """Keep what the page's figures say now, when it differs from what was last kept: the
    page's history then says when a figure changed. Called when a page is rendered."""
    snapshot = figures.figures_snapshot(body)
    last = FigureNote.objects.filter(page=page).order_by("-noted_at", "-pk").first()
    if last and last.digest == snapshot.digest:
        return
    previous = last.figures if last else {}
    changed = sorted(k for k, v in snapshot.values.items() if previous.get(k) != v) \
        if last else []
    FigureNote.objects.create(page=page, digest=snapshot.digest, figures=snapshot.values,
                              changed=changed)


# -- stories ----------------------------------------------------------------------------

def _story_problems(*, body: str, photograph: str, photograph_file, includes_photograph: bool,
                    given_on, channels: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if photograph_file is not None:
        problem = photo_problem(photograph_file)
        if problem:
            errors["photograph_file"] = [problem]
        if not photograph.strip():
            errors["photograph"] = ["Describe the photograph for people who cannot see it"]
        if not includes_photograph:
            errors["includes_photograph"] = [
                "The consent must cover the photograph, or leave the photograph out"]
    elif photograph.strip():
        errors["photograph_file"] = ["Choose the photograph, or leave its description empty"]
    if given_on and given_on > timezone.localdate():
        errors["given_on"] = ["The date consent was signed must be today or in the past"]
    body_problems = link_problems(body, page_exists=selectors.page_exists)
    if figures.placeholders_in(body):
        body_problems.append("A story is in the patient's own words: it takes no figures")
    if body_problems:
        errors["body"] = body_problems
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown channels: {', '.join(sorted(unknown))}")
    if not channels:
        errors["channels"] = ["Select where the patient agreed the story may be published"]
    return errors


@transaction.atomic
def story_create(*, title: str, teller: str, body: str, photograph: str, given_by: str,
                 given_by_kind: str, given_on: datetime.date, includes_photograph: bool,
                 channels: list[str], form_reference: str, actor: Actor,
                 photograph_file=None) -> Story:
    """A story (and its photograph, if any) with the written consent to publish it: who gave
    it, when, for this text and photograph, on which channels, and where the signed form is
    kept."""
    _require(actor, Capability.STORY_RECORD)
    errors = _story_problems(body=body, photograph=photograph, photograph_file=photograph_file,
                             includes_photograph=includes_photograph, given_on=given_on,
                             channels=channels)
    if errors:
        raise ValidationError(errors)
    story = Story(title=title.strip(), teller=teller.strip(), body=body,
                  photograph=photograph.strip(), created_by=actor.user)
    if photograph_file is not None:
        story.photograph_stored, story.photograph_sha256, story.photograph_type = photo_store(
            photograph_file)
    story.full_clean()
    story.save()
    consent = StoryConsent(story=story, given_by=given_by.strip(), given_by_kind=given_by_kind,
                           given_on=given_on, text_digest=story.text_digest,
                           includes_photograph=story.has_photograph and includes_photograph,
                           channels=sorted(channels), form_reference=form_reference.strip(),
                           recorded_by=actor.user)
    consent.full_clean()
    consent.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="story", object_id=story.pk,
                 summary=f"Recorded the story “{story.title}” with consent to publish given by "
                         f"{consent.given_by} on {date_long(given_on)}",
                 details={"consent": consent.pk, "channels": consent.channels,
                          "includes_photograph": consent.includes_photograph,
                          "photograph_sha256": story.photograph_sha256})
    transaction.on_commit(lambda: public_cache_clear(f"/stories/{story.pk}/"))
    return story


@transaction.atomic
def story_consent_withdraw(*, story: Story, withdrawn_on: datetime.date, how: str,
                           actor: Actor) -> list[StoryConsentWithdrawal]:
    """Consent to publish the story withdrawn: every consent of it that stands is marked
    withdrawn, so the story comes off the public pages at once (and out of the cache);
    the consents and the withdrawal are kept."""
    _require(actor, Capability.STORY_RECORD)
    Story.objects.select_for_update().get(pk=story.pk)
    standing = list(story.consents.standing())
    if not standing:
        raise ValidationError("No consent to publish this story stands: nothing to withdraw")
    given_on = max(c.given_on for c in standing)
    errors = {}
    if not (how or "").strip():
        errors["how"] = ["Enter how consent was withdrawn"]
    if withdrawn_on is None:
        errors["withdrawn_on"] = ["Enter the date consent was withdrawn"]
    elif withdrawn_on > timezone.localdate():
        errors["withdrawn_on"] = ["The date consent was withdrawn must be today or in the past"]
    elif withdrawn_on < given_on:
        errors["withdrawn_on"] = [f"The date consent was withdrawn must be on or after "
                                  f"{date_long(given_on)}, when it was given"]
    if errors:
        raise ValidationError(errors)
    withdrawals = []
    for consent in standing:
        withdrawal = StoryConsentWithdrawal(consent=consent, withdrawn_on=withdrawn_on,
                                            how=how.strip(), recorded_by=actor.user)
        withdrawal.full_clean()
        withdrawal.save()
        withdrawals.append(withdrawal)
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="story",
                 object_id=story.pk,
                 summary=f"Recorded that consent to publish the story “{story.title}” was "
                         f"withdrawn on {date_long(withdrawn_on)}",
                 details={"consents": [c.pk for c in standing], "how": how.strip()})
    story_path = f"/stories/{story.pk}/"
    public_cache_clear(story_path)  # at once, and again once committed
    transaction.on_commit(lambda: public_cache_clear(story_path))
    return withdrawals

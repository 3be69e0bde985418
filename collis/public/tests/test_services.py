"""Editing the public pages: every version kept with who and when, a second person (a
consultant) reviews and publishes, the cache is cleared on publishing, and a page past its
review date is flagged to editors and shown to readers."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.public import selectors, services
from collis.public.models import PagePublication, PageVersion
from collis.public.tests.factories import actor_for, pages_loaded
from collis.public.tests.pages import words

TODAY = timezone.localdate()


@pytest.fixture
def page(sites):
    pages_loaded()
    return selectors.page_get(slug="dystonia")


def _draft(page, actor, **changes):
    values = {"title": "What is dystonia?", "summary": "About dystonia.",
              "body": "Dystonia is a condition of the brain.\n\n## Need to know\n\nIt is "
                      "usually lifelong.\n",
              "review_due": TODAY + datetime.timedelta(days=365),
              "change_note": "Shorter page"}
    values.update(changes)
    return services.page_version_create(page=page, actor=actor, **values)


@pytest.mark.django_db
def test_a_draft_is_a_new_version_that_readers_do_not_see_until_published(client, page):
    editor = actor_for(Role.CONTENT_EDITOR)
    version = _draft(page, editor, body="A new sentence that is only in the draft.\n")
    assert version.number == 2 and version.created_by == editor.user
    assert "only in the draft" not in client.get("/information/dystonia/").content.decode()
    assert AuditEvent.objects.filter(object_type="page_version", object_id=str(version.pk),
                                     summary__startswith="Drafted version 2").exists()


@pytest.mark.django_db
def test_a_consultant_who_did_not_write_it_publishes_and_the_cache_is_cleared(
        client, page, django_capture_on_commit_callbacks):
    assert "Need to know" in client.get("/information/dystonia/").content.decode()  # cached
    version = _draft(page, actor_for(Role.CONTENT_EDITOR),
                     body="Published words from version two.\n")
    reviewer = actor_for(Role.CLINICAL_LEAD, first_name="Rita", last_name="Reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        publication = services.page_version_publish(version=version, confirmed=True,
                                                    actor=reviewer)
    assert publication.reviewed_by == reviewer.user
    response = client.get("/information/dystonia/")
    assert response["X-Collis-Cache"] == "miss"
    text = words(response.content.decode())
    assert "Published words from version two." in text and "Need to know" not in text
    assert "Page last reviewed:" in text and "Shorter page" in text
    assert "First version, loaded with Collis" in text  # the history keeps both


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CONTENT_EDITOR, Role.PHYSIOTHERAPIST,
                                  Role.MDT_COORDINATOR, Role.ADMINISTRATOR])
def test_only_a_reviewer_may_publish(page, role):
    version = _draft(page, actor_for(Role.CONTENT_EDITOR))
    with pytest.raises(PermissionDenied, match="review and publish"):
        services.page_version_publish(version=version, confirmed=True, actor=actor_for(role))
    assert not PagePublication.objects.filter(version=version).exists()


@pytest.mark.django_db
def test_no_one_publishes_their_own_draft(page):
    neurologist = actor_for(Role.NEUROLOGIST)
    version = _draft(page, neurologist)
    with pytest.raises(PermissionDenied, match="another person must review"):
        services.page_version_publish(version=version, confirmed=True, actor=neurologist)
    services.page_version_publish(version=version, confirmed=True,
                                  actor=actor_for(Role.NEUROSURGEON))


@pytest.mark.django_db
def test_publishing_needs_the_reviewers_confirmation_and_happens_once(page):
    version = _draft(page, actor_for(Role.CONTENT_EDITOR))
    reviewer = actor_for(Role.CLINICAL_LEAD)
    with pytest.raises(ValidationError) as refused:
        services.page_version_publish(version=version, confirmed=False, actor=reviewer)
    assert refused.value.message_dict == {"confirmed": ["Confirm that you have reviewed the page"]}
    services.page_version_publish(version=version, confirmed=True, actor=reviewer)
    with pytest.raises(ValidationError, match="already published"):
        services.page_version_publish(version=version, confirmed=True,
                                      actor=actor_for(Role.NEUROLOGIST))


@pytest.mark.django_db
def test_an_older_draft_cannot_replace_a_newer_published_version(page):
    editor, reviewer = actor_for(Role.CONTENT_EDITOR), actor_for(Role.CLINICAL_LEAD)
    older, newer = _draft(page, editor), _draft(page, editor, change_note="Later")
    services.page_version_publish(version=newer, confirmed=True, actor=reviewer)
    with pytest.raises(ValidationError, match="later or the same version"):
        services.page_version_publish(version=older, confirmed=True, actor=reviewer)


@pytest.mark.django_db
def test_a_draft_names_each_problem_on_its_field(page):
    with pytest.raises(ValidationError) as refused:
        _draft(page, actor_for(Role.CONTENT_EDITOR), title=" ", change_note="",
               body="See [this](javascript:alert(1)) and {{risk:NO_SUCH_RISK}}.",
               review_due=TODAY)
    errors = refused.value.message_dict
    assert errors["title"] == ["Enter the page title"]
    assert errors["change_note"] == ["Enter what changed"]
    assert errors["review_due"] == ["The date of the next review must be in the future"]
    assert any("names no figure" in e for e in errors["body"])
    assert any("is not allowed" in e for e in errors["body"])
    assert PageVersion.objects.filter(page=page).count() == 1  # nothing half-saved


@pytest.mark.django_db
def test_versions_are_never_changed(page):
    version = PageVersion.objects.get(page=page, number=1)
    version.title = "Changed"
    with pytest.raises(PermissionError):
        version.save()


@pytest.mark.django_db
def test_a_page_past_its_review_date_is_flagged_to_editors_and_shown_to_readers(
        client, client_as, page):
    # A published version due for review tomorrow; then the day after tomorrow comes.
    version = _draft(page, actor_for(Role.CONTENT_EDITOR),
                     review_due=TODAY + datetime.timedelta(days=1))
    services.page_version_publish(version=version, confirmed=True,
                                  actor=actor_for(Role.CLINICAL_LEAD))
    later = TODAY + datetime.timedelta(days=2)
    rows = selectors.page_editor_list()
    assert not next(r for r in rows if r.page.slug == "dystonia").review_overdue
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        rows = selectors.page_editor_list()
        assert next(r for r in rows if r.page.slug == "dystonia").review_overdue
        editors_page = client_as(Role.CONTENT_EDITOR).get("/content/").content.decode()
        assert "Review overdue" in editors_page
        text = words(client.get("/information/dystonia/?fresh=1").content.decode())
        assert f"Next review due: {version.review_due.day} " in text
        assert "(the team is reviewing this page)" in text

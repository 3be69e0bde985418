"""The editors' pages: preview without saving, save a version, a reviewer publishes it."""

import datetime

import pytest
from django.utils import timezone

from collis.core.roles import Role
from collis.public.models import PagePublication, PageVersion
from collis.public.tests.factories import pages_loaded
from collis.public.tests.pages import words

DUE = timezone.localdate() + datetime.timedelta(days=200)


def _form(**changes):
    data = {"title": "How is dystonia diagnosed?", "summary": "Tests for dystonia.",
            "body": "## What tests might you have?\n\nA test called EMG. "
                    "{{risk:SD_SWALLOWING_DIFFICULTY}}\n",
            "review_due-day": DUE.day, "review_due-month": DUE.month,
            "review_due-year": DUE.year, "change_note": "Shorter"}
    data.update(changes)
    return data


@pytest.fixture
def editor(client_as, sites):
    pages_loaded()
    return client_as(Role.CONTENT_EDITOR)


@pytest.mark.django_db
def test_preview_shows_the_page_with_its_figures_and_saves_nothing(editor):
    response = editor.post("/content/pages/diagnosis/edit/", {**_form(), "preview": "1"})
    text = words(response.content.decode())
    assert "Preview" in text and "new dysphagia on videofluoroscopy in 3 of 12" in text
    assert PageVersion.objects.filter(page__slug="diagnosis").count() == 1


@pytest.mark.django_db
def test_preview_names_a_bad_link_on_the_page_text(editor):
    response = editor.post("/content/pages/diagnosis/edit/",
                           {**_form(body="[x](javascript:alert(1))"), "preview": "1"})
    text = words(response.content.decode())
    assert "There is a problem" in text and "is not allowed" in text


@pytest.mark.django_db
def test_an_editor_saves_a_version_and_a_consultant_publishes_it(editor, client_as, client):
    response = editor.post("/content/pages/diagnosis/edit/", _form())
    assert response.status_code == 302 and response["Location"].endswith("/versions/2/")
    page = words(editor.get(response["Location"]).content.decode())
    assert "Version 2 is saved" in page
    assert "Your role cannot review and publish the public information pages." in page
    reviewer = client_as(Role.NEUROSURGEON)
    assert "Publish this version" in reviewer.get(response["Location"]).content.decode()
    missing = reviewer.post(response["Location"], {})
    assert "Confirm that you have reviewed the page" in missing.content.decode()
    done = reviewer.post(response["Location"], {"confirmed": "on"}, follow=True)
    assert "Version 2 is published." in done.content.decode()
    assert PagePublication.objects.filter(version__page__slug="diagnosis",
                                          version__number=2).exists()
    assert "A test called EMG." in client.get("/information/diagnosis/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PHYSIOTHERAPIST, Role.ADMINISTRATOR, Role.AUDITOR])
def test_staff_without_the_editors_capability_are_refused(client_as, sites, role):
    pages_loaded()
    response = client_as(role).get("/content/")
    assert response.status_code == 403
    assert "Your role cannot edit the public information pages." in response.content.decode()


@pytest.mark.django_db
def test_the_editors_list_makes_few_queries(editor, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert editor.get("/content/").status_code == 200

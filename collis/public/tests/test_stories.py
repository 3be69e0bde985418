"""Patient stories: published only while written consent for their exact text stands and
covers the website; withdrawing consent unpublishes at once and keeps the record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.public import selectors, services
from collis.public.models import Channel, Story, StoryConsent, StoryConsentWithdrawal
from collis.public.tests.factories import PNG, actor_for, png_upload, story_with_consent
from collis.public.tests.pages import words

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_a_story_with_consent_for_the_website_is_published(client):
    story = story_with_consent()
    assert "Getting my life back" in client.get("/stories/").content.decode()
    text = words(client.get(f"/stories/{story.pk}/").content.decode())
    assert "Now I can drive again." in text and "Ash" in text


@pytest.mark.django_db
def test_a_story_consented_only_for_print_is_not_on_the_website(client):
    story = story_with_consent(channels=(Channel.PRINT,))
    assert "Getting my life back" not in client.get("/stories/").content.decode()
    assert client.get(f"/stories/{story.pk}/").status_code == 404


@pytest.mark.django_db
def test_withdrawing_consent_unpublishes_at_once_and_keeps_the_record(
        client, django_capture_on_commit_callbacks):
    story = story_with_consent()
    assert client.get(f"/stories/{story.pk}/").status_code == 200  # now in the cache
    assert "Getting my life back" in client.get("/stories/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.story_consent_withdraw(story=story, withdrawn_on=TODAY,
                                        how="Telephone call from the patient",
                                        actor=actor_for(Role.MDT_COORDINATOR))
    assert client.get(f"/stories/{story.pk}/").status_code == 404
    assert "Getting my life back" not in client.get("/stories/").content.decode()
    consent = StoryConsent.objects.get(story=story)
    assert consent.withdrawal.how == "Telephone call from the patient"
    assert AuditEvent.objects.filter(object_type="story", object_id=str(story.pk),
                                     summary__contains="withdrawn").exists()
    with pytest.raises(PermissionError):
        consent.withdrawal.delete()
    with pytest.raises(ValidationError, match="nothing to withdraw"):
        services.story_consent_withdraw(story=story, withdrawn_on=TODAY, how="Again",
                                        actor=actor_for(Role.MDT_COORDINATOR))


@pytest.mark.django_db
def test_a_withdrawal_before_consent_was_given_is_refused():
    story = story_with_consent()
    with pytest.raises(ValidationError) as refused:
        services.story_consent_withdraw(story=story, how="Letter", actor=actor_for(),
                                        withdrawn_on=TODAY - datetime.timedelta(days=30))
    assert "on or after" in refused.value.message_dict["withdrawn_on"][0]
    assert not StoryConsentWithdrawal.objects.exists()


@pytest.mark.django_db
def test_a_photograph_needs_consent_of_its_own_and_a_description():
    with pytest.raises(ValidationError) as refused:
        story_with_consent(photograph="", photograph_file=png_upload(),
                           includes_photograph=False)
    errors = refused.value.message_dict
    assert "photograph" in errors["includes_photograph"][0]
    assert errors["photograph"] == ["Describe the photograph for people who cannot see it"]
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_a_photograph_must_be_an_image_by_its_content():
    with pytest.raises(ValidationError) as refused:
        story_with_consent(photograph="Ash in the park", includes_photograph=True,
                           photograph_file=png_upload("ash.png", b"<script>x</script>"))
    assert "must be a PNG or JPEG image" in refused.value.message_dict["photograph_file"][0]


@pytest.mark.django_db
def test_a_published_photograph_is_served_only_while_consent_stands(
        client, django_capture_on_commit_callbacks):
    story = story_with_consent(photograph="Ash smiling in a park", includes_photograph=True,
                               photograph_file=png_upload())
    page = client.get(f"/stories/{story.pk}/").content.decode()
    assert f'src="/stories/{story.pk}/photograph/" alt="Ash smiling in a park"' in page
    photo = client.get(f"/stories/{story.pk}/photograph/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == PNG
    with django_capture_on_commit_callbacks(execute=True):
        services.story_consent_withdraw(story=story, withdrawn_on=TODAY, how="Letter",
                                        actor=actor_for())
    assert client.get(f"/stories/{story.pk}/photograph/").status_code == 404


@pytest.mark.django_db
def test_consent_covers_only_the_text_it_was_given_for():
    story = story_with_consent()
    consent = StoryConsent.objects.get(story=story)
    story.body = "A text the patient never saw."  # not saved: what a changed text would be
    assert not selectors.story_is_published(story, [consent])


@pytest.mark.django_db
def test_only_staff_who_record_stories_may(client):
    with pytest.raises(PermissionDenied, match="record patient stories"):
        story_with_consent(actor=actor_for(Role.PHYSIOTHERAPIST))


@pytest.mark.django_db
def test_the_staff_page_shows_consent_and_withdrawal(client_as):
    client = client_as(Role.CONTENT_EDITOR)
    story = story_with_consent(actor=actor_for(Role.CONTENT_EDITOR))
    body = words(client.get(f"/content/stories/{story.pk}/").content.decode())
    assert "Ash Demo-Storyteller" in body and "Consent form SC-0001" in body
    assert AuditEvent.objects.filter(object_type="story", object_id=str(story.pk),
                                     summary__startswith="Viewed the consent").exists()
    response = client.post(f"/content/stories/{story.pk}/", {
        "withdrawn_on-day": TODAY.day, "withdrawn_on-month": TODAY.month,
        "withdrawn_on-year": TODAY.year, "how": "Email from the patient"}, follow=True)
    text = words(response.content.decode())
    assert "Consent is withdrawn. The story is no longer published." in text
    assert "Not published" in text and "Email from the patient" in text


@pytest.mark.django_db
def test_the_demo_story_is_synthetic_published_and_loaded_once(client, sites):
    from collis.core.tests.factories import UserFactory
    from collis.public.demo import demo_public_load
    from collis.public.models import Story

    UserFactory(username="editor", role=Role.CONTENT_EDITOR)
    demo_public_load()
    demo_public_load()
    story = Story.objects.get()
    assert "synthetic" in story.teller and "made up" in story.body
    assert "Driving again" in client.get("/stories/").content.decode()


@pytest.mark.django_db
def test_staff_record_a_story_with_its_photograph_and_consent_on_one_form(client_as, client):
    editor = client_as(Role.CONTENT_EDITOR)
    signed = TODAY - datetime.timedelta(days=1)
    response = editor.post("/content/stories/new/", {
        "title": "Walking the dog again", "teller": "Bo", "body": "I can walk the dog again.",
        "photograph_file": png_upload(), "photograph": "Bo and a spaniel on a beach",
        "given_by": "Bo Demo-Teller", "given_by_kind": "patient",
        "given_on-day": signed.day, "given_on-month": signed.month, "given_on-year": signed.year,
        "channels": ["website", "print"], "includes_photograph": "on",
        "form_reference": "SC-0002"}, follow=True)
    text = words(response.content.decode())
    assert "The story and its consent are recorded." in text and "Published" in text
    story = Story.objects.get(title="Walking the dog again")
    assert StoryConsent.objects.get(story=story).includes_photograph
    assert "Bo and a spaniel on a beach" in client.get(f"/stories/{story.pk}/").content.decode()


@pytest.mark.django_db
def test_a_story_form_with_problems_names_each_field(client_as):
    response = client_as(Role.CONTENT_EDITOR).post("/content/stories/new/", {
        "title": "A story", "teller": "Bo", "body": "Words.", "photograph": "A photo",
        "given_by": "Bo", "given_by_kind": "patient", "form_reference": "SC-3"})
    text = words(response.content.decode())
    assert "There is a problem" in text
    assert "Enter the date consent was signed" in text
    assert not Story.objects.exists()

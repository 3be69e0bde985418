"""Helpers for the public pages' tests: the first content, and stories with consent."""

import datetime

from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.public import services
from collis.public.models import Channel, ConsentGiver


def pages_loaded():
    """The first content (a flushed test database may have lost the migration's copy)."""
    services.page_load_initial()


def actor_for(role=Role.CONTENT_EDITOR, **names):
    return Actor.command_line(UserFactory(role=role, **names))


# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def png_upload(name="ash-at-the-park.png", content=PNG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")


def story_with_consent(*, actor=None, channels=(Channel.WEBSITE,), photograph="",
                       photograph_file=None, includes_photograph=False,
                       title="Getting my life back",
                       body="My neck used to pull to the left. Now I can drive again."):
    return services.story_create(
        title=title, teller="Ash", body=body, photograph=photograph,
        photograph_file=photograph_file,
        given_by="Ash Demo-Storyteller", given_by_kind=ConsentGiver.PATIENT,
        given_on=timezone.localdate() - datetime.timedelta(days=3),
        includes_photograph=includes_photograph, channels=list(channels),
        form_reference="Consent form SC-0001", actor=actor or actor_for())

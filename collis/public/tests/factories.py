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


def story_with_consent(*, actor=None, channels=(Channel.WEBSITE,), photograph="",
                       includes_photograph=False, title="Getting my life back",
                       body="My neck used to pull to the left. Now I can drive again."):
    return services.story_create(
        title=title, teller="Ash", body=body, photograph=photograph,
        given_by="Ash Demo-Storyteller", given_by_kind=ConsentGiver.PATIENT,
        given_on=timezone.localdate() - datetime.timedelta(days=3),
        includes_photograph=includes_photograph, channels=list(channels),
        form_reference="Consent form SC-0001", actor=actor or actor_for())

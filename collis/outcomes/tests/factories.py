"""Episodes at a given state and records of the outcomes app made through its services."""

import datetime

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.outcomes import services
from collis.sites.models import Site
from collis.surgery.models import Episode, EpisodeStatus

OPERATED_ON = datetime.date(2026, 3, 2)


def make_episode(patient, state="consented", user=None):
    user = user or UserFactory(role=Role.NEUROSURGEON)
    episode = Episode.objects.create(
        patient=patient, state=state, opened_by=user, referrer_name="Dr Ash",
        referrer_gmc_number="1234567", referrer_organisation="General Hospital",
        referral_reason="Cervical dystonia", referral_received_on=datetime.date(2025, 6, 1))
    EpisodeStatus.objects.create(episode=episode, state=state, by=user)
    return episode


def operate(episode, surgeon=None, operated_on=OPERATED_ON):
    surgeon = surgeon or UserFactory(role=Role.NEUROSURGEON)
    details = services.OperationDetails(
        operated_on=operated_on, site=Site.objects.order_by("code").first(), surgeon=surgeon,
        anaesthetic="general", anaesthetist="Dr Birch",
        divisions=[services.Division("sternocleidomastoid", "left"),
                   services.Division("splenius_capitis", "right", "posterior ramus C2")])
    return services.operation_create(episode=episode, details=details,
                                     actor=Actor.command_line(surgeon))


def start_physio(episode, user=None, starts_on=datetime.date(2026, 3, 9)):
    user = user or UserFactory(role=Role.PHYSIOTHERAPIST)
    return services.physio_programme_start(episode=episode, starts_on=starts_on,
                                           session_count=6, interval_days=7,
                                           actor=Actor.command_line(user))

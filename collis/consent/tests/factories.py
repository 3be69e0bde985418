"""Episodes at a given pathway state, and counselling sessions, for the consent tests."""

import datetime

from collis.consent import services
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode, EpisodeStatus


def episode_at(state: State = State.LISTED, patient=None) -> Episode:
    """An episode put straight into `state` (with its status row), for speed."""
    opener = UserFactory(role=Role.MDT_COORDINATOR)
    episode = Episode.objects.create(
        patient=patient or PatientFactory(), state=state, opened_by=opener,
        referrer_name="Dr Ada Referrer", referrer_gmc_number="1234567",
        referrer_organisation="Example Hospital", referral_reason="Cervical dystonia",
        referral_received_on=datetime.date(2026, 6, 1))
    EpisodeStatus.objects.create(episode=episode, state=state, by=opener)
    return episode


def counselled_episode(held_on: datetime.date, acknowledged=None, user=None,
                       patient=None) -> Episode:
    """An episode at counselling, with one session that disclosed every SD risk."""
    episode = episode_at(State.LISTED, patient=patient)
    services.counselling_session_create(
        episode=episode, held_on=held_on, answers={"matters_most": "Holding my head straight"},
        acknowledged=frozenset(services.sd_risk_codes() if acknowledged is None
                               else acknowledged),
        actor=Actor.command_line(user or UserFactory(role=Role.NURSE_SPECIALIST)))
    episode.refresh_from_db()
    return episode

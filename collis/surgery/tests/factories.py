import datetime

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode, EpisodeStatus
from collis.surgery.services import ReferralDetails, episode_open

REFERRAL = ReferralDetails(
    referrer_name="Dr Ivo Inkwell", referrer_gmc_number="1234567",
    referrer_organisation="Example Neurology Service (demo)",
    referral_reason="Cervical dystonia with waning response to botulinum toxin",
    urgency="routine", referral_received_on=datetime.date(2026, 10, 1))


def episode_at(state: str, patient=None) -> Episode:
    """An episode already at `state` (status rows written directly, for speed)."""
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    episode = episode_open(patient=patient or PatientFactory(), referral=REFERRAL,
                           actor=Actor.command_line(coordinator))
    if state != episode.state:
        EpisodeStatus.objects.create(episode=episode, state=state, by=coordinator,
                                     reason="set up by a test")
        Episode.objects.filter(pk=episode.pk).update(state=state)
        episode.refresh_from_db()
    return episode

"""Episodes at a given state and records of the outcomes app made through its services."""

import datetime

from collis.consent.models import Consent, CounsellingSession
from collis.consent.tests.factories import noon
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.outcomes import services
from collis.sites.models import Site
from collis.surgery.models import Episode, EpisodeStatus

OPERATED_ON = datetime.date(2026, 3, 2)
COUNSELLED_ON = datetime.date(2025, 12, 15)
CONSENTED_ON = datetime.date(2026, 1, 15)
# The plan the consent covers: the nerves `operate` divides.
PLAN = ({"muscle": "sternocleidomastoid", "side": "left",
         "target": "spinal accessory nerve branches"},
        {"muscle": "splenius_capitis", "side": "right", "target": "posterior ramus C2"})
CONSENTED_OR_LATER = {State.CONSENTED, State.OPERATED, State.POST_OPERATIVE_PHYSIOTHERAPY,
                      State.FOLLOW_UP, State.DISCHARGED}


def make_episode(patient, state="consented", user=None, plan=PLAN,
                 consented_on=CONSENTED_ON):
    """An episode put straight into `state`; from 'consented' on, with the counselling and
    the consent (to `plan`) that got it there, written as of their dates."""
    user = user or UserFactory(role=Role.NEUROSURGEON)
    episode = Episode.objects.create(
        patient=patient, state=state, opened_by=user, referrer_name="Dr Ash",
        referrer_gmc_number="1234567", referrer_organisation="General Hospital",
        referral_reason="Cervical dystonia", referral_received_on=datetime.date(2025, 6, 1))
    EpisodeStatus.objects.create(episode=episode, state=state, by=user)
    if state in CONSENTED_OR_LATER:
        consent_given(episode, plan=plan, signed_on=consented_on, surgeon=user)
    return episode


def consent_given(episode, *, plan=PLAN, signed_on=CONSENTED_ON, surgeon=None) -> Consent:
    """The counselling and consent of an episode, as rows dated in the past (the consent
    app's services record them as of now)."""
    surgeon = surgeon or UserFactory(role=Role.NEUROSURGEON)
    counselled_on = min(COUNSELLED_ON, signed_on)
    session = CounsellingSession.objects.create(
        episode=episode, patient_id=episode.patient_id, held_on=counselled_on,
        decision_aid_version="collis-decision-aid/1",
        decision_aid_produced_on=datetime.date(2025, 11, 21), risk_catalogue_digest="0" * 64,
        created_by=surgeon, created_at=noon(counselled_on))
    return Consent.objects.create(
        episode=episode, patient_id=episode.patient_id, counselling=session,
        procedure="Selective peripheral denervation for cervical dystonia",
        planned_denervation=list(plan), plan_source="MDT decision (test)",
        signature_method="paper", patient_signed_on=signed_on, surgeon=surgeon,
        surgeon_signed_on=signed_on, cooling_off_days=14, created_by=surgeon,
        created_at=noon(signed_on))


def operate(episode, surgeon=None, operated_on=OPERATED_ON, **extra):
    surgeon = surgeon or UserFactory(role=Role.NEUROSURGEON)
    details = services.OperationDetails(
        operated_on=operated_on, site=Site.objects.order_by("code").first(), surgeon=surgeon,
        anaesthetic="general", anaesthetist="Dr Birch",
        divisions=[services.Division("sternocleidomastoid", "left"),
                   services.Division("splenius_capitis", "right", "posterior ramus C2")],
        **extra)
    return services.operation_create(episode=episode, details=details,
                                     actor=Actor.command_line(surgeon))


def start_physio(episode, user=None, starts_on=datetime.date(2026, 3, 9)):
    user = user or UserFactory(role=Role.PHYSIOTHERAPIST)
    return services.physio_programme_start(episode=episode, starts_on=starts_on,
                                           session_count=6, interval_days=7,
                                           actor=Actor.command_line(user))

"""Episodes at a given pathway state, and counselling sessions, for the consent tests."""

import datetime

from django.utils import timezone

from collis.consent import services
from collis.consent.models import Consent, SignatureMethod
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode, EpisodeStatus

REFERRAL_RECEIVED = datetime.date(2025, 6, 1)
# The consent form's sections as a surgeon fills them in.
CONSENT_DETAILS = services.ConsentDetails(
    intended_benefits="Less pulling and pain in the neck, and a more natural head position.",
    extra_procedures="None expected.",
    alternatives_discussed=("gpi_dbs", "botulinum_toxin", "no_further_treatment"),
    interpreter_used=False, patient_has_capacity=True)


def episode_at(state: State = State.LISTED, patient=None,
               referral_received_on: datetime.date = REFERRAL_RECEIVED) -> Episode:
    """An episode put straight into `state` (with its status row), for speed."""
    opener = UserFactory(role=Role.MDT_COORDINATOR)
    episode = Episode.objects.create(
        patient=patient or PatientFactory(), state=state, opened_by=opener,
        referrer_name="Dr Ada Referrer", referrer_gmc_number="1234567",
        referrer_organisation="Example Hospital", referral_reason="Cervical dystonia",
        referral_received_on=referral_received_on)
    EpisodeStatus.objects.create(episode=episode, state=state, by=opener)
    return episode


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def recorded_at(record, when: datetime.datetime | datetime.date):
    """Say that a record was entered at `when` (a test's "given it was recorded then"):
    written past the append-only guard, as no service ever may."""
    when = noon(when) if not isinstance(when, datetime.datetime) else when
    type(record)._base_manager.filter(pk=record.pk).update(created_at=when)
    record.refresh_from_db()
    return record


def counselled_episode(held_on: datetime.date, acknowledged=None, user=None,
                       patient=None, recorded_on: datetime.date | None = None) -> Episode:
    """An episode at counselling, with one session that disclosed every SD risk, recorded
    on the day it was held (or on `recorded_on`)."""
    episode = episode_at(State.LISTED, patient=patient)
    session = services.counselling_session_create(
        aids_shown=("patient", "clinician"),
        episode=episode, held_on=held_on, answers={"matters_most": "Holding my head straight"},
        acknowledged=frozenset(services.sd_risk_codes() if acknowledged is None
                               else acknowledged),
        actor=Actor.command_line(user or UserFactory(role=Role.NURSE_SPECIALIST)))
    recorded_at(session, recorded_on or held_on)
    episode.refresh_from_db()
    return episode


def consented_episode(signed_on: datetime.date, patient=None, surgeon=None,
                      plan=()) -> Episode:
    """An episode at 'consented': counselled (and recorded) the cooling-off period before
    `signed_on`, then consented through the service on that day, with this planned
    denervation ([{muscle, side, target}]) as the plan the consent covers."""
    counselled_on = signed_on - datetime.timedelta(days=services.cooling_off_days())
    episode = counselled_episode(counselled_on, patient=patient)
    surgeon = surgeon or UserFactory(role=Role.NEUROSURGEON)
    consent = services.consent_create(
        episode=episode, signature_method=SignatureMethod.PAPER, patient_typed_name="",
        patient_signed_on=signed_on, surgeon_signed_on=signed_on, details=CONSENT_DETAILS,
        actor=Actor.command_line(surgeon))
    if plan:
        Consent._base_manager.filter(pk=consent.pk).update(
            planned_denervation=list(plan), plan_source="MDT decision (test)")
    recorded_at(consent, signed_on)
    episode.refresh_from_db()
    return episode


import datetime

import pytest

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.consent import services
from collis.consent.models import Consent, CounsellingSession, RiskDisclosure
from collis.consent.tests.factories import counselled_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import STATE_LABELS, MoveRefused, State
from collis.domain.risks import Intervention, risks_for
from collis.surgery.models import EpisodeStatus

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)
ALL = frozenset(r.code for r in risks_for(Intervention.SELECTIVE_DENERVATION))


def _counsel(episode, role=Role.NURSE_SPECIALIST, acknowledged=ALL, held_on=TODAY):
    return services.counselling_session_create(
        episode=episode, held_on=held_on, answers={"matters_most": "Driving again"},
        acknowledged=acknowledged, actor=Actor.command_line(UserFactory(role=role)))


def _consent(episode, signed_on, surgeon=None, **kwargs):
    return services.consent_create(
        episode=episode, signature_method=kwargs.get("method", "typed"),
        patient_typed_name=kwargs.get("name", "Alex Testpatient"),
        patient_signed_on=signed_on, surgeon_signed_on=kwargs.get("surgeon_on", signed_on),
        actor=Actor.command_line(surgeon or UserFactory(role=Role.NEUROSURGEON)))


def test_counselling_freezes_every_sd_risk_as_shown_and_starts_counselling():
    episode = episode_at(State.LISTED)
    session = _counsel(episode)
    episode.refresh_from_db()
    assert episode.state == State.COUNSELLING
    codes = [d.risk_code for d in session.disclosures.all()]
    assert codes == [r.code for r in risks_for(Intervention.SELECTIVE_DENERVATION)]
    dysphagia = session.disclosures.get(risk_code="SD_SWALLOWING_DIFFICULTY")
    assert "3 of 12" in dysphagia.figures_text[0] and "[28]" in dysphagia.figures_text[0]
    assert dysphagia.figures[0]["denominator"] == 12
    assert session.decision_aid_version == "collis-decision-aid/1"
    assert len(session.risk_catalogue_digest) == 64
    assert session.values_answers[0]["answer"] == "Driving again"


def test_counselling_is_audited_with_the_risks_acknowledged():
    episode = episode_at(State.LISTED)
    session = _counsel(episode, acknowledged=ALL - {"SD_HAEMATOMA"})
    entry = AuditEvent.objects.get(object_type="counselling_session", object_id=str(session.pk))
    assert entry.action == AuditAction.CREATE and entry.patient_id == episode.patient_id
    assert "SD_HAEMATOMA" not in entry.details["acknowledged"]
    assert "SD_HAEMATOMA" in entry.details["disclosed"]
    assert session.disclosures.get(risk_code="SD_HAEMATOMA").acknowledged is False


def test_a_second_session_while_in_counselling_does_not_move_the_episode():
    episode = episode_at(State.LISTED)
    _counsel(episode)
    _counsel(episode)
    assert EpisodeStatus.objects.filter(episode=episode, state=State.COUNSELLING).count() == 1
    assert CounsellingSession.objects.filter(episode=episode).count() == 2


def test_counselling_before_listing_is_refused_and_nothing_is_saved():
    episode = episode_at(State.FUNDING_APPROVED)
    with pytest.raises(MoveRefused, match="^Cannot record counselling while the episode is "
                                          "at 'Funding approved': that is done while it is "
                                          "at 'Listed for surgery' or 'Counselling'"):
        _counsel(episode)
    assert not CounsellingSession.objects.exists()


def test_a_physiotherapist_cannot_start_counselling_and_nothing_is_half_saved():
    episode = episode_at(State.LISTED)
    with pytest.raises(MoveRefused, match="Your role cannot record counselling"):
        _counsel(episode, role=Role.PHYSIOTHERAPIST)
    assert not CounsellingSession.objects.exists() and not RiskDisclosure.objects.exists()


def test_consent_is_recorded_by_the_surgeon_and_moves_to_consented(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 14
    episode = counselled_episode(TODAY)
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    consent = _consent(episode, TODAY + datetime.timedelta(days=14), surgeon=surgeon)
    episode.refresh_from_db()
    assert episode.state == State.CONSENTED
    assert consent.surgeon == surgeon and consent.cooling_off_days == 14
    assert AuditEvent.objects.filter(object_type="consent", action=AuditAction.CREATE,
                                     patient_id=episode.patient_id).count() == 1


def test_signing_one_day_inside_the_cooling_off_period_is_refused_with_the_first_date(
        settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 14
    episode = counselled_episode(TODAY)
    with pytest.raises(services.ConsentRefused, match="before 5 December 2026"):
        _consent(episode, TODAY + datetime.timedelta(days=13))
    assert not Consent.objects.exists()
    episode.refresh_from_db()
    assert episode.state == State.COUNSELLING


def test_signing_on_the_first_allowed_day_is_accepted(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 7
    episode = counselled_episode(TODAY)
    assert _consent(episode, TODAY + datetime.timedelta(days=7)).pk


def test_with_no_cooling_off_consent_can_be_signed_the_same_day(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 0
    episode = counselled_episode(TODAY)
    assert _consent(episode, TODAY).cooling_off_days == 0


def test_the_cooling_off_period_defaults_to_fourteen_days(settings):
    del settings.COLLIS_CONSENT_COOLING_OFF_DAYS
    assert services.cooling_off_days() == 14


def test_consent_is_refused_when_a_risk_was_not_acknowledged(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 0
    episode = counselled_episode(TODAY, acknowledged=ALL - {"SD_TRAPEZIUS_WEAKNESS"})
    with pytest.raises(services.ConsentRefused, match="Trapezius weakness"):
        _consent(episode, TODAY)


def test_consent_is_refused_without_counselling():
    episode = episode_at(State.COUNSELLING)
    with pytest.raises(services.ConsentRefused, match="Record a counselling session"):
        _consent(episode, TODAY)


def test_a_nurse_specialist_cannot_record_consent_and_nothing_is_saved(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 0
    episode = counselled_episode(TODAY)
    with pytest.raises(MoveRefused, match="Your role cannot record consent"):
        _consent(episode, TODAY, surgeon=UserFactory(role=Role.NURSE_SPECIALIST))
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="consent").exists()


def test_the_plan_comes_from_the_latest_candidacy_assessment(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 0
    episode = counselled_episode(TODAY)
    CandidacyAssessmentRecord.objects.create(
        patient=episode.patient, assessed_by=UserFactory(), ruleset="collis-sd-candidacy/1",
        recommendation="favourable", facts={},
        result={"denervation_plan": [{"muscle": "splenius_capitis", "side": "left",
                                      "target": "posterior rami C1-C6", "sources": [27]}]})
    consent = _consent(episode, TODAY)
    assert consent.planned_denervation == [
        {"muscle": "splenius_capitis", "side": "left", "target": "posterior rami C1-C6"}]
    assert consent.plan_source.startswith("Candidacy assessment")


def test_records_are_append_only():
    session = _counsel(episode_at(State.LISTED))
    with pytest.raises(PermissionError):
        session.save()


def test_demo_history_counsels_and_consents_once_and_is_idempotent(settings):
    import random

    from collis.consent.demo import demo_history

    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 14
    episode = episode_at(State.LISTED)
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    demo_history(episode.patient, random.Random(3), TODAY, surgeon)
    demo_history(episode.patient, random.Random(3), TODAY, surgeon)
    assert CounsellingSession.objects.filter(patient=episode.patient).count() == 1
    assert Consent.objects.filter(patient=episode.patient).count() <= 1


def test_the_consented_plan_is_the_current_mdt_decision(sites):
    from collis.consent.services import planned_denervation
    from collis.mdt.models import MdtDecision, PlannedDenervation
    from collis.surgery.tests.factories import episode_at as surgery_episode_at

    episode = surgery_episode_at(State.LISTED)
    decision = MdtDecision.objects.create(
        patient=episode.patient, episode=episode, decision="sd", discussion="Agreed.",
        created_by=episode.opened_by)
    PlannedDenervation.objects.create(decision=decision, muscle="splenius_capitis",
                                      side="right", target="posterior ramus C2")
    plan, source = planned_denervation(episode)
    assert plan == [{"muscle": "splenius_capitis", "side": "right",
                     "target": "posterior ramus C2"}]
    assert source.startswith("MDT decision of")


# --- the services ask the pathway table themselves, with its messages

def test_a_second_consent_is_refused_by_the_table_before_anything_is_checked(settings):
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 14
    episode = counselled_episode(TODAY)
    _consent(episode, TODAY + datetime.timedelta(days=14))
    episode.refresh_from_db()
    # Inside the cooling-off period too: the pathway's answer comes first.
    with pytest.raises(MoveRefused, match="^Cannot record consent while the episode is at "
                                          "'Consented'"):
        _consent(episode, TODAY)
    assert Consent.objects.filter(episode=episode).count() == 1


def test_counselling_by_a_role_the_table_does_not_name_is_refused_while_counselling():
    episode = counselled_episode(TODAY)
    with pytest.raises(MoveRefused, match="^Your role cannot record counselling.$"):
        _counsel(episode, role=Role.NEUROLOGIST)
    assert CounsellingSession.objects.filter(episode=episode).count() == 1


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.CONSENTED, State.AWAITING_MDT])
def test_counselling_outside_the_tables_states_is_refused(state):
    episode = episode_at(state)
    with pytest.raises(MoveRefused) as refused:
        _counsel(episode)
    assert str(refused.value) == (
        f"Cannot record counselling while the episode is at '{STATE_LABELS[state]}': that is "
        f"done while it is at 'Listed for surgery' or 'Counselling'.")
    assert not CounsellingSession.objects.exists()


def test_counselling_reads_the_state_saved_not_the_state_in_hand():
    episode = episode_at(State.LISTED)
    stale = type(episode).objects.get(pk=episode.pk)
    _counsel(episode)
    assert stale.state == State.LISTED
    _counsel(stale)  # the row says 'counselling': no second 'start counselling' is tried
    assert EpisodeStatus.objects.filter(episode=episode, state=State.COUNSELLING).count() == 1
    assert CounsellingSession.objects.filter(episode=episode).count() == 2

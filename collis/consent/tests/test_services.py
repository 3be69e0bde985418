import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.consent import services
from collis.consent.models import Consent, CounsellingSession, RiskDisclosure
from collis.consent.tests.factories import CONSENT_DETAILS, counselled_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.presenters import date_long
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import STATE_LABELS, MoveRefused, State
from collis.domain.risks import Intervention, risks_for
from collis.policy.tests.factories import policy_version_make
from collis.surgery.models import EpisodeStatus

pytestmark = pytest.mark.django_db
# A day well in the past, so that the cooling-off period after it has run by now.
TODAY = timezone.localdate() - datetime.timedelta(days=60)
ALL = frozenset(r.code for r in risks_for(Intervention.SELECTIVE_DENERVATION))


def _counsel(episode, role=Role.NURSE_SPECIALIST, acknowledged=ALL, held_on=TODAY):
    return services.counselling_session_create(
        aids_shown=("patient", "clinician"),
        episode=episode, held_on=held_on, answers={"matters_most": "Driving again"},
        acknowledged=acknowledged, actor=Actor.command_line(UserFactory(role=role)))


def _consent(episode, signed_on, surgeon=None, **kwargs):
    return services.consent_create(
        episode=episode, signature_method=kwargs.get("method", "typed"),
        patient_typed_name=kwargs.get("name", "Alex Testpatient"),
        patient_signed_on=signed_on, surgeon_signed_on=kwargs.get("surgeon_on", signed_on),
        details=kwargs.get("details", CONSENT_DETAILS),
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
    assert session.decision_aid_version.startswith("collis-decision-aid/")
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
    policy_version_make(consent_cooling_off_days=14)
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
    policy_version_make(consent_cooling_off_days=14)
    episode = counselled_episode(TODAY)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, TODAY + datetime.timedelta(days=13))
    first = date_long(TODAY + datetime.timedelta(days=14))
    assert refused.value.message_dict["patient_signed_on"] == [
        f"Consent cannot be signed before {first}: the cooling-off period of 14 days (local "
        f"policy) runs from the counselling session held on "
        f"{date_long(TODAY)}."]
    assert not Consent.objects.exists()
    episode.refresh_from_db()
    assert episode.state == State.COUNSELLING


def test_signing_on_the_first_allowed_day_is_accepted(settings):
    policy_version_make(consent_cooling_off_days=7)
    episode = counselled_episode(TODAY)
    assert _consent(episode, TODAY + datetime.timedelta(days=7)).pk


def test_with_no_cooling_off_consent_can_be_signed_the_same_day(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    assert _consent(episode, TODAY).cooling_off_days == 0


def test_the_cooling_off_period_runs_from_the_day_the_counselling_was_recorded(settings):
    """A counselling date typed in the past cannot shorten the period: it runs from the later
    of the day held and the day entered (the session's created_at)."""
    policy_version_make(consent_cooling_off_days=14)
    held, entered = TODAY - datetime.timedelta(days=30), TODAY
    episode = counselled_episode(held, recorded_on=entered)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, held + datetime.timedelta(days=20))  # 14 days after it was held
    message = refused.value.message_dict["patient_signed_on"][0]
    assert message.startswith(f"Consent cannot be signed before "
                              f"{date_long(entered + datetime.timedelta(days=14))}")
    assert f"held on {date_long(held)} and recorded on {date_long(entered)}" in message
    with pytest.raises(ValidationError, match="patient_signed_on"):
        _consent(episode, entered + datetime.timedelta(days=13))
    assert _consent(episode, entered + datetime.timedelta(days=14)).pk


def test_counselling_recorded_today_cannot_be_consented_to_in_the_past(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = episode_at(State.LISTED)
    _counsel(episode, held_on=TODAY)  # recorded now
    with pytest.raises(ValidationError) as refused:
        _consent(episode, TODAY)
    assert "patient_signed_on" in refused.value.message_dict
    assert not Consent.objects.exists()


def test_a_consent_date_in_the_future_is_refused_on_its_field(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, tomorrow, surgeon_on=tomorrow)
    assert refused.value.message_dict == {
        "patient_signed_on": ["The date the patient signed must be today or in the past"]}


def test_the_surgeon_cannot_sign_before_the_patient(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, TODAY + datetime.timedelta(days=2),
                 surgeon_on=TODAY + datetime.timedelta(days=1))
    assert refused.value.message_dict["surgeon_signed_on"][0].startswith(
        "The date the surgeon signed cannot be before the patient signed")


def test_a_typed_signature_without_the_name_is_refused_on_its_field(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    with pytest.raises(ValidationError) as refused:
        _consent(episode, TODAY, name="  ")
    assert list(refused.value.message_dict) == ["patient_typed_name"]


# --- chronology of counselling

def test_counselling_in_the_future_is_refused_on_its_field():
    episode = episode_at(State.LISTED)
    with pytest.raises(ValidationError) as refused:
        _counsel(episode, held_on=timezone.localdate() + datetime.timedelta(days=1))
    assert refused.value.message_dict == {
        "held_on": ["The date of the counselling session must be today or in the past"]}
    assert not CounsellingSession.objects.exists()


def test_counselling_before_the_referral_was_received_is_refused():
    episode = episode_at(State.LISTED, referral_received_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        _counsel(episode, held_on=TODAY - datetime.timedelta(days=1))
    assert refused.value.message_dict == {"held_on": [
        f"The date of the counselling session cannot be before the referral was received "
        f"({date_long(TODAY)})"]}
    assert _counsel(episode, held_on=TODAY).pk  # the same day is allowed


def test_counselling_before_the_patients_birth_is_refused():
    episode = episode_at(State.LISTED, referral_received_on=datetime.date(1900, 1, 1))
    born = episode.patient.date_of_birth
    with pytest.raises(ValidationError) as refused:
        _counsel(episode, held_on=born - datetime.timedelta(days=1))
    assert "before the patient's date of birth" in refused.value.message_dict["held_on"][0]


def test_the_cooling_off_period_defaults_to_fourteen_days():
    # Version 1 of the local policy, seeded by the policy app's migration.
    assert services.cooling_off_days() == 14


def test_consent_is_refused_when_a_risk_was_not_acknowledged(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY, acknowledged=ALL - {"SD_TRAPEZIUS_WEAKNESS"})
    with pytest.raises(services.ConsentRefused, match="Trapezius weakness"):
        _consent(episode, TODAY)


def test_consent_is_refused_without_current_counselling(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    session = CounsellingSession.objects.get(episode=episode)
    services.counselling_session_mark_entered_in_error(
        session=session, reason="Wrong patient", actor=_nurse())
    with pytest.raises(services.ConsentRefused, match="Record a counselling session"):
        _consent(episode, TODAY)


def test_consent_is_refused_without_counselling():
    episode = episode_at(State.COUNSELLING)
    with pytest.raises(services.ConsentRefused, match="Record a counselling session"):
        _consent(episode, TODAY)


def test_a_nurse_specialist_cannot_record_consent_and_nothing_is_saved(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    with pytest.raises(MoveRefused, match="Your role cannot record consent"):
        _consent(episode, TODAY, surgeon=UserFactory(role=Role.NURSE_SPECIALIST))
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="consent").exists()


def test_the_plan_comes_from_the_latest_candidacy_assessment(settings):
    policy_version_make(consent_cooling_off_days=0)
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

    policy_version_make(consent_cooling_off_days=14)
    episode = episode_at(State.LISTED, referral_received_on=TODAY - datetime.timedelta(days=20))
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
    policy_version_make(consent_cooling_off_days=14)
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


def test_demo_history_never_counsels_before_the_referral():
    import random

    from collis.consent.demo import demo_history

    episode = episode_at(State.LISTED, referral_received_on=TODAY)
    demo_history(episode.patient, random.Random(3), TODAY + datetime.timedelta(days=16),
                 UserFactory(role=Role.NURSE_SPECIALIST))
    assert CounsellingSession.objects.get(episode=episode).held_on >= TODAY


# --- corrections: an amendment is a new session; the original and any consent stay

def _nurse():
    return Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST))


def _amend(session, reason="Wrong date typed", held_on=None, acknowledged=ALL, actor=None):
    return services.counselling_session_create(
        aids_shown=("patient", "clinician"),
        episode=session.episode, held_on=held_on or session.held_on,
        answers={"matters_most": "Driving again, and reading"}, acknowledged=acknowledged,
        actor=actor or _nurse(), amends=session, correction_reason=reason)


def test_an_amended_session_keeps_the_original_and_re_records_the_disclosures():
    episode = episode_at(State.LISTED)
    original = _counsel(episode, acknowledged=ALL - {"SD_HAEMATOMA"})
    actor = _nurse()
    amended = _amend(original, held_on=TODAY - datetime.timedelta(days=1), actor=actor)
    original.refresh_from_db()
    assert original.record_status == "amended" and amended.supersedes == original
    assert original.status_reason == "Wrong date typed"
    assert original.status_changed_by == actor.user and original.status_changed_at
    # Both versions keep their own disclosures, as they were entered.
    assert original.disclosures.get(risk_code="SD_HAEMATOMA").acknowledged is False
    assert amended.disclosures.get(risk_code="SD_HAEMATOMA").acknowledged is True
    assert original.disclosures.count() == amended.disclosures.count() == len(ALL)
    entry = AuditEvent.objects.get(object_type="counselling_session", object_id=str(amended.pk),
                                   action=AuditAction.UPDATE)
    assert entry.details["before"]["held_on"] == str(TODAY)
    assert entry.details["after"]["held_on"] == str(TODAY - datetime.timedelta(days=1))
    assert entry.details["reason"] == "Wrong date typed"
    assert list(CounsellingSession.objects.current().filter(episode=episode)) == [amended]


def test_an_amendment_moves_nothing_on_the_pathway():
    episode = episode_at(State.LISTED)
    session = _counsel(episode)
    _amend(session)
    assert EpisodeStatus.objects.filter(episode=episode, state=State.COUNSELLING).count() == 1


def test_an_amendment_meets_every_rule_of_a_new_session():
    session = _counsel(episode_at(State.LISTED))
    with pytest.raises(ValidationError) as refused:
        _amend(session, held_on=timezone.localdate() + datetime.timedelta(days=3))
    assert "held_on" in refused.value.message_dict
    session.refresh_from_db()
    assert session.is_current and CounsellingSession.objects.count() == 1


def test_an_amendment_needs_its_reason():
    session = _counsel(episode_at(State.LISTED))
    with pytest.raises(ValidationError) as refused:
        _amend(session, reason=" ")
    assert list(refused.value.message_dict) == ["correction_reason"]


def test_correcting_an_entry_already_corrected_is_refused():
    session = _counsel(episode_at(State.LISTED))
    _amend(session)
    with pytest.raises(ValidationError, match="already amended"):
        _amend(session)
    with pytest.raises(ValidationError, match="already amended"):
        services.counselling_session_mark_entered_in_error(session=session, reason="x",
                                                           actor=_nurse())
    assert CounsellingSession.objects.count() == 2


def test_a_role_that_may_not_counsel_may_not_correct_counselling():
    session = _counsel(episode_at(State.LISTED))
    physio = Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST))
    with pytest.raises(MoveRefused, match="Your role cannot correct counselling"):
        _amend(session, actor=physio)
    with pytest.raises(MoveRefused, match="Your role cannot correct counselling"):
        services.counselling_session_mark_entered_in_error(session=session, reason="x",
                                                           actor=physio)
    session.refresh_from_db()
    assert session.is_current


def test_a_session_amended_after_consent_leaves_the_consent_bound_to_what_was_disclosed(
        settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY)
    consent = _consent(episode, TODAY)
    original = consent.counselling
    amended = _amend(original, acknowledged=ALL - {"SD_HAEMATOMA"}, reason="Notes wrong")
    consent = Consent.objects.get(pk=consent.pk)
    assert consent.counselling == original and consent.counselling.record_status == "amended"
    assert consent.counselling.disclosures.get(risk_code="SD_HAEMATOMA").acknowledged
    assert not amended.disclosures.get(risk_code="SD_HAEMATOMA").acknowledged


def test_a_session_entered_in_error_leaves_the_summaries_but_not_the_history(settings):
    policy_version_make(consent_cooling_off_days=0)
    episode = counselled_episode(TODAY - datetime.timedelta(days=5))
    later = CounsellingSession.objects.get(episode=episode)
    wrong = _counsel(episode, held_on=TODAY)  # newer, then found to be a mistake
    services.counselling_session_mark_entered_in_error(session=wrong, reason="Duplicate",
                                                       actor=_nurse())
    wrong.refresh_from_db()
    assert wrong.record_status == "entered_in_error" and wrong.status_reason == "Duplicate"
    # Consent rests on the latest *current* session.
    assert _consent(episode, TODAY).counselling == later
    from collis.consent.selectors import counselling_history

    assert counselling_history(wrong) == [wrong]
    assert AuditEvent.objects.filter(object_type="counselling_session", object_id=str(wrong.pk),
                                     action=AuditAction.UPDATE).exists()

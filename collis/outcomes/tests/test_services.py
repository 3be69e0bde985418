import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from collis.assessments import services as assessment_services
from collis.assessments.tests.factories import TWSTRS_ITEMS
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import MoveRefused
from collis.outcomes import services
from collis.outcomes.models import Operation
from collis.outcomes.presenters import outcome_rows
from collis.outcomes.selectors import follow_up_get
from collis.outcomes.tests.factories import make_episode, operate, start_physio
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sites):
    return PatientFactory()


def test_recording_the_operation_saves_the_divisions_moves_the_episode_and_audits(patient):
    episode = make_episode(patient)
    operation = operate(episode)
    episode.refresh_from_db()
    assert episode.state == "operated"
    divisions = list(operation.divisions.all())
    assert [(d.muscle, d.side) for d in divisions] == [("sternocleidomastoid", "left"),
                                                       ("splenius_capitis", "right")]
    assert divisions[0].nerve == "spinal accessory nerve branches"  # the domain's target
    assert divisions[1].nerve == "posterior ramus C2"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="operation",
                                     patient_id=patient.pk).exists()


def test_an_operation_is_refused_and_nothing_saved_when_the_episode_is_not_consented(patient):
    episode = make_episode(patient, state="listed")
    with pytest.raises(MoveRefused, match="Cannot record the operation"):
        operate(episode)
    assert not Operation.objects.exists()


def test_a_neurologist_cannot_record_the_operation_move(patient):
    episode = make_episode(patient)
    with pytest.raises(MoveRefused, match="Your role cannot record the operation"):
        services.operation_create(
                episode=episode, details=services.OperationDetails(
                    operated_on=datetime.date(2026, 3, 2), site=patient.home_site,
                    surgeon=UserFactory(role=Role.NEUROSURGEON), anaesthetic="general",
                    anaesthetist="Dr Birch",
                    divisions=[services.Division("sternocleidomastoid", "left")]),
                actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    assert not Operation.objects.exists()


def test_starting_physiotherapy_generates_the_sessions_and_moves_the_episode(patient):
    episode = make_episode(patient)
    operate(episode)
    programme = start_physio(episode)
    episode.refresh_from_db()
    assert episode.state == "post_operative_physiotherapy"
    dates = [s.scheduled_on for s in programme.sessions.all()]
    assert len(dates) == 6 and dates[1] - dates[0] == datetime.timedelta(days=7)


def test_recording_a_session_needs_its_date_when_attended(patient):
    episode = make_episode(patient)
    operate(episode)
    programme = start_physio(episode)
    session = programme.sessions.first()
    actor = Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST))
    with pytest.raises(ValidationError):
        services.physio_session_record(session=session, attendance="attended", held_on=None,
                                       actor=actor)
    saved = services.physio_session_record(session=session, attendance="attended",
                                           held_on=datetime.date(2026, 3, 9),
                                           exercises="Chin tucks", actor=actor)
    assert saved.attendance == "attended" and saved.exercises == "Chin tucks"


def test_a_review_records_twstrs_through_the_assessments_app_and_starts_follow_up(patient):
    episode = make_episode(patient)
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    assessment_services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 5),
                                      items=TWSTRS_ITEMS, actor=Actor.command_line(neurologist))
    operate(episode)
    start_physio(episode)
    review = services.follow_up_review_create(episode=episode, details=services.ReviewDetails(
        months_after=3, reviewed_on=datetime.date(2026, 6, 2), twstrs_severity=8,
        twstrs_disability=5, twstrs_pain=4), actor=Actor.command_line(neurologist))
    episode.refresh_from_db()
    assert episode.state == "follow_up"
    assert review.twstrs.total == 17 and review.due_on == datetime.date(2026, 6, 2)
    data = follow_up_get(episode=episode, actor=Actor.command_line(neurologist),
                         today=datetime.date(2026, 11, 21))
    assert data.baseline.total == 35
    [row] = outcome_rows(data.baseline, data.reviews)
    assert row.change == "-18" and row.important
    assert [(s.point.months_after, s.overdue) for s in data.schedule] == [
        (3, False), (6, True), (12, False)]


def test_a_review_at_a_point_outside_the_schedule_is_refused(patient):
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    with pytest.raises(ValidationError):
        services.follow_up_review_create(episode=episode, details=services.ReviewDetails(
            months_after=4, reviewed_on=datetime.date(2026, 7, 2), tsui_total=4),
            actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))


def test_a_complication_is_saved_from_the_catalogue_and_audited(patient):
    episode = make_episode(patient)
    operate(episode)
    complication = services.complication_create(
        episode=episode, risk_code="SD_DYSAESTHESIA", onset_on=datetime.date(2026, 3, 10),
        severity="mild", status="ongoing",
        actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    assert complication.get_risk_code_display().startswith("Dysaesthesia")
    assert AuditEvent.objects.filter(object_type="complication", patient_id=patient.pk).exists()
    with pytest.raises(ValidationError):
        services.complication_create(
            episode=episode, risk_code="NOT_A_RISK", onset_on=datetime.date(2026, 3, 10),
            severity="mild", status="ongoing",
            actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))


def test_discharge_needs_a_doctor_and_a_reason(patient):
    episode = make_episode(patient, state="follow_up")
    physio = Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST))
    with pytest.raises(MoveRefused, match="Your role cannot"):
        services.follow_up_discharge(episode=episode, reason="Well", actor=physio)
    doctor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    with pytest.raises(MoveRefused, match="Give a reason"):
        services.follow_up_discharge(episode=episode, reason=" ", actor=doctor)
    services.follow_up_discharge(episode=episode, reason="Stable at 2 years", actor=doctor)
    episode.refresh_from_db()
    assert episode.state == "discharged"


def test_further_surgery_is_recorded(patient):
    episode = make_episode(patient)
    operate(episode)
    surgery = services.further_surgery_create(
        episode=episode, kind="conversion_to_dbs", performed_on=datetime.date(2026, 9, 1),
        reason="Persistent symptoms", actor=Actor.command_line(
            UserFactory(role=Role.NEUROSURGEON)))
    assert surgery.get_kind_display().startswith("Conversion")


def test_demo_history_is_idempotent(patient):
    import random

    from collis.outcomes.demo import demo_history
    from collis.outcomes.models import FollowUpReview

    episode = make_episode(patient)
    author = UserFactory(role=Role.NEUROSURGEON)
    demo_history(patient, random.Random(1), datetime.date(2026, 11, 21), author)
    count = FollowUpReview.objects.count()
    assert Operation.objects.filter(episode=episode).exists() and count >= 2
    demo_history(patient, random.Random(1), datetime.date(2026, 11, 21), author)
    assert FollowUpReview.objects.count() == count


# --- the services ask the pathway table themselves, with its messages

def _actor(role):
    return Actor.command_line(UserFactory(role=role))


def _withdraw(episode):
    from collis.surgery.services import episode_transition

    episode_transition(episode=episode, event="withdraw", reason="Moved abroad",
                       actor=_actor(Role.NEUROLOGIST))


def _complication(episode, role=Role.NEUROLOGIST):
    return services.complication_create(
        episode=episode, risk_code="SD_DYSAESTHESIA", onset_on=datetime.date(2026, 3, 10),
        severity="mild", status="ongoing", actor=_actor(role))


def _further_surgery(episode, role=Role.NEUROSURGEON):
    return services.further_surgery_create(
        episode=episode, kind="reoperation", performed_on=datetime.date(2026, 9, 1),
        reason="Persistent symptoms", actor=_actor(role))


AFTER_SD = ("'Operated', 'Post-operative physiotherapy', 'Follow-up' or 'Discharged'.")


@pytest.mark.parametrize("record, what", [
    (_complication, "record a complication"),
    (_further_surgery, "record a reoperation or conversion to DBS"),
])
def test_what_follows_the_operation_is_refused_once_withdrawn_or_before_it(patient, record,
                                                                           what):
    episode = make_episode(patient)
    with pytest.raises(MoveRefused) as refused:
        record(episode)
    assert str(refused.value) == (f"Cannot {what} while the episode is at 'Consented': that "
                                  f"is done while it is at {AFTER_SD}")
    operate(episode)
    _withdraw(episode)
    with pytest.raises(MoveRefused, match=f"^Cannot {what} while the episode is at "
                                          f"'Withdrawn'"):
        record(episode)
    assert not episode.complications.exists() and not episode.further_surgeries.exists()


@pytest.mark.parametrize("record, what", [
    (_complication, "record a complication"),
    (_further_surgery, "record a reoperation or conversion to DBS"),
])
def test_what_follows_the_operation_is_refused_to_a_coordinator(patient, record, what):
    episode = make_episode(patient)
    operate(episode)
    with pytest.raises(MoveRefused, match=f"^Your role cannot {what}.$"):
        record(episode, role=Role.MDT_COORDINATOR)


def test_a_late_complication_is_recorded_after_discharge(patient):
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    services.follow_up_start(episode=episode, actor=_actor(Role.PHYSIOTHERAPIST))
    services.follow_up_discharge(episode=episode, reason="Stable", actor=_actor(Role.NEUROLOGIST))
    assert _complication(episode, role=Role.NURSE_SPECIALIST).pk
    assert _further_surgery(episode).pk


def test_a_physio_session_is_refused_to_a_nurse_and_once_withdrawn(patient):
    episode = make_episode(patient)
    operate(episode)
    session = start_physio(episode).sessions.first()
    with pytest.raises(MoveRefused, match="^Your role cannot record a physiotherapy session.$"):
        services.physio_session_record(session=session, attendance="did_not_attend",
                                       held_on=None, actor=_actor(Role.NURSE_SPECIALIST))
    _withdraw(episode)
    with pytest.raises(MoveRefused, match="^Cannot record a physiotherapy session while the "
                                          "episode is at 'Withdrawn'"):
        services.physio_session_record(session=session, attendance="did_not_attend",
                                       held_on=None, actor=_actor(Role.PHYSIOTHERAPIST))
    session.refresh_from_db()
    assert session.attendance == "scheduled"


def test_a_review_is_refused_by_the_table_before_physiotherapy_and_to_a_coordinator(patient):
    episode = make_episode(patient)
    operate(episode)
    details = services.ReviewDetails(months_after=3, reviewed_on=datetime.date(2026, 6, 2),
                                     tsui_total=4)
    with pytest.raises(MoveRefused, match="^Cannot record a follow-up review while the "
                                          "episode is at 'Operated'"):
        services.follow_up_review_create(episode=episode, details=details,
                               actor=_actor(Role.NEUROLOGIST))
    start_physio(episode)
    with pytest.raises(MoveRefused, match="^Your role cannot record a follow-up review.$"):
        services.follow_up_review_create(episode=episode, details=details,
                               actor=_actor(Role.MDT_COORDINATOR))
    episode.refresh_from_db()
    assert episode.state == "post_operative_physiotherapy"


def test_a_review_reads_the_state_saved_not_the_state_in_hand(patient):
    from collis.outcomes.models import FollowUpReview
    from collis.surgery.models import EpisodeStatus

    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    stale = type(episode).objects.get(pk=episode.pk)
    actor = _actor(Role.NEUROLOGIST)
    services.follow_up_review_create(episode=episode, actor=actor, details=services.ReviewDetails(
        months_after=3, reviewed_on=datetime.date(2026, 6, 2), tsui_total=4))
    assert stale.state == "post_operative_physiotherapy"
    services.follow_up_review_create(episode=stale, actor=actor, details=services.ReviewDetails(
        months_after=6, reviewed_on=datetime.date(2026, 9, 2), tsui_total=3))
    assert FollowUpReview.objects.filter(episode=episode).count() == 2
    assert EpisodeStatus.objects.filter(episode=episode, state="follow_up").count() == 1


# --- chronology: each refusal names the field and says why

def _operation_details(operated_on=datetime.date(2026, 3, 2), divisions=None, **extra):
    from collis.sites.models import Site

    return services.OperationDetails(
        operated_on=operated_on, site=Site.objects.order_by("code").first(),
        surgeon=UserFactory(role=Role.NEUROSURGEON), anaesthetic="general",
        anaesthetist="Dr Birch",
        divisions=divisions or [services.Division("sternocleidomastoid", "left")], **extra)


def _record_operation(episode, **kwargs):
    return services.operation_create(episode=episode, details=_operation_details(**kwargs),
                                     actor=_actor(Role.NEUROSURGEON))


def _refused_on(field, call):
    with pytest.raises(ValidationError) as refused:
        call()
    assert list(refused.value.message_dict) == [field], refused.value.message_dict
    return refused.value.message_dict[field][0]


def test_an_operation_dated_before_the_consent_is_refused_on_its_date(patient):
    episode = make_episode(patient, consented_on=datetime.date(2026, 3, 5))
    message = _refused_on("operated_on", lambda: _record_operation(
        episode, operated_on=datetime.date(2026, 3, 4)))
    assert message == ("The date of the operation cannot be before the patient signed the "
                       "consent (5 March 2026)")
    assert not Operation.objects.exists()
    episode.refresh_from_db()
    assert episode.state == "consented"
    assert _record_operation(episode, operated_on=datetime.date(2026, 3, 5)).pk  # same day


def test_the_operation_follows_the_patients_signature_not_the_day_consent_was_entered(
        patient):
    """The surgeon's date is the day the consent was entered in Collis; a consent signed on
    paper and entered later does not make the operation early."""
    from collis.consent.models import Consent

    episode = make_episode(patient, consented_on=datetime.date(2026, 3, 1))
    Consent._base_manager.filter(episode=episode).update(
        surgeon_signed_on=datetime.date(2026, 3, 10))
    assert _record_operation(episode, operated_on=datetime.date(2026, 3, 5)).pk


def test_an_operation_in_the_future_or_before_birth_is_refused(patient):
    episode = make_episode(patient, consented_on=datetime.date(1970, 1, 1))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert _refused_on("operated_on", lambda: _record_operation(
        episode, operated_on=tomorrow)) == "The date of the operation must be today or in the past"
    assert "before the patient's date of birth" in _refused_on(
        "operated_on", lambda: _record_operation(episode, operated_on=datetime.date(1974, 1, 1)))


def test_an_operation_started_later_today_is_refused_on_its_time(patient):
    episode = make_episode(patient)
    later = (timezone.localtime() + datetime.timedelta(minutes=5)).time()
    if later < timezone.localtime().time():  # the test runs just before midnight
        pytest.skip("no later time today")
    assert "now or in the past" in _refused_on("started_at", lambda: _record_operation(
        episode, operated_on=timezone.localdate(), started_at=later))


def test_an_operation_without_a_recorded_consent_is_refused(patient):
    from collis.surgery.models import Episode

    bare = make_episode(patient, state="listed")  # no consent...
    Episode.objects.filter(pk=bare.pk).update(state="consented")  # ...yet at 'consented'
    with pytest.raises(ValidationError, match="Record the consent before the operation note"):
        _record_operation(bare)


# --- the operation note and the consented plan

def test_a_nerve_divided_outside_the_consented_plan_needs_a_reason_and_is_flagged(patient):
    episode = make_episode(patient)  # the plan: sternocleidomastoid (left), splenius (right)
    divisions = [services.Division("sternocleidomastoid", "left"),
                 services.Division("levator_scapulae", "left"),
                 services.Division("splenius_capitis", "left")]
    message = _refused_on("outside_plan_reason",
                          lambda: _record_operation(episode, divisions=divisions))
    assert message == ("Give the reason for dividing nerves outside the consented plan: "
                       "levator scapulae (left), splenius capitis (left)")
    operation = _record_operation(episode, divisions=divisions,
                                  outside_plan_reason="Levator found overactive on table")
    flags = {(d.muscle, d.side): d.outside_plan for d in operation.divisions.all()}
    assert flags == {("sternocleidomastoid", "left"): False,
                     ("levator_scapulae", "left"): True, ("splenius_capitis", "left"): True}
    assert operation.outside_plan_reason == "Levator found overactive on table"
    assert operation.consent == episode.consents.get()
    entry = AuditEvent.objects.get(object_type="operation", action=AuditAction.CREATE)
    assert entry.details["outside_plan"] == ["levator_scapulae (left)",
                                             "splenius_capitis (left)"]


def test_a_bilateral_plan_covers_each_side_and_one_side_does_not_cover_both(patient):
    plan = ({"muscle": "splenius_capitis", "side": "bilateral", "target": "C2"},
            {"muscle": "levator_scapulae", "side": "left", "target": "C3-C5"})
    divisions = [services.Division("splenius_capitis", "left"),
                 services.Division("splenius_capitis", "right"),
                 services.Division("levator_scapulae", "bilateral")]
    assert services.outside_plan(divisions, plan) == [divisions[2]]


def test_a_note_in_the_plan_keeps_no_stray_reason(patient):
    episode = make_episode(patient)
    operation = _record_operation(episode, outside_plan_reason="Not needed")
    assert operation.outside_plan_reason == ""
    assert not operation.divisions.filter(outside_plan=True).exists()


# --- correcting the operation note

def _amend_operation(operation, reason="Wrong date typed", actor=None, **kwargs):
    return services.operation_create(
        episode=operation.episode, details=_operation_details(**kwargs),
        actor=actor or _actor(Role.NEUROSURGEON), amends=operation, correction_reason=reason)


def test_an_amended_operation_note_keeps_the_original_and_moves_nothing(patient):
    from collis.surgery.models import EpisodeStatus

    episode = make_episode(patient)
    original = operate(episode)
    surgeon = _actor(Role.NEUROSURGEON)
    amended = _amend_operation(original, actor=surgeon, operated_on=datetime.date(2026, 3, 3),
                               divisions=[services.Division("splenius_capitis", "right")])
    original.refresh_from_db()
    assert original.record_status == "amended" and amended.supersedes == original
    assert original.status_changed_by == surgeon.user and original.status_reason
    assert [d.muscle for d in original.divisions.all()] == ["sternocleidomastoid",
                                                            "splenius_capitis"]
    assert [d.muscle for d in amended.divisions.all()] == ["splenius_capitis"]
    assert services.operation_current(episode) == amended
    assert amended.consent == original.consent
    assert EpisodeStatus.objects.filter(episode=episode, state="operated").count() == 1
    entry = AuditEvent.objects.get(object_type="operation", action=AuditAction.UPDATE)
    assert entry.details["before"]["operated_on"] == "2026-03-02"
    assert entry.details["after"]["operated_on"] == "2026-03-03"


def test_an_amended_operation_meets_the_rules_of_a_new_one(patient):
    episode = make_episode(patient, consented_on=datetime.date(2026, 3, 1))
    original = operate(episode)
    _refused_on("operated_on", lambda: _amend_operation(
        original, operated_on=datetime.date(2026, 2, 27)))
    _refused_on("correction_reason", lambda: _amend_operation(original, reason=""))
    original.refresh_from_db()
    assert original.is_current and Operation.objects.count() == 1


def test_an_amended_operation_date_cannot_pass_what_followed_it(patient):
    episode = make_episode(patient)
    original = operate(episode)
    _complication(episode)  # onset 10 March 2026
    message = _refused_on("operated_on", lambda: _amend_operation(
        original, operated_on=datetime.date(2026, 3, 11)))
    assert message.startswith("The date of the operation cannot be after the onset of a "
                              "complication (10 March 2026)")


def test_only_the_roles_that_record_the_operation_may_correct_it(patient):
    episode = make_episode(patient)
    original = operate(episode)
    with pytest.raises(MoveRefused, match="^Your role cannot correct the operation note.$"):
        _amend_operation(original, actor=_actor(Role.NEUROLOGIST))
    with pytest.raises(MoveRefused, match="^Your role cannot correct the operation note.$"):
        services.operation_mark_entered_in_error(operation=original, reason="x",
                                                 actor=_actor(Role.NEUROLOGIST))
    original.refresh_from_db()
    assert original.is_current


def test_correcting_an_operation_note_already_corrected_is_refused(patient):
    episode = make_episode(patient)
    original = operate(episode)
    _amend_operation(original)
    with pytest.raises(ValidationError, match="already amended"):
        _amend_operation(original)
    assert Operation.objects.count() == 2


def test_an_operation_entered_in_error_leaves_the_follow_up_but_not_the_history(patient):
    from collis.assessments.selectors import chart_markers
    from collis.outcomes.selectors import history
    from collis.outcomes.timeline import timeline_events

    episode = make_episode(patient)
    operation = operate(episode)
    services.operation_mark_entered_in_error(operation=operation, reason="Wrong patient",
                                             actor=_actor(Role.NEUROSURGEON))
    data = follow_up_get(episode=episode, actor=_actor(Role.NEUROLOGIST))
    assert data.operation is None and data.schedule == []
    assert not [m for m in chart_markers(patient) if m.kind == "operation"]
    [event] = timeline_events(patient)
    assert event.kind == "operation_entered_in_error" and "(Entered in error)" in event.title
    operation.refresh_from_db()
    assert history(operation) == [operation]
    with pytest.raises(ValidationError, match="Record the operation note before"):
        _complication(episode)


# --- physiotherapy after the operation

def test_the_programme_cannot_start_before_the_operation(patient):
    episode = make_episode(patient)
    operate(episode)
    with pytest.raises(ValidationError) as refused:
        start_physio(episode, starts_on=datetime.date(2026, 3, 1))
    assert refused.value.message_dict == {"starts_on": [
        "The date of the first session cannot be before the operation (2 March 2026)"]}


def test_a_session_held_before_the_operation_or_in_the_future_is_refused(patient):
    episode = make_episode(patient)
    operate(episode)
    session = start_physio(episode).sessions.first()
    actor = _actor(Role.PHYSIOTHERAPIST)
    message = _refused_on("held_on", lambda: services.physio_session_record(
        session=session, attendance="attended", held_on=datetime.date(2026, 3, 1), actor=actor))
    assert message == "The date of the session cannot be before the operation (2 March 2026)"
    _refused_on("held_on", lambda: services.physio_session_record(
        session=session, attendance="attended",
        held_on=timezone.localdate() + datetime.timedelta(days=1), actor=actor))
    session.refresh_from_db()
    assert session.attendance == "scheduled"


def test_a_recorded_session_is_corrected_by_a_new_version_never_overwritten(patient):
    from collis.outcomes.models import PhysioSession

    episode = make_episode(patient)
    operate(episode)
    session = start_physio(episode).sessions.first()
    actor = _actor(Role.PHYSIOTHERAPIST)
    recorded = services.physio_session_record(session=session, attendance="attended",
                                              held_on=datetime.date(2026, 3, 9),
                                              exercises="Chin tucks", actor=actor)
    _refused_on("correction_reason", lambda: services.physio_session_record(
        session=recorded, attendance="did_not_attend", held_on=None, actor=actor))
    amended = services.physio_session_record(
        session=recorded, attendance="did_not_attend", held_on=None, actor=actor,
        correction_reason="Recorded against the wrong week")
    recorded.refresh_from_db()
    assert recorded.record_status == "amended" and recorded.exercises == "Chin tucks"
    assert amended.supersedes == recorded and amended.number == recorded.number
    current = PhysioSession.objects.current().filter(programme=session.programme)
    assert current.count() == 6 and current.get(number=1) == amended


def test_a_session_entered_in_error_goes_back_to_the_schedule(patient):
    from collis.outcomes.models import PhysioSession

    episode = make_episode(patient)
    operate(episode)
    session = start_physio(episode).sessions.first()
    actor = _actor(Role.PHYSIOTHERAPIST)
    with pytest.raises(ValidationError, match="Nothing is recorded"):
        services.physio_session_mark_entered_in_error(session=session, reason="x", actor=actor)
    recorded = services.physio_session_record(session=session, attendance="did_not_attend",
                                              held_on=None, actor=actor)
    services.physio_session_mark_entered_in_error(session=recorded, reason="Other patient",
                                                  actor=actor)
    slot = PhysioSession.objects.current().get(programme=session.programme, number=1)
    assert slot.attendance == "scheduled" and slot.pk != recorded.pk
    recorded.refresh_from_db()
    assert recorded.record_status == "entered_in_error"
    with pytest.raises(MoveRefused, match="^Your role cannot correct a physiotherapy session"):
        services.physio_session_mark_entered_in_error(
            session=services.physio_session_record(session=slot, attendance="did_not_attend",
                                                   held_on=None, actor=actor),
            reason="x", actor=_actor(Role.NURSE_SPECIALIST))


# --- follow-up reviews inside the window around their due date

def _followed_up(patient):
    episode = make_episode(patient)
    operate(episode)  # 2 March 2026: the 3-month review is due on 2 June 2026
    start_physio(episode)
    return episode


def _review(episode, reviewed_on, months=3, actor=None, **extra):
    return services.follow_up_review_create(
        episode=episode, actor=actor or _actor(Role.NEUROLOGIST),
        details=services.ReviewDetails(months_after=months, reviewed_on=reviewed_on,
                                       **({"tsui_total": 4} | extra)))


def test_the_review_window_is_a_named_local_policy_value():
    from collis.domain.policy import FOLLOW_UP_REVIEW_WINDOW_WEEKS
    from collis.policy.tests.factories import policy_version_make

    assert FOLLOW_UP_REVIEW_WINDOW_WEEKS.label == "local policy, needs clinical sign-off"
    assert services.review_window_weeks() == FOLLOW_UP_REVIEW_WINDOW_WEEKS.value == 6
    policy_version_make(follow_up_review_window_weeks=2)
    assert services.review_window(datetime.date(2026, 6, 2)) == (
        datetime.date(2026, 5, 19), datetime.date(2026, 6, 16))


def test_a_review_outside_its_window_is_refused_on_its_date(patient):
    episode = _followed_up(patient)
    message = _refused_on("reviewed_on", lambda: _review(episode, datetime.date(2026, 7, 15)))
    assert message == ("The date of the review must be between 21 April 2026 and 14 July "
                       "2026: 6 weeks either side of the due date, 2 June 2026 (local policy)")
    _refused_on("reviewed_on", lambda: _review(episode, datetime.date(2026, 4, 20)))
    assert _review(episode, datetime.date(2026, 7, 14)).pk  # the window's last day
    assert _review(episode, datetime.date(2026, 9, 2), months=6).pk


def test_a_scale_taken_outside_the_reviews_window_is_refused_on_its_field(patient):
    episode = _followed_up(patient)
    actor = _actor(Role.NEUROLOGIST)
    early = assessment_services.twstrs_create(patient=patient,
                                              assessed_on=datetime.date(2026, 4, 1),
                                              items=TWSTRS_ITEMS, actor=actor)
    message = _refused_on("twstrs_existing", lambda: _review(
        episode, datetime.date(2026, 6, 2), twstrs_existing=early, tsui_total=None))
    assert message.startswith("The TWSTRS of 1 April 2026 was not taken inside the review's "
                              "window: it must be between 21 April 2026 and 14 July 2026")
    inside = assessment_services.twstrs_create(patient=patient,
                                               assessed_on=datetime.date(2026, 5, 30),
                                               items=TWSTRS_ITEMS, actor=actor)
    review = _review(episode, datetime.date(2026, 6, 2), twstrs_existing=inside,
                     tsui_total=None)
    assert review.twstrs == inside


def test_a_scale_since_corrected_cannot_be_used_by_a_review(patient):
    from collis.core.corrections import record_mark_entered_in_error

    episode = _followed_up(patient)
    actor = _actor(Role.NEUROLOGIST)
    wrong = assessment_services.twstrs_create(patient=patient,
                                              assessed_on=datetime.date(2026, 5, 30),
                                              items=TWSTRS_ITEMS, actor=actor)
    record_mark_entered_in_error(record=wrong, reason="Other patient", actor=actor,
                                 object_type="scale_twstrs", patient_id=patient.pk)
    wrong.refresh_from_db()
    assert "was corrected" in _refused_on("twstrs_existing", lambda: _review(
        episode, datetime.date(2026, 6, 2), twstrs_existing=wrong, tsui_total=None))


def test_a_review_point_is_recorded_once_until_corrected(patient):
    episode = _followed_up(patient)
    first = _review(episode, datetime.date(2026, 6, 2))
    with pytest.raises(ValidationError, match="already recorded: correct it instead"):
        _review(episode, datetime.date(2026, 6, 3))
    services.follow_up_review_mark_entered_in_error(review=first, reason="Duplicate",
                                                    actor=_actor(Role.NURSE_SPECIALIST))
    assert _review(episode, datetime.date(2026, 6, 3)).pk


def test_an_amended_review_replaces_the_original_in_the_schedule_and_outcome(patient):
    episode = _followed_up(patient)
    actor = _actor(Role.NEUROLOGIST)
    assessment_services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 5),
                                      items=TWSTRS_ITEMS, actor=actor)  # baseline, total 35
    original = _review(episode, datetime.date(2026, 6, 2), twstrs_severity=8,
                       twstrs_disability=5, twstrs_pain=4, tsui_total=None)
    amended = services.follow_up_review_create(
        episode=episode, actor=actor, amends=original, correction_reason="Subscores swapped",
        details=services.ReviewDetails(months_after=3, reviewed_on=datetime.date(2026, 6, 2),
                                       twstrs_severity=12, twstrs_disability=8,
                                       twstrs_pain=5))
    original.refresh_from_db()
    assert original.record_status == "amended" and amended.supersedes == original
    data = follow_up_get(episode=episode, actor=actor, today=datetime.date(2026, 6, 3))
    assert data.reviews == [amended] and data.schedule[0].review == amended
    [row] = outcome_rows(data.baseline, data.reviews)
    assert row.total == 25 and data.corrected == [original]
    with pytest.raises(ValidationError, match="same review point"):
        services.follow_up_review_create(
            episode=episode, actor=actor, amends=amended, correction_reason="x",
            details=services.ReviewDetails(months_after=6, reviewed_on=datetime.date(
                2026, 9, 2), tsui_total=3))


def test_a_coordinator_cannot_correct_a_review(patient):
    episode = _followed_up(patient)
    review = _review(episode, datetime.date(2026, 6, 2))
    with pytest.raises(MoveRefused, match="^Your role cannot correct a follow-up review.$"):
        services.follow_up_review_mark_entered_in_error(
            review=review, reason="x", actor=_actor(Role.MDT_COORDINATOR))


# --- complications and further surgery after the operation

def test_a_complication_before_the_operation_or_in_the_future_is_refused(patient):
    episode = make_episode(patient)
    operate(episode)
    actor = _actor(Role.NEUROLOGIST)

    def complication(onset_on, status="ongoing", resolved_on=None):
        return services.complication_create(
            episode=episode, risk_code="SD_HAEMATOMA", onset_on=onset_on, severity="mild",
            status=status, resolved_on=resolved_on, actor=actor)

    assert _refused_on("onset_on", lambda: complication(datetime.date(2026, 3, 1))) == (
        "The date of onset cannot be before the operation (2 March 2026)")
    _refused_on("onset_on", lambda: complication(
        timezone.localdate() + datetime.timedelta(days=1)))
    assert _refused_on("resolved_on", lambda: complication(
        datetime.date(2026, 3, 10), "resolved", datetime.date(2026, 3, 9))) == (
        "The date it resolved cannot be before the date of onset (10 March 2026)")
    _refused_on("resolved_on", lambda: complication(
        datetime.date(2026, 3, 10), "resolved", timezone.localdate()
        + datetime.timedelta(days=1)))
    assert complication(datetime.date(2026, 3, 2)).pk  # the day of the operation


def test_further_surgery_before_the_operation_is_refused(patient):
    episode = make_episode(patient)
    operate(episode)
    message = _refused_on("performed_on", lambda: services.further_surgery_create(
        episode=episode, kind="reoperation", performed_on=datetime.date(2026, 2, 1),
        reason="x", actor=_actor(Role.NEUROSURGEON)))
    assert message == "The date of the further surgery cannot be before the operation " \
                      "(2 March 2026)"


def test_an_amended_complication_leaves_the_list_for_its_correction(patient):
    episode = make_episode(patient)
    operate(episode)
    original = _complication(episode)
    amended = services.complication_create(
        episode=episode, risk_code="SD_DYSAESTHESIA", onset_on=datetime.date(2026, 3, 12),
        severity="moderate", status="ongoing", actor=_actor(Role.NURSE_SPECIALIST),
        amends=original, correction_reason="Onset was two days later")
    data = follow_up_get(episode=episode, actor=_actor(Role.NEUROLOGIST))
    assert data.complications == [amended] and data.corrected == [original]
    services.complication_mark_entered_in_error(complication=amended, reason="Not SD",
                                                actor=_actor(Role.NEUROLOGIST))
    assert follow_up_get(episode=episode, actor=_actor(Role.NEUROLOGIST)).complications == []
    with pytest.raises(MoveRefused, match="^Your role cannot correct a complication.$"):
        services.complication_create(
            episode=episode, risk_code="SD_DYSAESTHESIA", onset_on=datetime.date(2026, 3, 12),
            severity="mild", status="ongoing", actor=_actor(Role.MDT_COORDINATOR),
            amends=original, correction_reason="x")


def test_further_surgery_is_corrected_and_entered_in_error(patient):
    episode = make_episode(patient)
    operate(episode)
    original = _further_surgery(episode)
    amended = services.further_surgery_create(
        episode=episode, kind="conversion_to_dbs", performed_on=datetime.date(2026, 9, 2),
        reason="Persistent symptoms", actor=_actor(Role.NEUROSURGEON), amends=original,
        correction_reason="It was a conversion")
    assert follow_up_get(episode=episode, actor=_actor(Role.NEUROLOGIST)
                         ).further_surgeries == [amended]
    _refused_on("performed_on", lambda: services.further_surgery_create(
        episode=episode, kind="reoperation", performed_on=datetime.date(2026, 1, 1),
        reason="x", actor=_actor(Role.NEUROSURGEON), amends=amended, correction_reason="x"))
    services.further_surgery_mark_entered_in_error(surgery=amended, reason="Wrong patient",
                                                   actor=_actor(Role.NEUROSURGEON))
    assert follow_up_get(episode=episode, actor=_actor(Role.NEUROLOGIST)
                         ).further_surgeries == []

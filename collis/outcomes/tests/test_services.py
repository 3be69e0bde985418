import datetime

import pytest
from django.core.exceptions import ValidationError

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
        services.physio_session_update(session=session, attendance="attended", held_on=None,
                                       actor=actor)
    saved = services.physio_session_update(session=session, attendance="attended",
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
        services.physio_session_update(session=session, attendance="did_not_attend",
                                       held_on=None, actor=_actor(Role.NURSE_SPECIALIST))
    _withdraw(episode)
    with pytest.raises(MoveRefused, match="^Cannot record a physiotherapy session while the "
                                          "episode is at 'Withdrawn'"):
        services.physio_session_update(session=session, attendance="did_not_attend",
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

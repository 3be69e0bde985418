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
        services.operation_record(
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
    assessment_services.twstrs_record(patient=patient, assessed_on=datetime.date(2026, 1, 5),
                                      items=TWSTRS_ITEMS, actor=Actor.command_line(neurologist))
    operate(episode)
    start_physio(episode)
    review = services.review_record(episode=episode, details=services.ReviewDetails(
        months_after=3, reviewed_on=datetime.date(2026, 6, 2), twstrs_severity=8,
        twstrs_disability=5, twstrs_pain=4), actor=Actor.command_line(neurologist))
    episode.refresh_from_db()
    assert episode.state == "follow_up"
    assert review.twstrs.total == 17 and review.due_on == datetime.date(2026, 6, 2)
    data = follow_up_get(episode=episode, actor=None, today=datetime.date(2026, 11, 21))
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
        services.review_record(episode=episode, details=services.ReviewDetails(
            months_after=4, reviewed_on=datetime.date(2026, 7, 2), tsui_total=4),
            actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))


def test_a_complication_is_saved_from_the_catalogue_and_audited(patient):
    episode = make_episode(patient)
    operate(episode)
    complication = services.complication_record(
        episode=episode, risk_code="SD_DYSAESTHESIA", onset_on=datetime.date(2026, 3, 10),
        severity="mild", status="ongoing",
        actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    assert complication.get_risk_code_display().startswith("Dysaesthesia")
    assert AuditEvent.objects.filter(object_type="complication", patient_id=patient.pk).exists()
    with pytest.raises(ValidationError):
        services.complication_record(
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
    surgery = services.further_surgery_record(
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

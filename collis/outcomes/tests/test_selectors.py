"""The pre-operative baseline, as a rule that says what counts as "before"."""

import datetime

import pytest
from django.utils import timezone

from collis.assessments import services as assessment_services
from collis.assessments.models import ScaleAssessment
from collis.assessments.tests.factories import TWSTRS_ITEMS
from collis.core.audit import Actor
from collis.core.corrections import record_mark_entered_in_error
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.outcomes.selectors import BASELINE_RULE, baseline_twstrs
from collis.outcomes.tests.factories import OPERATED_ON, make_episode, operate
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def patient(sites):
    return PatientFactory()


@pytest.fixture
def actor():
    return Actor.command_line(UserFactory(role=Role.NEUROLOGIST))


def twstrs(patient, actor, day, recorded_at=None, severity=20):
    assessment = assessment_services.twstrs_create_from_subscores(
        patient=patient, assessed_on=day, severity=severity, disability=10, pain=5,
        actor=actor)
    if recorded_at is not None:
        ScaleAssessment._base_manager.filter(pk=assessment.pk).update(created_at=recorded_at)
        assessment.refresh_from_db()
    return assessment


def test_a_twstrs_of_an_earlier_day_is_the_baseline(patient, actor):
    operation = operate(make_episode(patient), started_at=datetime.time(9, 0))
    earlier = twstrs(patient, actor, OPERATED_ON - datetime.timedelta(days=1))
    assert baseline_twstrs(patient.pk, operation) == earlier


def test_a_twstrs_of_the_day_recorded_before_the_operation_started_is_the_baseline(patient,
                                                                                    actor):
    operation = operate(make_episode(patient), started_at=datetime.time(9, 0))
    twstrs(patient, actor, OPERATED_ON - datetime.timedelta(days=10))
    morning = twstrs(patient, actor, OPERATED_ON, recorded_at=at(OPERATED_ON, 7, 40))
    assert baseline_twstrs(patient.pk, operation) == morning


def test_a_twstrs_of_the_day_recorded_after_the_operation_started_is_not(patient, actor):
    operation = operate(make_episode(patient), started_at=datetime.time(9, 0))
    earlier = twstrs(patient, actor, OPERATED_ON - datetime.timedelta(days=10))
    twstrs(patient, actor, OPERATED_ON, recorded_at=at(OPERATED_ON, 9, 0))  # not before
    twstrs(patient, actor, OPERATED_ON, recorded_at=at(OPERATED_ON, 16, 30))
    assert baseline_twstrs(patient.pk, operation) == earlier


def test_without_a_start_time_a_twstrs_of_the_day_does_not_count(patient, actor):
    operation = operate(make_episode(patient))
    assert operation.started_at is None
    earlier = twstrs(patient, actor, OPERATED_ON - datetime.timedelta(days=10))
    twstrs(patient, actor, OPERATED_ON, recorded_at=at(OPERATED_ON, 6, 0))
    assert baseline_twstrs(patient.pk, operation) == earlier
    assert "Without a start time" in BASELINE_RULE


def test_a_twstrs_entered_in_error_is_never_the_baseline(patient, actor):
    operation = operate(make_episode(patient))
    earlier = twstrs(patient, actor, OPERATED_ON - datetime.timedelta(days=10))
    wrong = twstrs(patient, actor, OPERATED_ON - datetime.timedelta(days=1))
    record_mark_entered_in_error(record=wrong, reason="Other patient", actor=actor,
                                 object_type="scale_twstrs", patient_id=patient.pk)
    assert baseline_twstrs(patient.pk, operation) == earlier


def test_a_twstrs_after_the_operation_is_never_the_baseline(patient, actor):
    operation = operate(make_episode(patient))
    twstrs(patient, actor, OPERATED_ON + datetime.timedelta(days=1))
    assert baseline_twstrs(patient.pk, operation) is None


def test_the_twstrs_items_total_counts_too(patient, actor):
    operation = operate(make_episode(patient))
    full = assessment_services.twstrs_create(
        patient=patient, assessed_on=OPERATED_ON - datetime.timedelta(days=3),
        items=TWSTRS_ITEMS, actor=actor)
    assert baseline_twstrs(patient.pk, operation) == full

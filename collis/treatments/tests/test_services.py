import datetime

import pytest
from django.core.exceptions import ValidationError

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.treatments import services
from collis.treatments.models import Medication, ToxinCycle, ToxinInjection, ToxinReview
from collis.treatments.tests.factories import MedicationFactory, cycle_with

ROWS = [services.InjectionRow("sternocleidomastoid", "left", 50),
        services.InjectionRow("splenius_capitis", "right", 90),
        services.InjectionRow("levator_scapulae", "right", 60)]


@pytest.fixture
def actor(db):
    return Actor.command_line(UserFactory())


def record_cycle(patient, actor, injections=ROWS, **changes):
    arguments = {"patient": patient, "given_on": datetime.date(2026, 10, 1),
                 "product": "onabotulinumtoxinA", "batch_number": " C1234 ", "guidance": "emg",
                 "injector": actor.user, "site": patient.home_site, "injections": injections,
                 "actor": actor} | changes
    return services.toxin_cycle_create(**arguments)


@pytest.mark.django_db
def test_recording_a_cycle_saves_every_injection_and_audits_it(sites, actor):
    patient = PatientFactory()
    cycle = record_cycle(patient, actor)
    assert cycle.batch_number == "C1234" and cycle.total_units == 200
    assert [i.muscle for i in cycle.injections.all()] == [
        "sternocleidomastoid", "splenius_capitis", "levator_scapulae"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="toxin_cycle")
    assert event.patient_id == patient.pk and event.actor == actor.user
    assert len(event.details["injections"]) == 3 and "200 units" in event.summary


@pytest.mark.django_db
def test_a_cycle_with_an_invalid_row_saves_nothing(sites, actor):
    patient = PatientFactory()
    bad = [*ROWS[:2], services.InjectionRow("sternocleidomastoid", "left", 0)]
    with pytest.raises(ValidationError):
        record_cycle(patient, actor, injections=bad)
    assert ToxinCycle.objects.count() == 0 and ToxinInjection.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="toxin_cycle").exists()


@pytest.mark.django_db
def test_a_cycle_needs_at_least_one_injection(sites, actor):
    with pytest.raises(ValidationError):
        record_cycle(PatientFactory(), actor, injections=[])
    assert ToxinCycle.objects.count() == 0


@pytest.mark.django_db
def test_a_cycle_with_an_unknown_product_is_refused(sites, actor):
    with pytest.raises(ValidationError) as error:
        record_cycle(PatientFactory(), actor, product="botox-ish")
    assert "product" in error.value.message_dict


@pytest.mark.django_db
def test_reviewing_a_cycle_saves_the_benefit_and_side_effects(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1))
    review = services.toxin_review_create(
        cycle=cycle, reviewed_on=datetime.date(2026, 7, 15), peak_benefit_percent=70,
        benefit_weeks=11, side_effects=services.SideEffects(dysphagia=True, severity="mild"),
        actor=actor)
    assert review.side_effects == ["difficulty swallowing (dysphagia)"]
    event = AuditEvent.objects.get(object_type="toxin_review")
    assert event.patient_id == cycle.patient_id and "70% benefit for 11 weeks" in event.summary


@pytest.mark.django_db
def test_a_cycle_is_reviewed_only_once(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1), benefit=60, weeks=10)
    with pytest.raises(ValidationError):
        services.toxin_review_create(cycle=cycle, reviewed_on=datetime.date(2026, 8, 1),
                                     peak_benefit_percent=50, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert ToxinReview.objects.count() == 1


@pytest.mark.django_db
def test_a_review_before_the_injections_is_refused(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.toxin_review_create(cycle=cycle, reviewed_on=datetime.date(2026, 5, 1),
                                     peak_benefit_percent=50, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert "reviewed_on" in error.value.message_dict


@pytest.mark.django_db
def test_a_benefit_above_100_percent_is_refused(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        services.toxin_review_create(cycle=cycle, reviewed_on=datetime.date(2026, 7, 1),
                                     peak_benefit_percent=101, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert ToxinReview.objects.count() == 0


@pytest.mark.django_db
def test_recording_a_resistance_test_is_audited(sites, actor):
    patient = PatientFactory()
    test = services.resistance_test_create(patient=patient, tested_on=datetime.date(2026, 9, 1),
                                           kind="frontalis", result="resistant", actor=actor)
    assert test.pk
    assert AuditEvent.objects.get(object_type="toxin_resistance_test").patient_id == patient.pk


@pytest.mark.django_db
def test_starting_and_stopping_a_medicine_is_audited(sites, actor):
    patient = PatientFactory()
    medication = services.medication_start(
        patient=patient, drug_name=" Baclofen ", dose_amount="10", dose_unit="mg",
        frequency="three times a day", started_on=datetime.date(2026, 1, 1), actor=actor)
    assert medication.drug_name == "Baclofen" and medication.dose == "10 mg three times a day"
    services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 3, 1),
                             reason="Drowsiness", actor=actor)
    stored = Medication.objects.get()
    assert stored.stopped_on == datetime.date(2026, 3, 1) and stored.stopped_by == actor.user
    actions = list(AuditEvent.objects.filter(object_type="medication", patient_id=patient.pk)
                   .order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


@pytest.mark.django_db
def test_a_medicine_cannot_stop_before_it_started_or_stop_twice(sites, actor):
    medication = MedicationFactory(started_on=datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 1, 1),
                                 reason="x", actor=actor)
    services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 3, 1),
                             reason="Not helping", actor=actor)
    with pytest.raises(ValidationError):
        services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 4, 1),
                                 reason="again", actor=actor)
    assert Medication.objects.get().stop_reason == "Not helping"


@pytest.mark.django_db
def test_recording_a_therapy_session_is_audited(sites, actor):
    patient = PatientFactory()
    session = services.therapy_session_create(
        patient=patient, kind="physiotherapy", session_on=datetime.date(2026, 11, 1),
        therapist=actor.user, duration_minutes=45, goals="Neck strength", actor=actor)
    assert session.pk
    event = AuditEvent.objects.get(object_type="therapy_session")
    assert event.patient_id == patient.pk and "physiotherapy" in event.summary


@pytest.mark.django_db
def test_a_session_longer_than_eight_hours_is_refused(sites, actor):
    with pytest.raises(ValidationError):
        services.therapy_session_create(
            patient=PatientFactory(), kind="physiotherapy", session_on=datetime.date(2026, 11, 1),
            therapist=actor.user, duration_minutes=481, actor=actor)

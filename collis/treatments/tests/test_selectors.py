import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.tests.factories import UserFactory
from collis.domain.toxin import ResponsePattern
from collis.patients.tests.factories import PatientFactory
from collis.treatments import selectors
from collis.treatments.tests.factories import ResistanceTestFactory, cycle_with

D = datetime.date


@pytest.mark.django_db
def test_reading_the_toxin_record_is_audited_with_the_patient(sites):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 1, 5), benefit=70, weeks=11)
    actor = Actor.command_line(UserFactory())
    selectors.toxin_record_get(patient=patient, actor=actor)
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="toxin_cycles")
    assert event.patient_id == patient.pk and event.actor == actor.user


@pytest.mark.django_db
def test_a_short_interval_warning_names_its_cycle_and_sources(sites):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 1, 5))
    second = cycle_with(patient, D(2026, 3, 2))  # 8 weeks later
    warnings = selectors.cycle_warnings(tuple(selectors.toxin_cycles_of(patient)))
    assert len(warnings) == 1
    assert warnings[0].cycle == second
    assert warnings[0].warning.code == "SHORT_INJECTION_INTERVAL"
    assert warnings[0].warning.sources == (15, 19)


@pytest.mark.django_db
def test_a_proposed_cycle_warns_only_about_itself(sites):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 1, 5))
    cycle_with(patient, D(2026, 3, 2))  # already short: not repeated for the new cycle
    assert selectors.proposed_cycle_check(patient=patient, given_on=D(2026, 6, 1),
                                          product="onabotulinumtoxinA").warnings == ()
    found = selectors.proposed_cycle_check(patient=patient, given_on=D(2026, 4, 20),
                                           product="incobotulinumtoxinA").interval
    assert [w.code for w in found] == ["INTERVAL_BELOW_LICENSED_MINIMUM"]


@pytest.mark.django_db
def test_the_response_pattern_is_derived_from_reviewed_cycles_only(sites):
    patient = PatientFactory()
    first = cycle_with(patient, D(2025, 1, 6), benefit=75, weeks=12)
    second = cycle_with(patient, D(2025, 4, 7), benefit=70, weeks=11)
    third = cycle_with(patient, D(2025, 7, 7), benefit=30, weeks=5)
    latest = cycle_with(patient, D(2025, 10, 6))  # not reviewed yet
    summary = selectors.response_summary(tuple(selectors.toxin_cycles_of(patient)))
    assert summary.derivation.pattern == ResponsePattern.SECONDARY_NON_RESPONSE
    assert summary.derivation.derived
    assert summary.cycles == (first, second, third) and summary.left_out == (latest,)


@pytest.mark.django_db
def test_too_few_reviewed_cycles_give_no_pattern_and_say_why(sites):
    patient = PatientFactory()
    cycle_with(patient, D(2025, 1, 6), benefit=75, weeks=12)
    summary = selectors.response_summary(tuple(selectors.toxin_cycles_of(patient)))
    assert summary.derivation.pattern is None
    assert "local policy" in summary.derivation.reason


@pytest.mark.django_db
@pytest.mark.parametrize(("result", "applies"), [
    (None, {"CHECK_RESISTANCE"}),
    ("inconclusive", {"CHECK_RESISTANCE"}),
    ("not_resistant", {"REVIEW_MUSCLE_SELECTION", "REVIEW_GUIDANCE", "REVIEW_DOSE"}),
    ("resistant", {"TOXIN_HOLIDAY", "BONT_B", "ANOTHER_BONT_A", "SURGERY_OR_DBS"}),
])
def test_the_checklist_marks_the_steps_that_follow_the_latest_test(sites, result, applies):
    test = ResistanceTestFactory(result=result) if result else None
    checklist = selectors.poor_responder_checklist(test)
    assert {i.step.code for i in checklist if i.applies} == applies
    assert len(checklist) == 8


@pytest.mark.django_db
def test_medication_and_therapy_reads_are_audited(sites):
    patient = PatientFactory()
    actor = Actor.command_line(UserFactory())
    selectors.medication_list(patient=patient, actor=actor)
    selectors.therapy_session_list(patient=patient, actor=actor)
    assert set(AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW)
               .values_list("object_type", flat=True)) == {"medications", "therapy_sessions"}


@pytest.mark.django_db
def test_one_cycle_is_read_only_through_its_patient_and_the_read_is_audited(sites):
    from collis.treatments.models import ToxinCycle

    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 1, 5))
    actor = Actor.command_line(UserFactory())
    assert selectors.toxin_cycle_get(patient=patient, pk=cycle.pk, actor=actor) == cycle
    with pytest.raises(ToxinCycle.DoesNotExist):
        selectors.toxin_cycle_get(patient=PatientFactory(), pk=cycle.pk, actor=actor)
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="toxin_cycle")
    assert event.patient_id == patient.pk and event.object_id == str(cycle.pk)


@pytest.mark.django_db
def test_one_medicine_is_read_only_through_its_patient_and_the_read_is_audited(sites):
    from collis.treatments.models import Medication
    from collis.treatments.tests.factories import MedicationFactory

    medication = MedicationFactory()
    actor = Actor.command_line(UserFactory())
    assert selectors.medication_get(patient=medication.patient, pk=medication.pk,
                                    actor=actor) == medication
    with pytest.raises(Medication.DoesNotExist):
        selectors.medication_get(patient=PatientFactory(), pk=medication.pk, actor=actor)
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="medication")
    assert event.patient_id == medication.patient_id


def _as_read(cycles):
    """What a page reads of each cycle: its fields, injections and every review version."""
    return [(c.pk, c.given_on, c.injector.username, c.site.name, c.total_units,
             [(i.muscle, i.side, i.units) for i in c.injections.all()],
             [(r.pk, r.record_status, r.created_by.username) for r in c.reviews.all()],
             c.review.pk if c.review else None) for c in cycles]


@pytest.mark.django_db
def test_the_prepared_cycles_read_as_the_orm_reads_them(sites, django_assert_num_queries):
    from collis.treatments.models import ToxinCycle
    from collis.treatments.services import toxin_cycle_mark_entered_in_error

    patient, other = PatientFactory(), PatientFactory()
    cycle_with(patient, D(2026, 1, 5), benefit=70, weeks=11)
    cycle_with(patient, D(2026, 4, 6), units=(80, 50))
    mistaken = cycle_with(patient, D(2026, 6, 1), benefit=40, weeks=9)
    cycle_with(other, D(2026, 2, 2), benefit=10, weeks=2)
    toxin_cycle_mark_entered_in_error(cycle=mistaken, reason="Wrong patient",
                                      actor=Actor.command_line(UserFactory()))
    expected = _as_read(ToxinCycle.objects.current().filter(patient=patient).with_details())
    with django_assert_num_queries(3):
        cycles = selectors.toxin_cycles_of(patient)
        assert _as_read(cycles) == expected
    assert [c.pk for c in cycles] == [c[0] for c in expected] and len(cycles) == 2
    assert all(i.cycle is c for c in cycles for i in c.injections.all())
    corrected = selectors.corrected_entries(patient=patient, model=ToxinCycle)
    assert [c.pk for c in corrected] == [mistaken.pk]
    assert [i.units for i in corrected[0].injections.all()] == [100, 60, 40]


@pytest.mark.django_db
def test_one_cycle_is_read_with_its_details_and_only_for_its_patient(sites):
    from collis.treatments.models import ToxinCycle

    patient, other = PatientFactory(), PatientFactory()
    cycle = cycle_with(patient, D(2026, 1, 5), benefit=70, weeks=11)
    actor = Actor.command_line(UserFactory())
    read = selectors.toxin_cycle_get(patient=patient, pk=cycle.pk, actor=actor)
    assert _as_read([read]) == _as_read(ToxinCycle.objects.filter(pk=cycle.pk).with_details())
    assert selectors.toxin_cycle_history(read) == [read]
    with pytest.raises(ToxinCycle.DoesNotExist):
        selectors.toxin_cycle_get(patient=other, pk=cycle.pk, actor=actor)

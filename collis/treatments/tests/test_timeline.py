import datetime
import random

import pytest

from collis.core.models import AuditEvent, RecordStatus
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.treatments.demo import demo_history
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinReview,
)
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)
from collis.treatments.timeline import timeline_events

D = datetime.date


@pytest.mark.django_db
def test_timeline_lists_cycles_reviews_medicines_and_sessions(sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 1, 5), benefit=70, weeks=11)
    MedicationFactory(patient=patient, started_on=D(2025, 1, 1), stopped_on=D(2025, 6, 1),
                      stop_reason="Dry mouth")
    TherapySessionFactory(patient=patient, session_on=D(2026, 2, 1))
    events = {e.kind: e for e in timeline_events(patient)}
    assert events["toxin"].title == "Botulinum toxin: 200 units of onabotulinumtoxinA"
    assert events["toxin"].when == D(2026, 1, 5)
    assert events["toxin"].href.endswith(f"/toxin/{cycle.pk}/")
    assert events["toxin_review"].title == "Toxin review: 70% benefit for 11 weeks"
    assert events["medication_start"].detail == "2 mg three times a day"
    assert events["medication_stop"].when == D(2025, 6, 1)
    assert events["medication_stop"].detail == "Dry mouth"
    assert events["therapy"].title == "Physiotherapy session"
    session, medication = TherapySession.objects.get(), Medication.objects.get()
    assert events["therapy"].href.endswith(f"/therapy/{session.pk}/")
    assert events["medication_start"].href.endswith(f"/medication/{medication.pk}/")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_corrected_and_mistaken_entries_stay_on_the_timeline_marked_and_apart(sites):
    from collis.assessments.selectors import chart_markers

    patient = PatientFactory()
    right = cycle_with(patient, D(2026, 1, 5), benefit=70, weeks=11)
    wrong = cycle_with(patient, D(2026, 1, 6), benefit=20, weeks=2)
    ToxinCycle.objects.filter(pk=wrong.pk).update(record_status=RecordStatus.ENTERED_IN_ERROR)
    ToxinReview.objects.filter(cycle=wrong).update(record_status=RecordStatus.ENTERED_IN_ERROR)
    test = ResistanceTestFactory(patient=patient, result="resistant")
    ResistanceTest.objects.filter(pk=test.pk).update(record_status=RecordStatus.AMENDED)
    events = timeline_events(patient)
    kinds = sorted(e.kind for e in events)
    assert kinds == ["resistance_test_amended", "toxin", "toxin_entered_in_error",
                     "toxin_review", "toxin_review_entered_in_error"]
    marked = next(e for e in events if e.kind == "toxin_entered_in_error")
    assert marked.title.endswith("(entered in error)")
    assert marked.href.endswith(f"/toxin/{wrong.pk}/")
    amended = next(e for e in events if e.kind == "resistance_test_amended")
    assert amended.title == "Frontalis test: resistant (superseded by a correction)"
    # The TWSTRS chart marks the current cycle only.
    assert [m.when for m in chart_markers(patient)] == [right.given_on]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_timeline_takes_two_queries_whatever_the_number_of_records(
        sites, django_assert_num_queries, count):
    patient = PatientFactory()
    for n in range(count):
        cycle_with(patient, D(2019, 1, 1) + datetime.timedelta(weeks=13 * n), benefit=60,
                   weeks=10)
        MedicationFactory(patient=patient)
        TherapySessionFactory(patient=patient)
        ResistanceTestFactory(patient=patient)
    with django_assert_num_queries(2):
        assert len(timeline_events(patient)) == count * 5


@pytest.mark.django_db
def test_demo_history_is_deterministic_and_idempotent(sites):
    author = UserFactory()
    first, second = PatientFactory(), PatientFactory()
    today = D(2026, 11, 21)
    demo_history(first, random.Random(7), today, author)
    demo_history(second, random.Random(7), today, author)

    def shape(patient):
        return ([(c.given_on, c.product, c.total_units,
                  c.review.peak_benefit_percent if c.reviewed else None)
                 for c in patient.toxin_cycles.all()],
                sorted(m.drug_name for m in patient.medications.all()),
                patient.therapy_sessions.count())

    assert shape(first) == shape(second)
    cycles = first.toxin_cycles.count()
    assert 4 <= cycles <= 10
    demo_history(first, random.Random(8), today, author)
    assert first.toxin_cycles.count() == cycles


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(12))
def test_demo_doses_and_dates_keep_to_the_reference(sites, seed):
    patient = PatientFactory()
    demo_history(patient, random.Random(seed), D(2026, 11, 21), UserFactory())
    totals = {"onabotulinumtoxinA": {240, 210}, "abobotulinumtoxinA": {500, 750},
              "incobotulinumtoxinA": {120, 240}}
    cycles = list(patient.toxin_cycles.order_by("given_on"))
    for cycle in cycles:
        assert cycle.total_units in totals[cycle.product]
        assert cycle.given_on <= D(2026, 11, 21)
        scm = [i.units for i in cycle.injections.all() if i.muscle == "sternocleidomastoid"]
        if cycle.product == "onabotulinumtoxinA":
            assert sum(scm) <= 100
    for before, after in zip(cycles, cycles[1:], strict=False):
        assert 84 <= (after.given_on - before.given_on).days <= 98

import datetime

import pytest

from collis.assessments.tests.factories import make_diagnosis, make_examination, make_twstrs
from collis.assessments.timeline import timeline_events
from collis.core.models import AuditEvent
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_timeline_lists_diagnoses_examinations_and_scales(sites):
    patient = PatientFactory()
    make_diagnosis(patient)
    make_diagnosis(patient, course="progressive")
    make_examination(patient, examined_on=datetime.date(2026, 3, 1))
    make_twstrs(patient, assessed_on=datetime.date(2026, 2, 1))
    events = timeline_events(patient)
    by_kind = {e.kind: e for e in events}
    assert sorted(e.kind for e in events) == ["diagnosis", "diagnosis", "examination", "scale"]
    assert by_kind["examination"].when == datetime.date(2026, 3, 1)
    assert "torticaput to the right" in by_kind["examination"].detail
    assert by_kind["scale"].detail == "Total 35 (severity 17, disability 10, pain 8)"
    assert {e.title for e in events if e.kind == "diagnosis"} == {
        "Diagnosis recorded", "Diagnosis changed (version 2)"}
    assert all(e.href.startswith(f"/patients/{patient.pk}/") for e in events)


def test_timeline_uses_at_most_two_queries_and_does_not_audit(sites,
                                                             django_assert_max_num_queries):
    patient = PatientFactory()
    for n in range(10):
        make_examination(patient, examined_on=datetime.date(2025, 1, 1)
                         + datetime.timedelta(days=n))
        make_twstrs(patient, assessed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    make_diagnosis(patient)
    audits = AuditEvent.objects.count()
    with django_assert_max_num_queries(2):
        events = timeline_events(patient)
    assert len(events) == 21 and AuditEvent.objects.count() == audits


def test_corrected_and_mistaken_entries_stay_on_the_timeline_tagged(sites):
    from collis.assessments import services
    from collis.assessments.tests.factories import actor_for

    patient = PatientFactory()
    examination = make_examination(patient, examined_on=datetime.date(2026, 3, 1))
    services.examination_create(
        patient=patient, actor=actor_for(), amends=examination, correction_reason="Date",
        details=services.examination_details_of(examination))
    wrong = make_twstrs(patient, assessed_on=datetime.date(2026, 2, 1))
    services.scale_mark_entered_in_error(assessment=wrong, reason="Duplicate",
                                         actor=actor_for())
    titles = sorted(e.title for e in timeline_events(patient))
    assert titles == ["Neck examination", "Neck examination (superseded)",
                      "TWSTRS (entered in error)"]

"""Row queries compiled once (collis.core.prepared) give the rows their querysets give, for
every patient, with the same types, on SQLite and PostgreSQL."""

import datetime

import pytest

from collis.assessments import timeline as assessments_timeline
from collis.assessments.tests.factories import make_diagnosis, make_examination, make_twstrs
from collis.core.prepared import MARKER, PreparedRows
from collis.patients.tests.factories import PatientFactory
from collis.treatments import timeline as treatments_timeline
from collis.treatments.models import ToxinCycle
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)

pytestmark = pytest.mark.django_db

PREPARED = {
    "assessments": (assessments_timeline._UNION, assessments_timeline._union),
    "treatment cycles": (treatments_timeline._CYCLES, treatments_timeline._cycles),
    "other treatments": (treatments_timeline._OTHERS, treatments_timeline._others),
}


def _records(patient, day):
    make_diagnosis(patient)
    make_examination(patient, examined_on=day)
    make_twstrs(patient, assessed_on=day)
    cycle_with(patient, day, benefit=60, weeks=10)
    MedicationFactory(patient=patient, started_on=day, stopped_on=day + datetime.timedelta(9),
                      stop_reason="Dry mouth")
    TherapySessionFactory(patient=patient, session_on=day)
    ResistanceTestFactory(patient=patient, tested_on=day)


@pytest.mark.parametrize("name", sorted(PREPARED))
def test_prepared_rows_are_the_querysets_rows_for_each_patient(name):
    prepared, build = PREPARED[name]
    first, second, empty = PatientFactory(), PatientFactory(), PatientFactory()
    _records(first, datetime.date(2026, 3, 2))
    _records(second, datetime.date(2026, 4, 6))
    for patient in (first, second, empty, first):
        rows = prepared.rows(patient.pk)
        assert sorted(rows, key=repr) == sorted(build(patient.pk), key=repr)
        assert all(type(a) is type(b) for row, expected in zip(
            sorted(rows, key=repr), sorted(build(patient.pk), key=repr), strict=True)
            for a, b in zip(row, expected, strict=True))
    assert prepared.rows(first.pk) != prepared.rows(second.pk)
    assert prepared.rows(empty.pk) == []


def test_a_query_without_the_patient_is_refused():
    prepared = PreparedRows(lambda patient_id: ToxinCycle.objects.values_list("pk"))
    with pytest.raises(ValueError, match="no patient id"):
        prepared.rows(MARKER)

import datetime
import random

import pytest

from collis.assessments.demo import demo_history
from collis.assessments.models import DiagnosisVersion, Examination, ScaleAssessment
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def _snapshot(patient):
    return (
        list(DiagnosisVersion.objects.filter(patient=patient).values_list(
            "onset_age", "distribution", "aetiology", "aetiology_subtype")),
        list(Examination.objects.filter(patient=patient).order_by("examined_on").values_list(
            "examined_on", "dominant_pattern", "dominant_side", "tremor")),
        list(ScaleAssessment.objects.filter(patient=patient).values_list(
            "assessed_on", "severity", "disability", "pain", "total")),
    )


def test_demo_history_is_realistic_deterministic_and_idempotent(sites):
    author = UserFactory()
    first, second = PatientFactory(), PatientFactory()
    demo_history(first, random.Random(7), TODAY, author)
    demo_history(second, random.Random(7), TODAY, author)
    assert _snapshot(first) == _snapshot(second)
    diagnoses, examinations, scales = _snapshot(first)
    assert len(diagnoses) == 1 and diagnoses[0][1:3] == ("focal", "idiopathic")
    assert 1 <= len(examinations) <= 3 and 4 <= len(scales) <= 8
    dates = [s[0] for s in scales]
    assert all(90 <= (b - a).days <= 180 for a, b in zip(dates, dates[1:], strict=False))
    assert all(d <= TODAY for d in dates)
    assert all(0 <= s[4] <= 85 for s in scales)
    assert all(e.muscles_confirmed_at for e in Examination.objects.filter(patient=first))
    demo_history(first, random.Random(8), TODAY, author)
    assert _snapshot(first) == (diagnoses, examinations, scales)


def test_demo_phenotypes_are_mostly_rotation_dominant(sites):
    author = UserFactory()
    dominant = []
    for seed in range(12):
        patient = PatientFactory()
        demo_history(patient, random.Random(seed), TODAY, author)
        dominant.append(Examination.objects.filter(patient=patient).first().dominant_pattern)
    rotation = sum(p in ("torticaput", "torticollis") for p in dominant)
    assert rotation > len(dominant) / 2
    assert set(dominant) <= {"torticaput", "torticollis", "retrocollis", "anterocollis"}

import pytest

from collis.assessments import selectors
from collis.assessments.tests.factories import make_examination
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_chart_markers_show_toxin_cycles_and_operations(sites):
    from collis.outcomes.tests.factories import make_episode, operate
    from collis.treatments.tests.factories import ToxinCycleFactory, ToxinInjectionFactory

    patient = PatientFactory()
    ToxinInjectionFactory(cycle=ToxinCycleFactory(patient=patient))
    operate(make_episode(patient))
    kinds = sorted(m.kind for m in selectors.chart_markers(patient))
    assert kinds == ["operation", "toxin"]


def test_suggested_muscles_follow_the_side_of_the_pattern(sites):
    examination = make_examination(PatientFactory(), tremor="none")
    pairs = selectors.suggested_pairs(selectors.examination_suggested_muscles(examination))
    assert ("splenius_capitis", "right") in pairs  # ipsilateral to right torticaput
    assert ("sternocleidomastoid", "left") in pairs  # contralateral
    assert ("levator_scapulae", "left") in pairs  # left laterocollis

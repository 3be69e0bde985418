import pytest

from collis.assessments import selectors
from collis.assessments.tests.factories import make_examination
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_chart_markers_are_empty_without_the_treatments_timeline(sites, monkeypatch):
    import importlib

    real = importlib.import_module

    def refuse(name, *args):
        if name == "collis.treatments.timeline":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(selectors.importlib, "import_module", refuse)
    assert selectors.chart_markers(PatientFactory()) == []


def test_suggested_muscles_follow_the_side_of_the_pattern(sites):
    examination = make_examination(PatientFactory(), tremor="none")
    pairs = selectors.suggested_pairs(selectors.examination_suggested_muscles(examination))
    assert ("splenius_capitis", "right") in pairs  # ipsilateral to right torticaput
    assert ("sternocleidomastoid", "left") in pairs  # contralateral
    assert ("levator_scapulae", "left") in pairs  # left laterocollis

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


def test_examination_and_scale_reads_are_scoped_to_the_patient_and_audited(sites):
    from django.http import Http404

    from collis.assessments.tests.factories import actor_for, make_twstrs
    from collis.core.models import AuditEvent

    patient, other = PatientFactory(), PatientFactory()
    examination, assessment = make_examination(patient), make_twstrs(patient)
    actor = actor_for()
    assert selectors.examination_get(patient=patient, pk=examination.pk,
                                     actor=actor) == examination
    assert selectors.scale_get(patient=patient, pk=assessment.pk, actor=actor) == assessment
    with pytest.raises(Http404):
        selectors.examination_get(patient=other, pk=examination.pk, actor=actor)
    with pytest.raises(Http404):
        selectors.scale_get(patient=other, pk=assessment.pk, actor=actor)
    views = AuditEvent.objects.filter(action="view")
    assert sorted(views.values_list("object_type", "patient_id")) == [
        ("examination", patient.pk), ("scale_twstrs", patient.pk)]


def test_the_diagnosis_to_change_is_the_current_version_and_its_read_is_audited(sites):
    from collis.assessments.tests.factories import actor_for, make_diagnosis
    from collis.core.models import AuditEvent

    patient = PatientFactory()
    assert selectors.diagnosis_for_change(patient=patient, actor=actor_for()) is None
    make_diagnosis(patient)
    current = make_diagnosis(patient, course="progressive")
    assert selectors.diagnosis_for_change(patient=patient, actor=actor_for()) == current
    event = AuditEvent.objects.get(action="view")
    assert (event.object_type, event.object_id) == ("diagnosis", str(current.pk))

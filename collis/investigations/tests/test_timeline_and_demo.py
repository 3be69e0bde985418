import datetime
import random

import pytest

from collis.core.models import AuditEvent
from collis.core.tests.factories import UserFactory
from collis.investigations import uploads
from collis.investigations.demo import demo_history, minimal_pdf
from collis.investigations.models import Investigation, InvestigationKind
from collis.investigations.tests.factories import EmgActiveMuscleFactory, InvestigationFactory
from collis.investigations.timeline import timeline_events
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 21)


def test_timeline_lists_each_investigation_in_two_queries_without_audit(
        sites, django_assert_num_queries):
    patient = PatientFactory()
    for _ in range(10):
        EmgActiveMuscleFactory(investigation__patient=patient)
        InvestigationFactory(patient=patient)
    with django_assert_num_queries(2):
        events = timeline_events(patient)
    assert len(events) == 20
    emg = next(e for e in events if e.title.startswith("Electromyography"))
    assert emg.title == "Electromyography (EMG): abnormal"
    assert "Sternocleidomastoid (left)" in emg.detail
    assert emg.href.startswith(f"/patients/{patient.pk}/investigations/")
    assert not AuditEvent.objects.exists()


def history(patient, seed=7):
    demo_history(patient, random.Random(seed), TODAY, UserFactory())
    return [(i.kind, i.performed_on, i.status,
             tuple(i.active_muscles.values_list("muscle", "side")))
            for i in Investigation.objects.filter(patient=patient).order_by("id")]


def test_demo_history_is_realistic_and_deterministic(sites):
    first, second = PatientFactory(), PatientFactory()
    one, two = history(first), history(second)
    assert one == [(k, d, s, m) for k, d, s, m in two]
    kinds = [kind for kind, *_ in one]
    assert kinds[:3] == ["blood_tests", "mri_brain", "emg"]
    emg_muscles = dict(one[2][3])
    assert 2 <= len(emg_muscles) <= 4
    # A rotation phenotype: SCM on one side, splenius capitis on the other (§3).
    assert {emg_muscles["sternocleidomastoid"], emg_muscles["splenius_capitis"]} == {
        "left", "right"}
    assert all(date <= TODAY for _, date, *_ in one)
    emg = Investigation.objects.get(patient=first, kind=InvestigationKind.EMG)
    attached = emg.files.get()
    assert uploads.stored_path(attached.stored_name).read_bytes().startswith(b"%PDF-")


def test_demo_history_does_nothing_the_second_time(sites):
    patient = PatientFactory()
    count = len(history(patient))
    assert len(history(patient, seed=99)) == count


def test_minimal_pdf_is_a_pdf_with_a_cross_reference_table():
    data = minimal_pdf(["Hello (world)"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[xref:xref + 4] == b"xref"


@pytest.mark.django_db
def test_corrected_and_mistaken_investigations_stay_on_the_timeline_tagged(sites):
    from collis.core.audit import Actor
    from collis.investigations import services

    actor = Actor.command_line(UserFactory())
    pending = InvestigationFactory(kind=InvestigationKind.MRI_BRAIN, status="pending")
    services.investigation_create(
        patient=pending.patient, amends=pending, actor=actor,
        details=services.InvestigationDetails(kind="mri_brain",
                                              performed_on=pending.performed_on,
                                              status="normal"))
    wrong = InvestigationFactory(patient=pending.patient)
    services.investigation_mark_entered_in_error(investigation=wrong, reason="Duplicate",
                                                 actor=actor)
    assert sorted(e.title for e in timeline_events(pending.patient)) == [
        "Blood tests: normal (entered in error)", "MRI brain: normal",
        "MRI brain: result pending (superseded)"]

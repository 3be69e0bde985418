import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.tests.factories import UserFactory
from collis.domain.case_facts import StudyResult, WorkUp
from collis.investigations import selectors
from collis.investigations.models import InvestigationKind, ResultStatus
from collis.investigations.tests.factories import EmgActiveMuscleFactory, InvestigationFactory
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 2)


def test_emg_active_muscles_come_from_the_most_recent_emg_with_a_result(sites):
    patient = PatientFactory()
    EmgActiveMuscleFactory(investigation__patient=patient,
                           investigation__performed_on=datetime.date(2025, 1, 1),
                           muscle="trapezius", side="left")
    latest = EmgActiveMuscleFactory(investigation__patient=patient,
                                    investigation__performed_on=MARCH,
                                    muscle="sternocleidomastoid", side="left")
    EmgActiveMuscleFactory(investigation=latest.investigation, muscle="splenius_capitis",
                           side="right")
    InvestigationFactory(patient=patient, kind=InvestigationKind.EMG,
                         status=ResultStatus.PENDING, performed_on=datetime.date(2026, 4, 1))
    assert selectors.emg_active_muscles(patient) == [
        ("sternocleidomastoid", "left", MARCH), ("splenius_capitis", "right", MARCH)]


def test_emg_active_muscles_is_empty_without_an_emg(sites):
    assert selectors.emg_active_muscles(PatientFactory()) == []


def test_latest_result_skips_pending_and_other_kinds(sites):
    patient = PatientFactory()
    done = InvestigationFactory(patient=patient, kind=InvestigationKind.CT_CERVICAL_SPINE,
                                performed_on=datetime.date(2025, 6, 1))
    InvestigationFactory(patient=patient, kind=InvestigationKind.CT_CERVICAL_SPINE,
                         status=ResultStatus.PENDING, performed_on=MARCH)
    InvestigationFactory(patient=patient, kind=InvestigationKind.CT_BRAIN, performed_on=MARCH)
    assert selectors.latest_result(patient, InvestigationKind.CT_CERVICAL_SPINE) == done
    assert selectors.latest_result(patient, InvestigationKind.VIDEOFLUOROSCOPY) is None


def test_work_up_facts_map_results_to_the_domain(sites):
    patient = PatientFactory()
    assert selectors.work_up_facts(patient) == WorkUp()
    InvestigationFactory(patient=patient, kind=InvestigationKind.EMG,
                         status=ResultStatus.ABNORMAL)
    InvestigationFactory(patient=patient, kind=InvestigationKind.VIDEOFLUOROSCOPY,
                         status=ResultStatus.ABNORMAL)
    InvestigationFactory(patient=patient, kind=InvestigationKind.CT_CERVICAL_SPINE,
                         status=ResultStatus.PENDING)
    assert selectors.work_up_facts(patient) == WorkUp(
        emg_mapping=True, videofluoroscopy=StudyResult.ABNORMAL, ct_cervical_spine=None)


def test_result_statuses_share_the_domain_study_result_values():
    assert {s.value for s in StudyResult} <= set(ResultStatus.values)


def test_work_up_summary_marks_each_study_done_pending_or_outstanding(sites):
    patient = PatientFactory()
    InvestigationFactory(patient=patient, kind=InvestigationKind.EMG,
                         status=ResultStatus.ABNORMAL)
    InvestigationFactory(patient=patient, kind=InvestigationKind.VIDEOFLUOROSCOPY,
                         status=ResultStatus.PENDING)
    investigations = selectors.investigation_list(patient=patient,
                                                  actor=Actor.command_line(UserFactory()))
    states = [(i.kind, i.state) for i in selectors.work_up_summary(investigations)]
    assert states == [("emg", "done"), ("videofluoroscopy", "pending"),
                      ("ct_cervical_spine", "outstanding")]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=patient.pk).count() == 1

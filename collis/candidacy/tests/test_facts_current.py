"""The case facts come from current entries only (ADR 0009): a corrected or entered-in-error
examination, EMG, investigation, TWSTRS or resistance test never feeds an assessment."""

import datetime

import pytest

from collis.assessments import services as assessments
from collis.assessments.tests.factories import actor_for, make_examination, make_twstrs
from collis.candidacy.facts import collect_case_facts
from collis.core.corrections import record_mark_entered_in_error
from collis.domain.phenotype import Pattern, PatternObservation
from collis.investigations import services as investigations
from collis.investigations.models import InvestigationKind, ResultStatus
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sites):
    return PatientFactory()


def facts_of(patient):
    collected = collect_case_facts(patient=patient, answers={})
    return collected.facts, {s.path: s for s in collected.sources}


def emg(patient, muscles, amends=None, reason=""):
    return investigations.investigation_create(
        patient=patient, actor=actor_for(), amends=amends, correction_reason=reason,
        details=investigations.InvestigationDetails(
            kind=InvestigationKind.EMG, performed_on=datetime.date(2026, 3, 2),
            status=ResultStatus.ABNORMAL, active_muscles=tuple(muscles)))


def test_the_examination_fact_is_the_latest_current_one(patient):
    older = make_examination(patient, examined_on=datetime.date(2026, 1, 5))
    newer = make_examination(patient, examined_on=datetime.date(2026, 10, 1))
    corrected = assessments.examination_create(
        patient=patient, actor=actor_for(), amends=newer, correction_reason="Wrong pattern",
        details=assessments.ExaminationDetails(
            examined_on=datetime.date(2026, 10, 1), tremor="none", sensory_trick="absent",
            patterns=(PatternObservation(Pattern.ANTEROCOLLIS, None, 3),)))
    facts, sources = facts_of(patient)
    assert facts["patterns"] == [{"pattern": "anterocollis", "severity": 3}]
    assert facts["tremor"] == "none"
    assert sources["patterns"].href.endswith(f"/examinations/{corrected.pk}/")
    assessments.examination_mark_entered_in_error(examination=corrected, reason="Duplicate",
                                                  actor=actor_for())
    facts, sources = facts_of(patient)
    assert sources["patterns"].href.endswith(f"/examinations/{older.pk}/")


def test_emg_muscles_and_work_up_come_from_the_current_emg(patient):
    first = emg(patient, [("sternocleidomastoid", "left"), ("splenius_capitis", "right")])
    corrected = emg(patient, [("splenius_capitis", "left")], amends=first,
                    reason="Sides were swapped")
    facts, sources = facts_of(patient)
    assert facts["muscles"] == [{"muscle": "splenius_capitis", "side": "left",
                                 "emg_active": True}]
    assert facts["work_up"] == {"emg_mapping": True}
    assert sources["muscles"].href.endswith(f"/investigations/{corrected.pk}/")
    investigations.investigation_mark_entered_in_error(investigation=corrected,
                                                       reason="Another patient's EMG",
                                                       actor=actor_for())
    facts, _ = facts_of(patient)
    assert "muscles" not in facts and "work_up" not in facts


def test_a_study_entered_in_error_leaves_the_work_up(patient):
    swallow = investigations.investigation_create(
        patient=patient, actor=actor_for(),
        details=investigations.InvestigationDetails(
            kind=InvestigationKind.VIDEOFLUOROSCOPY, performed_on=datetime.date(2026, 3, 2),
            status=ResultStatus.ABNORMAL))
    assert facts_of(patient)[0]["work_up"] == {"videofluoroscopy": "abnormal"}
    investigations.investigation_create(
        patient=patient, actor=actor_for(), amends=swallow, correction_reason="Misread",
        details=investigations.InvestigationDetails(
            kind=InvestigationKind.VIDEOFLUOROSCOPY, performed_on=datetime.date(2026, 3, 2),
            status=ResultStatus.NORMAL))
    assert facts_of(patient)[0]["work_up"] == {"videofluoroscopy": "normal"}


def test_the_twstrs_fact_is_the_latest_current_one(patient):
    make_twstrs(patient, assessed_on=datetime.date(2026, 1, 1))
    wrong = make_twstrs(patient, assessed_on=datetime.date(2026, 6, 1), work=5)
    assert facts_of(patient)[0]["twstrs"]["disability"] == 13
    assessments.scale_mark_entered_in_error(assessment=wrong, reason="Wrong patient",
                                            actor=actor_for())
    assert facts_of(patient)[0]["twstrs"]["disability"] == 10


def test_a_resistance_test_entered_in_error_is_not_a_fact(patient):
    from collis.core.audit import Actor
    from collis.treatments.tests.factories import ResistanceTestFactory

    test = ResistanceTestFactory(patient=patient, kind="frontalis", result="resistant")
    assert facts_of(patient)[0]["botulinum_toxin"]["resistance_test"]["result"] == "resistant"
    user = actor_for().user
    record_mark_entered_in_error(record=test, reason="Wrong patient",
                                 actor=Actor.command_line(user), object_type="resistance_test",
                                 patient_id=patient.pk)
    assert "botulinum_toxin" not in facts_of(patient)[0]


def test_toxin_cycles_entered_in_error_are_not_facts(patient):
    from collis.core.audit import Actor
    from collis.treatments.tests.factories import (
        ToxinCycleFactory,
        ToxinInjectionFactory,
        ToxinReviewFactory,
    )

    cycles = []
    for n in range(2):
        cycle = ToxinCycleFactory(patient=patient,
                                  given_on=datetime.date(2025, 1, 6) + datetime.timedelta(
                                      weeks=13 * n))
        ToxinInjectionFactory(cycle=cycle, units=100)
        ToxinReviewFactory(cycle=cycle, peak_benefit_percent=70, benefit_weeks=11)
        cycles.append(cycle)
    assert len(facts_of(patient)[0]["botulinum_toxin"]["cycles"]) == 2
    record_mark_entered_in_error(record=cycles[1], reason="Wrong patient",
                                 actor=Actor.command_line(actor_for().user),
                                 object_type="toxin_cycle", patient_id=patient.pk)
    assert [c["date"] for c in facts_of(patient)[0]["botulinum_toxin"]["cycles"]] == [
        "2025-01-06"]

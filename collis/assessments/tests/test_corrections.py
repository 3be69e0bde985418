"""Corrections of neck examinations and rating scales (ADR 0009), their chronology and the
plausibility of their values, through the services: what a page or any other caller gets."""

import datetime
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collis.assessments import selectors, services
from collis.assessments.models import Examination, ScaleAssessment
from collis.assessments.presenters import ScalesPresenter
from collis.assessments.tests.factories import (
    TWSTRS_ITEMS,
    actor_for,
    make_diagnosis,
    make_examination,
    make_twstrs,
)
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.phenotype import Pattern, PatternObservation, Side
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def patient(sites):
    return PatientFactory(date_of_birth=datetime.date(1974, 5, 17))


def details(**changes):
    values = {"examined_on": datetime.date(2026, 10, 1),
              "patterns": (PatternObservation(Pattern.RETROCOLLIS, None, 2),),
              "tremor": "none", "sensory_trick": "absent"} | changes
    return services.ExaminationDetails(**values)


# ------------------------------------------------------------------------- examinations

def test_amending_an_examination_keeps_the_original_and_says_who_when_and_why(patient):
    original = make_examination(patient)
    services.examination_muscles_confirm(examination=original,
                                         muscles=[("splenius_capitis", "right")],
                                         actor=actor_for())
    corrector = UserFactory(role=Role.PHYSIOTHERAPIST)
    corrected = services.examination_create(
        patient=patient, details=details(), actor=actor_for(corrector), amends=original,
        correction_reason="Retrocollis, not torticaput")
    original.refresh_from_db()
    assert original.record_status == "amended" and original.status_changed_by == corrector
    assert original.status_reason == "Retrocollis, not torticaput"
    assert original.status_changed_at is not None
    assert original.dominant_pattern == "torticaput"  # its content never changes
    assert corrected.supersedes == original and corrected.is_current
    assert corrected.dominant_pattern == "retrocollis"
    # The muscles confirmed on the original are carried over as confirmed then.
    assert list(corrected.muscles.values_list("muscle", "side")) == [
        ("splenius_capitis", "right")]
    assert corrected.muscles_confirmed_at == original.muscles_confirmed_at
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="examination",
                                    object_id=str(corrected.pk))
    assert update.details["before"]["dominant_pattern"] == "torticaput"
    assert update.details["after"]["dominant_pattern"] == "retrocollis"
    assert update.details["reason"] == "Retrocollis, not torticaput"
    assert selectors.examination_history(corrected) == [original, corrected]


def test_the_list_and_the_candidacy_facts_read_the_correction_only(patient):
    from collis.candidacy.facts import collect_case_facts

    original = make_examination(patient)
    corrected = services.examination_create(patient=patient, details=details(),
                                            actor=actor_for(), amends=original,
                                            correction_reason="Wrong pattern")
    assert selectors.examination_list(patient=patient, actor=actor_for()) == [corrected]
    facts = collect_case_facts(patient=patient, answers={}).facts
    assert facts["patterns"] == [{"pattern": "retrocollis", "severity": 2}]


def test_an_examination_entered_in_error_leaves_the_summaries_but_not_the_history(patient):
    from collis.candidacy.facts import collect_case_facts

    examination = make_examination(patient)
    services.examination_mark_entered_in_error(examination=examination,
                                               reason="Recorded on the wrong patient",
                                               actor=actor_for())
    examination.refresh_from_db()
    assert examination.record_status == "entered_in_error"
    assert selectors.examination_list(patient=patient, actor=actor_for()) == []
    assert "patterns" not in collect_case_facts(patient=patient, answers={}).facts
    assert selectors.examination_history(examination) == [examination]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="examination")
    assert event.details["reason"] == "Recorded on the wrong patient"


def test_correcting_an_already_corrected_examination_is_refused(patient):
    original = make_examination(patient)
    services.examination_create(patient=patient, details=details(), actor=actor_for(),
                                amends=original, correction_reason="First")
    with pytest.raises(ValidationError, match="already amended"):
        services.examination_create(patient=patient, details=details(), actor=actor_for(),
                                    amends=original, correction_reason="Second")
    with pytest.raises(ValidationError, match="already amended"):
        services.examination_mark_entered_in_error(examination=original, reason="x",
                                                   actor=actor_for())
    with pytest.raises(ValidationError, match="already amended"):
        services.examination_muscles_confirm(examination=original,
                                             muscles=[("trapezius", "left")],
                                             actor=actor_for(), correction_reason="x")
    assert Examination.objects.count() == 2


def test_a_correction_needs_a_reason_and_the_role_that_records_examinations(patient):
    original = make_examination(patient)
    with pytest.raises(ValidationError) as refused:
        services.examination_create(patient=patient, details=details(), actor=actor_for(),
                                    amends=original)
    assert "correction_reason" in refused.value.error_dict
    coordinator = actor_for(UserFactory(role=Role.MDT_COORDINATOR))
    with pytest.raises(PermissionDenied):
        services.examination_create(patient=patient, details=details(), actor=coordinator,
                                    amends=original, correction_reason="x")
    with pytest.raises(PermissionDenied):
        services.examination_mark_entered_in_error(examination=original, reason="x",
                                                   actor=coordinator)
    original.refresh_from_db()
    assert original.is_current and Examination.objects.count() == 1


def test_another_patients_examination_cannot_be_corrected_here(patient):
    theirs = make_examination(PatientFactory())
    with pytest.raises(ValidationError, match="not one of this patient's"):
        services.examination_create(patient=patient, details=details(), actor=actor_for(),
                                    amends=theirs, correction_reason="x")


@pytest.mark.parametrize(("day", "words"), [
    (TOMORROW, "The date of the examination must be today or in the past"),
    (datetime.date(1974, 5, 16), "The date of the examination cannot be before the patient's "
                                 "date of birth (17 May 1974)"),
])
def test_an_examination_date_in_the_future_or_before_birth_is_refused(patient, day, words):
    with pytest.raises(ValidationError) as refused:
        services.examination_create(patient=patient, details=details(examined_on=day),
                                    actor=actor_for())
    assert refused.value.message_dict == {"examined_on": [words]}
    original = make_examination(patient)
    with pytest.raises(ValidationError):  # a correction meets the same rule
        services.examination_create(patient=patient, details=details(examined_on=day),
                                    actor=actor_for(), amends=original,
                                    correction_reason="Date")
    assert Examination.objects.count() == 1


def test_a_pattern_listed_twice_and_an_inconsistent_sensory_trick_are_refused(patient):
    twice = (PatternObservation(Pattern.TORTICAPUT, Side.LEFT, 2),
             PatternObservation(Pattern.TORTICAPUT, Side.RIGHT, 1))
    with pytest.raises(ValidationError) as refused:
        services.examination_create(patient=patient, details=details(patterns=twice),
                                    actor=actor_for())
    assert "severity_torticaput" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        services.examination_create(patient=patient, actor=actor_for(), details=details(
            sensory_trick="absent", sensory_trick_effect="partial"))
    assert "sensory_trick_effect" in refused.value.error_dict


# ------------------------------------------------------------------------------- scales

def test_amending_a_twstrs_keeps_the_original_and_the_chart_uses_the_correction(patient):
    baseline = make_twstrs(patient, assessed_on=datetime.date(2026, 1, 1))
    later = make_twstrs(patient, assessed_on=datetime.date(2026, 6, 1), rotation=4, work=5,
                        driving=5, reading=5, television=5)  # total 50: +15 since baseline
    corrected = services.twstrs_create(
        patient=patient, assessed_on=datetime.date(2026, 6, 1), items=TWSTRS_ITEMS,
        actor=actor_for(), amends=later, correction_reason="Transcribed from the wrong form")
    later.refresh_from_db()
    assert later.record_status == "amended" and later.total == 50
    assert corrected.total == 35 and corrected.supersedes == later
    shown = selectors.scale_list(patient=patient, actor=actor_for())
    assert shown == [baseline, corrected]
    rows = ScalesPresenter(shown).twstrs_rows()
    assert rows[1].since_baseline.points == "+0" and not rows[1].since_baseline.important
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="scale_twstrs")
    assert event.details["before"]["total"] == "50.0" and event.details["after"]["total"] == "35.0"


def test_a_twstrs_entered_in_error_leaves_the_chart_flags_and_facts(patient):
    from collis.candidacy.facts import collect_case_facts

    make_twstrs(patient, assessed_on=datetime.date(2026, 1, 1))
    wrong = make_twstrs(patient, assessed_on=datetime.date(2026, 6, 1), rotation=4, work=5,
                        driving=5, reading=5, television=5)
    assert collect_case_facts(patient=patient, answers={}).facts["twstrs"]["disability"] == 24
    services.scale_mark_entered_in_error(assessment=wrong, reason="Another patient's form",
                                         actor=actor_for())
    shown = selectors.scale_list(patient=patient, actor=actor_for())
    assert [a.total for a in shown] == [35]
    rows = ScalesPresenter(shown).twstrs_rows()
    assert len(rows) == 1 and rows[0].since_baseline is None
    assert collect_case_facts(patient=patient, answers={}).facts["twstrs"]["disability"] == 10
    assert selectors.scale_history(wrong) == [wrong]
    assert selectors.scale_latest_version(wrong) == wrong


def test_correcting_a_scale_twice_or_by_another_scale_or_role_is_refused(patient):
    twstrs = make_twstrs(patient)
    with pytest.raises(ValidationError, match="is corrected by another TWSTRS"):
        services.tsui_create(patient=patient, assessed_on=twstrs.assessed_on, items={},
                             total=5, actor=actor_for(), amends=twstrs, correction_reason="x")
    with pytest.raises(PermissionDenied):
        services.twstrs_create_from_subscores(
            patient=patient, assessed_on=twstrs.assessed_on, severity=10, disability=None,
            pain=None, actor=actor_for(UserFactory(role=Role.MDT_COORDINATOR)),
            amends=twstrs, correction_reason="x")
    services.twstrs_create_from_subscores(
        patient=patient, assessed_on=twstrs.assessed_on, severity=10, disability=5, pain=2,
        actor=actor_for(), amends=twstrs, correction_reason="Only the subscores were right")
    with pytest.raises(ValidationError, match="already amended"):
        services.scale_mark_entered_in_error(assessment=twstrs, reason="x", actor=actor_for())
    assert ScaleAssessment.objects.count() == 2


@pytest.mark.parametrize("make", ["twstrs", "subscores", "tsui"])
@pytest.mark.parametrize(("day", "words"), [
    (TOMORROW, "The date of the assessment must be today or in the past"),
    (datetime.date(1974, 5, 16), "The date of the assessment cannot be before the patient's "
                                 "date of birth (17 May 1974)"),
])
def test_a_scale_date_in_the_future_or_before_birth_is_refused(patient, make, day, words):
    calls = {
        "twstrs": lambda: services.twstrs_create(patient=patient, assessed_on=day,
                                                 items=TWSTRS_ITEMS, actor=actor_for()),
        "subscores": lambda: services.twstrs_create_from_subscores(
            patient=patient, assessed_on=day, severity=10, disability=10, pain=5,
            actor=actor_for()),
        "tsui": lambda: services.tsui_create(patient=patient, assessed_on=day, items={},
                                             total=5, actor=actor_for()),
    }
    with pytest.raises(ValidationError) as refused:
        calls[make]()
    assert refused.value.message_dict == {"assessed_on": [words]}
    assert not ScaleAssessment.objects.exists()


@pytest.mark.parametrize("value", [1e309, math.inf, math.nan, 10 ** 400, -1, 7, 2.5, "3",
                                   True])
def test_a_twstrs_item_that_is_not_a_number_in_its_range_is_refused_naming_it(patient, value):
    with pytest.raises(ValidationError) as refused:
        services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                               items=TWSTRS_ITEMS | {"rotation": value}, actor=actor_for())
    [message] = refused.value.message_dict["rotation"]
    assert message.startswith("Rotation must be a whole number from 0 to 4")


@pytest.mark.parametrize("value", [1e309, math.inf, math.nan, 10 ** 400, -0.5, 21, "4"])
def test_a_twstrs_pain_item_that_is_not_a_number_in_its_range_is_refused(patient, value):
    with pytest.raises(ValidationError) as refused:
        services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                               items=TWSTRS_ITEMS | {"pain_severity": value},
                               actor=actor_for())
    [message] = refused.value.message_dict["pain_severity"]
    assert message.startswith("Pain severity must be a number from 0 to 20")


def test_twstrs_pain_items_adding_up_past_twenty_are_refused_on_the_first(patient):
    with pytest.raises(ValidationError) as refused:
        services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                               items=TWSTRS_ITEMS | {"pain_severity": 10, "pain_duration": 10,
                                                    "pain_disability": 5},
                               actor=actor_for())
    assert refused.value.message_dict == {"pain_severity": [
        "The three pain items add up to 25; together they must be from 0 to 20"]}


@pytest.mark.parametrize(("name", "value", "words"), [
    ("severity", 1e309, "Severity subscore must be a whole number from 0 to 35"),
    ("severity", 36, "Severity subscore must be a whole number from 0 to 35 (you entered 36)"),
    ("disability", math.nan, "Disability subscore must be a whole number from 0 to 30"),
    ("pain", math.inf, "Pain subscore must be a number from 0 to 20"),
    ("pain", -1, "Pain subscore must be a number from 0 to 20 (you entered -1)"),
])
def test_a_twstrs_subscore_out_of_range_is_refused_naming_it(patient, name, value, words):
    given = {"severity": 10, "disability": 10, "pain": 5} | {name: value}
    with pytest.raises(ValidationError) as refused:
        services.twstrs_create_from_subscores(patient=patient,
                                              assessed_on=datetime.date(2026, 1, 1),
                                              actor=actor_for(), **given)
    assert refused.value.message_dict == {name: [words]}


@pytest.mark.parametrize(("items", "total", "field"), [
    ({"rotation": 1e309}, 5, "rotation"), ({"tilt": math.nan}, 5, "tilt"),
    ({"tremor": -1}, 5, "tremor"), ({"rotation": 26}, 5, "rotation"),
    ({}, 1e309, "total"), ({}, math.inf, "total"), ({}, -1, "total"), ({}, 26, "total"),
    ({}, "ten", "total"), ({}, 10 ** 400, "total"), ({}, None, "total"),
])
def test_a_tsui_value_that_is_not_a_number_in_range_is_refused_naming_it(patient, items,
                                                                         total, field):
    with pytest.raises(ValidationError) as refused:
        services.tsui_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                             items=items, total=total, actor=actor_for())
    assert list(refused.value.message_dict) == [field]
    assert not ScaleAssessment.objects.exists()


def test_an_empty_twstrs_is_refused(patient):
    with pytest.raises(ValidationError, match="Enter at least one TWSTRS item"):
        services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                               items={}, actor=actor_for())
    with pytest.raises(ValidationError, match="Enter at least one TWSTRS subscore"):
        services.twstrs_create_from_subscores(
            patient=patient, assessed_on=datetime.date(2026, 1, 1), severity=None,
            disability=None, pain=None, actor=actor_for())


# ---------------------------------------------------------------------------- diagnosis

def test_a_blank_diagnosis_is_refused_naming_what_to_fill_in(patient):
    from collis.assessments.models import DiagnosisVersion

    with pytest.raises(ValidationError) as refused:
        services.diagnosis_version_create(
            patient=patient, details=services.DiagnosisDetails(notes="Seen today"),
            based_on_version=None, actor=actor_for())
    [message] = refused.value.messages
    assert "age at onset" in message and "body regions involved" in message
    assert "aetiology" in message
    assert not DiagnosisVersion.objects.exists()


def test_an_onset_age_greater_than_the_patients_age_is_refused(patient):
    from collis.core.presenters import age_on

    age = age_on(patient.date_of_birth)
    with pytest.raises(ValidationError) as refused:
        make_diagnosis(patient, onset_age=age + 1)
    assert refused.value.message_dict == {"onset_age": [
        f"Age at onset ({age + 1} years) cannot be greater than the patient's age "
        f"({age} years)"]}
    assert make_diagnosis(patient, onset_age=age).onset_age == age

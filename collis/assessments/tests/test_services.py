import datetime

import pytest
from django.core.exceptions import ValidationError

from collis.assessments import services
from collis.assessments.models import DiagnosisVersion, EntryMode, ScaleAssessment
from collis.assessments.tests.factories import (
    TWSTRS_ITEMS,
    actor_for,
    make_diagnosis,
    make_examination,
    make_twstrs,
)
from collis.core.models import AuditAction, AuditEvent
from collis.core.tests.factories import UserFactory
from collis.domain.phenotype import PATTERN_TABLE, Pattern, PatternObservation, Side
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sites):
    return PatientFactory()


def test_recording_a_diagnosis_stores_the_domain_band_and_derived_distribution(patient):
    version = make_diagnosis(patient, onset_age=44, regions=("neck",))
    assert version.version == 1
    assert version.age_at_onset == "late_adulthood"
    assert version.derived_distribution == "focal" and version.distribution == "focal"
    assert "one region is focal" in version.derived_distribution_reason
    event = AuditEvent.objects.get(object_type="diagnosis")
    assert event.action == AuditAction.CREATE and event.patient_id == patient.pk


def test_changing_a_diagnosis_adds_a_version_and_keeps_the_old_one(patient):
    first = make_diagnosis(patient)
    second = make_diagnosis(patient, course="progressive", regions=("neck", "upper_limb"))
    assert second.version == 2 and DiagnosisVersion.objects.count() == 2
    first.refresh_from_db()
    assert first.course == "static"
    assert second.changes["course"] == {"from": "static", "to": "progressive"}
    assert second.derived_distribution == "segmental"
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="diagnosis")
    assert "course" in update.summary and update.patient_id == patient.pk


def test_saving_an_unchanged_diagnosis_adds_no_version(patient):
    first = make_diagnosis(patient)
    assert make_diagnosis(patient) == first
    assert DiagnosisVersion.objects.count() == 1


def test_a_diagnosis_version_cannot_be_changed_in_place(patient):
    version = make_diagnosis(patient)
    version.notes = "edited"
    with pytest.raises(PermissionError):
        version.save()


def test_a_save_based_on_an_older_version_is_refused(patient):
    make_diagnosis(patient)
    make_diagnosis(patient, course="progressive")
    with pytest.raises(services.DiagnosisConflict) as raised:
        services.diagnosis_version_create(patient=patient, details=services.DiagnosisDetails(),
                                  based_on_version=1, actor=actor_for())
    assert raised.value.current.version == 2
    assert DiagnosisVersion.objects.count() == 2


def test_a_clinician_confirmed_distribution_is_kept_beside_the_derived_one(patient):
    version = make_diagnosis(patient, regions=("neck", "cranial"), distribution="multifocal")
    assert version.derived_distribution == "segmental" and version.distribution == "multifocal"


def test_an_invalid_vocabulary_value_is_refused_and_nothing_saved(patient):
    with pytest.raises(ValidationError):
        make_diagnosis(patient, course="wobbly")
    assert not DiagnosisVersion.objects.exists()
    assert not AuditEvent.objects.filter(object_type="diagnosis").exists()


def test_recording_an_examination_stores_patterns_in_order_and_the_dominant_one(patient):
    examination = make_examination(patient)
    assert [(p.pattern, p.side, p.severity) for p in examination.patterns.all()] == [
        ("torticaput", "right", 3), ("laterocollis", "left", 1)]
    assert (examination.dominant_pattern, examination.dominant_side) == ("torticaput", "right")
    assert examination.pattern_table_version == PATTERN_TABLE.version
    event = AuditEvent.objects.get(object_type="examination")
    assert event.action == AuditAction.CREATE and event.patient_id == patient.pk


def test_an_examination_with_no_patterns_has_no_dominant_pattern(patient):
    examination = services.examination_create(
        patient=patient, actor=actor_for(),
        details=services.ExaminationDetails(examined_on=datetime.date(2026, 1, 1), patterns=(),
                                            tremor="none", sensory_trick="absent"))
    assert examination.dominant_pattern == "" and examination.patterns.count() == 0


def test_confirming_muscles_completes_the_examination_and_is_audited(patient):
    examination = make_examination(patient)
    user = UserFactory()
    held = services.examination_muscles_confirm(
        examination=examination, muscles=[("splenius_capitis", "right"),
                                          ("sternocleidomastoid", "left")],
        suggested={("splenius_capitis", "right")}, actor=actor_for(user))
    assert held.pk == examination.pk
    assert list(examination.muscles.values_list("muscle", "side", "suggested")) == [
        ("splenius_capitis", "right", True), ("sternocleidomastoid", "left", False)]
    examination.refresh_from_db()
    assert examination.muscles_confirmed_by == user
    last = AuditEvent.objects.filter(action=AuditAction.UPDATE).first()
    assert last.details["to"] == ["splenius_capitis (right)", "sternocleidomastoid (left)"]


def test_changing_confirmed_muscles_is_a_correction_with_a_reason(patient):
    examination = make_examination(patient)
    user = UserFactory()
    services.examination_muscles_confirm(
        examination=examination, muscles=[("splenius_capitis", "right"),
                                          ("sternocleidomastoid", "left")],
        suggested={("splenius_capitis", "right")}, actor=actor_for(user))
    with pytest.raises(ValidationError) as refused:
        services.examination_muscles_confirm(
            examination=examination, muscles=[("sternocleidomastoid", "left")],
            actor=actor_for(user))
    assert "correction_reason" in refused.value.error_dict
    new = services.examination_muscles_confirm(
        examination=examination, muscles=[("sternocleidomastoid", "left")],
        suggested={("splenius_capitis", "right")}, actor=actor_for(user),
        correction_reason="Splenius not active on EMG")
    assert new.pk != examination.pk and new.supersedes == examination
    assert list(new.muscles.values_list("muscle", "side", "suggested")) == [
        ("sternocleidomastoid", "left", False)]
    assert [(p.pattern, p.severity) for p in new.patterns.all()] == [
        ("torticaput", 3), ("laterocollis", 1)]
    examination.refresh_from_db()
    assert examination.record_status == "amended"
    assert examination.status_reason == "Splenius not active on EMG"
    assert examination.muscles.count() == 2  # the old version keeps its muscles
    # The same muscles again change nothing and need no reason.
    assert services.examination_muscles_confirm(
        examination=new, muscles=[("sternocleidomastoid", "left")], actor=actor_for(user)) == new


def test_confirming_an_unknown_muscle_is_refused(patient):
    examination = make_examination(patient)
    with pytest.raises(ValueError):
        services.examination_muscles_confirm(examination=examination,
                                             muscles=[("biceps", "left")], actor=actor_for())


def test_twstrs_items_are_scored_by_the_domain_and_stored_with_the_items(patient):
    assessment = make_twstrs(patient)
    assert (assessment.severity, assessment.disability, assessment.pain, assessment.total) == (
        17, 10, 8, 35)
    assert assessment.items == TWSTRS_ITEMS and assessment.entry_mode == EntryMode.ITEMS
    assert assessment.scale_version == services.SCALE_VERSIONS["twstrs"]
    event = AuditEvent.objects.get(object_type="scale_twstrs")
    assert event.action == AuditAction.CREATE and event.details["total"] == 35


def test_an_out_of_range_twstrs_item_is_refused_naming_the_item(patient):
    with pytest.raises(ValidationError) as refused:
        make_twstrs(patient, rotation=7)
    assert refused.value.message_dict == {
        "rotation": ["Rotation must be a whole number from 0 to 4 (you entered 7)"]}
    assert not ScaleAssessment.objects.exists()


def test_a_twstrs_with_missing_items_has_no_total(patient):
    items = {k: v for k, v in TWSTRS_ITEMS.items() if k != "driving"}
    assessment = services.twstrs_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                                        items=items, actor=actor_for())
    assert assessment.disability is None and assessment.total is None
    assert assessment.severity == 17


def test_twstrs_subscores_are_stored_with_the_domain_total(patient):
    assessment = services.twstrs_create_from_subscores(
        patient=patient, assessed_on=datetime.date(2026, 1, 1), severity=20, disability=12,
        pain=7.5, actor=actor_for())
    assert assessment.total == 39.5 and assessment.entry_mode == EntryMode.SUBSCORES


def test_tsui_items_and_total_are_stored_as_entered(patient):
    assessment = services.tsui_create(patient=patient, assessed_on=datetime.date(2026, 1, 1),
                                      items={"rotation": 2, "tremor": 1}, total=9,
                                      actor=actor_for())
    assert assessment.items == {"rotation": 2, "tremor": 1} and assessment.total == 9
    with pytest.raises(ValidationError) as refused:
        services.tsui_create(patient=patient, assessed_on=datetime.date(2026, 1, 1), items={},
                             total=30, actor=actor_for())
    assert refused.value.message_dict == {
        "total": ["Total Tsui score must be a number from 0 to 25 (you entered 30)"]}


def test_an_examination_pattern_severity_outside_0_to_4_is_refused_by_the_domain():
    with pytest.raises(ValueError):
        PatternObservation(Pattern.TORTICAPUT, Side.LEFT, 5)

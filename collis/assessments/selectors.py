"""Reads of diagnoses, examinations and rating scales. Reads that show patient data are
audited, once per page or API call. Lists, charts and everything derived read the current
entries (`.current()`, ADR 0009); an entry's own page reads it whatever its status, with
its history."""

from __future__ import annotations

import importlib

from django.http import Http404

from collis.assessments.models import (
    DiagnosisVersion,
    Examination,
    ExaminationMuscle,
    ExaminationPattern,
    Scale,
    ScaleAssessment,
    Tremor,
)
from collis.core.audit import Actor, audit_record
from collis.core.corrections import record_history
from collis.core.models import AuditAction, RecordStatus
from collis.core.prepared import attach_prefetched, patient_rows
from collis.domain.phenotype import (
    PatternObservation,
    Side,
    SuggestedMuscle,
    suggested_muscles,
    tremor_muscles,
)
from collis.patients.models import Patient

_DIAGNOSIS_VERSIONS = patient_rows(lambda patient_id: DiagnosisVersion.objects.filter(
    patient_id=patient_id).select_related("created_by").order_by("-version"))


def diagnosis_history(*, patient: Patient, actor: Actor) -> list[DiagnosisVersion]:
    """Every version of the diagnosis, newest (current) first; the read is audited."""
    versions = _DIAGNOSIS_VERSIONS.instances(patient_id=patient.pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="diagnosis",
                 object_id=versions[0].pk if versions else "", patient_id=patient.pk,
                 summary=f"Viewed the diagnosis of {patient.nhs_number}",
                 details={"versions": len(versions)})
    return versions


def diagnosis_for_change(*, patient: Patient, actor: Actor) -> DiagnosisVersion | None:
    """The current version, which the change form starts from (None before the first);
    opening it to change it is audited."""
    current = DiagnosisVersion.objects.for_patient(patient).first()
    if current is not None:
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="diagnosis",
                     object_id=current.pk, patient_id=patient.pk,
                     summary=f"Opened the diagnosis of {patient.nhs_number} to change it")
    return current


# A patient's current examinations with their patterns and muscles, and their current
# rating-scale assessments, as prepared queries (`for_patient().current()`).
_EXAMINATIONS = patient_rows(lambda patient_id: (
    Examination.objects.current().filter(patient_id=patient_id).select_related("created_by")
    .order_by("-examined_on", "-id")))
_EXAMINATION_PATTERNS = patient_rows(lambda patient_id: ExaminationPattern.objects.filter(
    examination__patient_id=patient_id, examination__record_status=RecordStatus.CURRENT)
    .order_by("examination", "position"))
_EXAMINATION_MUSCLES = patient_rows(lambda patient_id: ExaminationMuscle.objects.filter(
    examination__patient_id=patient_id, examination__record_status=RecordStatus.CURRENT)
    .order_by("examination", "muscle", "side"))
_SCALES = patient_rows(lambda patient_id: (
    ScaleAssessment.objects.current().filter(patient_id=patient_id).select_related("created_by")
    .order_by("assessed_on", "id")))


def examination_list(*, patient: Patient, actor: Actor) -> list[Examination]:
    """The patient's current examinations, newest first, with patterns and muscles;
    audited. Corrected and entered-in-error versions are on each entry's page."""
    examinations = _EXAMINATIONS.instances(patient_id=patient.pk)
    if examinations:
        attach_prefetched(examinations, "patterns",
                          _EXAMINATION_PATTERNS.instances(patient_id=patient.pk))
        attach_prefetched(examinations, "muscles",
                          _EXAMINATION_MUSCLES.instances(patient_id=patient.pk))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="examination",
                 patient_id=patient.pk,
                 summary=f"Viewed the neck examinations of {patient.nhs_number}",
                 details={"count": len(examinations)})
    return examinations


def examination_get(*, patient: Patient, pk: int, actor: Actor) -> Examination:
    """One examination of the (already scoped) patient, whatever its status, with its
    patterns and muscles; Http404 if the patient has none with this id. Audited."""
    try:
        examination = Examination.objects.for_patient(patient).get(pk=pk)
    except Examination.DoesNotExist:
        raise Http404("No such examination") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="examination",
                 object_id=examination.pk, patient_id=patient.pk,
                 summary=f"Viewed a neck examination of {patient.nhs_number}")
    return examination


def examination_history(examination: Examination) -> list[Examination]:
    """Every version of the examination, oldest first (part of the page that shows it, so
    not audited again)."""
    return record_history(examination)


def examination_observations(examination: Examination) -> tuple[PatternObservation, ...]:
    """The stored patterns as the domain's observations, in their recorded order."""
    return tuple(
        PatternObservation(pattern=p.pattern, side=Side(p.side) if p.side else None,
                           severity=p.severity)
        for p in examination.patterns.all())


def examination_suggested_muscles(examination: Examination) -> list[SuggestedMuscle]:
    """What the domain's pattern table suggests for the examination's patterns (and tremor):
    a suggestion for the clinician to confirm with EMG, not a plan."""
    suggestions: list[SuggestedMuscle] = []
    for observation in examination_observations(examination):
        suggestions.extend(suggested_muscles(observation))
    if examination.tremor and examination.tremor != Tremor.NONE:
        suggestions.extend(tremor_muscles())
    return suggestions


def suggested_pairs(suggestions: list[SuggestedMuscle]) -> set[tuple[str, str]]:
    """(muscle, side) pairs of the suggestions; a muscle with no known side counts on both."""
    return {(str(s.muscle), side) for s in suggestions for side in s.sides()}


def scale_list(*, patient: Patient, actor: Actor) -> list[ScaleAssessment]:
    """The patient's current rating-scale assessments, oldest first; audited. The table,
    the chart, the change flags and follow-up reviews read these."""
    assessments = _SCALES.instances(patient_id=patient.pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="scale",
                 patient_id=patient.pk,
                 summary=f"Viewed the rating scales of {patient.nhs_number}",
                 details={"twstrs": sum(a.scale == Scale.TWSTRS for a in assessments),
                          "tsui": sum(a.scale == Scale.TSUI for a in assessments)})
    return assessments


def scale_get(*, patient: Patient, pk: int, actor: Actor) -> ScaleAssessment:
    """One rating-scale assessment of the (already scoped) patient, whatever its status;
    Http404 if the patient has none with this id. The read is audited."""
    try:
        assessment = ScaleAssessment.objects.for_patient(patient).get(pk=pk)
    except ScaleAssessment.DoesNotExist:
        raise Http404("No such assessment") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type=f"scale_{assessment.scale}",
                 object_id=assessment.pk, patient_id=patient.pk,
                 summary=f"Viewed a {assessment.get_scale_display()} assessment of "
                         f"{patient.nhs_number}")
    return assessment


def scale_history(assessment: ScaleAssessment) -> list[ScaleAssessment]:
    """Every version of the assessment, oldest first (not audited again)."""
    return record_history(assessment)


def scale_latest_version(assessment: ScaleAssessment) -> ScaleAssessment:
    """The last version of the assessment's chain (itself if never corrected): what a record
    that points at an assessment, such as a follow-up review, should show. Its
    `record_status` says whether it is current or was entered in error."""
    return record_history(assessment)[-1]


def patient_reported_scores(*, patient: Patient, actor: Actor) -> list:
    """The questionnaires the patient sent through the portal, oldest first, with the TWSTRS
    disability and pain sections the domain scored (collis.questionnaires, whose selector
    audits the read): the chart's patient-reported series and their table, kept apart from
    the clinicians' assessments."""
    from collis.questionnaires.selectors import patient_reported_list

    return patient_reported_list(patient=patient, actor=actor)[::-1]


def chart_markers(patient: Patient) -> list:
    """Markers for the TWSTRS chart: toxin cycles (treatments) and operations (outcomes),
    from those apps' timelines; an app that is not installed adds none."""
    from collis.core.charts import Marker

    markers = []
    for app, kind in (("treatments", "toxin"), ("outcomes", "operation")):
        try:
            timeline = importlib.import_module(f"collis.{app}.timeline")
        except ModuleNotFoundError as error:
            if error.name != f"collis.{app}.timeline":
                raise
            continue
        markers += [Marker(when=e.when, label=e.title, kind=kind)
                    for e in timeline.timeline_events(patient) if e.kind == kind]
    return markers

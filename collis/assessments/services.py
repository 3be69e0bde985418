"""Writes of diagnoses, examinations and rating scales. Each is atomic, validated with
full_clean and audited. The clinical results (age-at-onset band, derived distribution,
dominant pattern, TWSTRS scores) come from collis.domain; nothing is recomputed here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from collis.assessments.models import (
    DiagnosisVersion,
    EntryMode,
    Examination,
    ExaminationMuscle,
    ExaminationPattern,
    Scale,
    ScaleAssessment,
)
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.domain.classification import age_at_onset_band, derive_distribution
from collis.domain.muscles import Muscle
from collis.domain.phenotype import PATTERN_TABLE, PatternObservation, Side, dominant_pattern
from collis.domain.scales.tsui import record_tsui
from collis.domain.scales.twstrs import score_twstrs, twstrs_from_subscores
from collis.patients.models import Patient

# The domain modules give no version identifier for the instruments; these name the
# published versions their docstrings cite (reported to the domain's owner).
SCALE_VERSIONS = {
    Scale.TWSTRS: "TWSTRS (Consky & Lang 1994) [9]",
    Scale.TSUI: "Tsui scale [9]",
}


# ---------------------------------------------------------------------------- diagnosis

@dataclass(frozen=True, slots=True)
class DiagnosisDetails:
    """What a clinician enters for the diagnosis and classification [1]."""

    onset_age: int | None = None
    regions: tuple[str, ...] = ()
    one_side_of_body: bool = False
    distribution: str = ""  # "" means: use the distribution derived from the regions
    course: str = ""
    variability: str = ""
    associated_features: str = ""
    other_movement_disorder: str = ""
    nervous_system_pathology: str = ""
    aetiology: str = ""
    aetiology_subtype: str = ""
    family_history: tuple[tuple[str, str], ...] = ()  # (relationship, condition)
    family_history_notes: str = ""
    notes: str = ""


class DiagnosisConflict(Exception):
    """Someone saved a newer version after the editor opened the form; nothing was saved."""

    def __init__(self, current: DiagnosisVersion):
        super().__init__("The diagnosis was changed by someone else.")
        self.current = current


# The stored fields that make up a version, compared to say what changed.
DIAGNOSIS_FIELDS = (
    "onset_age", "age_at_onset", "regions", "one_side_of_body", "derived_distribution",
    "distribution", "course", "variability", "associated_features", "other_movement_disorder",
    "nervous_system_pathology", "aetiology", "aetiology_subtype", "family_history",
    "family_history_notes", "notes",
)


def diagnosis_current(patient: Patient) -> DiagnosisVersion | None:
    return (DiagnosisVersion.objects.filter(patient=patient)
            .select_related("created_by").order_by("-version").first())


@transaction.atomic
def diagnosis_version_create(*, patient: Patient, details: DiagnosisDetails,
                     based_on_version: int | None, actor: Actor) -> DiagnosisVersion:
    """Add a new version of the diagnosis (never change an old one). `based_on_version` is
    the version the editor saw (None for the first); if a newer one exists, raise
    DiagnosisConflict. Returns the current version unchanged when nothing differs."""
    # Lock the patient row so two saves cannot both become the same version.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    current = diagnosis_current(patient)
    if (current.version if current else None) != based_on_version:
        raise DiagnosisConflict(current)
    derivation = derive_distribution(details.regions, one_side_of_body=details.one_side_of_body)
    derived = str(derivation.distribution) if derivation.distribution else ""
    values = {
        "onset_age": details.onset_age,
        "age_at_onset": (str(age_at_onset_band(details.onset_age))
                         if details.onset_age is not None else ""),
        "regions": list(details.regions),
        "one_side_of_body": details.one_side_of_body,
        "derived_distribution": derived,
        "derived_distribution_reason": derivation.reason if derived else "",
        "distribution": details.distribution or derived,
        "course": details.course,
        "variability": details.variability,
        "associated_features": details.associated_features,
        "other_movement_disorder": details.other_movement_disorder,
        "nervous_system_pathology": details.nervous_system_pathology,
        "aetiology": details.aetiology,
        "aetiology_subtype": details.aetiology_subtype,
        "family_history": [{"relationship": r, "condition": c}
                           for r, c in details.family_history],
        "family_history_notes": details.family_history_notes,
        "notes": details.notes,
    }
    changes = {}
    if current is not None:
        for name in DIAGNOSIS_FIELDS:
            before = getattr(current, name)
            if before != values[name]:
                changes[name] = {"from": before, "to": values[name]}
        if not changes:
            return current
    version = DiagnosisVersion(
        patient=patient, version=(current.version + 1) if current else 1, changes=changes,
        created_by=actor.user, created_at=timezone.now(), **values)
    version.full_clean()
    version.save(force_insert=True)
    audit_record(
        actor=actor, action=AuditAction.CREATE if current is None else AuditAction.UPDATE,
        object_type="diagnosis", object_id=version.pk, patient_id=patient.pk,
        summary=(f"Recorded the diagnosis (version {version.version})" if current is None
                 else f"Changed the diagnosis (version {version.version}): "
                      f"{', '.join(sorted(changes))}"),
        details={"version": version.version, "changes": changes})
    return version


# -------------------------------------------------------------------------- examination

@dataclass(frozen=True, slots=True)
class ExaminationDetails:
    examined_on: date
    patterns: tuple[PatternObservation, ...]
    tremor: str
    sensory_trick: str
    sensory_trick_effect: str = ""
    sensory_trick_description: str = ""
    notes: str = ""


@transaction.atomic
def examination_create(*, patient: Patient, details: ExaminationDetails,
                       actor: Actor) -> Examination:
    """Record an examination with its patterns (in the order given) and the dominant
    pattern the domain finds among them."""
    dominant = dominant_pattern(details.patterns)
    examination = Examination(
        patient=patient, examined_on=details.examined_on, tremor=details.tremor,
        sensory_trick=details.sensory_trick, sensory_trick_effect=details.sensory_trick_effect,
        sensory_trick_description=details.sensory_trick_description, notes=details.notes,
        dominant_pattern=str(dominant.pattern) if dominant else "",
        dominant_side=str(dominant.side) if dominant and dominant.side else "",
        pattern_table_version=PATTERN_TABLE.version,
        created_by=actor.user, created_at=timezone.now())
    examination.full_clean()
    examination.save(force_insert=True)
    rows = [ExaminationPattern(examination=examination, position=index,
                               pattern=str(p.pattern), side=str(p.side) if p.side else "",
                               severity=p.severity if p.severity is not None else 0)
            for index, p in enumerate(details.patterns)]
    for row in rows:
        row.full_clean(exclude=["examination"])
    ExaminationPattern.objects.bulk_create(rows)
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="examination",
        object_id=examination.pk, patient_id=patient.pk,
        summary=f"Recorded a neck examination of {details.examined_on:%d/%m/%Y}",
        details={"patterns": [p.describe() for p in details.patterns],
                 "dominant": dominant.describe() if dominant else ""})
    return examination


@transaction.atomic
def examination_muscles_confirm(*, examination: Examination,
                                muscles: Iterable[tuple[Muscle | str, Side | str]],
                                suggested: Iterable[tuple[str, str]] = (),
                                actor: Actor) -> Examination:
    """Store the muscles (muscle, side) the clinician confirms as involved, replacing the
    examination's earlier confirmation; `suggested` marks those the table suggested."""
    chosen = sorted({(str(Muscle(m)), str(Side(s))) for m, s in muscles})
    suggested_set = {(str(m), str(s)) for m, s in suggested}
    before = sorted(examination.muscles.values_list("muscle", "side"))
    examination.muscles.all().delete()
    rows = [ExaminationMuscle(examination=examination, muscle=m, side=s,
                              suggested=(m, s) in suggested_set) for m, s in chosen]
    for row in rows:
        row.full_clean(exclude=["examination"])
    ExaminationMuscle.objects.bulk_create(rows)
    examination.muscles_confirmed_at = timezone.now()
    examination.muscles_confirmed_by = actor.user
    examination.save(update_fields=["muscles_confirmed_at", "muscles_confirmed_by"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, object_type="examination",
        object_id=examination.pk, patient_id=examination.patient_id,
        summary=f"Confirmed {len(chosen)} involved muscle(s) at an examination",
        details={"from": [f"{m} ({s})" for m, s in before],
                 "to": [f"{m} ({s})" for m, s in chosen]})
    return examination


# ------------------------------------------------------------------------------- scales

def _scale_save(*, patient: Patient, scale: Scale, assessed_on: date, entry_mode: EntryMode,
                items: Mapping, scores: Mapping, notes: str, actor: Actor) -> ScaleAssessment:
    assessment = ScaleAssessment(
        patient=patient, scale=scale, scale_version=SCALE_VERSIONS[scale],
        assessed_on=assessed_on, entry_mode=entry_mode, items=dict(items), notes=notes,
        created_by=actor.user, created_at=timezone.now(), **scores)
    assessment.full_clean()
    assessment.save(force_insert=True)
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type=f"scale_{scale}",
        object_id=assessment.pk, patient_id=patient.pk,
        summary=f"Recorded a {scale.label} assessment of {assessed_on:%d/%m/%Y}",
        details={"items": dict(items), **scores})
    return assessment


@transaction.atomic
def twstrs_create(*, patient: Patient, assessed_on: date, items: Mapping[str, float],
                  notes: str = "", actor: Actor) -> ScaleAssessment:
    """Score TWSTRS item by item with the domain (score_twstrs) and store items and scores.
    Raises the domain's TwstrsError for an item it refuses."""
    score = score_twstrs(items)
    return _scale_save(
        patient=patient, scale=Scale.TWSTRS, assessed_on=assessed_on,
        entry_mode=EntryMode.ITEMS, items=dict(score.items), notes=notes, actor=actor,
        scores={"severity": score.severity, "disability": score.disability,
                "pain": score.pain, "total": score.total})


@transaction.atomic
def twstrs_create_from_subscores(*, patient: Patient, assessed_on: date, severity: int | None,
                            disability: int | None, pain: float | None, notes: str = "",
                            actor: Actor) -> ScaleAssessment:
    """Store a TWSTRS known only by its subscores (domain twstrs_from_subscores)."""
    score = twstrs_from_subscores(severity, disability, pain)
    return _scale_save(
        patient=patient, scale=Scale.TWSTRS, assessed_on=assessed_on,
        entry_mode=EntryMode.SUBSCORES, items={}, notes=notes, actor=actor,
        scores={"severity": score.severity, "disability": score.disability,
                "pain": score.pain, "total": score.total})


@transaction.atomic
def tsui_create(*, patient: Patient, assessed_on: date, items: Mapping[str, float],
                total: float | None, notes: str = "", actor: Actor) -> ScaleAssessment:
    """Store Tsui items and the clinician's total as entered (domain record_tsui)."""
    score = record_tsui(items, total)
    return _scale_save(
        patient=patient, scale=Scale.TSUI, assessed_on=assessed_on,
        entry_mode=EntryMode.ITEMS, items=dict(score.items), notes=notes, actor=actor,
        scores={"total": score.total})


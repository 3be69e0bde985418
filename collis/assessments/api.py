"""The assessments app's part of the JSON API (/api/v1/): a patient's diagnosis (current
and history), neck examinations and rating scales, with the pages' role checks and audit."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Router, Schema

from collis.assessments import selectors
from collis.assessments.models import Scale
from collis.core.api import ErrorOut, api_actor, api_patient
from collis.core.roles import Capability

router = Router(tags=["assessments"])


class FamilyMemberOut(Schema):
    relationship: str
    condition: str


class DiagnosisVersionOut(Schema):
    version: int
    onset_age: int | None
    age_at_onset: str
    regions: list[str]
    one_side_of_body: bool
    derived_distribution: str
    derived_distribution_reason: str
    distribution: str
    course: str
    variability: str
    associated_features: str
    other_movement_disorder: str
    nervous_system_pathology: str
    aetiology: str
    aetiology_subtype: str
    family_history: list[FamilyMemberOut]
    family_history_notes: str
    notes: str
    changes: dict
    recorded_by: str | None
    recorded_at: datetime


class DiagnosisOut(Schema):
    current: DiagnosisVersionOut | None
    history: list[DiagnosisVersionOut]


class PatternOut(Schema):
    pattern: str
    side: str
    severity: int


class MuscleOut(Schema):
    muscle: str
    side: str
    suggested: bool


class ExaminationOut(Schema):
    id: int
    examined_on: date
    patterns: list[PatternOut]
    dominant_pattern: str
    dominant_side: str
    tremor: str
    sensory_trick: str
    sensory_trick_effect: str
    sensory_trick_description: str
    notes: str
    pattern_table_version: str
    muscles_confirmed: bool
    muscles: list[MuscleOut]
    recorded_by: str | None
    recorded_at: datetime
    record_status: str | None = None


class ScaleAssessmentOut(Schema):
    id: int
    scale: str
    scale_version: str
    assessed_on: date
    entry_mode: str
    items: dict[str, float]
    severity: int | None
    disability: int | None
    pain: float | None
    total: float | None
    recorded_by: str | None
    recorded_at: datetime
    record_status: str | None = None


class ScalesOut(Schema):
    twstrs: list[ScaleAssessmentOut]
    tsui: list[ScaleAssessmentOut]



def _who(user) -> str | None:
    return user.username if user else None


def _version(v) -> dict:
    # The API keeps its "recorded_by/at" names for what the models call created_by/at.
    data = {name: getattr(v, name) for name in DiagnosisVersionOut.model_fields
            if name not in {"recorded_by", "recorded_at"}}
    return data | {"recorded_by": _who(v.created_by), "recorded_at": v.created_at}


def _examination(e) -> dict:
    return {
        "id": e.pk, "examined_on": e.examined_on, "dominant_pattern": e.dominant_pattern,
        "dominant_side": e.dominant_side, "tremor": e.tremor, "sensory_trick": e.sensory_trick,
        "sensory_trick_effect": e.sensory_trick_effect,
        "sensory_trick_description": e.sensory_trick_description, "notes": e.notes,
        "pattern_table_version": e.pattern_table_version,
        "patterns": [{"pattern": p.pattern, "side": p.side, "severity": p.severity}
                     for p in e.patterns.all()],
        "muscles_confirmed": e.muscles_confirmed_at is not None,
        "muscles": [{"muscle": m.muscle, "side": m.side, "suggested": m.suggested}
                    for m in e.muscles.all()],
        "recorded_by": _who(e.created_by), "recorded_at": e.created_at,
        "record_status": e.record_status,
    }


def _assessment(a) -> dict:
    return {name: getattr(a, name) for name in ScaleAssessmentOut.model_fields
            if name not in {"recorded_by", "recorded_at", "record_status"}} | {
        "record_status": a.record_status,
        "recorded_by": _who(a.created_by), "recorded_at": a.created_at}


@router.get("/patients/{patient_id}/diagnosis",
            response={200: DiagnosisOut, 403: ErrorOut, 404: ErrorOut},
            summary="A patient's diagnosis and classification, current and earlier versions")
def diagnosis(request, patient_id: UUID):
    """Versions newest first; `current` is the first. The read is recorded in the audit log."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    versions = selectors.diagnosis_history(patient=patient, actor=api_actor(request))
    history = [_version(v) for v in versions]
    return {"current": history[0] if history else None, "history": history}


@router.get("/patients/{patient_id}/examinations",
            response={200: list[ExaminationOut], 403: ErrorOut, 404: ErrorOut},
            summary="A patient's current neck examinations, newest first")
def examinations(request, patient_id: UUID):
    """Each with its Col-Cap patterns and confirmed muscles; corrected and entered-in-error
    versions are left out (`record_status` is "current"). The read is audited."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    found = selectors.examination_list(patient=patient, actor=api_actor(request))
    return [_examination(e) for e in found]


@router.get("/patients/{patient_id}/scales",
            response={200: ScalesOut, 403: ErrorOut, 404: ErrorOut},
            summary="A patient's current TWSTRS and Tsui assessments, oldest first")
def scales(request, patient_id: UUID):
    """Stored items and the scores the domain gave; corrected and entered-in-error versions
    are left out (`record_status` is "current"). The read is audited."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    found = selectors.scale_list(patient=patient, actor=api_actor(request))
    return {"twstrs": [_assessment(a) for a in found if a.scale == Scale.TWSTRS],
            "tsui": [_assessment(a) for a in found if a.scale == Scale.TSUI]}

"""The treatments app's part of the JSON API (/api/v1/): toxin cycles with the domain's
warnings and derived response pattern, medicines and therapy sessions. Same role checks and
audit as the pages. Lists hold current entries only (corrected and mistaken ones are left
out, ADR 0009); each says its `record_status`."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Router, Schema

from collis.core.api import ErrorOut, api_actor, api_patient
from collis.core.roles import Capability
from collis.domain.findings import LOCAL_POLICY_LABEL
from collis.domain.policy import DEFAULT_POLICY
from collis.treatments import selectors

router = Router(tags=["treatments"])


class InjectionOut(Schema):
    muscle: str
    side: str
    units: int


class ReviewOut(Schema):
    reviewed_on: date
    peak_benefit_percent: int
    benefit_weeks: int
    dysphagia: bool
    neck_weakness: bool
    other_side_effect: str
    side_effect_severity: str
    notes: str
    record_status: str = "current"


class CycleOut(Schema):
    id: int
    given_on: date
    product: str
    batch_number: str
    batch_expires_on: date | None = None
    guidance: str
    injector: str
    site: str
    total_units: int
    units_note: str
    injections: list[InjectionOut]
    review: ReviewOut | None
    notes: str
    recorded_at: datetime
    record_status: str = "current"
    warnings_acknowledged: list[str] = []
    warnings_reason: str = ""


class WarningOut(Schema):
    code: str
    detail: str
    sources: list[int]
    cycle_id: int | None


class ThresholdsOut(Schema):
    good_min_benefit_percent: float
    good_min_benefit_weeks: float
    useful_min_benefit_percent: float
    min_cycles: int
    label: str
    sources: list[int]


class ResponsePatternOut(Schema):
    pattern: str | None
    reason: str
    derived: bool
    derived_at: datetime
    from_cycle_ids: list[int]
    left_out_cycle_ids: list[int]
    thresholds: ThresholdsOut


class ResistanceTestOut(Schema):
    id: int
    tested_on: date
    kind: str
    result: str
    notes: str
    record_status: str = "current"


class ChecklistStepOut(Schema):
    code: str
    when: str
    action: str
    sources: list[int]
    applies: bool


class ToxinStopOut(Schema):
    id: int
    stopped_on: date
    reason: str
    reason_other: str
    decided_by: str
    notes: str
    restarted_on: date | None = None
    record_status: str = "current"


class ToxinRecordOut(Schema):
    cycles: list[CycleOut]
    warnings: list[WarningOut]
    response_pattern: ResponsePatternOut
    resistance_tests: list[ResistanceTestOut]
    poor_responder_checklist: list[ChecklistStepOut]
    # The current decisions to stop toxin, oldest first; `restarted_on` is the first cycle
    # given after one (toxin restarted), or null while it stays stopped.
    stops: list[ToxinStopOut] = []


class MedicationOut(Schema):
    id: int
    drug_name: str
    dose_amount: str
    dose_unit: str
    frequency: str
    started_on: date
    stopped_on: date | None
    stop_reason: str
    effect: str
    side_effects: str
    record_status: str = "current"


class TherapySessionOut(Schema):
    id: int
    kind: str
    session_on: date
    therapist: str
    duration_minutes: int
    goals: str
    notes: str
    record_status: str = "current"


def _cycle(cycle) -> dict:
    review = cycle.review if cycle.reviewed else None
    return {
        "id": cycle.pk, "given_on": cycle.given_on, "product": cycle.product,
        "batch_number": cycle.batch_number, "batch_expires_on": cycle.batch_expires_on,
        "guidance": cycle.guidance,
        "injector": cycle.injector.display_name, "site": cycle.site.code,
        "total_units": cycle.total_units,
        "units_note": f"Units of {cycle.product}; units are not interchangeable between "
                      "products and are never converted [18].",
        "injections": [{"muscle": i.muscle, "side": i.side, "units": i.units}
                       for i in cycle.injections.all()],
        "review": None if review is None else {
            "reviewed_on": review.reviewed_on,
            "peak_benefit_percent": review.peak_benefit_percent,
            "benefit_weeks": review.benefit_weeks, "dysphagia": review.dysphagia,
            "neck_weakness": review.neck_weakness,
            "other_side_effect": review.other_side_effect,
            "side_effect_severity": review.side_effect_severity, "notes": review.notes,
            "record_status": review.record_status},
        "notes": cycle.notes, "recorded_at": cycle.created_at,
        "record_status": cycle.record_status,
        "warnings_acknowledged": [w["code"] for w in cycle.warnings_acknowledged],
        "warnings_reason": cycle.warnings_reason,
    }


@router.get("/patients/{patient_id}/toxin-cycles",
            response={200: ToxinRecordOut, 403: ErrorOut, 404: ErrorOut},
            summary="A patient's botulinum toxin cycles, warnings and derived response pattern")
def toxin_cycles(request, patient_id: UUID):
    """Cycles with their injections and reviews; the interval warnings [15][19] and the
    response pattern derived under local-policy thresholds, from collis.domain.toxin. Reading
    is recorded in the audit log."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    record = selectors.toxin_record_get(patient=patient, actor=api_actor(request))
    response = record.response
    derivation = response.derivation
    return {
        "cycles": [_cycle(c) for c in record.cycles],
        "warnings": [{"code": w.warning.code, "detail": w.warning.detail,
                      "sources": list(w.warning.sources),
                      "cycle_id": w.cycle.pk if w.cycle else None} for w in record.warnings],
        "response_pattern": {
            "pattern": str(derivation.pattern) if derivation.pattern else None,
            "reason": derivation.reason, "derived": derivation.derived,
            "derived_at": response.derived_at,
            "from_cycle_ids": [c.pk for c in response.cycles],
            "left_out_cycle_ids": [c.pk for c in response.left_out],
            "thresholds": response.thresholds.as_dict() | {
                "label": LOCAL_POLICY_LABEL,
                "sources": list(DEFAULT_POLICY.value("bont_response_thresholds").sources)},
        },
        "resistance_tests": [{"id": t.pk, "tested_on": t.tested_on, "kind": t.kind,
                              "result": t.result, "notes": t.notes,
                              "record_status": t.record_status}
                             for t in record.resistance_tests],
        "poor_responder_checklist": [
            {"code": i.step.code, "when": i.step.when, "action": i.step.action,
             "sources": list(i.step.sources), "applies": i.applies} for i in record.checklist],
        "stops": [{"id": s.pk, "stopped_on": s.stopped_on, "reason": s.reason,
                   "reason_other": s.reason_other, "decided_by": s.decided_by.display_name,
                   "notes": s.notes, "restarted_on": s.restarted_on,
                   "record_status": s.record_status} for s in record.stops],
    }


@router.get("/patients/{patient_id}/medications",
            response={200: list[MedicationOut], 403: ErrorOut, 404: ErrorOut},
            summary="A patient's medicines, taken now and stopped (current entries)")
def medications(request, patient_id: UUID):
    """Reading is recorded in the audit log."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    return list(selectors.medication_list(patient=patient, actor=api_actor(request)))


@router.get("/patients/{patient_id}/therapy-sessions",
            response={200: list[TherapySessionOut], 403: ErrorOut, 404: ErrorOut},
            summary="A patient's therapy sessions, most recent first")
def therapy_sessions(request, patient_id: UUID):
    """Reading is recorded in the audit log."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    sessions = selectors.therapy_session_list(patient=patient, actor=api_actor(request))
    return [{"id": s.pk, "kind": s.kind, "session_on": s.session_on,
             "therapist": s.therapist.display_name, "duration_minutes": s.duration_minutes,
             "goals": s.goals, "notes": s.notes, "record_status": s.record_status}
            for s in sessions]

"""The outcomes app's part of the JSON API (/api/v1/): the operation note, the physiotherapy
programme, follow-up reviews, complications and the outcome against the baseline; each
read is role-checked (RECORD_VIEW) and audited like the pages. Only current entries are
given (each says its `record_status`); corrections are made through the pages."""

from datetime import date, time
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema

from collis.core.api import ErrorOut, api_actor, api_patient
from collis.core.audit import Actor
from collis.core.roles import Capability
from collis.outcomes import presenters, selectors
from collis.surgery.models import Episode
from collis.surgery.selectors import episode_get

router = Router(tags=["outcomes"])
BASE = "/patients/{patient_id}/episodes/{episode_id}"


class DivisionOut(Schema):
    muscle: str
    side: str
    nerve: str
    outside_plan: bool = False


class OperationOut(Schema):
    id: int
    operated_on: date
    started_at: time | None = None
    site: str
    surgeon: str
    anaesthetic: str
    anaesthetist: str
    divisions: list[DivisionOut]
    myectomy: bool
    myectomy_muscles: list[str]
    findings: str
    complication_codes: list[str]
    complication_notes: str
    consented_plan: list = []
    outside_plan_reason: str = ""
    record_status: str = "current"


class SessionOut(Schema):
    number: int
    scheduled_on: date
    attendance: str
    held_on: date | None
    exercises: str
    notes: str
    record_status: str = "current"


class ProgrammeOut(Schema):
    starts_on: date
    session_count: int
    interval_days: int
    goals: str
    sessions: list[SessionOut]


class ScheduledReviewOut(Schema):
    months_after: int
    due_on: date
    overdue: bool
    reviewed_on: date | None
    twstrs_total: float | None
    tsui_total: float | None
    notes: str


class ComplicationOut(Schema):
    risk_code: str
    name: str
    onset_on: date
    severity: str
    status: str
    resolved_on: date | None
    notes: str
    record_status: str = "current"


class FurtherSurgeryOut(Schema):
    kind: str
    performed_on: date
    reason: str
    record_status: str = "current"


class OutcomeOut(Schema):
    review: str
    date: str
    twstrs_total: float
    change: str
    judgement: str
    clinically_important: bool
    detail: str


class FollowUpOut(Schema):
    reviews: list[ScheduledReviewOut]
    complications: list[ComplicationOut]
    further_surgeries: list[FurtherSurgeryOut] = []
    baseline_date: date | None
    baseline_total: float | None
    outcome: list[OutcomeOut]


def _episode(request, patient_id: UUID, episode_id: int) -> tuple[Episode, Actor]:
    """The episode and the request's actor, after the role check, scoped to the token's
    user and audited (404 for a patient outside the user's unit, as if there were none)."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    actor = api_actor(request)
    return episode_get(patient=patient, episode_id=episode_id, actor=actor), actor


def _total(assessment) -> float | None:
    current = presenters.current_scale(assessment)
    return current.total if current is not None else None


@router.get(BASE + "/operation", response={200: OperationOut, 403: ErrorOut, 404: ErrorOut},
            summary="The operation note of an episode")
def operation_get(request, patient_id: UUID, episode_id: int):
    episode, actor = _episode(request, patient_id, episode_id)
    operation = selectors.operation_get(episode=episode, actor=actor)
    if operation is None:
        raise Http404("No operation is recorded for this episode.")
    return operation_out(operation)


def operation_out(operation) -> dict:
    """An operation note as `OperationOut` (the API and the patient's copy of their data)."""
    return {**{f: getattr(operation, f) for f in (
        "id", "operated_on", "started_at", "anaesthetic", "anaesthetist", "myectomy",
        "myectomy_muscles", "findings", "complication_codes", "complication_notes",
        "outside_plan_reason", "record_status")},
        "site": operation.site.code, "surgeon": operation.surgeon.display_name,
        "consented_plan": operation.consent.planned_denervation if operation.consent else [],
        "divisions": [{"muscle": d.muscle, "side": d.side, "nerve": d.nerve,
                       "outside_plan": d.outside_plan} for d in operation.divisions.all()]}


@router.get(BASE + "/physiotherapy",
            response={200: ProgrammeOut, 403: ErrorOut, 404: ErrorOut},
            summary="The post-operative physiotherapy programme and its sessions")
def physio_programme_get(request, patient_id: UUID, episode_id: int):
    episode, actor = _episode(request, patient_id, episode_id)
    programme = selectors.physio_programme_get(episode=episode, actor=actor)
    if programme is None:
        raise Http404("No physiotherapy programme for this episode.")
    return {"starts_on": programme.starts_on, "session_count": programme.session_count,
            "interval_days": programme.interval_days, "goals": programme.goals,
            "sessions": programme.current_sessions}


@router.get(BASE + "/follow-up", response={200: FollowUpOut, 403: ErrorOut, 404: ErrorOut},
            summary="Follow-up: scheduled reviews, complications and the outcome against the "
                    "baseline TWSTRS")
def follow_up_get(request, patient_id: UUID, episode_id: int):
    episode, actor = _episode(request, patient_id, episode_id)
    return follow_up_out(selectors.follow_up_get(episode=episode, actor=actor))


def follow_up_out(data) -> dict:
    """The follow-up as `FollowUpOut` (the API and the patient's copy of their data)."""
    reviews = []
    for row in data.schedule:
        r = row.review
        reviews.append({
            "months_after": row.point.months_after, "due_on": row.point.due_on,
            "overdue": row.overdue, "reviewed_on": r.reviewed_on if r else None,
            "twstrs_total": _total(r.twstrs) if r else None,
            "tsui_total": _total(r.tsui) if r else None,
            "notes": r.notes if r else ""})
    return {
        "reviews": reviews,
        "complications": [{"risk_code": c.risk_code, "name": c.get_risk_code_display(),
                           "onset_on": c.onset_on, "severity": c.severity, "status": c.status,
                           "resolved_on": c.resolved_on, "notes": c.notes,
                           "record_status": c.record_status}
                          for c in data.complications],
        "further_surgeries": [{"kind": s.kind, "performed_on": s.performed_on,
                               "reason": s.reason, "record_status": s.record_status}
                              for s in data.further_surgeries],
        "baseline_date": data.baseline.assessed_on if data.baseline else None,
        "baseline_total": data.baseline.total if data.baseline else None,
        "outcome": [{"review": o.label, "date": o.date, "twstrs_total": o.total,
                     "change": o.change, "judgement": o.words,
                     "clinically_important": o.important, "detail": o.detail}
                    for o in presenters.outcome_rows(data.baseline, data.reviews)],
    }

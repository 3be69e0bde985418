"""MDT meetings, an episode's MDT decisions and its funding requests through the JSON API,
with the pages' role checks and audit."""

from datetime import date, datetime
from uuid import UUID

from ninja import Router, Schema

from collis.core.api import ErrorOut, api_actor, api_patient, api_require
from collis.core.roles import Capability
from collis.mdt import selectors
from collis.surgery.models import Episode
from collis.surgery.selectors import episode_get

router = Router(tags=["mdt"])


class AgendaItemOut(Schema):
    id: int
    episode_id: int
    patient_id: UUID
    nhs_number: str
    episode_state: str


class MeetingOut(Schema):
    id: int
    held_on: date
    site: str
    attendees: list[dict]
    agenda: list[AgendaItemOut]


class PlannedOut(Schema):
    muscle: str
    side: str
    target: str


class ActionOut(Schema):
    description: str
    owner: str
    due_on: date


class DecisionOut(Schema):
    id: int
    decision: str
    discussion: str
    engine_recommendation: str
    engine_ruleset: str
    agrees_with_engine: bool | None
    departure_reason: str
    corrects_id: int | None
    correction_reason: str
    meeting_id: int | None
    recorded_by: str
    recorded_at: datetime
    planned: list[PlannedOut]
    actions: list[ActionOut]


class FundingOut(Schema):
    id: int
    route: str
    commissioner: str
    status: str
    reference: str
    submitted_on: date | None
    decided_on: date | None
    expires_on: date | None
    decline_reason: str
    procedure_codes: list[dict]
    evidence: list[dict]
    decision_id: int



def _episode(request, patient_id: UUID, episode_id: int) -> Episode:
    """The episode, after the role check, through the scoped and audited patient and
    episode reads (404 with their message otherwise)."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    return episode_get(patient=patient, episode_id=episode_id, actor=api_actor(request))


@router.get("/mdt/meetings", response={200: list[MeetingOut], 403: ErrorOut},
            summary="MDT meetings with their attendees and agendas")
def meeting_list(request, limit: int = 20):
    """The unit's latest meetings (`limit`, at most 100), each agenda showing only the
    patients the token's user may see; each patient on an agenda is audited."""
    api_require(request, Capability.RECORD_VIEW)
    actor = api_actor(request)
    ids = list(selectors.meeting_list(actor=actor).values_list("pk", flat=True)
               [:max(1, min(limit, 100))])
    out = []
    for meeting_id in ids:
        meeting = selectors.meeting_get(meeting_id=meeting_id, actor=actor)
        out.append({
            "id": meeting.pk, "held_on": meeting.held_on, "site": meeting.site.name,
            "attendees": [{"username": a.username, "name": a.display_name, "role": a.role}
                          for a in meeting.attendees.all()],
            "agenda": [{"id": i.pk, "episode_id": i.episode_id,
                        "patient_id": i.episode.patient_id,
                        "nhs_number": i.episode.patient.nhs_number,
                        "episode_state": i.episode.state} for i in meeting.items.all()]})
    return out


@router.get("/patients/{patient_id}/episodes/{episode_id}/mdt-decisions",
            response={200: list[DecisionOut], 403: ErrorOut, 404: ErrorOut},
            summary="An episode's MDT decisions, newest first, corrections included")
def decision_list(request, patient_id: UUID, episode_id: int):
    episode = _episode(request, patient_id, episode_id)
    decisions = selectors.decision_list(episode=episode, actor=api_actor(request))
    return [decision_out(d) for d in decisions]


def decision_out(d) -> dict:
    """A decision as `DecisionOut` (the API and the patient's copy of their data)."""
    return {
        "id": d.pk, "decision": d.decision, "discussion": d.discussion,
        "engine_recommendation": d.engine_recommendation, "engine_ruleset": d.engine_ruleset,
        "agrees_with_engine": d.agrees_with_engine, "departure_reason": d.departure_reason,
        "corrects_id": d.corrects_id, "correction_reason": d.correction_reason,
        "meeting_id": d.agenda_item.meeting_id if d.agenda_item else None,
        "recorded_by": d.created_by.username, "recorded_at": d.created_at,
        "planned": [{"muscle": p.muscle, "side": p.side, "target": p.target}
                    for p in d.planned.all()],
        "actions": [{"description": a.description, "owner": a.owner.username,
                     "due_on": a.due_on} for a in d.actions.all()],
    }


@router.get("/patients/{patient_id}/episodes/{episode_id}/funding-requests",
            response={200: list[FundingOut], 403: ErrorOut, 404: ErrorOut},
            summary="An episode's funding requests, newest first")
def funding_list(request, patient_id: UUID, episode_id: int):
    episode = _episode(request, patient_id, episode_id)
    return selectors.funding_list(episode=episode, actor=api_actor(request))

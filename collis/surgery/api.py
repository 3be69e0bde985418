"""The pathway through the JSON API: a patient's episodes with every move (who, when,
why), with the pages' role check and audit."""

import datetime
from uuid import UUID

from ninja import Router, Schema

from collis.core.api import ErrorOut, api_actor, api_patient
from collis.core.roles import Capability
from collis.surgery import selectors

router = Router(tags=["pathway"])


class StatusOut(Schema):
    state: str
    event: str
    reason: str
    at: datetime.datetime
    by: str
    by_role: str


class EpisodeOut(Schema):
    id: int
    state: str
    referrer_name: str
    referrer_gmc_number: str
    referrer_organisation: str
    referral_reason: str
    urgency: str
    referral_received_on: datetime.date
    listed_on: datetime.date | None
    priority: str
    statuses: list[StatusOut]


@router.get("/patients/{patient_id}/episodes",
            response={200: list[EpisodeOut], 403: ErrorOut, 404: ErrorOut},
            summary="A patient's pathway episodes with every move")
def episode_list(request, patient_id: UUID):
    """A patient outside the token's unit is 404, as if there were no such patient."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    episodes = selectors.episode_list(patient=patient, actor=api_actor(request))
    return [{
        "id": e.pk, "state": e.state, "referrer_name": e.referrer_name,
        "referrer_gmc_number": e.referrer_gmc_number,
        "referrer_organisation": e.referrer_organisation,
        "referral_reason": e.referral_reason, "urgency": e.urgency,
        "referral_received_on": e.referral_received_on, "listed_on": e.listed_on,
        "priority": e.priority,
        "statuses": [{"state": s.state, "event": s.event, "reason": s.reason, "at": s.at,
                      "by": s.by.username, "by_role": s.by.role} for s in e.statuses.all()],
    } for e in episodes]

"""Counselling and consent through the JSON API (/api/v1/), with the pages' role checks and
audit."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema

from collis.consent import selectors
from collis.core.api import ErrorOut, api_actor, api_patient
from collis.core.roles import Capability
from collis.surgery.models import Episode
from collis.surgery.selectors import episode_get

router = Router(tags=["consent"])


class DisclosureOut(Schema):
    risk_code: str
    intervention: str
    name: str
    patient_description: str
    figures: list
    figures_text: list
    frequency_note: str
    sources: list
    acknowledged: bool


class CounsellingOut(Schema):
    id: int
    held_on: date
    decision_aid_version: str
    decision_aid_produced_on: date
    risk_catalogue_digest: str
    values_answers: list
    notes: str
    recorded_by: str
    recorded_at: datetime
    disclosures: list[DisclosureOut]
    record_status: str = "current"
    # Optional: the versions of the decision aid the patient saw (none recorded before
    # versions were kept).
    decision_aids_shown: list | None = None


class ConsentOut(Schema):
    id: int
    counselling_id: int
    procedure: str
    planned_denervation: list
    plan_source: str
    signature_method: str
    patient_typed_name: str
    patient_signed_on: date
    surgeon: str
    surgeon_signed_on: date
    cooling_off_days: int
    recorded_by: str
    recorded_at: datetime
    risks_disclosed: list[str]
    counselling_record_status: str = "current"
    # Optional, from the consent form's sections (None on consents recorded before them).
    decision_aids_seen: list | None = None
    risks_understood: list | None = None
    intended_benefits: str | None = None
    extra_procedures: str | None = None
    alternatives_discussed: list | None = None
    anaesthetic: str | None = None
    interpreter_used: bool | None = None
    interpreter_name: str | None = None
    patient_has_capacity: bool | None = None
    confirmations: list | None = None


def _episode(request, patient_id: UUID, episode_id: int) -> Episode:
    """The episode, after the role check, scoped to the token's user and audited (404 for
    a patient outside the user's unit, as if there were none)."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    return episode_get(patient=patient, episode_id=episode_id, actor=api_actor(request))


def _session_out(s) -> dict:
    return {"id": s.pk, "held_on": s.held_on, "decision_aid_version": s.decision_aid_version,
            "decision_aid_produced_on": s.decision_aid_produced_on,
            "risk_catalogue_digest": s.risk_catalogue_digest,
            "values_answers": s.values_answers, "notes": s.notes,
            "recorded_by": s.created_by.username, "recorded_at": s.created_at,
            "record_status": s.record_status, "disclosures": list(s.disclosures.all()),
            "decision_aids_shown": s.decision_aids_shown or None}


@router.get("/patients/{patient_id}/episodes/{episode_id}/counselling",
            response={200: list[CounsellingOut], 403: ErrorOut, 404: ErrorOut},
            summary="An episode's current counselling sessions with the risks disclosed, "
                    "newest first")
def counselling_sessions(request, patient_id: UUID, episode_id: int):
    """Sessions amended or entered in error are left out. Reading them is recorded in the
    audit log."""
    episode = _episode(request, patient_id, episode_id)
    sessions = selectors.counselling_list(episode=episode, actor=api_actor(request))
    return [_session_out(s) for s in sessions if s.is_current]


@router.get("/patients/{patient_id}/episodes/{episode_id}/consent",
            response={200: ConsentOut, 403: ErrorOut, 404: ErrorOut},
            summary="An episode's consent to selective denervation")
def consent_detail(request, patient_id: UUID, episode_id: int):
    """404 when no consent is recorded. Reading it is recorded in the audit log."""
    episode = _episode(request, patient_id, episode_id)
    consent = selectors.consent_get(episode=episode, actor=api_actor(request))
    if consent is None:
        raise Http404("No consent is recorded for this episode.")
    return {"id": consent.pk, "counselling_id": consent.counselling_id,
            "procedure": consent.procedure, "planned_denervation": consent.planned_denervation,
            "plan_source": consent.plan_source, "signature_method": consent.signature_method,
            "patient_typed_name": consent.patient_typed_name,
            "patient_signed_on": consent.patient_signed_on,
            "surgeon": consent.surgeon.username, "surgeon_signed_on": consent.surgeon_signed_on,
            "cooling_off_days": consent.cooling_off_days,
            "recorded_by": consent.created_by.username, "recorded_at": consent.created_at,
            "risks_disclosed": [r["risk_code"] for r in consent.risks_understood]
            or [d.risk_code for d in consent.counselling.disclosures.all()],
            "counselling_record_status": consent.counselling.record_status,
            "decision_aids_seen": consent.decision_aids_seen or None,
            "risks_understood": consent.risks_understood or None,
            "intended_benefits": consent.intended_benefits or None,
            "extra_procedures": consent.extra_procedures or None,
            "alternatives_discussed": consent.alternatives_discussed or None,
            "anaesthetic": consent.anaesthetic or None,
            "interpreter_used": consent.interpreter_used,
            "interpreter_name": consent.interpreter_name or None,
            "patient_has_capacity": consent.patient_has_capacity,
            "confirmations": [{"confirmed_on": c.confirmed_on.isoformat(),
                               "still_wants_to_proceed": c.still_wants_to_proceed,
                               "confirmed_by": c.created_by.username, "notes": c.notes,
                               "record_status": c.record_status}
                              for c in consent.confirmations.all()] or None}

"""Reads of the MDT. Reads that show patients are audited."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction
from collis.domain.pathway import State
from collis.mdt.models import FundingRequest, MdtAgendaItem, MdtDecision, MdtMeeting
from collis.patients.models import Patient
from collis.surgery.models import Episode

_DECISIONS = (MdtDecision.objects.select_related("recorded_by", "corrects")
              .prefetch_related("planned", "actions__owner"))


def meeting_list() -> QuerySet[MdtMeeting]:
    """Meetings, newest first, with their site and agenda size (no patient data)."""
    from django.db.models import Count

    return MdtMeeting.objects.select_related("site").annotate(item_count=Count("items"))


def meeting_get(*, meeting_id: int, actor: Actor | None) -> MdtMeeting:
    """A meeting with its attendees and agenda; each patient on the agenda is audited."""
    meeting = (MdtMeeting.objects.select_related("site", "recorded_by")
               .prefetch_related(
                   "attendees",
                   Prefetch("items", queryset=MdtAgendaItem.objects.select_related(
                       "episode__patient").prefetch_related(
                       Prefetch("decisions", queryset=MdtDecision.objects.order_by(
                           "-recorded_at", "-id")))))
               .get(pk=meeting_id))
    items = list(meeting.items.all())
    if actor is not None and items:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type="mdt_meeting",
                          patients=[(i.episode.patient_id, i.episode.patient.nhs_number)
                                    for i in items],
                          summary=f"On the agenda of the MDT meeting of "
                                  f"{meeting.held_on:%d %b %Y}",
                          details={"meeting": meeting.pk})
    return meeting


def episodes_awaiting_mdt(meeting: MdtMeeting, actor: Actor | None = None) -> list[Episode]:
    """Episodes awaiting the MDT and not yet on this meeting's agenda (for the chooser);
    with an actor, each patient offered is audited."""
    episodes = list(Episode.objects.in_state(State.AWAITING_MDT).select_related("patient")
                    .exclude(mdt_agenda_items__meeting=meeting)
                    .order_by("patient__family_name", "patient__given_name", "id"))
    if actor is not None and episodes:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type="mdt_agenda_choice",
                          patients=[(e.patient_id, e.patient.nhs_number) for e in episodes],
                          summary="Offered for the agenda of an MDT meeting",
                          details={"meeting": meeting.pk})
    return episodes


def latest_assessment(patient: Patient) -> CandidacyAssessmentRecord | None:
    return patient.candidacy_assessments.select_related("assessed_by").first()


def agenda_item_get(*, meeting_id: int, item_id: int, actor: Actor) -> MdtAgendaItem:
    item = (MdtAgendaItem.objects.select_related("meeting__site", "episode__patient")
            .get(meeting_id=meeting_id, pk=item_id))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="mdt_agenda_item",
                 object_id=item.pk, patient_id=item.episode.patient_id,
                 summary=f"Viewed pathway episode {item.episode_id} on the MDT agenda of "
                         f"{item.meeting.held_on:%d %b %Y}")
    return item


def episode_get(*, patient: Patient, episode_id: int) -> Episode:
    return Episode.objects.select_related("patient").get(patient=patient, pk=episode_id)


def decision_list(*, episode: Episode, actor: Actor) -> list[MdtDecision]:
    """Every decision of the episode, newest first, corrections included; audited."""
    decisions = list(_DECISIONS.filter(episode=episode).select_related(
        "agenda_item__meeting__site"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="mdt_decisions",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed the MDT decisions of pathway episode {episode.pk}")
    return decisions


def decision_get(*, episode: Episode, decision_id: int) -> MdtDecision:
    return (_DECISIONS.select_related("episode__patient", "agenda_item__meeting__site",
                                      "assessment")
            .get(episode=episode, pk=decision_id))


def current_decision(episode: Episode) -> MdtDecision | None:
    return (MdtDecision.objects.current().filter(episode=episode)
            .select_related("assessment").first())


def funding_list(*, episode: Episode, actor: Actor) -> list[FundingRequest]:
    requests = list(episode.funding_requests.select_related("recorded_by", "decision")
                    .prefetch_related("changes__by"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="funding_requests",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed the funding requests of pathway episode {episode.pk}")
    return requests


def funding_get(*, episode: Episode, request_id: int) -> FundingRequest:
    return (FundingRequest.objects.select_related("decision", "recorded_by", "patient")
            .prefetch_related("changes__by").get(episode=episode, pk=request_id))


def audit_view(*, actor: Actor, object_type: str, object_id, patient_id, summary: str,
               action: AuditAction = AuditAction.VIEW) -> None:
    audit_record(actor=actor, action=action, object_type=object_type, object_id=object_id,
                 patient_id=patient_id, summary=summary)

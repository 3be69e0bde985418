"""Reads of the MDT, scoped to who asks and audited. A meeting belongs to the unit of its
site: the unit's staff see it, and its agenda shows (and offers) only episodes of patients
the actor may see (`Patient.objects.visible_to`). An episode's decisions and funding are
read through the episode, itself read through `patient_get` and `episode_get`. Views never
audit: each read that shows patient data audits itself here."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor, audit_patient_shown, audit_record, audit_record_many
from collis.core.models import AuditAction
from collis.domain.pathway import Task, states_where
from collis.mdt.models import FundingRequest, MdtAgendaItem, MdtDecision, MdtMeeting
from collis.patients.models import Patient
from collis.surgery.models import Episode

NO_MEETING = "There is no MDT meeting with this number."
NO_AGENDA_ITEM = "This meeting has no such agenda item."
NO_DECISION = "This episode has no such decision."
NO_FUNDING_REQUEST = "This episode has no such funding request."

_DECISIONS = (MdtDecision.objects.select_related("created_by", "corrects")
              .prefetch_related("planned", "actions__owner"))


def _visible_patients(actor: Actor) -> QuerySet[Patient]:
    return Patient.objects.visible_to(actor.user)


def _meetings(actor: Actor) -> QuerySet[MdtMeeting]:
    """The meetings of the actor's unit (held at one of its sites); none for anyone else."""
    organisation_id = getattr(actor.user, "organisation_id", None)
    if organisation_id is None:
        return MdtMeeting.objects.none()
    return MdtMeeting.objects.filter(site__organisation_id=organisation_id)


def _agenda_items(actor: Actor) -> QuerySet[MdtAgendaItem]:
    """Agenda items of episodes of patients the actor may see."""
    return MdtAgendaItem.objects.filter(episode__patient__in=_visible_patients(actor))


def meeting_list(*, actor: Actor) -> QuerySet[MdtMeeting]:
    """The unit's meetings, newest first, with their site and the number of episodes on the
    agenda that the actor may see (no patient data: not audited)."""
    visible = Q(items__episode__patient__in=_visible_patients(actor))
    return (_meetings(actor).select_related("site")
            .annotate(item_count=Count("items", filter=visible)))


def meeting_get(*, meeting_id: int, actor: Actor) -> MdtMeeting:
    """A meeting of the actor's unit with its attendees and agenda (only episodes of
    patients the actor may see); Http404 otherwise. Each patient on the agenda is audited."""
    try:
        meeting = (_meetings(actor).select_related("site", "created_by")
                   .prefetch_related(
                       "attendees",
                       Prefetch("items", queryset=_agenda_items(actor).select_related(
                           "episode__patient").prefetch_related(
                           Prefetch("decisions", queryset=MdtDecision.objects.order_by(
                               "-created_at", "-id")))))
                   .get(pk=meeting_id))
    except MdtMeeting.DoesNotExist:
        raise Http404(NO_MEETING) from None
    items = list(meeting.items.all())
    if items:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type="mdt_meeting",
                          patients=[(i.episode.patient_id, i.episode.patient.nhs_number)
                                    for i in items],
                          summary=f"On the agenda of the MDT meeting of "
                                  f"{meeting.held_on:%d %b %Y}",
                          details={"meeting": meeting.pk})
    return meeting


def episodes_awaiting_mdt(*, meeting: MdtMeeting, actor: Actor) -> list[Episode]:
    """Episodes of patients the actor may see, in a state where the pathway table lets them
    be put on an agenda and not yet on this meeting's (for the chooser); each patient
    offered is audited."""
    states = states_where(Task.ADD_TO_MDT_AGENDA)
    episodes = list(Episode.objects.visible_to(actor.user).in_state(*states)
                    .select_related("patient")
                    .exclude(mdt_agenda_items__meeting=meeting)
                    .order_by("patient__family_name", "patient__given_name", "id"))
    if episodes:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type="mdt_agenda_choice",
                          patients=[(e.patient_id, e.patient.nhs_number) for e in episodes],
                          summary="Offered for the agenda of an MDT meeting",
                          details={"meeting": meeting.pk})
    return episodes


def agenda_item_get(*, meeting_id: int, item_id: int, actor: Actor) -> MdtAgendaItem:
    """An item on the agenda of a meeting of the actor's unit, with its decisions newest
    first, if the actor may see its patient (Http404 otherwise). The patient shown and the
    item are audited."""
    try:
        item = (_agenda_items(actor).filter(meeting__in=_meetings(actor))
                .select_related("meeting__site", "episode__patient")
                .prefetch_related(Prefetch("decisions", queryset=MdtDecision.objects
                                           .select_related("created_by")
                                           .order_by("-created_at", "-id")))
                .get(meeting_id=meeting_id, pk=item_id))
    except MdtAgendaItem.DoesNotExist:
        raise Http404(NO_AGENDA_ITEM) from None
    audit_patient_shown(actor=actor, patient=item.episode.patient)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="mdt_agenda_item",
                 object_id=item.pk, patient_id=item.episode.patient_id,
                 summary=f"Viewed pathway episode {item.episode_id} on the MDT agenda of "
                         f"{item.meeting.held_on:%d %b %Y}")
    return item


def latest_assessment(patient: Patient) -> CandidacyAssessmentRecord | None:
    """The patient's newest stored candidacy assessment. `patient` is already scoped; the
    page's own read (the agenda item) is audited."""
    return patient.candidacy_assessments.select_related("assessed_by").first()


def decision_list(*, episode: Episode, actor: Actor) -> list[MdtDecision]:
    """Every decision of the episode, newest first, corrections included; audited."""
    decisions = list(_DECISIONS.filter(episode=episode).select_related(
        "agenda_item__meeting__site"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="mdt_decisions",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed the MDT decisions of pathway episode {episode.pk}")
    return decisions


def _decision_get(episode: Episode, decision_id: int) -> MdtDecision:
    try:
        return (_DECISIONS.select_related("episode__patient", "agenda_item__meeting__site",
                                          "assessment")
                .get(episode=episode, pk=decision_id))
    except MdtDecision.DoesNotExist:
        raise Http404(NO_DECISION) from None


def decision_get_to_correct(*, episode: Episode, decision_id: int,
                            actor: Actor) -> MdtDecision:
    """A decision of the (scoped) episode, opened to record its correction; audited."""
    decision = _decision_get(episode, decision_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="mdt_decision",
                 object_id=decision.pk, patient_id=episode.patient_id,
                 summary=f"Opened the MDT decision of episode {episode.pk} to correct it")
    return decision


def decision_letter_get(*, episode: Episode, decision_id: int, actor: Actor) -> MdtDecision:
    """A decision of the (scoped) episode whose outcome letter is downloaded; the download
    is audited."""
    decision = _decision_get(episode, decision_id)
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="mdt_decision",
                 object_id=decision.pk, patient_id=episode.patient_id,
                 summary=f"Downloaded the MDT outcome letter of episode {episode.pk}")
    return decision


def current_decision(episode: Episode) -> MdtDecision | None:
    """The episode's decision that no later one corrects (the episode is already scoped;
    the funding page's read is audited by `funding_list`)."""
    return (MdtDecision.objects.current().filter(episode=episode)
            .select_related("assessment").first())


def funding_list(*, episode: Episode, actor: Actor) -> list[FundingRequest]:
    requests = list(episode.funding_requests.select_related("created_by", "decision")
                    .prefetch_related("changes__by"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="funding_requests",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed the funding requests of pathway episode {episode.pk}")
    return requests


def _funding_get(episode: Episode, request_id: int) -> FundingRequest:
    try:
        return (FundingRequest.objects.select_related("decision", "created_by", "patient")
                .prefetch_related("changes__by").get(episode=episode, pk=request_id))
    except FundingRequest.DoesNotExist:
        raise Http404(NO_FUNDING_REQUEST) from None


def funding_get(*, episode: Episode, request_id: int, actor: Actor) -> FundingRequest:
    """A funding request of the (scoped) episode; audited."""
    funding_request = _funding_get(episode, request_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="funding_request",
                 object_id=funding_request.pk, patient_id=episode.patient_id,
                 summary=f"Viewed a funding request of episode {episode.pk}")
    return funding_request


def funding_pdf_get(*, episode: Episode, request_id: int, actor: Actor) -> FundingRequest:
    """A funding request of the (scoped) episode whose PDF is downloaded; the download is
    audited."""
    funding_request = _funding_get(episode, request_id)
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="funding_request",
                 object_id=funding_request.pk, patient_id=episode.patient_id,
                 summary=f"Downloaded the funding request of episode {episode.pk}")
    return funding_request


def funding_list_expiring(*, actor: Actor, today, days: int) -> list[FundingRequest]:
    """Funding approvals that lapse within `days` of `today` (or have lapsed) while the
    episode is not yet operated, soonest first; the patients shown are audited as one
    entry."""
    import datetime

    from collis.domain.funding import FundingStatus
    from collis.domain.pathway import TERMINAL, Event, states_since

    done = {str(s) for s in states_since(Event.START_PHYSIOTHERAPY) | TERMINAL}
    rows = list(FundingRequest.objects.filter(
        patient__in=_visible_patients(actor), status=FundingStatus.APPROVED,
        expires_on__lte=today + datetime.timedelta(days=days)).exclude(
        episode__state__in=done).select_related("patient", "episode")
        .order_by("expires_on", "id")[:20])
    if rows:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type="funding_request",
                          patients=[(r.patient_id, r.patient.nhs_number) for r in rows],
                          summary="Funding approval about to expire shown on the home page")
    return rows

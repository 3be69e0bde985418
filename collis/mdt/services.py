"""Writes of the MDT: meetings and their agendas, decisions (which move the episode), and
funding requests (whose status changes move it too). Each is atomic, validated, audited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check, not_before_check
from collis.core.models import AuditAction
from collis.core.nhsuk_forms import staff_who_can
from collis.core.presenters import date_long
from collis.core.roles import Capability
from collis.domain.funding import (
    FUNDING_IN_PROGRESS,
    FundingRefused,
    funding_change,
    next_funding_status,
)
from collis.domain.pathway import Event, MoveRefused, Task, check_may
from collis.mdt.models import (
    SD_OPCS_CODES,
    SD_OPCS_SOURCES,
    SURGICAL_DECISIONS,
    Decision,
    FundingRequest,
    FundingStatus,
    FundingStatusChange,
    MdtAction,
    MdtAgendaItem,
    MdtDecision,
    MdtMeeting,
    PlannedDenervation,
)
from collis.surgery.models import Episode
from collis.surgery.services import episode_transition

__all__ = ["FundingRefused", "MoveRefused", "ValidationError", "agrees_with_engine"]

# Which decisions agree with each recommendation of the candidacy engine. A decision not
# listed for the recommendation departs from it and needs a reason. "Insufficient
# information" agrees with nothing: the engine could not judge, so whatever the MDT decides
# it says why the missing facts did not stop it.
_NOT_SURGERY = frozenset(Decision) - {Decision.SD, Decision.SD_MYECTOMY}
AGREEING_DECISIONS: dict[str, frozenset[str]] = {
    "favourable": frozenset({Decision.SD, Decision.SD_MYECTOMY}),
    "possible": frozenset({Decision.SD, Decision.SD_MYECTOMY}),
    "not_indicated": frozenset({Decision.CONTINUE_TOXIN, Decision.REVIEW_TOXIN}),
    "unfavourable": _NOT_SURGERY,
    "insufficient_information": frozenset(),
}


def agrees_with_engine(recommendation: str, decision: str) -> bool:
    return decision in AGREEING_DECISIONS.get(recommendation, frozenset())


def _role(actor: Actor) -> str:
    return getattr(actor.user, "role", "")


# The MDT's members and the owners of its actions: the staff who keep the record.
MDT_MEMBERS = Capability.RECORD_VIEW


# --- Meetings ---------------------------------------------------------------------------

@transaction.atomic
def meeting_create(*, held_on: datetime.date, site, attendees, actor: Actor) -> MdtMeeting:
    """A meeting of the actor's unit, at one of its sites, attended by its staff
    (ValidationError on `site` or `attendees` otherwise: the unit's staff would not see a
    meeting held at another unit's site). Its date may be in the future: no decision is
    recorded on it before that day (see `mdt_decision_create`)."""
    unit = getattr(actor.user, "organisation_id", None)
    if site.organisation_id != unit:
        raise ValidationError({"site": "Choose one of your unit's sites."})
    members = set(staff_who_can(MDT_MEMBERS, organisation=unit).values_list("pk", flat=True))
    if any(person.pk not in members for person in attendees):
        raise ValidationError({"attendees": "Choose attendees from your unit's staff."})
    meeting = MdtMeeting(held_on=held_on, site=site, created_by=actor.user)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="mdt_meeting",
                 object_id=meeting.pk,
                 summary=f"Created the MDT meeting of {held_on:%d %b %Y} at {site}",
                 details={"attendees": [a.username for a in attendees]})
    return meeting


@transaction.atomic
def agenda_item_add(*, meeting: MdtMeeting, episode: Episode, actor: Actor) -> MdtAgendaItem:
    """Put an episode on a meeting's agenda, where the pathway table allows it (awaiting the
    MDT); ActivityRefused, a MoveRefused, otherwise. ValidationError if the episode is
    already on it, or is of a patient of another unit than the meeting's."""
    check_may(_role(actor), Task.ADD_TO_MDT_AGENDA, episode.state)
    if episode.patient.organisation_id != meeting.site.organisation_id:
        raise ValidationError("This episode is of a patient of another unit.")
    if meeting.items.filter(episode=episode).exists():
        raise ValidationError("This episode is already on the agenda.")
    item = MdtAgendaItem(meeting=meeting, episode=episode, created_by=actor.user)
    item.full_clean()
    item.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="mdt_agenda_item",
                 object_id=item.pk, patient_id=episode.patient_id,
                 summary=f"Added pathway episode {episode.pk} to the MDT meeting of "
                         f"{meeting.held_on:%d %b %Y}")
    return item


@transaction.atomic
def agenda_fill(*, meeting: MdtMeeting, episodes: list[Episode], actor: Actor) -> int:
    """Put every episode awaiting the MDT (`episodes`, from
    `selectors.episodes_awaiting_mdt`) on the meeting's agenda, each through
    `agenda_item_add` and its checks, longest waiting since referral first; all or none.
    Returns how many were added."""
    for episode in sorted(episodes, key=lambda e: (e.referral_received_on, e.pk)):
        agenda_item_add(meeting=meeting, episode=episode, actor=actor)
    return len(episodes)


# --- Decisions --------------------------------------------------------------------------

def meeting_decision_check(meeting: MdtMeeting) -> None:
    """A decision is taken at its meeting: ValidationError on `decision` before the day the
    meeting is held (a meeting may be set for a future day; it decides nothing until then)."""
    not_before_check(field="decision", value=timezone.localdate(), earliest=meeting.held_on,
                     label="An MDT decision", cause="the date of its meeting")


def meeting_decision_refusal(meeting: MdtMeeting) -> str:
    """Why no decision can be recorded at the meeting today; "" when one can."""
    try:
        meeting_decision_check(meeting)
    except ValidationError as error:
        return error.messages[0]
    return ""


@dataclass(frozen=True, slots=True)
class PlannedRow:
    muscle: str
    side: str
    target: str


@dataclass(frozen=True, slots=True)
class ActionRow:
    description: str
    owner: object
    due_on: datetime.date


@transaction.atomic
def mdt_decision_create(*, episode: Episode, decision: str, discussion: str,
                        assessment: CandidacyAssessmentRecord | None,
                        departure_reason: str = "", planned: list[PlannedRow] = (),
                        actions: list[ActionRow] = (), agenda_item: MdtAgendaItem | None = None,
                        corrects: MdtDecision | None = None, correction_reason: str = "",
                        actor: Actor) -> MdtDecision:
    """Store the MDT's decision with the engine's recommendation as it was, then move the
    episode to 'MDT decided' (a correction of an earlier decision moves nothing).

    Raises ValidationError for a departure without a reason, a surgical decision without
    planned muscles, a decision before its meeting's date (on `decision`), an action owner
    of another unit, or an assessment of another patient; MoveRefused if the pathway
    refuses the move or the correction (so never once the episode is withdrawn, declined
    or discharged). Nothing is written then."""
    check_may(_role(actor), Event.RECORD_MDT_DECISION if corrects is None
              else Task.CORRECT_MDT_DECISION, episode.state)
    if agenda_item is not None:
        meeting_decision_check(agenda_item.meeting)
    errors: dict[str, str] = {}
    owners = set(staff_who_can(MDT_MEMBERS, organisation=episode.patient.organisation_id)
                 .values_list("pk", flat=True))
    for number, action in enumerate(actions, start=1):
        if action.owner.pk not in owners:
            errors["actions"] = (f"Choose the owner of action {number} from the unit's "
                                 f"staff")
    if assessment is not None and assessment.patient_id != episode.patient_id:
        raise ValidationError("The assessment is of another patient.")
    agrees = None
    if assessment is not None:
        agrees = agrees_with_engine(assessment.recommendation, decision)
        if not agrees and not departure_reason.strip():
            errors["departure_reason"] = (
                "Give the reason the decision departs from the engine's recommendation")
    if decision in SURGICAL_DECISIONS and not planned:
        errors["planned"] = "Enter at least one muscle of the planned denervation"
    if corrects is not None:
        if corrects.episode_id != episode.pk or _is_corrected(corrects):
            errors["corrects"] = "Only the episode's current decision can be corrected"
        if not correction_reason.strip():
            errors["correction_reason"] = "Give the reason for the correction"
    if errors:
        raise ValidationError(errors)
    record = MdtDecision(
        patient_id=episode.patient_id, episode=episode, agenda_item=agenda_item,
        assessment=assessment,
        engine_ruleset=assessment.ruleset if assessment else "",
        engine_recommendation=assessment.recommendation if assessment else "",
        agrees_with_engine=agrees, decision=decision, discussion=discussion.strip(),
        departure_reason=departure_reason.strip() if agrees is False else "",
        corrects=corrects, correction_reason=correction_reason.strip(),
        created_by=actor.user)
    record.full_clean()
    record.save()
    if decision in SURGICAL_DECISIONS:
        rows = [PlannedDenervation(decision=record, muscle=p.muscle, side=p.side,
                                   target=p.target) for p in planned]
        for row in rows:
            row.full_clean(exclude=["decision"])
        PlannedDenervation.objects.bulk_create(rows)
    action_rows = [MdtAction(decision=record, description=a.description, owner=a.owner,
                             due_on=a.due_on) for a in actions]
    for row in action_rows:
        row.full_clean(exclude=["decision"])
    MdtAction.objects.bulk_create(action_rows)
    label = record.get_decision_display()
    if assessment is None:
        basis = "without a stored candidacy assessment"
    elif agrees:
        basis = f"agreeing with the engine ({assessment.recommendation})"
    else:
        basis = f"departing from the engine ({assessment.recommendation})"
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="mdt_decision",
                 object_id=record.pk, patient_id=episode.patient_id,
                 summary=f"{'Corrected the' if corrects else 'Recorded the'} MDT decision: "
                         f"{label}, {basis}",
                 details={"decision": decision, "engine": record.engine_recommendation,
                          "ruleset": record.engine_ruleset, "agrees": agrees,
                          "corrects": corrects.pk if corrects else None})
    if corrects is None:
        episode_transition(episode=episode, event=Event.RECORD_MDT_DECISION, actor=actor,
                           reason=f"MDT decision: {label}")
    return record


def _is_corrected(decision: MdtDecision) -> bool:
    return MdtDecision.objects.filter(corrects=decision).exists()


# --- Funding ----------------------------------------------------------------------------

def decision_date(decision: MdtDecision) -> datetime.date | None:
    """The day the decision was taken: its meeting's (None for a decision recorded outside
    a meeting, whose recording may lag the day it was taken)."""
    if decision.agenda_item is not None:
        return decision.agenda_item.meeting.held_on
    return None


def _date_errors(check, **kwargs) -> dict[str, str]:
    """A chronology check's refusal as {field: message} (empty when the date is fine), so
    that it joins the other errors of the form."""
    try:
        check(**kwargs)
    except ValidationError as error:
        return {field: messages[0] for field, messages in error.message_dict.items()}
    return {}


def funding_evidence(decision: MdtDecision) -> list[dict]:
    """The criteria met, with their evidence: the favouring findings of the assessment the
    MDT discussed, each with its sources, and the MDT decision itself."""
    evidence = []
    if decision.assessment is not None:
        for finding in decision.assessment.result.get("findings", []):
            if finding.get("effect") == "favours":
                evidence.append({"code": finding["code"], "detail": finding["detail"],
                                 "sources": list(finding.get("sources", []))})
    evidence.append({
        "code": "MDT_DECISION",
        "detail": f"MDT decision on {decision.created_at:%d %B %Y}: "
                  f"{decision.get_decision_display()}",
        "sources": []})
    return evidence


def _funding_request_create_check(episode: Episode, role: str) -> MdtDecision:
    """The decision a new request is drawn up from; FundingRefused when the funding table
    or the pathway does not allow a new request now, ValidationError when the record does
    not (no surgical decision, or a request already in progress)."""
    next_funding_status(None, FundingStatus.DRAFT, role, episode_state=episode.state)
    decision = (MdtDecision.objects.current().filter(episode=episode)
                .select_related("assessment").first())
    if decision is None or not decision.is_surgical:
        raise ValidationError("Funding can be requested only after an MDT decision for "
                              "selective denervation.")
    if episode.funding_requests.filter(status__in=FUNDING_IN_PROGRESS).exists():
        raise ValidationError("This episode already has a funding request in progress.")
    return decision


def funding_request_create_refusal(*, episode: Episode, role: str) -> str:
    """Why the role cannot draw up a funding request for the episode now; "" when it can.
    The page's button and funding_request_create ask the same question."""
    try:
        _funding_request_create_check(episode, role)
    except FundingRefused as refused:
        return str(refused)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@transaction.atomic
def funding_request_create(*, episode: Episode, route: str, commissioner: str,
                           actor: Actor) -> FundingRequest:
    """Draw up a funding request from the episode's current MDT decision, which must be
    for selective denervation, where the funding and pathway tables allow it."""
    decision = _funding_request_create_check(episode, _role(actor))
    request = FundingRequest(
        patient_id=episode.patient_id, episode=episode, decision=decision, route=route,
        commissioner=commissioner.strip(), evidence=funding_evidence(decision),
        procedure_codes=[{"code": c, "sources": list(SD_OPCS_SOURCES)} for c in SD_OPCS_CODES],
        created_by=actor.user)
    request.full_clean()
    request.save()
    FundingStatusChange.objects.create(request=request, status=FundingStatus.DRAFT,
                                       note="Drawn up from the record", by=actor.user)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="funding_request",
                 object_id=request.pk, patient_id=episode.patient_id,
                 summary=f"Drew up a funding request ({request.get_route_display()})")
    return request


@transaction.atomic
def funding_request_update(*, request: FundingRequest, status: str, actor: Actor,
                           reference: str = "", submitted_on: datetime.date | None = None,
                           decided_on: datetime.date | None = None,
                           expires_on: datetime.date | None = None,
                           reason: str = "") -> FundingRequest:
    """Record that the request was submitted, approved or declined, and move the episode
    (request funding, approve funding, decline funding) in the same transaction.

    FundingRefused (a MoveRefused) when the funding table, or the pathway for the actor's
    role and the episode's state, does not allow the change; ValidationError naming each
    missing or inconsistent field (the reason a change needs among them)."""
    locked = (FundingRequest.objects.select_for_update(of=("self",))
              .select_related("patient", "decision__agenda_item__meeting").get(pk=request.pk))
    change = funding_change(locked.status, status)
    status = FundingStatus(change.target)
    errors: dict[str, str] = {}
    try:
        next_funding_status(locked.status, status, _role(actor), reason,
                            episode_state=locked.episode.state)
    except FundingRefused as refused:
        if refused.field != "reason":
            raise
        errors["reason"] = str(refused)
    if status == FundingStatus.SUBMITTED:
        if not reference.strip():
            errors["reference"] = "Enter the reference number of the request"
        if submitted_on is None:
            errors["submitted_on"] = "Enter the date the request was submitted"
        else:
            errors |= _date_errors(
                clinical_date_check, field="submitted_on", value=submitted_on,
                patient=locked.patient, label="The date the request was submitted")
            errors |= _date_errors(
                not_before_check, field="submitted_on", value=submitted_on,
                earliest=decision_date(locked.decision),
                label="The date the request was submitted", cause="the MDT decision")
    else:
        if decided_on is None:
            errors["decided_on"] = "Enter the date of the decision"
        elif date_errors := _date_errors(clinical_date_check, field="decided_on",
                                         value=decided_on, patient=locked.patient,
                                         label="The date of the decision"):
            errors |= date_errors
        elif locked.submitted_on and decided_on < locked.submitted_on:
            errors["decided_on"] = ("The date of the decision must be the same as or after "
                                    "the date the request was submitted")
        if status == FundingStatus.APPROVED:
            if expires_on is None:
                errors["expires_on"] = "Enter the date the approval expires"
            elif decided_on and expires_on <= decided_on:
                errors["expires_on"] = "The approval must expire after the date of the decision"
    if errors:
        raise ValidationError(errors)
    if status == FundingStatus.SUBMITTED:
        locked.reference, locked.submitted_on = reference.strip(), submitted_on
    else:
        locked.decided_on = decided_on
        locked.expires_on = expires_on if status == FundingStatus.APPROVED else None
        locked.decline_reason = reason.strip() if status == FundingStatus.DECLINED else ""
    locked.status = status
    locked.full_clean()
    locked.save()
    if status == FundingStatus.SUBMITTED:
        note = f"Submitted {date_long(submitted_on)}, reference {reference.strip()}"
    elif status == FundingStatus.APPROVED:
        note = f"Approved {date_long(decided_on)}, expires {date_long(expires_on)}"
    else:
        note = f"Declined {date_long(decided_on)}: {reason.strip()}"
    FundingStatusChange.objects.create(request=locked, status=status, note=note, by=actor.user)
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="funding_request",
                 object_id=locked.pk, patient_id=locked.patient_id,
                 summary=f"Funding request {status.label.lower()}",
                 details={"status": str(status), "reference": locked.reference})
    episode_transition(episode=locked.episode, event=change.step, actor=actor, reason=note)
    request.status = locked.status
    return locked

"""Writes after SD: the operation note, the physiotherapy programme and its sessions,
follow-up reviews (scales through the assessments app), complications, further surgery and
discharge. Each asks the pathway table (collis.domain.pathway) whether the actor may do it
now and is one transaction with its pathway move and an audit entry; a refused move or
work (MoveRefused, with the table's message) rolls the whole write back."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.assessments import services as assessment_services
from collis.assessments.models import Scale, ScaleAssessment
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.domain.muscles import muscle_info
from collis.domain.pathway import Event, MoveRefused, Task, check_may, first_move
from collis.outcomes.models import (
    Complication,
    FollowUpReview,
    FurtherSurgery,
    NerveDivision,
    Operation,
    PhysioProgramme,
    PhysioSession,
)
from collis.outcomes.schedules import add_months, is_review_month, physio_schedule
from collis.surgery.models import Episode
from collis.surgery.services import episode_transition

__all__ = ["MoveRefused"]


def _role(actor: Actor) -> str:
    return getattr(actor.user, "role", "")


def _check(actor: Actor, task: Task, episode: Episode) -> str:
    """Refuse the work (ActivityRefused) unless the table allows it for the actor's role in
    the episode's state, read with the row locked until the write commits (a move made
    meanwhile is seen, not overtaken). Returns that state."""
    state = Episode.objects.select_for_update().values_list("state", flat=True).get(
        pk=episode.pk)
    check_may(_role(actor), task, state)
    return state


# --------------------------------------------------------------------------- operation

@dataclass(frozen=True, slots=True)
class Division:
    muscle: str
    side: str
    nerve: str = ""  # blank: the muscle's SD target from the domain catalogue


@dataclass(frozen=True, slots=True)
class OperationDetails:
    operated_on: datetime.date
    site: object
    surgeon: object
    anaesthetic: str
    anaesthetist: str
    divisions: Sequence[Division]
    myectomy: bool = False
    myectomy_muscles: Sequence[str] = ()
    findings: str = ""
    complication_codes: Sequence[str] = ()
    complication_notes: str = ""


def default_nerve(muscle: str) -> str:
    """The nerve target the domain gives for the muscle (collis.domain.muscles)."""
    return muscle_info(muscle).target or ""


@transaction.atomic
def operation_create(*, episode: Episode, details: OperationDetails, actor: Actor) -> Operation:
    """Save the operation note with its nerve divisions and move the episode to 'operated'."""
    if not details.divisions:
        raise ValidationError("Record at least one nerve divided")
    if details.myectomy and not details.myectomy_muscles:
        raise ValidationError("Choose the muscles with a myectomy")
    operation = Operation(
        patient_id=episode.patient_id, episode=episode, operated_on=details.operated_on,
        site=details.site, surgeon=details.surgeon, anaesthetic=details.anaesthetic,
        anaesthetist=details.anaesthetist, myectomy=details.myectomy,
        myectomy_muscles=list(details.myectomy_muscles) if details.myectomy else [],
        findings=details.findings, complication_codes=list(details.complication_codes),
        complication_notes=details.complication_notes, created_by=actor.user,
        created_at=timezone.now())
    operation.full_clean()
    operation.save()
    rows = []
    for position, division in enumerate(details.divisions, start=1):
        row = NerveDivision(operation=operation, position=position, muscle=division.muscle,
                            side=division.side,
                            nerve=division.nerve.strip() or default_nerve(division.muscle))
        row.full_clean(exclude=["operation"])
        rows.append(row)
    NerveDivision.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="operation",
                 object_id=operation.pk, patient_id=episode.patient_id,
                 summary=f"Recorded the operation note of {details.operated_on:%d/%m/%Y}",
                 details={"divisions": [f"{r.muscle} ({r.side}): {r.nerve}" for r in rows],
                          "myectomy": operation.myectomy_muscles,
                          "complications": operation.complication_codes})
    episode_transition(episode=episode, event=Event.RECORD_OPERATION, actor=actor,
                       reason=f"Operation on {details.operated_on:%d %b %Y}")
    return operation


# ----------------------------------------------------------------------- physiotherapy

@transaction.atomic
def physio_programme_start(*, episode: Episode, starts_on: datetime.date, session_count: int,
                           interval_days: int, goals: str = "",
                           actor: Actor) -> PhysioProgramme:
    """Start the programme with its generated schedule and move the episode on."""
    programme = PhysioProgramme(
        patient_id=episode.patient_id, episode=episode, starts_on=starts_on,
        session_count=session_count, interval_days=interval_days, goals=goals,
        created_by=actor.user, created_at=timezone.now())
    programme.full_clean()
    if session_count < 1 or interval_days < 1:
        raise ValidationError("A programme needs at least one session, at least a day apart")
    programme.save()
    PhysioSession.objects.bulk_create([
        PhysioSession(programme=programme, number=number, scheduled_on=day,
                      created_by=actor.user)
        for number, day in enumerate(physio_schedule(starts_on=starts_on, count=session_count,
                                                      interval_days=interval_days), start=1)])
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="physio_programme",
                 object_id=programme.pk, patient_id=episode.patient_id,
                 summary=f"Started post-operative physiotherapy: {session_count} sessions "
                         f"every {interval_days} days from {starts_on:%d/%m/%Y}")
    episode_transition(episode=episode, event=Event.START_PHYSIOTHERAPY, actor=actor,
                       reason=f"Programme of {session_count} sessions from "
                              f"{starts_on:%d %b %Y}")
    return programme


@transaction.atomic
def physio_session_update(*, session: PhysioSession, attendance: str,
                          held_on: datetime.date | None, exercises: str = "", notes: str = "",
                          actor: Actor) -> PhysioSession:
    """Record whether a scheduled session was attended, with its exercises and notes, while
    the pathway table allows physiotherapy sessions for the actor's role."""
    session = PhysioSession.objects.select_for_update().select_related(
        "programme__episode").get(pk=session.pk)
    _check(actor, Task.RECORD_PHYSIO_SESSION, session.programme.episode)
    if attendance == "attended" and held_on is None:
        raise ValidationError({"held_on": "Enter the date of the session"})
    session.attendance, session.held_on = attendance, held_on
    session.exercises, session.notes = exercises, notes
    session.attendance_recorded_by, session.attendance_recorded_at = actor.user, timezone.now()
    session.full_clean()
    session.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="physio_session",
                 object_id=session.pk, patient_id=session.programme.patient_id,
                 summary=f"Recorded physiotherapy session {session.number}: "
                         f"{session.get_attendance_display().lower()}",
                 details={"attendance": attendance, "exercises": exercises})
    return session


# ---------------------------------------------------------------------------- follow-up

@transaction.atomic
def follow_up_start(*, episode: Episode, actor: Actor, reason: str = "") -> Episode:
    """Move the episode from post-operative physiotherapy to follow-up."""
    return episode_transition(episode=episode, event=Event.START_FOLLOW_UP, actor=actor,
                              reason=reason or "Follow-up started")


@dataclass(frozen=True, slots=True)
class ReviewDetails:
    months_after: int
    reviewed_on: datetime.date
    twstrs_severity: int | None = None
    twstrs_disability: int | None = None
    twstrs_pain: float | None = None
    twstrs_existing: ScaleAssessment | None = None
    tsui_total: float | None = None
    tsui_existing: ScaleAssessment | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)


@transaction.atomic
def follow_up_review_create(*, episode: Episode, details: ReviewDetails,
                            actor: Actor) -> FollowUpReview:
    """Record a scheduled review; its TWSTRS/Tsui are new or existing ScaleAssessments made
    by the assessments app's services. Where the pathway table's first move of the work is
    starting follow-up (the episode is still at post-operative physiotherapy), it makes it."""
    state = _check(actor, Task.RECORD_FOLLOW_UP_REVIEW, episode)
    operation = Operation.objects.filter(episode=episode).first()
    if operation is None:
        raise ValidationError("Record the operation note before a follow-up review")
    if not is_review_month(details.months_after):
        raise ValidationError("A review is at 3, 6 or 12 months, or a whole number of years")
    starting = first_move(Task.RECORD_FOLLOW_UP_REVIEW, state)
    if starting is not None:
        episode_transition(episode=episode, event=starting.event, actor=actor,
                           reason=f"{details.months_after}-month review recorded")
    patient = episode.patient
    twstrs = details.twstrs_existing
    if twstrs is None and details.twstrs_severity is not None:
        twstrs = assessment_services.twstrs_create_from_subscores(
            patient=patient, assessed_on=details.reviewed_on, severity=details.twstrs_severity,
            disability=details.twstrs_disability, pain=details.twstrs_pain,
            notes=f"{details.months_after}-month review after SD", actor=actor)
    tsui = details.tsui_existing
    if tsui is None and details.tsui_total is not None:
        tsui = assessment_services.tsui_create(
            patient=patient, assessed_on=details.reviewed_on, items={},
            total=details.tsui_total, notes=f"{details.months_after}-month review after SD",
            actor=actor)
    for assessment, scale in ((twstrs, Scale.TWSTRS), (tsui, Scale.TSUI)):
        if assessment is not None and (assessment.patient_id != patient.pk
                                       or assessment.scale != scale):
            raise ValidationError(f"That {scale.label} is not one of this patient's")
    review = FollowUpReview(
        patient=patient, episode=episode, months_after=details.months_after,
        due_on=add_months(operation.operated_on, details.months_after),
        reviewed_on=details.reviewed_on, twstrs=twstrs, tsui=tsui, notes=details.notes,
        created_by=actor.user, created_at=timezone.now())
    review.full_clean()
    review.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="follow_up_review",
                 object_id=review.pk, patient_id=patient.pk,
                 summary=f"Recorded the {details.months_after}-month review after SD",
                 details={"twstrs": twstrs.pk if twstrs else None,
                          "tsui": tsui.pk if tsui else None})
    return review


@transaction.atomic
def complication_create(*, episode: Episode, risk_code: str, onset_on: datetime.date,
                        severity: str, status: str, resolved_on: datetime.date | None = None,
                        notes: str = "", actor: Actor) -> Complication:
    """Record a complication of SD coded from the risk catalogue, while the pathway table
    allows it (from the operation on) for the actor's role."""
    _check(actor, Task.RECORD_COMPLICATION, episode)
    if not Operation.objects.filter(episode=episode).exists():
        raise ValidationError("Record the operation note before a complication")
    if status == "resolved" and resolved_on is None:
        raise ValidationError({"resolved_on": "Enter the date the complication resolved"})
    complication = Complication(
        patient_id=episode.patient_id, episode=episode, risk_code=risk_code, onset_on=onset_on,
        severity=severity, status=status,
        resolved_on=resolved_on if status == "resolved" else None, notes=notes,
        created_by=actor.user, created_at=timezone.now())
    complication.full_clean()
    complication.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="complication",
                 object_id=complication.pk, patient_id=episode.patient_id,
                 summary=f"Recorded a complication after SD: "
                         f"{complication.get_risk_code_display()}",
                 details={"risk_code": risk_code, "severity": severity, "status": status})
    return complication


@transaction.atomic
def further_surgery_create(*, episode: Episode, kind: str, performed_on: datetime.date,
                           reason: str, actor: Actor) -> FurtherSurgery:
    """Record a reoperation or a conversion to DBS after SD, while the pathway table allows
    it (from the operation on) for the actor's role."""
    _check(actor, Task.RECORD_FURTHER_SURGERY, episode)
    if not Operation.objects.filter(episode=episode).exists():
        raise ValidationError("Record the operation note first")
    surgery = FurtherSurgery(patient_id=episode.patient_id, episode=episode, kind=kind,
                             performed_on=performed_on, reason=reason, created_by=actor.user,
                             created_at=timezone.now())
    surgery.full_clean()
    surgery.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="further_surgery",
                 object_id=surgery.pk, patient_id=episode.patient_id,
                 summary=f"Recorded {surgery.get_kind_display().lower()}",
                 details={"kind": kind, "reason": reason})
    return surgery


def follow_up_discharge(*, episode: Episode, reason: str, actor: Actor) -> Episode:
    """Discharge from follow-up (doctors, with a reason: the pathway table decides)."""
    return episode_transition(episode=episode, event=Event.DISCHARGE, actor=actor,
                              reason=reason)

"""Reads after SD, each audited with the patient: the operation note, the physiotherapy
programme and its sessions, and the follow-up (schedule, reviews, complications, further
surgery, outcome). Each reads through an episode or patient already fetched with
`episode_get` / `patient_get` (scoped to who asks). Summaries (the schedule, the outcome,
the lists) read current entries only; an entry's own page reads any version of it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from collis.assessments.models import Scale, ScaleAssessment
from collis.assessments.selectors import scale_list
from collis.core.audit import Actor, audit_record
from collis.core.corrections import record_history
from collis.core.models import AuditAction
from collis.outcomes.models import (
    Complication,
    FollowUpReview,
    FurtherSurgery,
    Operation,
    PhysioProgramme,
    PhysioSession,
)
from collis.outcomes.schedules import ReviewPoint, review_schedule
from collis.policy.selectors import PolicyInForce, policy_in_force, policy_used
from collis.surgery.models import Episode


def _audit(actor: Actor, episode: Episode, object_type: str, summary: str,
           object_id=None) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, object_type=object_type,
                 object_id=episode.pk if object_id is None else object_id,
                 patient_id=episode.patient_id, summary=summary)


def _by_id(queryset, entry_id, missing: str):
    try:
        return queryset.get(pk=int(entry_id))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(missing) from None


def history(entry) -> list:
    """Every version of a correctable entry, oldest first (read with the entry: not
    audited)."""
    return record_history(entry)


# --------------------------------------------------------------------------- operation

def _operations(episode: Episode):
    return (Operation.objects.filter(episode=episode)
            .select_related("site", "surgeon", "created_by", "status_changed_by", "consent")
            .prefetch_related("divisions"))


def operation_recorded(*, episode: Episode) -> bool:
    """Whether the episode has a current operation note (shows nothing: not audited)."""
    return Operation.objects.current().filter(episode=episode).exists()


def operation_get(*, episode: Episode, actor: Actor) -> Operation | None:
    """The episode's current operation note, if any."""
    operation = _operations(episode).current().order_by("-id").first()
    _audit(actor, episode, "operation", f"Viewed the operation note of episode {episode.pk}")
    return operation


def operation_version_get(*, episode: Episode, operation_id, actor: Actor) -> Operation:
    """One version of the episode's operation note, current or not (Http404 otherwise)."""
    operation = _by_id(_operations(episode), operation_id,
                       "This episode has no operation note with this number.")
    _audit(actor, episode, "operation", f"Viewed the operation note of episode {episode.pk}",
           object_id=operation.pk)
    return operation


def operation_corrected_list(*, episode: Episode) -> list[Operation]:
    """The episode's operation notes amended or entered in error (read with the note's
    page, which audits)."""
    return list(Operation.objects.filter(episode=episode).exclude(
        record_status="current").order_by("id"))


# ----------------------------------------------------------------------- physiotherapy

def physio_programme_get(*, episode: Episode, actor: Actor) -> PhysioProgramme | None:
    """The programme with its current sessions as `programme.current_sessions` and the
    corrected ones as `programme.corrected_sessions`."""
    programme = (PhysioProgramme.objects.select_related("created_by")
                 .prefetch_related("sessions__attendance_recorded_by",
                                   "sessions__status_changed_by")
                 .filter(episode=episode).first())
    if programme is not None:
        sessions = list(programme.sessions.all())
        programme.current_sessions = [s for s in sessions if s.is_current]
        programme.corrected_sessions = [s for s in sessions if not s.is_current]
    _audit(actor, episode, "physio_programme",
           f"Viewed the physiotherapy programme of episode {episode.pk}")
    return programme


def physio_session_get(*, episode: Episode, session_id, actor: Actor) -> PhysioSession:
    """One session of the episode's programme, any version (Http404 if none has this id)."""
    session = _by_id(PhysioSession.objects.select_related(
        "programme", "created_by", "attendance_recorded_by", "status_changed_by").filter(
        programme__episode=episode), session_id,
        "This episode has no physiotherapy session with this number.")
    _audit(actor, episode, "physio_session",
           f"Viewed physiotherapy session {session.number} of episode {episode.pk}",
           object_id=session.pk)
    return session


# ---------------------------------------------------------------------------- follow-up

@dataclass(frozen=True)
class ScheduledReview:
    point: ReviewPoint
    review: FollowUpReview | None
    overdue: bool


@dataclass(frozen=True)
class FollowUp:
    operation: Operation | None
    schedule: list[ScheduledReview]
    reviews: list[FollowUpReview]
    complications: list[Complication]
    further_surgeries: list[FurtherSurgery]
    baseline: ScaleAssessment | None
    corrected: list = ()  # reviews, complications and further surgery corrected
    # The local policy of the schedule: the operation's (collis.policy), else today's.
    policy: PolicyInForce | None = None


def schedule_policy(operation: Operation) -> PolicyInForce:
    """The local policy of the operation's follow-up schedule (review points and windows):
    the version it kept, or for a note recorded before policy versions the version in force
    on the day it was recorded."""
    return policy_used(operation.policy_version_id,
                       on=timezone.localtime(operation.created_at).date())


BASELINE_RULE = (
    "The baseline is the last TWSTRS with a total taken before the operation: on an earlier "
    "day, or on the day of the operation if it was recorded before the time the operation "
    "started. Without a start time on the note, a TWSTRS of that day does not count: "
    "nothing shows it came first.")


def operation_starts(operation: Operation) -> datetime.datetime | None:
    """When the operation started, in the unit's time zone, if the note gives the time."""
    if operation.started_at is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(operation.operated_on,
                                                         operation.started_at))


def baseline_twstrs(patient_id, operation: Operation) -> ScaleAssessment | None:
    """The pre-operative baseline (BASELINE_RULE): the last current TWSTRS with a total
    dated before the day of the operation, or dated that day and recorded (created_at)
    before the operation's start time. Dates alone cannot order two things on one day."""
    before = Q(assessed_on__lt=operation.operated_on)
    starts = operation_starts(operation)
    if starts is not None:
        before |= Q(assessed_on=operation.operated_on, created_at__lt=starts)
    return (ScaleAssessment.objects.current()
            .filter(before, patient_id=patient_id, scale=Scale.TWSTRS, total__isnull=False)
            .order_by("-assessed_on", "-created_at", "-id").first())


def follow_up_get(*, episode: Episode, actor: Actor,
                  today: datetime.date | None = None) -> FollowUp:
    """Everything the follow-up page shows, in a fixed number of queries: the schedule, the
    outcome and the lists from current entries; the corrected ones listed apart."""
    today = today or datetime.date.today()
    operation = Operation.objects.current().filter(episode=episode).order_by("-id").first()
    every_review = list(FollowUpReview.objects.filter(episode=episode)
                        .select_related("twstrs__superseded_by", "tsui__superseded_by",
                                        "created_by")
                        .order_by("months_after", "id"))
    every_complication = list(Complication.objects.filter(episode=episode)
                              .select_related("created_by"))
    every_further = list(FurtherSurgery.objects.filter(episode=episode)
                         .select_related("created_by"))
    reviews = [r for r in every_review if r.is_current]
    complications = [c for c in every_complication if c.is_current]
    further = [s for s in every_further if s.is_current]
    corrected = [e for e in (*every_review, *every_complication, *every_further)
                 if not e.is_current]
    schedule: list[ScheduledReview] = []
    baseline = None
    policy = schedule_policy(operation) if operation is not None else policy_in_force()
    if operation is not None:
        by_month = {r.months_after: r for r in reviews}
        last = max(by_month, default=0)
        points = review_schedule(operated_on=operation.operated_on, today=today,
                                 policy=policy.policy)
        while points[-1].months_after < last:  # reviews recorded ahead of time
            points = review_schedule(operated_on=operation.operated_on, today=today,
                                     extra=len(points), policy=policy.policy)
        schedule = [ScheduledReview(p, by_month.get(p.months_after),
                                    by_month.get(p.months_after) is None and p.due_on < today)
                    for p in points]
        baseline = baseline_twstrs(episode.patient_id, operation)
    _audit(actor, episode, "follow_up", f"Viewed the follow-up after SD of episode {episode.pk}")
    return FollowUp(operation, schedule, reviews, complications, further, baseline, corrected,
                    policy)


def follow_up_review_get(*, episode: Episode, review_id, actor: Actor) -> FollowUpReview:
    review = _by_id(FollowUpReview.objects.select_related(
        "twstrs", "tsui", "created_by", "status_changed_by").filter(episode=episode),
        review_id, "This episode has no follow-up review with this number.")
    _audit(actor, episode, "follow_up_review",
           f"Viewed the {review.months_after}-month review of episode {episode.pk}",
           object_id=review.pk)
    return review


def complication_get(*, episode: Episode, complication_id, actor: Actor) -> Complication:
    complication = _by_id(Complication.objects.select_related(
        "created_by", "status_changed_by").filter(episode=episode), complication_id,
        "This episode has no complication with this number.")
    _audit(actor, episode, "complication",
           f"Viewed a complication after SD of episode {episode.pk}", object_id=complication.pk)
    return complication


def further_surgery_get(*, episode: Episode, surgery_id, actor: Actor) -> FurtherSurgery:
    surgery = _by_id(FurtherSurgery.objects.select_related(
        "created_by", "status_changed_by").filter(episode=episode), surgery_id,
        "This episode has no further surgery with this number.")
    _audit(actor, episode, "further_surgery",
           f"Viewed further surgery after SD of episode {episode.pk}", object_id=surgery.pk)
    return surgery


REVIEW_CHOICES = 20  # the latest of each scale offered to a review


def review_scales(*, patient, actor: Actor) -> dict[Scale, list[ScaleAssessment]]:
    """The patient's latest current TWSTRS and Tsui assessments, newest first, that a review
    can use; read through the assessments app's selector (which audits it)."""
    assessments = sorted((a for a in scale_list(patient=patient, actor=actor) if a.is_current),
                         key=lambda a: (a.assessed_on, a.pk), reverse=True)
    return {scale: [a for a in assessments if a.scale == scale][:REVIEW_CHOICES]
            for scale in (Scale.TWSTRS, Scale.TSUI)}

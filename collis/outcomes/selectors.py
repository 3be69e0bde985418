"""Reads after SD, each audited with the patient: the operation note, the physiotherapy
programme and its sessions, and the follow-up (schedule, reviews, complications, further
surgery, outcome). Each reads through an episode or patient already fetched with
`episode_get` / `patient_get` (scoped to who asks)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404

from collis.assessments.models import Scale, ScaleAssessment
from collis.assessments.selectors import scale_list
from collis.core.audit import Actor, audit_record
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
from collis.surgery.models import Episode


def _audit(actor: Actor, episode: Episode, object_type: str, summary: str,
           object_id=None) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, object_type=object_type,
                 object_id=episode.pk if object_id is None else object_id,
                 patient_id=episode.patient_id, summary=summary)


def operation_recorded(*, episode: Episode) -> bool:
    """Whether the episode has its operation note (shows nothing: not audited)."""
    return Operation.objects.filter(episode=episode).exists()


def operation_get(*, episode: Episode, actor: Actor) -> Operation | None:
    operation = (Operation.objects.select_related("site", "surgeon", "created_by")
                 .prefetch_related("divisions").filter(episode=episode).first())
    _audit(actor, episode, "operation", f"Viewed the operation note of episode {episode.pk}")
    return operation


def physio_programme_get(*, episode: Episode, actor: Actor) -> PhysioProgramme | None:
    programme = (PhysioProgramme.objects.select_related("created_by")
                 .prefetch_related("sessions__attendance_recorded_by").filter(episode=episode).first())
    _audit(actor, episode, "physio_programme",
           f"Viewed the physiotherapy programme of episode {episode.pk}")
    return programme


def physio_session_get(*, episode: Episode, session_id: int, actor: Actor) -> PhysioSession:
    """One session of the episode's programme (Http404 if it has none with this id)."""
    try:
        session = PhysioSession.objects.select_related("programme").get(
            programme__episode=episode, pk=session_id)
    except PhysioSession.DoesNotExist:
        raise Http404("This episode has no physiotherapy session with this number.") from None
    _audit(actor, episode, "physio_session",
           f"Viewed physiotherapy session {session.number} of episode {episode.pk}",
           object_id=session.pk)
    return session


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


def baseline_twstrs(patient_id, operated_on: datetime.date) -> ScaleAssessment | None:
    """The last TWSTRS with a total before the day of the operation."""
    return (ScaleAssessment.objects.filter(patient_id=patient_id, scale=Scale.TWSTRS,
                                           assessed_on__lt=operated_on, total__isnull=False)
            .order_by("-assessed_on", "-id").first())


def follow_up_get(*, episode: Episode, actor: Actor,
                  today: datetime.date | None = None) -> FollowUp:
    """Everything the follow-up page shows, in a fixed number of queries."""
    today = today or datetime.date.today()
    operation = Operation.objects.filter(episode=episode).first()
    reviews = list(FollowUpReview.objects.filter(episode=episode)
                   .select_related("twstrs", "tsui", "created_by").order_by("months_after"))
    complications = list(Complication.objects.filter(episode=episode)
                         .select_related("created_by"))
    further = list(FurtherSurgery.objects.filter(episode=episode).select_related("created_by"))
    schedule: list[ScheduledReview] = []
    baseline = None
    if operation is not None:
        by_month = {r.months_after: r for r in reviews}
        last = max(by_month, default=0)
        points = review_schedule(operated_on=operation.operated_on, today=today)
        while points[-1].months_after < last:  # reviews recorded ahead of time
            points = review_schedule(operated_on=operation.operated_on, today=today,
                                     extra=len(points))
        schedule = [ScheduledReview(p, by_month.get(p.months_after),
                                    by_month.get(p.months_after) is None and p.due_on < today)
                    for p in points]
        baseline = baseline_twstrs(episode.patient_id, operation.operated_on)
    _audit(actor, episode, "follow_up", f"Viewed the follow-up after SD of episode {episode.pk}")
    return FollowUp(operation, schedule, reviews, complications, further, baseline)


REVIEW_CHOICES = 20  # the latest of each scale offered to a review


def review_scales(*, patient, actor: Actor) -> dict[Scale, list[ScaleAssessment]]:
    """The patient's latest TWSTRS and Tsui assessments, newest first, that a review can
    use; read through the assessments app's selector (which audits it)."""
    assessments = sorted(scale_list(patient=patient, actor=actor),
                         key=lambda a: (a.assessed_on, a.pk), reverse=True)
    return {scale: [a for a in assessments if a.scale == scale][:REVIEW_CHOICES]
            for scale in (Scale.TWSTRS, Scale.TSUI)}

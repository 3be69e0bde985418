"""Reads after SD, each audited with the patient: the operation note, the physiotherapy
programme and the follow-up (schedule, reviews, complications, further surgery, outcome)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from collis.assessments.models import Scale, ScaleAssessment
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.outcomes.models import (
    Complication,
    FollowUpReview,
    FurtherSurgery,
    Operation,
    PhysioProgramme,
)
from collis.outcomes.schedules import ReviewPoint, review_schedule
from collis.surgery.models import Episode


def _audit(actor: Actor | None, episode: Episode, object_type: str, summary: str) -> None:
    if actor is not None:
        audit_record(actor=actor, action=AuditAction.VIEW, object_type=object_type,
                     object_id=episode.pk, patient_id=episode.patient_id, summary=summary)


def operation_get(*, episode: Episode, actor: Actor | None) -> Operation | None:
    operation = (Operation.objects.select_related("site", "surgeon", "recorded_by")
                 .prefetch_related("divisions").filter(episode=episode).first())
    _audit(actor, episode, "operation", f"Viewed the operation note of episode {episode.pk}")
    return operation


def physio_programme_get(*, episode: Episode, actor: Actor | None) -> PhysioProgramme | None:
    programme = (PhysioProgramme.objects.select_related("recorded_by")
                 .prefetch_related("sessions__recorded_by").filter(episode=episode).first())
    _audit(actor, episode, "physio_programme",
           f"Viewed the physiotherapy programme of episode {episode.pk}")
    return programme


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


def follow_up_get(*, episode: Episode, actor: Actor | None,
                  today: datetime.date | None = None) -> FollowUp:
    """Everything the follow-up page shows, in a fixed number of queries."""
    today = today or datetime.date.today()
    operation = Operation.objects.filter(episode=episode).first()
    reviews = list(FollowUpReview.objects.filter(episode=episode)
                   .select_related("twstrs", "tsui", "recorded_by").order_by("months_after"))
    complications = list(Complication.objects.filter(episode=episode)
                         .select_related("recorded_by"))
    further = list(FurtherSurgery.objects.filter(episode=episode).select_related("recorded_by"))
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


def episode_for(*, patient, episode_id: int) -> Episode:
    return Episode.objects.select_related("patient").get(patient=patient, pk=episode_id)

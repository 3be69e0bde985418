"""What else is due to book, besides toxin: post-operative reviews (3, 6 and 12 months after
the operation, then yearly: the local policy the operation kept, collis.outcomes.schedules)
and the sessions of a post-operative physiotherapy programme. Each becomes an appointment
booked with one click into the next free slot of its kind, not before it is due.

Operated patients are a small part of a unit (hundreds, not the 100,000 of the registry),
so the schedule of each current operation is worked out in Python from two queries; the
list is audited as one entry naming the patients shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from collis.core.audit import Actor, audit_record_many
from collis.core.models import AuditAction
from collis.domain.pathway import TERMINAL
from collis.domain.recall import RECALL_LOOKAHEAD
from collis.domain.scheduling import AppointmentType
from collis.patients.models import Patient
from collis.scheduling.models import Appointment
from collis.scheduling.recall import UPCOMING

DUE_KINDS = (AppointmentType.POST_OP_REVIEW, AppointmentType.PHYSIOTHERAPY)
LIMIT = 200


@dataclass(frozen=True, slots=True)
class DueRow:
    patient: Patient
    kind: AppointmentType
    what: str
    due_on: dt.date
    days_overdue: int

    @property
    def text(self) -> str:
        if self.days_overdue > 0:
            return f"Overdue by {self.days_overdue} day{'s' if self.days_overdue != 1 else ''}"
        if self.days_overdue == 0:
            return "Due today"
        return f"Due in {-self.days_overdue} day{'s' if self.days_overdue != -1 else ''}"


def _booked(kind: AppointmentType) -> set:
    return set(Appointment.objects.filter(
        appointment_type=kind, holds_slot=True, status__in=UPCOMING,
        starts_at__gte=timezone.now() - dt.timedelta(hours=12)).values_list(
        "patient_id", flat=True))


def _reviews_due(visible, horizon: dt.date, today: dt.date) -> list[DueRow]:
    from collis.outcomes.models import FollowUpReview, Operation
    from collis.outcomes.schedules import review_schedule
    from collis.outcomes.selectors import schedule_policy

    operations = list(Operation.objects.current().filter(patient__in=visible).exclude(
        episode__state__in=[str(s) for s in TERMINAL]).select_related(
        "patient__home_site").order_by("episode_id", "-id"))
    done: dict[int, set[int]] = {}
    for episode_id, months in FollowUpReview.objects.current().filter(
            episode_id__in=[o.episode_id for o in operations]).values_list(
            "episode_id", "months_after"):
        done.setdefault(episode_id, set()).add(months)
    rows, seen = [], set()
    for operation in operations:
        if operation.episode_id in seen:
            continue  # the latest current note of the episode
        seen.add(operation.episode_id)
        points = review_schedule(operated_on=operation.operated_on, today=horizon,
                                 policy=schedule_policy(operation).policy)
        point = next((p for p in points if p.months_after not in
                      done.get(operation.episode_id, set()) and p.due_on <= horizon), None)
        if point is not None:
            rows.append(DueRow(operation.patient, AppointmentType.POST_OP_REVIEW, point.label,
                               point.due_on, (today - point.due_on).days))
    return rows


def _sessions_due(visible, horizon: dt.date, today: dt.date) -> list[DueRow]:
    from collis.outcomes.models import Attendance, PhysioSession

    sessions = (PhysioSession.objects.current().filter(
        programme__patient__in=visible, attendance=Attendance.SCHEDULED,
        scheduled_on__lte=horizon).select_related("programme__patient__home_site")
        .order_by("programme_id", "number"))
    rows, seen = [], set()
    for session in sessions:
        if session.programme_id in seen:
            continue  # the first session still to be held
        seen.add(session.programme_id)
        rows.append(DueRow(session.programme.patient, AppointmentType.PHYSIOTHERAPY,
                           f"Physiotherapy session {session.number} of "
                           f"{session.programme.session_count}", session.scheduled_on,
                           (today - session.scheduled_on).days))
    return rows


def due_list(*, actor: Actor, kind: AppointmentType | str,
             today: dt.date | None = None) -> list[DueRow]:
    """Patients with a post-operative review or a physiotherapy session due (or due within
    the look-ahead) and no appointment of that kind booked, most overdue first; audited as
    one entry."""
    kind = AppointmentType(kind)
    if kind not in DUE_KINDS:
        raise ValueError(f"Nothing of kind {kind} is listed as due")
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=RECALL_LOOKAHEAD.value)
    visible = Patient.objects.visible_to(actor.user)
    found = (_reviews_due if kind == AppointmentType.POST_OP_REVIEW else _sessions_due)(
        visible, horizon, today)
    booked = _booked(kind)
    rows = sorted((r for r in found if r.patient.pk not in booked),
                  key=lambda r: (r.due_on, str(r.patient.pk)))[:LIMIT]
    if rows:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type=f"due_{kind}",
                          patients=[(r.patient.pk, r.patient.nhs_number) for r in rows],
                          summary=f"Patient appeared on the list of {kind.label.lower()}s "
                                  f"due")
    return rows


def due_row_for(*, patient: Patient, kind: AppointmentType | str, actor: Actor) -> DueRow:
    """The patient's row of the list (ValidationError when nothing of the kind is due)."""
    row = next((r for r in due_list(actor=actor, kind=kind) if r.patient.pk == patient.pk),
               None)
    if row is None:
        raise ValidationError({"slot": f"No {AppointmentType(kind).label.lower()} is due for "
                                       f"this patient, or one is already booked"})
    return row

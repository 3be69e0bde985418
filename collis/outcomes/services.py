"""Writes after SD: the operation note, the physiotherapy programme and its sessions,
follow-up reviews (scales through the assessments app), complications, further surgery and
discharge. Each asks the pathway table (collis.domain.pathway) whether the actor may do it
now and is one transaction with its pathway move and an audit entry; a refused move or
work (MoveRefused, with the table's message) rolls the whole write back.

Chronology is checked here, for pages and every other caller alike, each refusal a
ValidationError on the field it is about (collis.core.chronology): no date in the future
or before the patient's birth; the operation not before the patient signed the consent;
sessions, complications and further surgery not before the operation; a review inside the
local-policy window around its due date, with the scales it uses taken inside it too.

Each entry is corrected through its create service with `amends` (ADR 0009): the new
version meets every rule a new entry meets, supersedes the old and moves nothing on the
pathway. The roles the pathway table names for the work may correct it, whatever the
episode's state now; `<entity>_mark_entered_in_error` takes an entry out of the summaries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.assessments import services as assessment_services
from collis.assessments.models import Scale, ScaleAssessment
from collis.consent.models import Consent
from collis.consent.selectors import consent_latest
from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check, not_before_check
from collis.core.corrections import (
    correction_check,
    record_mark_entered_in_error,
    record_supersede,
)
from collis.core.models import AuditAction, CorrectableRecord
from collis.core.presenters import date_long
from collis.domain.muscles import muscle_info
from collis.domain.pathway import (
    ACTIVITY_BY_TASK,
    MOVE_BY_EVENT,
    Event,
    MoveRefused,
    Step,
    Task,
    check_may,
    first_move,
)
from collis.domain.policy import LocalPolicy
from collis.outcomes.models import (
    Attendance,
    Complication,
    ComplicationStatus,
    FollowUpReview,
    FurtherSurgery,
    NerveDivision,
    Operation,
    PhysioProgramme,
    PhysioSession,
)
from collis.outcomes.presenters import muscle_words
from collis.outcomes.schedules import add_months, is_review_month, physio_schedule
from collis.outcomes.selectors import schedule_policy
from collis.policy.selectors import policy_in_force
from collis.surgery.models import Episode
from collis.surgery.services import episode_transition

__all__ = ["MoveRefused"]



def _role(actor: Actor) -> str:
    return getattr(actor.user, "role", "")


def _locked_state(episode: Episode) -> str:
    """The episode's state, its row locked until the write commits: writes to one episode
    are serialised, so a move made meanwhile is seen, not overtaken, and "one current entry"
    rules hold."""
    return Episode.objects.select_for_update().values_list("state", flat=True).get(
        pk=episode.pk)


def _check(actor: Actor, task: Task, episode: Episode) -> str:
    """Refuse the work (ActivityRefused) unless the table allows it for the actor's role in
    the episode's state, read under the lock. Returns that state."""
    state = _locked_state(episode)
    check_may(_role(actor), task, state)
    return state


def _correction_allowed(actor: Actor, step: Step, what: str, episode: Episode) -> None:
    """The roles the table names for the step may correct what it recorded, whatever the
    episode's state now (a record stays correctable after the pathway moves on)."""
    _locked_state(episode)
    roles = (MOVE_BY_EVENT[step].roles if isinstance(step, Event)
             else ACTIVITY_BY_TASK[step].roles)
    if _role(actor) not in roles:
        raise MoveRefused(f"Your role cannot {what}.")


def _start_correction(*, actor: Actor, step: Step, what: str, episode: Episode,
                      amends: CorrectableRecord, reason: str, belongs: bool) -> str:
    """The checks every amendment makes first: the role, the entry current and the reason
    given, and the entry one of the episode's. Returns the cleaned reason."""
    _correction_allowed(actor, step, what, episode)
    reason = correction_check(old=amends, reason=reason)
    if not belongs:
        raise ValidationError("That entry is not one of this episode's.")
    return reason


def operation_current(episode: Episode) -> Operation | None:
    """The episode's current operation note (not audited: services read it as a cause)."""
    return Operation.objects.current().filter(episode=episode).order_by("-id").first()


def _operation_required(episode: Episode, what: str) -> Operation:
    operation = operation_current(episode)
    if operation is None:
        raise ValidationError(f"Record the operation note before {what}")
    return operation


def _after_operation(*, field: str, value, operation: Operation, label: str,
                     patient) -> None:
    clinical_date_check(field=field, value=value, patient=patient, label=label)
    not_before_check(field=field, value=value, earliest=operation.operated_on, label=label,
                     cause="the operation")


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
    started_at: datetime.time | None = None
    outside_plan_reason: str = ""


def default_nerve(muscle: str) -> str:
    """The nerve target the domain gives for the muscle (collis.domain.muscles)."""
    return muscle_info(muscle).target or ""


BOTH_SIDES = frozenset({"left", "right"})


def _sides(side: str) -> frozenset[str]:
    return BOTH_SIDES if side == "bilateral" else frozenset({side})


def outside_plan(divisions: Sequence[Division], plan: Sequence[dict]) -> list[Division]:
    """The nerves divided that the planned denervation ([{muscle, side, target}]) does not
    cover: a muscle not planned, or a side of it not planned (bilateral meaning both)."""
    planned: dict[str, set[str]] = {}
    for entry in plan or ():
        planned.setdefault(entry.get("muscle", ""), set()).update(_sides(entry.get("side", "")))
    return [d for d in divisions if not _sides(d.side) <= planned.get(d.muscle, set())]


def consent_signed_on(consent: Consent) -> datetime.date:
    """The day the patient signed the consent: the operation cannot come before it. (The
    surgeon's date is the day the consent was entered in Collis, which may be later: a
    consent taken on paper and entered after the operation does not make the operation
    early.)"""
    return consent.patient_signed_on


def consent_for_operation(episode: Episode) -> Consent | None:
    """The consent an operation note of the episode is done under: the latest recorded
    (not audited: the pages that show it audit their reads)."""
    return consent_latest(episode)


def _dependents_check(operation: Operation, operated_on: datetime.date) -> None:
    """An amended operation date cannot move past what followed the operation: the
    physiotherapy, the reviews, complications and further surgery recorded after it."""
    episode_id = operation.episode_id
    later = [
        ("a physiotherapy session held", PhysioSession.objects.current().filter(
            programme__episode_id=episode_id).exclude(held_on=None)
         .values_list("held_on", flat=True)),
        ("the start of the physiotherapy programme", PhysioProgramme.objects.filter(
            episode_id=episode_id).values_list("starts_on", flat=True)),
        ("a follow-up review", FollowUpReview.objects.current().filter(
            episode_id=episode_id).values_list("reviewed_on", flat=True)),
        ("the onset of a complication", Complication.objects.current().filter(
            episode_id=episode_id).values_list("onset_on", flat=True)),
        ("further surgery", FurtherSurgery.objects.current().filter(
            episode_id=episode_id).values_list("performed_on", flat=True)),
    ]
    for what, days in later:
        earliest = min(days, default=None)
        if earliest is not None and operated_on > earliest:
            raise ValidationError({"operated_on": (
                f"The date of the operation cannot be after {what} ({date_long(earliest)}): "
                f"correct that entry first")})


def _operation_checks(*, episode: Episode, details: OperationDetails,
                      consent: Consent | None) -> list[Division]:
    """Every rule of an operation note, new or amended. Returns the divisions outside the
    consented plan."""
    if consent is None:
        raise ValidationError("Record the consent before the operation note: no consent is "
                              "recorded for this episode.")
    if not details.divisions:
        raise ValidationError("Record at least one nerve divided")
    if details.myectomy and not details.myectomy_muscles:
        raise ValidationError({"myectomy_muscles": "Choose the muscles with a myectomy"})
    label = "The date of the operation"
    clinical_date_check(field="operated_on", value=details.operated_on,
                        patient=episode.patient, label=label)
    not_before_check(field="operated_on", value=details.operated_on,
                     earliest=consent_signed_on(consent), label=label,
                     cause="the patient signed the consent")
    now = timezone.localtime()
    if (details.started_at is not None and details.operated_on == now.date()
            and details.started_at > now.time()):
        raise ValidationError({"started_at": "The time the operation started must be now or "
                                             "in the past"})
    outside = outside_plan(details.divisions, consent.planned_denervation)
    if outside and not details.outside_plan_reason.strip():
        raise ValidationError({"outside_plan_reason": (
            "Give the reason for dividing nerves outside the consented plan: "
            + ", ".join(muscle_words(d.muscle, d.side) for d in outside))})
    return outside


@transaction.atomic
def operation_create(*, episode: Episode, details: OperationDetails, actor: Actor,
                     amends: Operation | None = None,
                     correction_reason: str = "") -> Operation:
    """Save the operation note with its nerve divisions and move the episode to 'operated'.
    The note is done under the episode's consent: not dated before it was signed, and a
    nerve divided outside its planned denervation is flagged and needs a reason. With
    `amends`, the note corrects that one (and moves nothing on the pathway); its date
    cannot then pass what followed the operation."""
    if amends is not None:
        correction_reason = _start_correction(
            actor=actor, step=Event.RECORD_OPERATION, what="correct the operation note",
            episode=episode, amends=amends, reason=correction_reason,
            belongs=amends.episode_id == episode.pk)
        consent = amends.consent or consent_for_operation(episode)
    else:
        check_may(_role(actor), Event.RECORD_OPERATION, _locked_state(episode))
        consent = consent_for_operation(episode)
    outside = _operation_checks(episode=episode, details=details, consent=consent)
    if amends is not None:
        _dependents_check(amends, details.operated_on)
    outside_keys = {(d.muscle, d.side) for d in outside}
    operation = Operation(
        patient_id=episode.patient_id, episode=episode, consent=consent,
        operated_on=details.operated_on, started_at=details.started_at,
        site=details.site, surgeon=details.surgeon, anaesthetic=details.anaesthetic,
        anaesthetist=details.anaesthetist, myectomy=details.myectomy,
        myectomy_muscles=list(details.myectomy_muscles) if details.myectomy else [],
        findings=details.findings, complication_codes=list(details.complication_codes),
        complication_notes=details.complication_notes,
        outside_plan_reason=details.outside_plan_reason.strip() if outside else "",
        # A correction keeps the schedule the note was first recorded under.
        policy_version=(schedule_policy(amends).version if amends is not None
                        else policy_in_force().version),
        created_by=actor.user, created_at=timezone.now(), supersedes=amends)
    operation.full_clean()
    operation.save()
    rows = []
    for position, division in enumerate(details.divisions, start=1):
        row = NerveDivision(operation=operation, position=position, muscle=division.muscle,
                            side=division.side,
                            nerve=division.nerve.strip() or default_nerve(division.muscle),
                            outside_plan=(division.muscle, division.side) in outside_keys)
        row.full_clean(exclude=["operation"])
        rows.append(row)
    NerveDivision.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="operation",
                 object_id=operation.pk, patient_id=episode.patient_id,
                 summary=f"Recorded the operation note of {details.operated_on:%d/%m/%Y}"
                         + (f" (amending note {amends.pk})" if amends else ""),
                 details={"divisions": [f"{r.muscle} ({r.side}): {r.nerve}" for r in rows],
                          "outside_plan": [f"{r.muscle} ({r.side})" for r in rows
                                           if r.outside_plan],
                          "consent": consent.pk,
                          "myectomy": operation.myectomy_muscles,
                          "complications": operation.complication_codes,
                          "policy_version": operation.policy_version.number})
    if amends is not None:
        record_supersede(old=amends, new=operation, reason=correction_reason, actor=actor,
                         object_type="operation", patient_id=episode.patient_id)
    else:
        episode_transition(episode=episode, event=Event.RECORD_OPERATION, actor=actor,
                           reason=f"Operation on {details.operated_on:%d %b %Y}")
    return operation


@transaction.atomic
def operation_mark_entered_in_error(*, operation: Operation, reason: str,
                                    actor: Actor) -> Operation:
    """Mark an operation note entered in error: it leaves the follow-up, the outcome and
    the timeline's markers, and stays in the record's history. The episode's place on the
    pathway is not moved back (withdraw the episode if it was never operated on)."""
    _correction_allowed(actor, Event.RECORD_OPERATION, "correct the operation note",
                        operation.episode)
    return record_mark_entered_in_error(record=operation, reason=reason, actor=actor,
                                        object_type="operation",
                                        patient_id=operation.patient_id)


# ----------------------------------------------------------------------- physiotherapy

@transaction.atomic
def physio_programme_start(*, episode: Episode, starts_on: datetime.date, session_count: int,
                           interval_days: int, goals: str = "",
                           actor: Actor) -> PhysioProgramme:
    """Start the programme with its generated schedule and move the episode on. It starts
    on or after the day of the operation."""
    _locked_state(episode)
    operation = _operation_required(episode, "the physiotherapy programme")
    not_before_check(field="starts_on", value=starts_on, earliest=operation.operated_on,
                     label="The date of the first session", cause="the operation")
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


def _session_values_check(*, attendance: str, held_on: datetime.date | None,
                          episode: Episode) -> None:
    if attendance not in (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND):
        raise ValidationError({"attendance": "Say whether the patient attended"})
    if attendance == Attendance.ATTENDED and held_on is None:
        raise ValidationError({"held_on": "Enter the date of the session"})
    if held_on is not None:
        operation = _operation_required(episode, "a physiotherapy session")
        _after_operation(field="held_on", value=held_on, operation=operation,
                         label="The date of the session", patient=episode.patient)


@transaction.atomic
def physio_session_record(*, session: PhysioSession, attendance: str,
                          held_on: datetime.date | None, exercises: str = "", notes: str = "",
                          actor: Actor, correction_reason: str = "") -> PhysioSession:
    """Record whether a scheduled session was attended, with its exercises and notes, while
    the pathway table allows physiotherapy sessions for the actor's role; a session held is
    dated on or after the operation. A session already recorded is corrected, not
    overwritten: a new version supersedes it, with `correction_reason`."""
    session = PhysioSession.objects.select_related("programme__episode").get(pk=session.pk)
    episode = session.programme.episode
    if session.attendance != Attendance.SCHEDULED:
        return _physio_session_amend(session=session, attendance=attendance, held_on=held_on,
                                     exercises=exercises, notes=notes, actor=actor,
                                     reason=correction_reason)
    _check(actor, Task.RECORD_PHYSIO_SESSION, episode)
    session = PhysioSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_current or session.attendance != Attendance.SCHEDULED:
        raise ValidationError("This session was recorded meanwhile: correct it instead.")
    _session_values_check(attendance=attendance, held_on=held_on, episode=episode)
    session.attendance, session.held_on = attendance, held_on
    session.exercises, session.notes = exercises, notes
    session.attendance_recorded_by, session.attendance_recorded_at = actor.user, timezone.now()
    session.full_clean()
    # Filling in a scheduled slot is the session's first record, not a change of one.
    session.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="physio_session",
                 object_id=session.pk, patient_id=session.programme.patient_id,
                 summary=f"Recorded physiotherapy session {session.number}: "
                         f"{session.get_attendance_display().lower()}",
                 details={"attendance": attendance, "exercises": exercises})
    return session


def _physio_session_amend(*, session: PhysioSession, attendance: str,
                          held_on: datetime.date | None, exercises: str, notes: str,
                          actor: Actor, reason: str) -> PhysioSession:
    episode = session.programme.episode
    reason = _start_correction(actor=actor, step=Task.RECORD_PHYSIO_SESSION,
                               what="correct a physiotherapy session", episode=episode,
                               amends=session, reason=reason, belongs=True)
    _session_values_check(attendance=attendance, held_on=held_on, episode=episode)
    now = timezone.now()
    amended = PhysioSession(
        programme=session.programme, number=session.number,
        scheduled_on=session.scheduled_on, attendance=attendance, held_on=held_on,
        exercises=exercises, notes=notes, attendance_recorded_by=actor.user,
        attendance_recorded_at=now, created_by=actor.user, created_at=now, supersedes=session)
    amended.full_clean()
    amended.save()
    record_supersede(old=session, new=amended, reason=reason, actor=actor,
                     object_type="physio_session", patient_id=episode.patient_id)
    return amended


@transaction.atomic
def physio_session_mark_entered_in_error(*, session: PhysioSession, reason: str,
                                         actor: Actor) -> PhysioSession:
    """Mark a session's record entered in error: the record stays in its history, and the
    session goes back to the schedule, to be recorded afresh."""
    episode = session.programme.episode
    _correction_allowed(actor, Task.RECORD_PHYSIO_SESSION,
                        "correct a physiotherapy session", episode)
    if session.attendance == Attendance.SCHEDULED:
        raise ValidationError("Nothing is recorded for this session yet.")
    marked = record_mark_entered_in_error(record=session, reason=reason, actor=actor,
                                          object_type="physio_session",
                                          patient_id=episode.patient_id)
    PhysioSession.objects.create(programme=session.programme, number=session.number,
                                 scheduled_on=session.scheduled_on, created_by=actor.user)
    return marked


# ---------------------------------------------------------------------------- follow-up

@transaction.atomic
def follow_up_start(*, episode: Episode, actor: Actor, reason: str = "") -> Episode:
    """Move the episode from post-operative physiotherapy to follow-up."""
    return episode_transition(episode=episode, event=Event.START_FOLLOW_UP, actor=actor,
                              reason=reason or "Follow-up started")


def review_window_weeks(policy: LocalPolicy | None = None) -> int:
    """Weeks either side of a review's due date (local policy, collis.policy): `policy`'s,
    or the one in force today."""
    return (policy or policy_in_force().policy).follow_up_review_window_weeks


def review_window(due_on: datetime.date, policy: LocalPolicy | None = None
                  ) -> tuple[datetime.date, datetime.date]:
    """The first and last day on which a review due on `due_on` may be recorded."""
    weeks = datetime.timedelta(weeks=review_window_weeks(policy))
    return due_on - weeks, due_on + weeks


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


def _window_words(due_on: datetime.date, policy: LocalPolicy) -> str:
    first, last = review_window(due_on, policy)
    return (f"between {date_long(first)} and {date_long(last)}: "
            f"{review_window_weeks(policy)} weeks either side of the due date, "
            f"{date_long(due_on)} (local policy)")


def _review_checks(*, episode: Episode, details: ReviewDetails,
                   operation: Operation) -> datetime.date:
    """The review's date and its scales inside the window around its due date. Returns the
    due date."""
    policy = schedule_policy(operation).policy
    if not is_review_month(details.months_after, policy):
        raise ValidationError(f"There is no review at {details.months_after} months: "
                              f"{policy.review_schedule_words()} (local policy)")
    due_on = add_months(operation.operated_on, details.months_after)
    first, last = review_window(due_on, policy)
    clinical_date_check(field="reviewed_on", value=details.reviewed_on,
                        patient=episode.patient, label="The date of the review")
    if not first <= details.reviewed_on <= last:
        raise ValidationError({"reviewed_on": f"The date of the review must be "
                                              f"{_window_words(due_on, policy)}"})
    for key, assessment, scale in (("twstrs_existing", details.twstrs_existing, Scale.TWSTRS),
                                   ("tsui_existing", details.tsui_existing, Scale.TSUI)):
        if assessment is None:
            continue
        if assessment.patient_id != episode.patient_id or assessment.scale != scale:
            raise ValidationError({key: f"That {scale.label} is not one of this patient's"})
        if not assessment.is_current:
            raise ValidationError({key: f"That {scale.label} was corrected: choose the "
                                        f"current one"})
        if not first <= assessment.assessed_on <= last:
            raise ValidationError({key: (
                f"The {scale.label} of {date_long(assessment.assessed_on)} was not taken "
                f"inside the review's window: it must be {_window_words(due_on, policy)}")})
    return due_on


@transaction.atomic
def follow_up_review_create(*, episode: Episode, details: ReviewDetails, actor: Actor,
                            amends: FollowUpReview | None = None,
                            correction_reason: str = "") -> FollowUpReview:
    """Record a scheduled review; its TWSTRS/Tsui are new or existing ScaleAssessments made
    by the assessments app's services. The review and its scales fall inside the window
    around the due date. Where the pathway table's first move of the work is starting
    follow-up (the episode is still at post-operative physiotherapy), it makes it. With
    `amends`, the review corrects that one; the scales of the old version stay in the
    rating scales (correct them there if they were wrong too)."""
    if amends is not None:
        correction_reason = _start_correction(
            actor=actor, step=Task.RECORD_FOLLOW_UP_REVIEW, what="correct a follow-up review",
            episode=episode, amends=amends, reason=correction_reason,
            belongs=amends.episode_id == episode.pk)
        if details.months_after != amends.months_after:
            raise ValidationError("A correction is of the same review point.")
        starting = None
    else:
        state = _check(actor, Task.RECORD_FOLLOW_UP_REVIEW, episode)
        starting = first_move(Task.RECORD_FOLLOW_UP_REVIEW, state)
    operation = _operation_required(episode, "a follow-up review")
    due_on = _review_checks(episode=episode, details=details, operation=operation)
    if amends is None and FollowUpReview.objects.current().filter(
            episode=episode, months_after=details.months_after).exists():
        raise ValidationError(f"The {details.months_after}-month review is already recorded: "
                              f"correct it instead.")
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
    review = FollowUpReview(
        patient=patient, episode=episode, months_after=details.months_after, due_on=due_on,
        reviewed_on=details.reviewed_on, twstrs=twstrs, tsui=tsui, notes=details.notes,
        policy_version=schedule_policy(operation).version, created_by=actor.user,
        created_at=timezone.now(), supersedes=amends)
    review.full_clean()
    review.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="follow_up_review",
                 object_id=review.pk, patient_id=patient.pk,
                 summary=f"Recorded the {details.months_after}-month review after SD"
                         + (f" (amending review {amends.pk})" if amends else ""),
                 details={"twstrs": twstrs.pk if twstrs else None,
                          "tsui": tsui.pk if tsui else None})
    if amends is not None:
        record_supersede(old=amends, new=review, reason=correction_reason, actor=actor,
                         object_type="follow_up_review", patient_id=patient.pk)
    return review


@transaction.atomic
def follow_up_review_mark_entered_in_error(*, review: FollowUpReview, reason: str,
                                           actor: Actor) -> FollowUpReview:
    """Mark a review entered in error: it leaves the schedule and the outcome (its point is
    due again) and stays in the record's history; its scales stay in the rating scales."""
    _correction_allowed(actor, Task.RECORD_FOLLOW_UP_REVIEW, "correct a follow-up review",
                        review.episode)
    return record_mark_entered_in_error(record=review, reason=reason, actor=actor,
                                        object_type="follow_up_review",
                                        patient_id=review.patient_id)


def _complication_checks(*, episode: Episode, operation: Operation, onset_on, status,
                         resolved_on) -> None:
    _after_operation(field="onset_on", value=onset_on, operation=operation,
                     label="The date of onset", patient=episode.patient)
    if status == ComplicationStatus.RESOLVED:
        if resolved_on is None:
            raise ValidationError({"resolved_on": "Enter the date the complication resolved"})
        clinical_date_check(field="resolved_on", value=resolved_on, patient=episode.patient,
                            label="The date it resolved")
        not_before_check(field="resolved_on", value=resolved_on, earliest=onset_on,
                         label="The date it resolved", cause="the date of onset")


@transaction.atomic
def complication_create(*, episode: Episode, risk_code: str, onset_on: datetime.date,
                        severity: str, status: str, resolved_on: datetime.date | None = None,
                        notes: str = "", actor: Actor, amends: Complication | None = None,
                        correction_reason: str = "") -> Complication:
    """Record a complication of SD coded from the risk catalogue, while the pathway table
    allows it (from the operation on) for the actor's role; its onset is not before the
    operation. With `amends`, it corrects that complication."""
    if amends is not None:
        correction_reason = _start_correction(
            actor=actor, step=Task.RECORD_COMPLICATION, what="correct a complication",
            episode=episode, amends=amends, reason=correction_reason,
            belongs=amends.episode_id == episode.pk)
    else:
        _check(actor, Task.RECORD_COMPLICATION, episode)
    operation = _operation_required(episode, "a complication")
    _complication_checks(episode=episode, operation=operation, onset_on=onset_on,
                         status=status, resolved_on=resolved_on)
    complication = Complication(
        patient_id=episode.patient_id, episode=episode, risk_code=risk_code, onset_on=onset_on,
        severity=severity, status=status,
        resolved_on=resolved_on if status == ComplicationStatus.RESOLVED else None,
        notes=notes, created_by=actor.user, created_at=timezone.now(), supersedes=amends)
    complication.full_clean()
    complication.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="complication",
                 object_id=complication.pk, patient_id=episode.patient_id,
                 summary=f"Recorded a complication after SD: "
                         f"{complication.get_risk_code_display()}"
                         + (f" (amending {amends.pk})" if amends else ""),
                 details={"risk_code": risk_code, "severity": severity, "status": status})
    if amends is not None:
        record_supersede(old=amends, new=complication, reason=correction_reason, actor=actor,
                         object_type="complication", patient_id=episode.patient_id)
    return complication


@transaction.atomic
def complication_mark_entered_in_error(*, complication: Complication, reason: str,
                                       actor: Actor) -> Complication:
    _correction_allowed(actor, Task.RECORD_COMPLICATION, "correct a complication",
                        complication.episode)
    return record_mark_entered_in_error(record=complication, reason=reason, actor=actor,
                                        object_type="complication",
                                        patient_id=complication.patient_id)


@transaction.atomic
def further_surgery_create(*, episode: Episode, kind: str, performed_on: datetime.date,
                           reason: str, actor: Actor, amends: FurtherSurgery | None = None,
                           correction_reason: str = "") -> FurtherSurgery:
    """Record a reoperation or a conversion to DBS after SD, while the pathway table allows
    it (from the operation on) for the actor's role; not dated before the operation. With
    `amends`, it corrects that entry."""
    if amends is not None:
        correction_reason = _start_correction(
            actor=actor, step=Task.RECORD_FURTHER_SURGERY, what="correct further surgery",
            episode=episode, amends=amends, reason=correction_reason,
            belongs=amends.episode_id == episode.pk)
    else:
        _check(actor, Task.RECORD_FURTHER_SURGERY, episode)
    operation = _operation_required(episode, "further surgery")
    _after_operation(field="performed_on", value=performed_on, operation=operation,
                     label="The date of the further surgery", patient=episode.patient)
    surgery = FurtherSurgery(patient_id=episode.patient_id, episode=episode, kind=kind,
                             performed_on=performed_on, reason=reason, created_by=actor.user,
                             created_at=timezone.now(), supersedes=amends)
    surgery.full_clean()
    surgery.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="further_surgery",
                 object_id=surgery.pk, patient_id=episode.patient_id,
                 summary=f"Recorded {surgery.get_kind_display().lower()}"
                         + (f" (amending {amends.pk})" if amends else ""),
                 details={"kind": kind, "reason": reason})
    if amends is not None:
        record_supersede(old=amends, new=surgery, reason=correction_reason, actor=actor,
                         object_type="further_surgery", patient_id=episode.patient_id)
    return surgery


@transaction.atomic
def further_surgery_mark_entered_in_error(*, surgery: FurtherSurgery, reason: str,
                                          actor: Actor) -> FurtherSurgery:
    _correction_allowed(actor, Task.RECORD_FURTHER_SURGERY, "correct further surgery",
                        surgery.episode)
    return record_mark_entered_in_error(record=surgery, reason=reason, actor=actor,
                                        object_type="further_surgery",
                                        patient_id=surgery.patient_id)


def follow_up_discharge(*, episode: Episode, reason: str, actor: Actor) -> Episode:
    """Discharge from follow-up (doctors, with a reason: the pathway table decides)."""
    return episode_transition(episode=episode, event=Event.DISCHARGE, actor=actor,
                              reason=reason)

"""Reads of clinics and appointments, scoped to the actor's unit; reads that show patients
are audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction
from collis.domain.scheduling import DNA_POLICY, AppointmentStatus, DnaPolicy
from collis.patients.models import Patient
from collis.scheduling.models import Appointment, ClinicSession, Slot

FIND_LIMIT = 10
# How far ahead the free-slot search looks first, then next (None: without end).
FIND_HORIZONS = (dt.timedelta(weeks=4), dt.timedelta(weeks=16), None)


def _unit_sessions(actor: Actor):
    """Sessions at the actor's unit's sites."""
    organisation_id = getattr(actor.user, "organisation_id", None)
    return ClinicSession.objects.filter(room__site__organisation_id=organisation_id)


def slot_find_free(*, actor: Actor, appointment_type: str, site=None, clinician=None,
                   after: dt.datetime | None = None, limit: int = FIND_LIMIT) -> list[Slot]:
    """The next slots of the kind with a free place, soonest first, at the site and with the
    clinician when given (any otherwise). Shows no patient, so is not audited."""
    after = after or timezone.now()
    organisation_id = getattr(actor.user, "organisation_id", None)
    slots = Slot.objects.filter(
        session__room__site__organisation_id=organisation_id,
        session__appointment_type=appointment_type,
        starts_at__gt=after, session__ends_at__gt=after)
    if site is not None:
        slots = slots.filter(session__room__site=site)
    if clinician is not None:
        slots = slots.filter(clinician=clinician)
    # Free places are counted per slot (a correlated count, not a GROUP BY over every
    # future slot), first over the next weeks and only if they hold too few free slots over
    # a longer time: the soonest `limit` free slots are the same either way, and a year of
    # clinics is not counted to find next week's.
    taken = (Appointment.objects.filter(slot=OuterRef("pk"), holds_slot=True).order_by()
             .values("slot").annotate(n=Count("pk")).values("n"))
    free = slots.alias(taken=Coalesce(Subquery(taken), 0)).filter(
        taken__lt=F("capacity")).select_related(
        "session__room__site", "clinician").order_by("starts_at", "id")
    for horizon in FIND_HORIZONS:
        # The window bounds the sessions too, so that the database reads only theirs.
        window = free if horizon is None else free.filter(
            starts_at__lte=after + horizon, session__starts_at__lte=after + horizon)
        found = list(window[:limit])
        if len(found) == limit or horizon is None:
            return found
    raise AssertionError("unreachable")  # pragma: no cover


def slot_get(*, actor: Actor, slot_id) -> Slot:
    try:
        return Slot.objects.select_related("session__room__site", "clinician").get(
            pk=slot_id, session__in=_unit_sessions(actor))
    except (Slot.DoesNotExist, ValueError, TypeError):
        raise Http404("No slot has this id.") from None


def session_list(*, actor: Actor, site=None, day: dt.date, days: int = 7) -> list[ClinicSession]:
    """The unit's sessions from `day` for `days` days, with their bookings counted. Shows no
    patient, so is not audited."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
    sessions = _unit_sessions(actor).filter(starts_at__gte=start,
                                            starts_at__lt=start + dt.timedelta(days=days))
    if site is not None:
        sessions = sessions.filter(room__site=site)
    return list(sessions.select_related("room__site").prefetch_related("clinicians").annotate(
        booked=Count("appointments", filter=Q(appointments__holds_slot=True), distinct=True),
        places=Subquery(Slot.objects.filter(session=OuterRef("pk")).values("session").annotate(
            total=Sum("capacity")).values("total"))).order_by("starts_at", "id"))


def session_list_for_clinician(*, actor: Actor, day: dt.date,
                               days: int = 7) -> list[ClinicSession]:
    """The actor's own clinic sessions from `day` for `days` days, with bookings counted
    (shows no patient, so is not audited)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
    return list(_unit_sessions(actor).filter(
        clinicians=actor.user, starts_at__gte=start,
        starts_at__lt=start + dt.timedelta(days=days)).select_related("room__site").annotate(
        booked=Count("appointments", filter=Q(appointments__holds_slot=True), distinct=True),
        places=Subquery(Slot.objects.filter(session=OuterRef("pk")).values("session").annotate(
            total=Sum("capacity")).values("total"))).order_by("starts_at", "id"))


def session_get(*, actor: Actor, session_id) -> ClinicSession:
    try:
        return _unit_sessions(actor).select_related("room__site").prefetch_related(
            "clinicians").get(pk=session_id)
    except (ClinicSession.DoesNotExist, ValueError, TypeError):
        raise Http404("No clinic session has this id.") from None


@dataclass(frozen=True, slots=True)
class ClinicListRow:
    slot: Slot
    appointment: Appointment | None


def session_clinic_list(*, session: ClinicSession, actor: Actor,
                        action: AuditAction = AuditAction.VIEW) -> list[ClinicListRow]:
    """Every slot of the session in time order with the appointments that hold it (a free
    slot once, a slot with several places once per appointment). Audited as one entry
    naming the patients shown."""
    visible = Patient.objects.visible_to(actor.user)
    appointments = Appointment.objects.holding().filter(patient__in=visible).select_related(
        "patient", "clinician").order_by("place")
    slots = list(session.slots.select_related("clinician").prefetch_related(
        Prefetch("appointments", queryset=appointments, to_attr="held")).order_by(
        "starts_at", "clinician__last_name", "id"))
    rows = []
    for slot in slots:
        rows.extend([ClinicListRow(slot, a) for a in slot.held] or [ClinicListRow(slot, None)])
    shown = [(r.appointment.patient_id, r.appointment.patient.nhs_number)
             for r in rows if r.appointment is not None]
    audit_record_many(actor=actor, action=action, object_type="clinic_session",
                      patients=shown, summary=f"Clinic list of session {session.pk}",
                      details={"session": session.pk})
    return rows


def appointment_list_for_patient(*, patient: Patient, actor: Actor) -> list[Appointment]:
    """The patient's appointments, newest first, with their histories (audited)."""
    appointments = list(patient.appointments.select_related(
        "session__room__site", "clinician").prefetch_related("history__by").order_by(
        "-starts_at", "-id"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="appointment_list",
                 patient_id=patient.pk, summary="Viewed the patient's appointments")
    return appointments


def appointment_get(*, patient: Patient, appointment_id, actor: Actor) -> Appointment:
    try:
        appointment = patient.appointments.select_related(
            "session__room__site", "clinician", "rescheduled_from").prefetch_related(
            "history__by").get(pk=appointment_id)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No appointment has this id.") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="appointment",
                 object_id=appointment.pk, patient_id=patient.pk,
                 summary="Viewed an appointment")
    return appointment


@dataclass(frozen=True, slots=True)
class MissedAppointments:
    count: int
    window_days: int
    next_step: str


def dna_summary(*, patient: Patient, now: dt.datetime | None = None,
                policy: DnaPolicy = DNA_POLICY.value) -> MissedAppointments:
    """How many appointments the patient missed in the policy's window, and what the policy
    says happens next (local policy)."""
    now = now or timezone.now()
    count = patient.appointments.filter(
        status=AppointmentStatus.DID_NOT_ATTEND,
        starts_at__gte=now - dt.timedelta(days=policy.window_days)).count()
    return MissedAppointments(count, policy.window_days, policy.next_step(count))


def clinicians_of_unit(*, actor: Actor) -> list:
    """Staff who hold clinic sessions at the actor's unit, by name."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(
        clinic_sessions__in=_unit_sessions(actor)).distinct().order_by("last_name", "first_name"))

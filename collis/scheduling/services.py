"""Writes of clinics and appointments. Every write runs in one transaction, checks the role,
the chronology and the status table, and is audited.

No double booking: each booking first checks for a clash itself (on SQLite the transaction
is IMMEDIATE, so the check and the insert are serialised and this is the guarantee); on
PostgreSQL the exclusion and unique constraints (models.POSTGRES_CONSTRAINTS) refuse what
a concurrent booking slipped past the check, and the refusal becomes the same message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.presenters import datetime_long
from collis.core.roles import Capability, can, refusal_message
from collis.domain.scheduling import (
    RELEASING,
    AppointmentStatus,
    ClinicOutcome,
    Recurrence,
    ScheduleError,
    StatusMoveRefused,
    appointment_length,
    session_occurrences,
    slot_times,
    status_move_check,
)
from collis.reminders.services import appointment_messages_cancel, appointment_messages_plan
from collis.scheduling.models import (
    Appointment,
    AppointmentStatusChange,
    ClinicSession,
    Room,
    SessionSeries,
    Slot,
)

# What each database constraint means, in the words a refusal uses (field, message).
CLASHES = {
    "appointment_patient_no_overlap": (
        "patient", "The patient already has an appointment at this time"),
    "appointment_clinician_no_overlap": (
        "slot", "The clinician already has an appointment at this time"),
    "appointment_room_no_overlap": ("slot", "The room is already in use at this time"),
    "appointment_one_per_place": ("slot", "This slot is full: choose another slot"),
    "appointment_place_within_capacity": ("slot", "This slot is full: choose another slot"),
    "session_room_no_overlap": ("room", "The room already has a clinic session at this time"),
    "slot_clinician_no_overlap": (
        "clinicians", "A clinician already has a clinic session at this time"),
}
SLOT_FULL = CLASHES["appointment_one_per_place"][1]


def _require(actor: Actor, capability: Capability) -> None:
    if not can(actor.user, capability):
        raise PermissionDenied(refusal_message(capability))


def _clash(error: IntegrityError) -> ValidationError:
    """The refusal a constraint's name gives, in words; an unknown one is raised again."""
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
    if name not in CLASHES:
        text = str(error)
        name = next((known for known in CLASHES if known in text), "")
    if not name:
        raise error
    field, message = CLASHES[name]
    return ValidationError({field: message})


def _overlapping(queryset, starts_at, ends_at):
    return queryset.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


# -- Rooms and clinic sessions -------------------------------------------------------------

def room_create(*, site, name: str, equipment: Iterable[str] = (), actor: Actor) -> Room:
    _require(actor, Capability.CLINIC_SCHEDULE)
    room = Room(site=site, name=name.strip(), equipment=sorted(set(equipment)))
    room.full_clean()
    room.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="room", object_id=room.pk,
                 summary=f"Added room {room}")
    return room


@transaction.atomic
def clinic_series_create(*, appointment_type: str, room: Room, clinicians: list,
                         first_day: dt.date, starts: dt.time, ends: dt.time,
                         recurrence: str = Recurrence.ONCE, until: dt.date | None = None,
                         capacity: int = 1, actor: Actor,
                         now: dt.datetime | None = None) -> SessionSeries:
    """A clinic, once or repeating, with its sittings and their slots (one set per
    clinician, each `capacity` places, of the appointment type's length)."""
    _require(actor, Capability.CLINIC_SCHEDULE)
    now = now or timezone.now()
    if not clinicians:
        raise ValidationError({"clinicians": "Choose at least one clinician"})
    if not 1 <= capacity <= 20:
        raise ValidationError({"capacity": "Places per slot must be from 1 to 20"})
    try:
        occurrences = session_occurrences(first_day=first_day, starts=starts, ends=ends,
                                          recurrence=recurrence, until=until)
    except ScheduleError as error:
        raise ValidationError({error.field: str(error)}) from error
    if occurrences[0].starts_at < now:
        raise ValidationError({"first_day": "A new clinic session must start in the future"})
    series = SessionSeries(appointment_type=appointment_type, room=room, first_day=first_day,
                           local_start=starts, local_end=ends, recurrence=recurrence,
                           until=until if recurrence != Recurrence.ONCE else None,
                           created_by=actor.user)
    series.full_clean()
    series.save()
    length = appointment_length(appointment_type)
    for sitting in occurrences:
        if _overlapping(ClinicSession.objects.filter(room=room), sitting.starts_at,
                        sitting.ends_at).exists():
            raise ValidationError({"room": f"{CLASHES['session_room_no_overlap'][1]} "
                                           f"({datetime_long(sitting.starts_at)})"})
        busy = _overlapping(Slot.objects.filter(clinician__in=clinicians), sitting.starts_at,
                            sitting.ends_at).select_related("clinician").first()
        if busy:
            raise ValidationError({"clinicians": f"{busy.clinician.display_name} already has a "
                                                 f"clinic session at this time "
                                                 f"({datetime_long(sitting.starts_at)})"})
        try:
            with transaction.atomic():
                session = ClinicSession.objects.create(
                    appointment_type=appointment_type, room=room, series=series,
                    starts_at=sitting.starts_at, ends_at=sitting.ends_at,
                    created_by=actor.user)
                session.clinicians.set(clinicians)
                Slot.objects.bulk_create([
                    Slot(session=session, clinician=clinician, starts_at=start, ends_at=end,
                         capacity=capacity)
                    for clinician in clinicians
                    for start, end in slot_times(sitting.starts_at, sitting.ends_at, length)])
        except IntegrityError as error:
            raise _clash(error) from error
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="clinic_series",
                 object_id=series.pk,
                 summary=f"Set up {len(occurrences)} clinic session(s) in {room}")
    return series


# -- Appointments -----------------------------------------------------------------------

def _status_add(appointment: Appointment, status: AppointmentStatus, *, actor: Actor,
                reason: str = "", outcome: str = "", at: dt.datetime) -> AppointmentStatusChange:
    change = AppointmentStatusChange(appointment=appointment, status=status, reason=reason,
                                     outcome=outcome, at=at, by=actor.user)
    change.full_clean(exclude=["appointment", "by"])  # both just read, or just written
    change.save()
    return change


def _patient_clash_check(*, patient, slot: Slot, ignore: Appointment | None) -> None:
    clashes = _overlapping(Appointment.objects.holding().filter(patient=patient),
                           slot.starts_at, slot.ends_at)
    if ignore is not None:
        clashes = clashes.exclude(pk=ignore.pk)
    if clashes.exists():
        raise ValidationError({"patient": CLASHES["appointment_patient_no_overlap"][1]})


def _free_place(slot: Slot, *, double_booking: bool) -> int:
    """The lowest free place of the slot; above capacity only when double booking."""
    taken = set(slot.appointments.holding().values_list("place", flat=True))
    place = next(p for p in range(1, slot.capacity + len(taken) + 2) if p not in taken)
    if place > slot.capacity and not double_booking:
        raise ValidationError({"slot": SLOT_FULL})
    return place


def appointment_book(*, patient, slot: Slot, actor: Actor, double_booking_reason: str = "",
                     rescheduled_from: Appointment | None = None,
                     now: dt.datetime | None = None) -> Appointment:
    """Book the patient into the slot (the session's kind of appointment). Refused, naming
    the field, when the slot has started or is full, or when the patient, clinician or room
    is already booked at that time. A full slot may be double booked only by a role that
    may agree to it, with the reason (audited)."""
    _require(actor, Capability.APPOINTMENT_BOOK)
    reason = double_booking_reason.strip()
    if reason:
        _require(actor, Capability.DOUBLE_BOOKING_AGREE)
    now = now or timezone.now()
    if slot.starts_at <= now:
        raise ValidationError({"slot": "This slot has already started: choose a later one"})
    # On PostgreSQL a concurrent booking can take the place this one chose between the
    # check and the insert; the next try sees it and takes the next place. Places are only
    # ever taken while this runs, so after capacity + 1 tries the slot is truly full.
    tries = slot.capacity + 1
    for attempt in range(tries):
        try:
            with transaction.atomic():
                return _book(patient=patient, slot=slot, actor=actor, reason=reason,
                             rescheduled_from=rescheduled_from, now=now)
        except IntegrityError as error:
            refusal = _clash(error)
            place_taken = refusal.message_dict.get("slot") == [SLOT_FULL]
            if not place_taken or attempt == tries - 1:
                raise refusal from error
    raise AssertionError("unreachable")  # pragma: no cover


# An appointment's foreign keys, checked by the database rather than by a query each.
_KEYS = ("patient", "slot", "session", "clinician", "room", "created_by")


def _book(*, patient, slot: Slot, actor: Actor, reason: str,
          rescheduled_from: Appointment | None, now: dt.datetime) -> Appointment:
    slot = Slot.objects.select_related("session").get(pk=slot.pk)
    _patient_clash_check(patient=patient, slot=slot, ignore=rescheduled_from)
    place = _free_place(slot, double_booking=bool(reason))
    if place <= slot.capacity:
        reason = ""  # a free place needs no agreement to double book
    appointment = Appointment(
        patient=patient, appointment_type=slot.session.appointment_type, slot=slot,
        session=slot.session, clinician_id=slot.clinician_id, room_id=slot.session.room_id,
        starts_at=slot.starts_at, ends_at=slot.ends_at, place=place, capacity=slot.capacity,
        double_booking_reason=reason, rescheduled_from=rescheduled_from,
        created_by=actor.user, created_at=now)
    # The database checks the constraints (on PostgreSQL at commit of a concurrent booking)
    # and the foreign keys, all to rows read just now: no query per key to check them again.
    appointment.full_clean(exclude=["rescheduled_from", *_KEYS], validate_constraints=False)
    appointment.save()
    _status_add(appointment, AppointmentStatus.BOOKED, actor=actor, at=now,
                reason=f"Double booked: {reason}" if reason else "")
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="appointment",
                 object_id=appointment.pk, patient_id=patient.pk,
                 summary=f"Booked {appointment.get_appointment_type_display()} on "
                         f"{datetime_long(appointment.starts_at)}"
                         + (" (double booked)" if reason else ""),
                 details={"slot": slot.pk, "double_booking_reason": reason} if reason
                 else {"slot": slot.pk})
    # The confirmation and reminders, stored with the booking (ADR 0018).
    appointment_messages_plan(appointment=appointment, now=now)
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().get(pk=appointment.pk)


@transaction.atomic
def appointment_status_record(*, appointment: Appointment, status: AppointmentStatus | str,
                              actor: Actor, reason: str = "", outcome: str = "",
                              now: dt.datetime | None = None) -> Appointment:
    """Move the appointment's status by the table (collis.domain.scheduling.STATUS_MOVES):
    attendance not before it starts, cancellations with a reason, an outcome once seen."""
    status = AppointmentStatus(status)
    capability = (Capability.APPOINTMENT_BOOK if status in RELEASING
                  or status == AppointmentStatus.CONFIRMED else Capability.ATTENDANCE_RECORD)
    _require(actor, capability)
    now = now or timezone.now()
    appointment = _locked(appointment)
    try:
        status_move_check(appointment.status, status, now=now,
                          starts_at=appointment.starts_at, reason=reason)
    except StatusMoveRefused as refused:
        field = "reason" if status in RELEASING and not reason.strip() else "status"
        raise ValidationError({field: str(refused)}) from refused
    if status == AppointmentStatus.SEEN:
        if outcome not in {o.value for o in ClinicOutcome}:
            raise ValidationError({"outcome": "Choose the outcome of the appointment"})
    else:
        outcome = ""
    _status_add(appointment, status, actor=actor, reason=reason.strip(), outcome=outcome,
                at=now)
    appointment.status = status
    appointment.holds_slot = status not in RELEASING
    appointment.save(update_fields=["status", "holds_slot"])
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="appointment",
                 object_id=appointment.pk, patient_id=appointment.patient_id,
                 summary=f"Marked the appointment of {datetime_long(appointment.starts_at)} "
                         f"{status.label.lower()}",
                 details={"status": status.value, "outcome": outcome})
    if status in (AppointmentStatus.CANCELLED_BY_PATIENT,
                  AppointmentStatus.CANCELLED_BY_HOSPITAL):
        appointment_messages_cancel(appointment=appointment, now=now)
    return appointment


def appointment_cancel(*, appointment: Appointment, by_patient: bool, reason: str,
                       actor: Actor, now: dt.datetime | None = None) -> Appointment:
    """Cancel, by the patient or by the hospital, with the reason; the slot is freed."""
    now = now or timezone.now()
    if appointment.starts_at <= now:
        raise ValidationError({"reason": "The appointment has started: record whether the "
                                         "patient attended instead"})
    status = (AppointmentStatus.CANCELLED_BY_PATIENT if by_patient
              else AppointmentStatus.CANCELLED_BY_HOSPITAL)
    return appointment_status_record(appointment=appointment, status=status, reason=reason,
                                     actor=actor, now=now)


@transaction.atomic
def appointment_reschedule(*, appointment: Appointment, slot: Slot, reason: str, actor: Actor,
                           double_booking_reason: str = "",
                           now: dt.datetime | None = None) -> Appointment:
    """Move the appointment to another slot: the old one is marked rescheduled (kept, with
    the reason) and a new one is booked that points back to it."""
    now = now or timezone.now()
    if appointment.starts_at <= now:
        raise ValidationError({"reason": "The appointment has started and cannot be moved"})
    if slot.pk == appointment.slot_id:
        raise ValidationError({"slot": "Choose a different slot from the current one"})
    old = appointment_status_record(appointment=appointment,
                                    status=AppointmentStatus.RESCHEDULED, reason=reason,
                                    actor=actor, now=now)
    return appointment_book(patient=old.patient, slot=slot, actor=actor,
                            double_booking_reason=double_booking_reason,
                            rescheduled_from=old, now=now)

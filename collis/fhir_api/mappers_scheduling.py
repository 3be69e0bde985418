"""Clinics as FHIR R4 resources in the UK Core profiles' shape: a Schedule per clinic
session (its site, room, kind and clinicians, over the session's hours), a Slot per slot of
a session (free until its places are taken) and an Appointment per booking, with its status
from FHIR's AppointmentStatus. Mapping only (STYLE.md habit 9); every code from `codes`.

Why a Schedule per clinic session (ADR 0019 addendum): Collis stores a slot in exactly one
session, and a session is what has a room, a kind of appointment, clinicians and hours, so
each Slot names its Schedule without a rule of Collis's making. A Schedule per clinician or
per room would have no row behind it and no end to its horizon; `Schedule?actor=` finds a
clinician's sessions instead."""

from __future__ import annotations

from collis.domain.scheduling import APPOINTMENT_TYPE_LABELS, AppointmentStatus, AppointmentType
from collis.fhir_api import codes
from collis.fhir_api.mappers import _drop_empty, _instant, _meta, reference
from collis.fhir_api.mappers_records import _clinician, _coding


def _service_type(kind: str) -> list[dict]:
    return [{"coding": [_coding(codes.COLLIS_APPOINTMENT_TYPE_SYSTEM, kind,
                                APPOINTMENT_TYPE_LABELS[AppointmentType(kind)])]}]


def schedule_resource(session) -> dict:
    """UK Core Schedule: one clinic session (its site, as a Location, and its clinicians)."""
    room = session.room
    return _drop_empty({
        "resourceType": "Schedule",
        "id": str(session.pk),
        "meta": _meta("Schedule"),
        "active": True,
        "serviceType": _service_type(session.appointment_type),
        "actor": [reference("Location", room.site_id, room.site.name),
                  *(_clinician(user) for user in sorted(session.clinicians.all(),
                                                        key=lambda u: u.pk))],
        "planningHorizon": {"start": _instant(session.starts_at),
                            "end": _instant(session.ends_at)},
        "comment": f"{APPOINTMENT_TYPE_LABELS[AppointmentType(session.appointment_type)]}"
                   f" in {room.name}, {room.site.name}",
    })


def slot_resource(slot) -> dict:
    """UK Core Slot: busy once its places are taken (`taken`, counted by the selector: the
    appointments holding it), overbooked when a clinician agreed to more."""
    return _drop_empty({
        "resourceType": "Slot",
        "id": str(slot.pk),
        "meta": _meta("Slot"),
        "serviceType": _service_type(slot.session.appointment_type),
        "schedule": reference("Schedule", slot.session_id),
        "status": "busy" if slot.taken >= slot.capacity else "free",
        "start": _instant(slot.starts_at),
        "end": _instant(slot.ends_at),
        "overbooked": True if slot.taken > slot.capacity else None,
        "comment": f"{slot.capacity} place{'s' if slot.capacity != 1 else ''}",
    })


# Collis's appointment statuses (collis/domain/scheduling.py) -> AppointmentStatus. A
# confirmed appointment is still "booked" in FHIR's sense; seen is "fulfilled"; did not
# attend is "noshow"; a rescheduled appointment is "cancelled" (its place is given up, and
# the new appointment is another resource). A test holds every status to one code.
APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.CONFIRMED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.SEEN: "fulfilled",
    AppointmentStatus.DID_NOT_ATTEND: "noshow",
    AppointmentStatus.CANCELLED_BY_PATIENT: "cancelled",
    AppointmentStatus.CANCELLED_BY_HOSPITAL: "cancelled",
    AppointmentStatus.RESCHEDULED: "cancelled",
}


def _cancellation(appointment) -> dict:
    """Why it was cancelled, in words: who cancelled and the reason given."""
    status = AppointmentStatus(appointment.status)
    if APPOINTMENT_STATUS[status] != "cancelled":
        return {}
    change = next((row for row in reversed(list(appointment.history.all()))
                   if row.status == appointment.status), None)
    reason = change.reason if change is not None else ""
    return {"text": status.label + (f": {reason}" if reason else "")}


def appointment_resource(appointment) -> dict:
    """UK Core Appointment: the patient, clinician and site as participants, the slot it
    takes, and its status in FHIR's value set."""
    accepted = "accepted"
    patient_status = ("declined" if appointment.status == AppointmentStatus.CANCELLED_BY_PATIENT
                      else accepted)
    return _drop_empty({
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "meta": _meta("Appointment", last_updated=max(
            [appointment.created_at, *(row.at for row in appointment.history.all())])),
        "status": APPOINTMENT_STATUS[AppointmentStatus(appointment.status)],
        "cancelationReason": _cancellation(appointment),
        "serviceType": _service_type(appointment.appointment_type),
        "description": APPOINTMENT_TYPE_LABELS[AppointmentType(appointment.appointment_type)],
        "start": _instant(appointment.starts_at),
        "end": _instant(appointment.ends_at),
        "slot": [reference("Slot", appointment.slot_id)],
        "created": _instant(appointment.created_at),
        "participant": [
            {"actor": reference("Patient", appointment.patient_id), "required": "required",
             "status": patient_status},
            {"actor": _clinician(appointment.clinician), "required": "required",
             "status": accepted},
            {"actor": reference("Location", appointment.room.site_id), "required": "required",
             "status": accepted},
        ],
    })

"""The bulk export's fast path for its largest types: the same Patient, toxin-session
Procedure and Slot as `mappers.patient_resource`, `mappers_records.toxin_procedure_resource`
and `mappers_scheduling.slot_resource`, built directly (no pass to drop empty elements,
the parts every resource shares made once) from a row read as plain values
(`bulk.PlainRow`). Anything unusual (a missing version or
change time) falls back to the validated mapper itself. `tests/test_bulk_fast.py` holds
each to the validated mappers' output for the demo data; mapping
only, no database."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from collis.domain.scheduling import APPOINTMENT_TYPE_LABELS, AppointmentStatus, AppointmentType
from collis.fhir_api import codes, mappers, mappers_records, mappers_scheduling
from collis.fhir_api.mappers import _instant, nhs_number_identifier

_PATIENT_PROFILE = codes.PROFILES["Patient"]
_PROCEDURE_PROFILE = codes.PROFILES["Procedure"]
_SLOT_PROFILE = codes.PROFILES["Slot"]
_APPOINTMENT_PROFILE = codes.PROFILES["Appointment"]
_TOXIN = "botulinum-toxin-injection"


def _when(moment) -> str:
    """A FHIR instant: as PostgreSQL wrote it (text), or `mappers._instant` of a datetime."""
    return moment if moment.__class__ is str else _instant(moment)


def _day(day) -> str:
    return day if day.__class__ is str else day.isoformat()


def _restored(row):
    """The row with the columns read as text (`Plain.instants`, `Plain.dates`) parsed back,
    for the validated mapper (the fallback); what it writes of them is the same text. A row
    read as a tuple (`bulk.PlainTuple`) is first made the object the validated mapper
    reads."""
    if isinstance(row, tuple):
        row = row.mutable()
    for name, kind in getattr(row, "_texts", ()):
        value = getattr(row, name)
        if value.__class__ is str:
            setattr(row, name, dt.datetime.fromisoformat(value) if kind == "instant"
                    else dt.date.fromisoformat(value))
    return row


def patient_resource(patient) -> dict:
    """`mappers.patient_resource`, the same dict, faster."""
    if patient.version is None or patient.updated_at is None or not patient.date_of_birth:
        return mappers.patient_resource(_restored(patient))
    identifier = nhs_number_identifier(patient.nhs_number)
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": {"versionId": str(patient.version),
                 "lastUpdated": _when(patient.updated_at), "profile": [_PATIENT_PROFILE]},
        "identifier": [identifier],
        "name": [{"use": "official", "family": patient.family_name,
                  "given": [patient.given_name]}],
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "home"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email, "use": "home"})
    if telecom:
        resource["telecom"] = telecom
    if patient.sex:
        resource["gender"] = patient.sex
    resource["birthDate"] = _day(patient.date_of_birth)
    address = {"use": "home", "type": "physical"}
    lines = [line for line in (patient.address_line_1, patient.address_line_2) if line]
    if lines:
        address["line"] = lines
    if patient.town:
        address["city"] = patient.town
    if patient.postcode:
        address["postalCode"] = patient.postcode
    resource["address"] = [address]
    if patient.gp_practice:
        resource["generalPractitioner"] = [{"display": patient.gp_practice}]
    resource["managingOrganization"] = {
        "reference": f"Organization/{patient.organisation_id}"}
    return resource


@lru_cache(maxsize=64)
def _toxin_code(product_label: str) -> dict:
    label = codes.PROCEDURE_CODES[_TOXIN]
    return {"coding": [mappers_records._coding(codes.COLLIS_PROCEDURE_SYSTEM, _TOXIN, label)],
            "text": f"{label}: {product_label}"}


def _clinician(user) -> dict:
    """`mappers_records._clinician`, made once per member of staff as read for this run
    (`bulk._Users` reads each once) and kept on the instance: staff are few."""
    found = user.__dict__.get("_fhir_clinician")
    if found is None:
        found = user.__dict__["_fhir_clinician"] = mappers_records._clinician(user)
    return found


def toxin_procedure_resource(cycle) -> dict:
    """`mappers_records.toxin_procedure_resource`, the same dict, faster: the code and the
    clinicians' references are made once per product and member of staff."""
    last_updated = cycle.status_changed_at or cycle.created_at
    if last_updated is None or cycle.given_on is None:
        return mappers_records.toxin_procedure_resource(_restored(cycle))
    resource = {
        "resourceType": "Procedure",
        "id": f"toxin-{cycle.pk}",
        "meta": {"lastUpdated": _when(last_updated), "profile": [_PROCEDURE_PROFILE]},
        "status": mappers_records._status(cycle),
        "code": _toxin_code(cycle.product_label),
        "subject": {"reference": f"Patient/{cycle.patient_id}"},
        "performedDateTime": _day(cycle.given_on),
        "recorder": _clinician(cycle.created_by),
        "performer": [{"actor": _clinician(cycle.injector)}],
        "location": {"reference": f"Location/{cycle.site_id}"},
    }
    if cycle.notes:
        resource["note"] = [{"text": cycle.notes}]
    return resource


@lru_cache(maxsize=32)
def _service_type(kind: str) -> list[dict]:
    return mappers_scheduling._service_type(kind)


def slot_resource(slot) -> dict:
    """`mappers_scheduling.slot_resource`, the same dict, faster, from a plain row whose
    session's kind of appointment is `session__appointment_type`."""
    resource = {
        "resourceType": "Slot",
        "id": str(slot.pk),
        "meta": {"profile": [_SLOT_PROFILE]},
        "serviceType": _service_type(slot.session__appointment_type),
        "schedule": {"reference": f"Schedule/{slot.session_id}"},
        "status": "busy" if slot.taken >= slot.capacity else "free",
    }
    if slot.starts_at is not None:
        resource["start"] = _when(slot.starts_at)
    if slot.ends_at is not None:
        resource["end"] = _when(slot.ends_at)
    if slot.taken > slot.capacity:
        resource["overbooked"] = True
    resource["comment"] = f"{slot.capacity} place{'s' if slot.capacity != 1 else ''}"
    return resource


@lru_cache(maxsize=32)
def _appointment_kind(kind: str) -> tuple[list[dict], str]:
    return (mappers_scheduling._service_type(kind),
            APPOINTMENT_TYPE_LABELS[AppointmentType(kind)])


@lru_cache(maxsize=32)
def _appointment_status(status: str) -> tuple[AppointmentStatus, str]:
    found = AppointmentStatus(status)
    return found, mappers_scheduling.APPOINTMENT_STATUS[found]


def appointment_resource(appointment) -> dict:
    """`mappers_scheduling.appointment_resource`, the same dict, faster, from a plain row
    whose status history the query has read (`bulk._plain_appointment`: the last change's
    time as `last_changed_at`, the present status's reason as `status_reason`)."""
    status, fhir_status = _appointment_status(appointment.status)
    service_type, description = _appointment_kind(appointment.appointment_type)
    accepted = "accepted"
    resource = {
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "meta": {"lastUpdated": _when(appointment.last_changed_at),
                 "profile": [_APPOINTMENT_PROFILE]},
        "status": fhir_status,
    }
    if fhir_status == "cancelled":
        reason = appointment.status_reason
        resource["cancelationReason"] = {
            "text": status.label + (f": {reason}" if reason else "")}
    resource |= {
        "serviceType": service_type,
        "description": description,
        "start": _when(appointment.starts_at),
        "end": _when(appointment.ends_at),
        "slot": [{"reference": f"Slot/{appointment.slot_id}"}],
        "created": _when(appointment.created_at),
        "participant": [
            {"actor": {"reference": f"Patient/{appointment.patient_id}"},
             "required": "required",
             "status": ("declined" if status == AppointmentStatus.CANCELLED_BY_PATIENT
                        else accepted)},
            {"actor": _clinician(appointment.clinician), "required": "required",
             "status": accepted},
            {"actor": {"reference": f"Location/{appointment.room__site_id}"},
             "required": "required", "status": accepted},
        ],
    }
    return resource

"""The FHIR API's reads of clinics: Schedules (one per clinic session), their Slots and the
patients' Appointments, scoped to the actor's unit. Schedules and Slots show no patient and
are not audited (like the free-slot search); an Appointment read is an entry in the
patient's access history and a search page one entry naming the patients on it."""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.fhir_api import codes
from collis.fhir_api.search import DateRange, SearchRequest, Token
from collis.fhir_api.selectors import Rows, _date_filter, _keyset, _one, _unit_id
from collis.fhir_api.selectors_records import _audit_page, _patient_ids
from collis.patients.models import Patient


def _int_ids(tokens: list[Token]) -> list[int]:
    return [int(t.code) for t in tokens if t.code.isdigit()]


def _service_types(tokens: list[Token]) -> list[str]:
    return [t.code for t in tokens
            if t.system in (None, "", codes.COLLIS_APPOINTMENT_TYPE_SYSTEM)]


def _overlapping(value: DateRange) -> Q:
    """A planning horizon (starts_at, ends_at) against a date search value: `eq` is any
    overlap with the value's interval; the other prefixes compare the start."""
    if value.prefix == "eq":
        return Q(starts_at__lt=value.hi, ends_at__gt=value.lo)
    return _date_filter("starts_at", value)


# --- Schedule ---------------------------------------------------------------------------

def _sessions(actor: Actor) -> QuerySet:
    from collis.scheduling.models import ClinicSession

    return (ClinicSession.objects.filter(room__site__organisation_id=_unit_id(actor))
            .select_related("room__site")
            .prefetch_related("clinicians"))


def fhir_schedule_read(*, schedule_id: str, actor: Actor):
    return _one(_sessions(actor), "Schedule", schedule_id)


def fhir_schedule_search(*, search: SearchRequest, actor: Actor) -> Rows:
    sessions = _sessions(actor)
    for tokens in search.values("_id"):
        sessions = sessions.filter(pk__in=_int_ids(tokens))
    for ids in search.values("actor"):
        sessions = sessions.filter(clinicians__in=[int(i) for i in ids if i.isdigit()])
    for tokens in search.values("service-type"):
        sessions = sessions.filter(appointment_type__in=_service_types(tokens))
    for value in search.values("date"):
        sessions = sessions.filter(_overlapping(value))
    return _keyset(sessions.distinct(), search, int)


# --- Slot -------------------------------------------------------------------------------

def _slots(actor: Actor) -> QuerySet:
    from collis.scheduling.models import Appointment, Slot

    taken = (Appointment.objects.filter(slot=OuterRef("pk"), holds_slot=True).order_by()
             .values("slot").annotate(n=Count("pk")).values("n"))
    return (Slot.objects.filter(session__room__site__organisation_id=_unit_id(actor))
            .select_related("session")
            .annotate(taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0)))


def fhir_slot_read(*, slot_id: str, actor: Actor):
    return _one(_slots(actor), "Slot", slot_id)


def fhir_slot_search(*, search: SearchRequest, actor: Actor) -> Rows:
    slots = _slots(actor)
    for tokens in search.values("_id"):
        slots = slots.filter(pk__in=_int_ids(tokens))
    for ids in search.values("schedule"):
        slots = slots.filter(session_id__in=[int(i) for i in ids if i.isdigit()])
    for tokens in search.values("service-type"):
        slots = slots.filter(session__appointment_type__in=_service_types(tokens))
    for tokens in search.values("status"):
        wanted = {t.code for t in tokens}
        found = Q(pk__in=[])
        if "free" in wanted:
            found |= Q(taken__lt=F("capacity"))
        if "busy" in wanted:
            found |= Q(taken__gte=F("capacity"))
        slots = slots.filter(found)
    for value in search.values("start"):
        slots = slots.filter(_date_filter("starts_at", value))
    return _keyset(slots, search, int)


# --- Appointment ------------------------------------------------------------------------

def _appointments(actor: Actor) -> QuerySet:
    from collis.scheduling.models import Appointment, AppointmentStatusChange

    return (Appointment.objects.filter(patient__in=Patient.objects.visible_to(actor.user))
            .select_related("patient", "clinician", "room")
            .prefetch_related(Prefetch(
                "history", queryset=AppointmentStatusChange.objects.order_by("at", "id"))))


def fhir_appointment_read(*, appointment_id: str, actor: Actor):
    found = _one(_appointments(actor), "Appointment", appointment_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="appointment",
                 object_id=found.pk, patient_id=found.patient_id,
                 summary="Viewed an appointment (FHIR)")
    return found


def fhir_appointment_search(*, search: SearchRequest, actor: Actor) -> Rows:
    from collis.fhir_api.mappers_scheduling import APPOINTMENT_STATUS

    appointments = _appointments(actor)
    for tokens in search.values("_id"):
        appointments = appointments.filter(pk__in=_int_ids(tokens))
    for ids in _patient_ids(search):
        appointments = appointments.filter(patient_id__in=ids)
    for tokens in search.values("status"):
        wanted = {t.code for t in tokens}
        appointments = appointments.filter(status__in=[
            status.value for status, code in APPOINTMENT_STATUS.items() if code in wanted])
    for tokens in search.values("service-type"):
        appointments = appointments.filter(appointment_type__in=_service_types(tokens))
    for value in search.values("date"):
        appointments = appointments.filter(_date_filter("starts_at", value))
    page = _keyset(appointments, search, int)
    _audit_page(actor, search, page.rows, object_type="appointment",
                summary="Appointments appeared in FHIR search results")
    return page


def fhir_patient_appointments(*, patient: Patient, actor: Actor) -> list:
    """The patient's appointments, oldest first (for `$everything`; the caller audits)."""
    return list(_appointments(actor).filter(patient=patient).order_by("pk"))


"""FHIR Bulk Data export (https://hl7.org/fhir/uv/bulkdata/export.html): the kick-off's
parameters, the export as a row the task worker runs, the NDJSON files it writes to the
default storage, the manifest, cancelling and expiry.

The worker reads each resource type through the same scoped querysets as the API's
selectors (a token sees what its holder may see), by keyset on the primary key in pages of
`PAGE_SIZE` (never OFFSET: memory and the cost of a page stay flat whatever the
population), and writes one audit entry per page naming the patients on it, so each
patient's access history says their record was included in a bulk export."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing
import os
import re
import signal
import tempfile
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet
from django.utils import timezone

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction, AuditChannel, RecordStatus, User
from collis.core.roles import Capability, can
from collis.fhir_api import (
    mappers,
    mappers_audit,
    mappers_documents,
    mappers_fast,
    mappers_questionnaires,
    mappers_records,
    mappers_scheduling,
    registry,
    smart,
)
from collis.fhir_api import selectors as core_selectors
from collis.fhir_api import selectors_documents as documents
from collis.fhir_api import selectors_questionnaires as questionnaires
from collis.fhir_api import selectors_records as records
from collis.fhir_api import selectors_scheduling as scheduling
from collis.fhir_api.models import BulkExport, ExportLevel, ExportState
from collis.fhir_api.outcomes import FhirError, invalid, operation_outcome
from collis.patients.models import Patient

logger = logging.getLogger(__name__)

NDJSON = "application/fhir+ndjson"
# `_outputFormat` values that mean NDJSON (the Bulk Data IG's abbreviations).
NDJSON_FORMATS = (NDJSON, "application/ndjson", "ndjson")
# Rows read per query. Big enough that a query's cost is spread over many resources, small
# enough that a page of mapped resources is a few megabytes at most.
PAGE_SIZE = 500
# Rows per query for a source read as plain values (`Plain`): no model instances or
# prefetches, so a page of them is cheap to hold; a larger page spreads each query, the
# page's audit entry and its progress update over more resources.
PLAIN_PAGE_SIZE = 5000
# A type's file is split into parts of about this size (local policy; S3 and clients both
# prefer files of tens of megabytes to one of gigabytes).
FILE_BYTES = 50 * 1024 * 1024
# Rows in a unit of work when several processes write an export (`_run_parallel`): each
# unit is its own file(s), so units are large enough to keep the files few, and small
# enough to share the work out evenly and record progress every few seconds.
UNIT_ROWS = 25_000
STORAGE_PREFIX = "fhir-bulk"
KICKOFF_PARAMS = ("_type", "_since", "_outputFormat")


def _expiry_hours() -> int:
    return settings.COLLIS_FHIR_BULK_EXPIRY_HOURS


def _file_bytes() -> int:
    return getattr(settings, "COLLIS_FHIR_BULK_FILE_BYTES", FILE_BYTES)


# --- What each type reads ---------------------------------------------------------------

def _changed(field_names: tuple[str, ...]):
    """_since over columns that hold a change time: changed after `since` in any."""
    def changed(since: dt.datetime) -> Q:
        found = Q(pk__in=[])
        for name in field_names:
            found |= Q(**{f"{name}__gt": since})
        return found
    return changed


def _episode_changed(since: dt.datetime) -> Q:
    from collis.surgery.models import EpisodeStatus

    return Q(opened_at__gt=since) | Q(Exists(EpisodeStatus.objects.filter(
        episode=OuterRef("pk"), at__gt=since)))


def _appointment_changed(since: dt.datetime) -> Q:
    from collis.scheduling.models import AppointmentStatusChange

    return Q(created_at__gt=since) | Q(Exists(AppointmentStatusChange.objects.filter(
        appointment=OuterRef("pk"), at__gt=since)))


class PlainRow:
    """A row read as plain values, standing in for its model instance: the attributes the
    mapper asks for (the columns read, `pk`, and the model's `_meta` and any properties
    named), so the validated mapper itself makes the resource, with no model instance."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


class PlainTuple:
    """A `PlainRow` as a tuple of the row's values (`Plain.tuple_class`): read-only, the
    members of staff named by id looked up in the run's `_Users`. `mutable()` gives the
    `PlainRow` (for the validated mapper, which a fast mapper falls back to)."""

    __slots__ = ()

    def mutable(self) -> PlainRow:
        values = self._asdict()
        values |= {name: getattr(self, name) for name in self._user_names}
        return self._row_class(values)


def _user_property(name: str) -> property:
    column = f"{name}_id"
    return property(lambda row: row._users.get(getattr(row, column)))


@dataclass(frozen=True)
class Plain:
    """How to read a source's rows as plain values (`values_list`) for the export's fast
    path: the columns, the model whose `_meta` and properties the mapper uses, the foreign
    keys to members of staff the mapper follows (attached as cached `User` instances: there
    are few), and the columns that say whose record the row is (patient id, NHS number).
    `tests/test_bulk_fast.py` holds each to giving the same resources as the instances."""

    model: type
    fields: tuple[str, ...]
    patient: tuple[str, str] | None = None  # None: about no patient
    properties: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    # A faster mapper giving the same resources (`mappers_fast`); None: the source's own.
    mapper: Callable[[object], dict] | None = None
    # Columns the fast mapper takes already written as text (a FHIR instant, a date), which
    # PostgreSQL writes (`plain_pages`): no parsing into datetimes and back per row.
    instants: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    # Values computed by the query for the fast mapper (name: expression), in `fields` too.
    annotations: Callable[[], dict] | None = None
    row_class: type = field(init=False, compare=False)
    tuple_class: type = field(init=False, compare=False)

    def __post_init__(self):
        attributes = {"_meta": self.model._meta, "_texts": (
            *((name, "instant") for name in self.instants),
            *((name, "date") for name in self.dates))}
        attributes |= {name: getattr(self.model, name) for name in self.properties}
        row_class = type(f"Plain{self.model.__name__}", (PlainRow,), attributes)
        object.__setattr__(self, "row_class", row_class)
        # The same attributes over a tuple of the columns, as the pages are read: about a
        # tenth of the cost of filling an object's dictionary per row.
        base = namedtuple(f"Plain{self.model.__name__}Values", self.columns())  # noqa: PYI024
        attributes |= {"__slots__": (), "_row_class": row_class, "_users": {},
                       "_user_names": self.users}
        attributes |= {name: _user_property(name) for name in self.users}
        object.__setattr__(self, "tuple_class", type(
            f"Plain{self.model.__name__}Tuple", (PlainTuple, base), attributes))

    def columns(self) -> tuple[str, ...]:
        wanted = ("pk", *self.fields, *(f"{u}_id" for u in self.users), *(self.patient or ()))
        return tuple(dict.fromkeys(wanted))


def _plain_patient() -> Plain:
    return Plain(Patient, fields=(
        "phone", "email", "address_line_1", "address_line_2", "town", "postcode", "version",
        "updated_at", "nhs_number", "family_name", "given_name", "sex", "date_of_birth",
        "gp_practice", "organisation_id"), patient=("pk", "nhs_number"),
        mapper=mappers_fast.patient_resource, instants=("updated_at",),
        dates=("date_of_birth",))


def _plain_toxin_cycle() -> Plain:
    from collis.treatments.models import ToxinCycle

    return Plain(ToxinCycle, fields=(
        "record_status", "status_changed_at", "created_at", "product", "patient_id",
        "given_on", "site_id", "notes"), patient=("patient_id", "patient__nhs_number"),
        properties=("product_label",), users=("created_by", "injector"),
        mapper=mappers_fast.toxin_procedure_resource,
        instants=("status_changed_at", "created_at"), dates=("given_on",))


def _plain_appointment() -> Plain:
    """An appointment with what the mapper reads of its status history computed by the
    query: the time of its last change, and the reason given with the latest change to its
    present status (a cancellation's)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce, Greatest

    from collis.scheduling.models import Appointment, AppointmentStatusChange

    changes = AppointmentStatusChange.objects.filter(appointment=OuterRef("pk"))
    return Plain(Appointment, fields=(
        "status", "appointment_type", "starts_at", "ends_at", "slot_id", "created_at",
        "patient_id", "room__site_id", "last_changed_at", "status_reason"),
        patient=("patient_id", "patient__nhs_number"), users=("clinician",),
        annotations=lambda: {
            "last_changed_at": Greatest("created_at", Coalesce(
                Subquery(changes.order_by("-at").values("at")[:1]), "created_at")),
            "status_reason": Subquery(changes.filter(status=OuterRef("status"))
                                      .order_by("-at", "-id").values("reason")[:1])},
        mapper=mappers_fast.appointment_resource,
        instants=("starts_at", "ends_at", "created_at", "last_changed_at"))


def _plain_slot() -> Plain:
    from collis.scheduling.models import Slot

    return Plain(Slot, fields=("session_id", "session__appointment_type", "taken", "capacity",
                               "starts_at", "ends_at"), mapper=mappers_fast.slot_resource,
                 instants=("starts_at", "ends_at"))


@dataclass(frozen=True)
class Source:
    """One table behind a resource type in an export: its scoped rows (with what the mapper
    needs, so a page costs a fixed number of queries), the mapper, what `_since` means for
    it, and whose record each row is (None: reference data about no patient)."""

    type: str
    rows: Callable[[Actor], QuerySet]
    mapper: Callable[[object], dict]
    since: Callable[[dt.datetime], Q] | None  # None: no change time is kept; all included
    since_text: str
    patient: Callable[[object], Patient] | None = None
    # "patients": each page is an entry in its patients' access histories; "log": entries of
    # the audit log, whose reading is itself recorded as a read of the log (as the
    # AuditEvent read is), naming no patient.
    audit: str = "patients"
    # The fast path: read as plain values and mapped by the same mapper (None: instances).
    plain: Callable[[], Plain] | None = None


def _consent_changed(since: dt.datetime) -> Q:
    """A consent recorded, a day-of-surgery confirmation of it recorded or marked in error,
    or a later consent of its episode recorded (which makes it inactive), after `since`."""
    from collis.consent.models import Consent, ConsentConfirmation

    return (Q(created_at__gt=since)
            | Q(Exists(ConsentConfirmation.objects.filter(consent=OuterRef("pk")).filter(
                Q(created_at__gt=since) | Q(status_changed_at__gt=since))))
            | Q(Exists(Consent.objects.filter(episode=OuterRef("episode"),
                                              created_at__gt=since))))


def _consent_form_changed(since: dt.datetime) -> Q:
    from collis.consent.models import Consent

    return Q(created_at__gt=since) | Q(Exists(Consent.objects.filter(
        episode=OuterRef("episode"), created_at__gt=since)))


def _letter_changed(since: dt.datetime) -> Q:
    from collis.letters.models import LetterVersion

    return Q(sent_at__gt=since) | Q(Exists(LetterVersion.objects.filter(
        letter=OuterRef("pk"), status_changed_at__gt=since)))


def _mdt_changed(since: dt.datetime) -> Q:
    from collis.mdt.models import MdtDecision

    return Q(created_at__gt=since) | Q(Exists(MdtDecision.objects.filter(
        corrects=OuterRef("pk"), created_at__gt=since)))


def _document(kind: str) -> Callable[[object], dict]:
    def mapper(row) -> dict:
        return mappers_documents.document_reference_resource(
            mappers_documents.Document(kind, row))
    return mapper


def _audit_log(actor: Actor) -> QuerySet:
    """The whole log, as the AuditEvent read gives it to those who may read it; bounded by
    the export's transactionTime in `_export_type`, so the run's own entries are left out."""
    from collis.core.models import AuditEvent

    return AuditEvent.objects.all()


_DOCUMENT_TEXT = ("a letter sent, or marked entered-in-error; a consent form recorded or "
                  "replaced; an MDT outcome recorded or its decision corrected; a decision "
                  "aid's counselling recorded; after _since")


_CORRECTED = _changed(("created_at", "status_changed_at"))
_CORRECTED_TEXT = ("recorded, or marked entered-in-error, after _since (an amendment is a "
                   "new entry, so it counts as recorded then)")
_NO_CHANGE_TIME = "Collis keeps no change time for these: all are included whatever _since"

SOURCES: tuple[Source, ...] = (
    Source("Patient", lambda a: Patient.objects.visible_to(a.user),
           mappers.patient_resource, _changed(("updated_at",)),
           "demographics changed after _since (Patient.meta.lastUpdated)", lambda p: p,
           plain=_plain_patient),
    Source("Condition", core_selectors._current_diagnoses, mappers.condition_resource,
           _changed(("created_at",)),
           "a new version of the diagnosis recorded after _since", lambda v: v.patient),
    Source("Observation", core_selectors._scale_assessments, mappers.observation_resource,
           _CORRECTED, _CORRECTED_TEXT, lambda o: o.patient),
    Source("Procedure", lambda a: records._toxin_cycles(a).exclude(
        record_status=RecordStatus.AMENDED), mappers_records.toxin_procedure_resource,
        _CORRECTED, _CORRECTED_TEXT, lambda c: c.patient, plain=_plain_toxin_cycle),
    Source("Procedure", lambda a: records._operations(a).exclude(
        record_status=RecordStatus.AMENDED), mappers_records.procedure_resource,
        _CORRECTED, _CORRECTED_TEXT, lambda o: o.patient),
    Source("MedicationAdministration", lambda a: records._injections(a).exclude(
        cycle__record_status=RecordStatus.AMENDED),
        mappers_records.medication_administration_resource,
        _changed(("cycle__created_at", "cycle__status_changed_at")),
        "the toxin session was recorded, or marked entered-in-error, after _since",
        lambda i: i.cycle.patient),
    Source("EpisodeOfCare", records._episodes, mappers_records.episode_of_care_resource,
           _episode_changed, "the episode was opened, or moved along the pathway, after "
           "_since", lambda e: e.patient),
    Source("ServiceRequest", records._episodes, mappers_records.service_request_resource,
           _episode_changed, "its episode was opened, or moved along the pathway (which "
           "sets the referral's status), after _since", lambda e: e.patient),
    Source("Appointment", scheduling._appointments, mappers_scheduling.appointment_resource,
           _appointment_changed, "booked, or its status changed, after _since",
           lambda a: a.patient, plain=_plain_appointment),
    Source("Consent", documents._consents, mappers_documents.consent_resource,
           _consent_changed, "recorded, a day-of-surgery confirmation of it recorded or "
           "marked entered-in-error, or a later consent of its episode recorded (which "
           "makes it inactive), after _since", lambda c: c.patient),
    Source("DocumentReference", documents._letters, _document(mappers_documents.LETTER),
           _letter_changed, _DOCUMENT_TEXT, lambda r: r.patient),
    Source("DocumentReference", documents._consents,
           _document(mappers_documents.CONSENT_FORM), _consent_form_changed, _DOCUMENT_TEXT,
           lambda r: r.patient),
    Source("DocumentReference", documents._mdt_decisions,
           _document(mappers_documents.MDT_OUTCOME), _mdt_changed, _DOCUMENT_TEXT,
           lambda r: r.patient),
    Source("DocumentReference", documents._counselled_episodes,
           _document(mappers_documents.AID_CLINICIAN), _changed(("counselled_at",)),
           _DOCUMENT_TEXT, lambda r: r.patient),
    Source("DocumentReference", documents._counselled_episodes,
           _document(mappers_documents.AID_PATIENT), _changed(("counselled_at",)),
           _DOCUMENT_TEXT, lambda r: r.patient),
    Source("QuestionnaireResponse", questionnaires._responses,
           mappers_questionnaires.questionnaire_response_resource,
           _changed(("submitted_at",)), "sent by the patient after _since (a sent "
           "questionnaire never changes)", lambda r: r.patient),
    Source("Organization", core_selectors._organisations, mappers.organisation_resource,
           None, _NO_CHANGE_TIME),
    Source("Location", core_selectors._sites, mappers.location_resource, None,
           _NO_CHANGE_TIME),
    Source("Practitioner", core_selectors._practitioners, mappers.practitioner_resource,
           None, _NO_CHANGE_TIME),
    Source("PractitionerRole", core_selectors._practitioners,
           mappers.practitioner_role_resource, None, _NO_CHANGE_TIME),
    Source("Schedule", scheduling._sessions, mappers_scheduling.schedule_resource, None,
           _NO_CHANGE_TIME),
    Source("Slot", scheduling._slots, mappers_scheduling.slot_resource, None,
           _NO_CHANGE_TIME, plain=_plain_slot),
    Source("AuditEvent", _audit_log, mappers_audit.audit_event_resource,
           _changed(("at",)), "recorded after _since (and before the export began, its "
           "transactionTime); only for those who may read the audit log (audit_view), never "
           "for a system client; $export only, not Patient/$export", audit="log"),
)

# The types each level of export serves, in the order they are written.
SYSTEM_TYPES = tuple(dict.fromkeys(s.type for s in SOURCES))
# The Patient compartment: the patients and the resources about them (the audit log is
# not: ADR 0019, bulk addendum of 2026-12-03, second part).
PATIENT_TYPES = tuple(dict.fromkeys(s.type for s in SOURCES if s.patient is not None))
# Types that are the audit log: exported only to those who read it on the pages.
LOG_TYPES = tuple(dict.fromkeys(s.type for s in SOURCES if s.audit == "log"))
LEVEL_TYPES = {ExportLevel.SYSTEM: SYSTEM_TYPES, ExportLevel.PATIENT: PATIENT_TYPES,
               ExportLevel.GROUP: PATIENT_TYPES}
# A group export (`Group/{id}/$export`): the field of each type's rows that names the
# patient, to keep the group's (`groups.group_member_ids`); "patient" unless said here.
GROUP_PATIENT_FIELD = {"Patient": "pk", "MedicationAdministration": "cycle__patient"}


def since_meanings() -> dict[str, str]:
    """What `_since` means for each type (for the CapabilityStatement and the README)."""
    return {s.type: s.since_text for s in SOURCES}


# --- Kick-off ---------------------------------------------------------------------------

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _parse_since(text: str) -> dt.datetime:
    if not _INSTANT.fullmatch(text):
        raise invalid(f"_since: '{text}' is not a FHIR instant (such as "
                      "2026-01-31T09:00:00Z, with seconds and a time zone).", "_since")
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"_since: '{text}' is not a real date and time.", "_since") from None


@dataclass(frozen=True)
class KickOff:
    types: list[str]
    since: dt.datetime | None


def may_export_records(user: User) -> bool:
    """May the holder export patients' records (every type but the audit log)."""
    return can(user, Capability.RECORD_VIEW) and can(user, Capability.PATIENT_SEARCH)


def may_kick_off(user: User) -> bool:
    """May the holder ask for an export at all: of records, or of the audit log."""
    return may_export_records(user) or can(user, Capability.AUDIT_VIEW)


def _may_export(name: str, user: User, grant: smart.Grant | None) -> bool:
    """May the token export this type: its holder's role, or a SMART token's scopes (read
    and search, as an export lists every resource). The audit log only ever to a member of
    staff whose role reads it (audit_view), never to a system client, whatever its scopes
    (as the AuditEvent read); the records only to one who may read and find them."""
    if name in LOG_TYPES:
        return grant is None and smart.client_of(user) is None and can(
            user, Capability.AUDIT_VIEW)
    if grant is not None:
        return grant.allows(name, smart.READ) and grant.allows(name, smart.SEARCH)
    if not may_export_records(user):
        return False
    capability = registry.BY_NAME[name].search_capability
    return not capability or can(user, capability)


def kickoff_parse(query, *, level: str, user: User,
                  grant: smart.Grant | None = None) -> KickOff:
    """The export asked for by the kick-off's query string, or a 400 (403 for a type the
    holder, or a SMART token's scopes, may not read) naming the parameter."""
    for key in query:
        if key not in KICKOFF_PARAMS:
            raise invalid(f"{key}: not supported by Collis's $export; it takes "
                          f"{', '.join(KICKOFF_PARAMS)}.", key)
    for fmt in query.getlist("_outputFormat"):
        if fmt not in NDJSON_FORMATS:
            raise invalid(f"_outputFormat: '{fmt}' is not supported; Collis writes "
                          f"{NDJSON} only.", "_outputFormat")
    since = None
    if values := query.getlist("_since"):
        since = _parse_since(values[-1])
        if since > timezone.now():
            raise invalid("_since: is in the future.", "_since")
    offered = LEVEL_TYPES[level]
    asked = [name.strip() for value in query.getlist("_type") for name in value.split(",")]
    if any(not name for name in asked):
        raise invalid("_type: give resource type names separated by commas.", "_type")
    for name in asked:
        if name not in offered:
            raise invalid(f"_type: {name[:64]} is not exported at this level; the types "
                          f"are {', '.join(offered)}.", "_type")
        if not _may_export(name, user, grant):
            raise FhirError(403, "forbidden", (
                f"_type: your role may not read {name} resources." if grant is None else
                f"_type: this access token's scopes ({' '.join(grant.scopes)}) do not "
                f"allow reading {name} resources."), "_type")
    if asked:
        types = list(dict.fromkeys(asked))
    else:  # every type the holder may read
        types = [name for name in offered if _may_export(name, user, grant)]
        if not types:
            raise FhirError(403, "forbidden", "Your role may not export any resource type "
                            "(record_view and patient_search for the records, audit_view "
                            "for the audit log).")
    return KickOff(types=types, since=since)


def bulk_export_request(*, actor: Actor, level: str, kickoff: KickOff,
                        request_url: str, group=None) -> BulkExport:
    """Record the export, audit the kick-off, and hand it to the task worker once the
    transaction commits. `group`: a group export's PatientGroup."""
    with transaction.atomic():
        export = BulkExport(**_requester(actor), level=level, request_url=request_url,
                            types=kickoff.types, since=kickoff.since, group=group)
        export.full_clean()
        export.save()
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="fhir_bulk_export",
                     object_id=export.pk,
                     summary=f"Asked for a FHIR bulk export ({export.get_level_display()}) "
                             f"of {', '.join(export.types)}",
                     details={"types": export.types, "request": request_url,
                              **({"group": group.pk} if group else {}),
                              "since": kickoff.since.isoformat() if kickoff.since else None})
        transaction.on_commit(lambda: bulk_export_enqueue(export.pk))
    return export


def _requester(actor: Actor) -> dict:
    """Who asks, as the export's fields: a member of staff, or a SMART system client."""
    client = smart.client_of(actor.user)
    return {"requested_by_client": client} if client else {"requested_by": actor.user}


def bulk_export_enqueue(export_id: int) -> None:
    from collis.fhir_api.tasks import fhir_bulk_export_task

    try:
        fhir_bulk_export_task.enqueue(export_id)
    except Exception as error:
        logger.exception("Could not queue FHIR bulk export %s", export_id)
        BulkExport.objects.filter(pk=export_id, state=ExportState.QUEUED).update(
            state=ExportState.FAILED, error=f"The task worker could not be reached: {error}",
            finished_at=timezone.now())


# --- The run ----------------------------------------------------------------------------

def keyset_pages(queryset: QuerySet, size: int | None = None) -> Iterator[list]:
    """The rows in primary-key order, a page at a time: `pk > last ORDER BY pk LIMIT size`."""
    size = size or PAGE_SIZE
    after = None
    while True:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        rows = list(page.order_by("pk")[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = rows[-1].pk


# PostgreSQL writes the instants as `mappers._instant` does (UTC, milliseconds truncated, Z)
# and the dates as `date.isoformat`; `test_bulk_fast` holds the two to the same text.
_TEXT_SQL = {
    "instant": "to_char(%(expressions)s AT TIME ZONE 'UTC', "
               "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    "date": "to_char(%(expressions)s, 'YYYY-MM-DD')",
}


class _Users(dict):
    """The members of staff the export's rows name, read once each (there are few)."""

    def load(self, rows: list[PlainTuple], names: tuple[str, ...]) -> None:
        """Read the members of staff the rows name that are not read yet (one query)."""
        if not names:
            return
        wanted = {getattr(row, f"{name}_id") for row in rows for name in names} - set(self)
        wanted.discard(None)
        if wanted:
            self.update(User.objects.in_bulk(wanted))


def plain_pages(queryset: QuerySet, plain: Plain, users: _Users,
                size: int | None = None) -> Iterator[list[PlainTuple]]:
    """The rows as `PlainTuple`s in primary-key order, by keyset like `keyset_pages`."""
    size = size or PLAIN_PAGE_SIZE
    columns = plain.columns()
    if plain.annotations is not None:
        queryset = queryset.annotate(**plain.annotations())
    if queryset.db and connections[queryset.db].vendor == "postgresql":
        texts = {}
        for name, kind in plain.row_class._texts:
            texts[f"text_{name}"] = Func(F(name), template=_TEXT_SQL[kind],
                                         output_field=CharField())
        queryset = queryset.annotate(**texts)
        columns = tuple(f"text_{c}" if f"text_{c}" in texts else c for c in columns)
    # This read's rows look their staff up in `users`.
    make = type(plain.tuple_class.__name__, (plain.tuple_class,),
                {"__slots__": (), "_users": users})._make
    after = None
    while True:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        rows = [make(value) for value in page.order_by("pk").values_list(*columns)[:size]]
        users.load(rows, plain.users)
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = rows[-1].pk


class _Cancelled(Exception):
    pass


class NdjsonWriter:
    """One type's resources as NDJSON, in a temporary file on disk (not memory) that is
    moved to the default storage as a part whenever it reaches the size limit."""

    def __init__(self, export: BulkExport, resource_type: str, unit: int | None = None):
        self.export, self.type = export, resource_type
        # Written by one of several processes: the unit's number keeps its names apart.
        self.stem = resource_type if unit is None else f"{resource_type}-{unit}"
        self.parts: list[dict] = []
        self._file = None
        self._count = self._bytes = 0

    def write(self, resources: list[dict]) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in `_flush`
        limit = _file_bytes()
        lines = []
        for resource in resources:
            line = orjson.dumps(resource, option=orjson.OPT_APPEND_NEWLINE)
            lines.append(line)
            self._count += 1
            self._bytes += len(line)
            if self._bytes >= limit:
                self._file.write(b"".join(lines))
                lines = []
                self._flush()
                self._file = tempfile.TemporaryFile()  # noqa: SIM115
        if lines:
            self._file.write(b"".join(lines))  # one write a page

    def _flush(self) -> None:
        if self._file is None:
            return
        if self._count:
            self._file.seek(0)
            wanted = (f"{STORAGE_PREFIX}/{self.export.pk}/"
                      f"{self.stem}-{len(self.parts) + 1}.ndjson")
            name = default_storage.save(wanted, File(self._file))
            self.parts.append({"type": self.type, "name": name, "count": self._count,
                               "bytes": self._bytes})
        self._file.close()
        self._file, self._count, self._bytes = None, 0, 0

    def close(self) -> list[dict]:
        self._flush()
        return self.parts


def _files_delete(files: list[dict]) -> None:
    for entry in files:
        try:
            default_storage.delete(entry["name"])
        except Exception:
            logger.exception("Could not delete the bulk export file %s", entry["name"])


def _progress(export: BulkExport, **changes) -> None:
    """Save progress; a row no longer running (cancelled, or cleaned up) stops the run."""
    if not BulkExport.objects.filter(pk=export.pk, state=ExportState.RUNNING).update(
            **changes):
        raise _Cancelled


def _mapped(source: Source, mapper: Callable[[object], dict], page: list,
            errors: list[dict]) -> list[dict]:
    """The page's resources; a row that fails to map is left out and becomes an
    OperationOutcome in the export's error file instead of failing the whole export."""
    resources = []
    for row in page:
        try:
            resources.append(mapper(row))
        except Exception as error:
            logger.exception("FHIR bulk export: %s from %s %s could not be mapped",
                             source.type, type(row).__name__, row.pk)
            errors.append(operation_outcome(
                code="exception", expression=source.type,
                diagnostics=f"{source.type}: the {type(row)._meta.verbose_name} with key "
                            f"{row.pk} could not be written as a {source.type} "
                            f"({type(error).__name__}); the rest of the export is complete."))
    return resources


def _audit_page(export: BulkExport, actor: Actor, source: Source, page: list,
                written: int) -> None:
    """One entry per page: in the access history of each patient on it, or (the audit log)
    one read of the log, as the AuditEvent read is recorded."""
    details = {"export": export.pk, "type": source.type, "resources": written}
    if source.audit == "log":
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="audit_log",
                     summary="Entries of the audit log included in a FHIR bulk export",
                     details=details | {"first": page[0].pk, "last": page[-1].pk})
        return
    if source.patient is None:
        return
    patients = {}
    if source.plain is not None and isinstance(page[0], PlainRow | PlainTuple):
        key, label = source.plain().patient
        for row in page:
            patients[getattr(row, key)] = getattr(row, label)
    else:
        for row in page:
            patient = source.patient(row)
            patients[patient.pk] = patient.nhs_number
    audit_record_many(
        actor=actor, action=AuditAction.VIEW, object_type="fhir_bulk_export",
        patients=list(patients.items()),
        summary=f"Record included in a FHIR bulk export ({source.type})", details=details)


def _source_rows(export: BulkExport, actor: Actor, source: Source) -> QuerySet:
    """One source's rows in this export: the holder's scope, `_since`, the group, and (the
    audit log) only what was recorded before the export began."""
    rows = source.rows(actor)
    if export.since and source.since:
        rows = rows.filter(source.since(export.since))
    if export.group_id and source.patient is not None:
        rows = _group_rows(export, actor, source, rows)
    if source.audit == "log":  # what was recorded before the export began
        rows = rows.filter(at__lte=export.started_at)
    return rows


@dataclass(frozen=True)
class Segment:
    """A run of one source's rows by primary key: after `after` (exclusive), up to `upto`
    (inclusive); None: from the first, to the last."""

    source: int  # its index in SOURCES
    after: object = None
    upto: object = None


@dataclass(frozen=True)
class Unit:
    """A share of the export that one process writes to its own file(s): a resource type's
    rows, from one or more of its sources."""

    type: str
    segments: tuple[Segment, ...]
    number: int | None = None  # its place among the type's units (None: the type's only)


def _type_sources(resource_type: str) -> list[int]:
    return [index for index, s in enumerate(SOURCES) if s.type == resource_type]


def _whole_type(resource_type: str) -> Unit:
    return Unit(resource_type, tuple(Segment(i) for i in _type_sources(resource_type)))


def _type_units(export: BulkExport, actor: Actor, resource_type: str,
                unit_rows: int) -> list[Unit]:
    """The type cut into units of about `unit_rows` rows, by walking the primary keys of
    its rows (a scan of keys only, streamed: memory stays flat whatever the population)."""
    units: list[Unit] = []
    segments: list[Segment] = []
    in_unit = 0

    def close() -> None:
        nonlocal segments, in_unit
        if segments:
            units.append(Unit(resource_type, tuple(segments), len(units) + 1))
        segments, in_unit = [], 0

    for index in _type_sources(resource_type):
        keys = _source_rows(export, actor, SOURCES[index]).order_by("pk").values_list(
            "pk", flat=True)
        after, seen = None, 0
        for key in keys.iterator(chunk_size=unit_rows):
            seen += 1
            in_unit += 1
            if in_unit >= unit_rows:
                segments.append(Segment(index, after, key))
                after, seen = key, 0
                close()
        if seen:
            segments.append(Segment(index, after, None))
    close()
    if len(units) == 1:  # one unit: named as the type's only one
        units = [Unit(resource_type, units[0].segments)]
    return units


def _export_unit(export: BulkExport, actor: Actor, unit: Unit, counts: dict,
                 files: list[dict], errors: list[dict],
                 after_page: Callable[[list[dict]], None]) -> None:
    """Write one unit's resources to its own file(s), auditing each page; `after_page`
    (given the unit's parts so far) records progress or checks for a cancel."""
    writer = NdjsonWriter(export, unit.type, unit.number)
    users = _Users()
    try:
        with _cyclic_gc_paused():
            for segment in unit.segments:
                source = SOURCES[segment.source]
                rows = _source_rows(export, actor, source)
                if segment.after is not None:
                    rows = rows.filter(pk__gt=segment.after)
                if segment.upto is not None:
                    rows = rows.filter(pk__lte=segment.upto)
                plain = source.plain() if source.plain is not None else None
                if plain is not None:
                    pages = plain_pages(rows, plain, users)
                    mapper = plain.mapper or source.mapper
                else:
                    pages, mapper = keyset_pages(rows, PAGE_SIZE), source.mapper
                for page in pages:
                    resources = _mapped(source, mapper, page, errors)
                    writer.write(resources)
                    counts[unit.type] = counts.get(unit.type, 0) + len(resources)
                    _audit_page(export, actor, source, page, len(resources))
                    after_page(writer.parts)
                    del page, resources
                    gc.collect(0)
    finally:
        files += writer.close()


@contextmanager
def _cyclic_gc_paused():
    """Python's cycle collector off while a unit is written: a page makes tens of
    thousands of short-lived dicts, which reference counting frees at once, but each
    700 of them would otherwise start a collection (measured: 38% of the export's Python
    time). The youngest generation is collected after each page, so any cycle a page
    made is freed with it and memory stays flat."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

def _export_type(export: BulkExport, actor: Actor, resource_type: str, counts: dict,
                 files: list[dict], errors: list[dict]) -> None:
    def after_page(parts: list[dict]) -> None:
        _progress(export, counts=counts, files=files + parts)

    _export_unit(export, actor, _whole_type(resource_type), counts, files, errors,
                 after_page)


# --- The run in several processes --------------------------------------------------------

def _processes() -> int:
    """How many processes write an export: `COLLIS_FHIR_BULK_PROCESSES`, or one per core on
    PostgreSQL; one on SQLite (one writer at a time) and inside a transaction (another
    process could not see what it has not committed)."""
    connection = connections["default"]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    wanted = settings.COLLIS_FHIR_BULK_PROCESSES
    return max(1, wanted if wanted > 0 else (os.cpu_count() or 1))


# What the forked processes inherit: the export and its actor (`_run_parallel`).
_SHARED: tuple | None = None


def _child_start() -> None:
    """A forked process ends when the pool ends it (the task worker's own handlers, which
    only ask it to stop after the current task, are not inherited) and leaves an interrupt
    to the worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _unit_in_child(unit: Unit) -> tuple[str, str, int, list[dict], list[dict], str]:
    """Run one unit in a forked process: (type, outcome, resources, parts, errors,
    message)."""
    export, actor = _SHARED
    counts: dict[str, int] = {}
    parts: list[dict] = []
    errors: list[dict] = []

    def after_page(_parts: list[dict]) -> None:
        if not BulkExport.objects.filter(pk=export.pk, state=ExportState.RUNNING).exists():
            raise _Cancelled

    try:
        _export_unit(export, actor, unit, counts, parts, errors, after_page)
        outcome, message = "done", ""
    except _Cancelled:
        outcome, message = "cancelled", ""
    except Exception as error:
        logger.exception("FHIR bulk export %s failed in a unit of %s", export.pk, unit.type)
        outcome, message = "failed", str(error)[:500] or type(error).__name__
    finally:
        connections.close_all()
    return unit.type, outcome, counts.get(unit.type, 0), parts, errors, message


def _units(export: BulkExport, actor: Actor) -> Iterator[Unit]:
    """The export's units, type by type. The pool's feeding thread walks them while the
    processes write the first ones, on its own connection, closed at the end."""
    unit_rows = settings.COLLIS_FHIR_BULK_UNIT_ROWS or UNIT_ROWS
    try:
        for resource_type in export.types:
            yield from _type_units(export, actor, resource_type, unit_rows)
    finally:
        connections.close_all()


def _run_parallel(export: BulkExport, actor: Actor, processes: int, counts: dict,
                  files: list[dict], errors: list[dict]) -> None:
    """The export's types cut into units (`COLLIS_FHIR_BULK_UNIT_ROWS` rows each), written
    by `processes` forked processes side by side; the results are taken in order, so the
    files are listed type by type, and progress is recorded after each unit."""
    global _SHARED
    _SHARED = (export, actor)
    connections.close_all()  # each process opens its own connection
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=_child_start)
    try:
        for result in pool.imap(_unit_in_child, _units(export, actor)):
            resource_type, outcome, written, parts, unit_errors, message = result
            files += parts  # deleted with the rest if the run stops
            errors += unit_errors
            counts[resource_type] = counts.get(resource_type, 0) + written
            if outcome == "cancelled":
                raise _Cancelled
            if outcome == "failed":
                raise RuntimeError(message)
            # The types before this one are done.
            _progress(export, types_done=export.types.index(resource_type), counts=counts,
                      files=files)
        pool.close()
        pool.join()
    except BaseException:
        pool.terminate()  # units still running stop where they are...
        pool.join()
        _folder_empty(export)  # ...and what they had saved goes with the rest
        raise
    finally:
        _SHARED = None


def _folder_empty(export: BulkExport) -> None:
    """Delete every file under the export's folder, listed or not (a unit stopped midway
    may have saved a part that no result names)."""
    folder = f"{STORAGE_PREFIX}/{export.pk}"
    try:
        names = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


def _errors_write(export: BulkExport, errors: list[dict], files: list[dict]) -> None:
    """The OperationOutcomes of the rows that could not be mapped, as the manifest's
    `error` file(s)."""
    if not errors:
        return
    writer = NdjsonWriter(export, "OperationOutcome")
    writer.write(errors)
    files += [part | {"error": True} for part in writer.close()]


def _group_rows(export: BulkExport, actor: Actor, source: Source, rows: QuerySet) -> QuerySet:
    """A group export's rows of one source: those of the group's patients, the group's
    criteria evaluated as the export runs."""
    from collis.fhir_api.groups import group_member_ids

    field = GROUP_PATIENT_FIELD.get(source.type, "patient")
    return rows.filter(**{f"{field}__in": group_member_ids(export.group, actor)})


def bulk_export_run(*, export_id: int) -> str:
    """Run a queued export as the user who asked (their scope), type by type, recording
    progress after each page; a failure is kept on the row, a cancel stops it."""
    bulk_export_expired_delete()
    export = BulkExport.objects.select_related(
        "requested_by", "requested_by_client__organisation", "group").get(pk=export_id)
    started = timezone.now()
    if not BulkExport.objects.filter(pk=export.pk, state=ExportState.QUEUED).update(
            state=ExportState.RUNNING, started_at=started):
        return export.state  # already run, or cancelled while queued
    export.started_at = started
    actor = Actor(user=export.requested_by or smart.client_principal(
                      export.requested_by_client), channel=AuditChannel.API,
                  path=export.request_url[:300])
    counts: dict[str, int] = {}
    files: list[dict] = []
    errors: list[dict] = []
    processes = _processes()
    try:
        if processes > 1:
            _run_parallel(export, actor, processes, counts, files, errors)
            _progress(export, types_done=len(export.types), counts=counts, files=files)
        else:
            for done, resource_type in enumerate(export.types, start=1):
                _export_type(export, actor, resource_type, counts, files, errors)
                _progress(export, types_done=done, counts=counts, files=files)
        _errors_write(export, errors, files)
    except _Cancelled:
        _files_delete(files)
        return ExportState.CANCELLED
    except Exception as error:
        logger.exception("FHIR bulk export %s failed", export.pk)
        _files_delete(files)
        BulkExport.objects.filter(pk=export.pk).update(
            state=ExportState.FAILED, error=str(error)[:500] or type(error).__name__,
            counts=counts, files=[], finished_at=timezone.now())
        return ExportState.FAILED
    finished = timezone.now()
    if not BulkExport.objects.filter(pk=export.pk, state=ExportState.RUNNING).update(
            state=ExportState.DONE, counts=counts, files=files, finished_at=finished,
            expires_at=finished + dt.timedelta(hours=_expiry_hours())):
        _files_delete(files)  # cancelled at the last moment
        return ExportState.CANCELLED
    return ExportState.DONE


# --- Status, files, cancel, expiry --------------------------------------------------------

def bulk_export_get(*, actor: Actor, export_id: int) -> BulkExport:
    """The actor's own export (404 for anyone else's, a cancelled one, or none; 410 once
    expired)."""
    export = BulkExport.objects.filter(pk=export_id, **_requester(actor)).exclude(
        state=ExportState.CANCELLED).first()
    if export is None:
        raise FhirError(404, "not-found", f"Bulk export {export_id}: no export of yours has "
                        "this id.")
    if export.is_expired():
        raise FhirError(410, "deleted", f"Bulk export {export_id} expired on "
                        f"{export.expires_at:%Y-%m-%d %H:%M} UTC and its files were "
                        "deleted; start a new export.")
    return export


def bulk_export_list(*, actor: Actor, limit: int = 50) -> list[BulkExport]:
    """The actor's own exports, newest first (cancelled ones left out). They name no
    patient, so listing them is not audited."""
    return list(BulkExport.objects.filter(**_requester(actor)).select_related("group")
                .exclude(state=ExportState.CANCELLED)[:limit])


def manifest(export: BulkExport, *, file_url: Callable[[int], str]) -> dict:
    """The completion manifest: `output` lists each file with its type and count; `error`
    the OperationOutcome files naming the records that could not be mapped (if any)."""
    listed = {"output": [], "error": []}
    for number, entry in enumerate(export.files, start=1):
        listed["error" if entry.get("error") else "output"].append(
            {"type": entry["type"], "url": file_url(number), "count": entry["count"]})
    return {
        "transactionTime": mappers._instant(export.started_at),
        "request": export.request_url,
        "requiresAccessToken": True,
        **listed,
    }


def progress_text(export: BulkExport) -> str:
    """X-Progress: what the worker has done so far, in words."""
    if export.state == ExportState.QUEUED:
        return "Waiting for the task worker"
    return (f"{export.types_done} of {export.types_total} resource types done, "
            f"{export.resources} resources written")


def bulk_export_file_open(*, actor: Actor, export_id: int, number: int):
    """One file of a finished export of the actor's, opened, with its entry; the download
    is audited."""
    export = bulk_export_get(actor=actor, export_id=export_id)
    if export.state != ExportState.DONE or not 1 <= number <= len(export.files):
        raise FhirError(404, "not-found", f"Bulk export {export_id} has no file {number}.")
    entry = export.files[number - 1]
    handle = default_storage.open(entry["name"], "rb")
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="fhir_bulk_file",
                 object_id=export.pk,
                 summary=f"Downloaded file {number} ({entry['type']}, {entry['count']} "
                         f"resources) of FHIR bulk export {export.pk}",
                 details={"export": export.pk, "file": number, "type": entry["type"]})
    return handle, entry


def bulk_export_cancel(*, actor: Actor, export_id: int) -> None:
    """Cancel the actor's export (stopping the worker if it is running) and delete its
    files."""
    export = bulk_export_get(actor=actor, export_id=export_id)
    with transaction.atomic():
        BulkExport.objects.filter(pk=export.pk).update(
            state=ExportState.CANCELLED, finished_at=export.finished_at or timezone.now(),
            files=[])
        audit_record(actor=actor, action=AuditAction.DELETE, object_type="fhir_bulk_export",
                     object_id=export.pk, summary=f"Cancelled FHIR bulk export {export.pk}")
    _files_delete(export.files)


def bulk_export_expired_delete(*, now: dt.datetime | None = None) -> int:
    """Delete the files of every export past its expiry and mark it expired (run by the
    worker before each export, and by `manage.py fhir_bulk_cleanup`)."""
    now = now or timezone.now()
    expired = list(BulkExport.objects.filter(state=ExportState.DONE, expires_at__lte=now))
    for export in expired:
        _files_delete(export.files)
        BulkExport.objects.filter(pk=export.pk).update(state=ExportState.EXPIRED, files=[])
    return len(expired)

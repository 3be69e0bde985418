"""Writing the audit log. Services call `audit_record` explicitly for every read and write
of patient data; there are no signals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from collis.core.models import AuditAction, AuditChannel, AuditEvent, AuditEventPatient, User


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, through which channel and from where: what every audit entry needs."""

    user: User | None
    channel: AuditChannel
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    # The patients whose identity this actor's request has already been audited as showing,
    # so that a page that reads the patient twice writes one entry (`audit_patient_shown`).
    shown: set = field(default_factory=set, compare=False, repr=False)
    # The request's reads not yet written (`AuditBatch`): None outside a web or API request.
    batch: AuditBatch | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_request(cls, request, channel: AuditChannel = AuditChannel.WEB) -> Actor:
        """The request's actor: made once per request, so every selector a view calls
        shares it."""
        user = request.user if request.user.is_authenticated else None
        actor = getattr(request, "_collis_actor", None)
        if actor is None or actor.channel != channel or actor.user != user:
            actor = cls(
                user=user,
                channel=channel,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                path=request.get_full_path()[:300],
                batch=getattr(request, "_collis_audit_batch", None),
            )
            request._collis_actor = actor
        return actor

    @classmethod
    def command_line(cls, user: User | None = None) -> Actor:
        return cls(user=user, channel=AuditChannel.CLI)


# Reads: entries that may wait for the end of their request (`AuditBatch`). Every change,
# sign-in and token is written at once, inside the transaction of the change.
BATCHED_ACTIONS = frozenset({AuditAction.VIEW, AuditAction.SEARCH, AuditAction.DOWNLOAD})


class AuditBatch:
    """The read entries of one request, written together in one statement when the view
    has made its response and before the response leaves (`AuditBatchMiddleware`): a record
    page's two reads (the patient shown, the section) cost one INSERT, not two. If they
    cannot be written the response is not sent. After that, entries are written at once
    (a streamed download that audits as it goes)."""

    def __init__(self):
        self.events: list[AuditEvent] = []
        self.open = True

    def write(self) -> None:
        self.open = False
        events, self.events = self.events, []
        if events:
            _events_insert(events)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address a trusted proxy reports."""
    proxies = getattr(settings, "COLLIS_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _event(actor: Actor, **values) -> AuditEvent:
    user = actor.user
    return AuditEvent(
        at=timezone.now(), actor=user, actor_username=user.username if user else "",
        actor_role=getattr(user, "role", "") if user else "", channel=actor.channel,
        ip_address=actor.ip_address, user_agent=actor.user_agent, path=actor.path, **values)


def _event_insert(event: AuditEvent, patient_ids: list) -> AuditEvent:
    """Write the entry, and the (patient, entry) rows of the patients a page showed, in one
    statement on PostgreSQL (two on SQLite), without a model instance per patient. An entry
    about one patient (`patient_id`) is put in their index by a database trigger
    (migration 0007)."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]
    # Table and column names come from the models' meta, never from input.
    insert = (f"INSERT INTO {AuditEvent._meta.db_table} ({columns}) "  # noqa: S608
              f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id")
    links = AuditEventPatient._meta.db_table
    uuid_field = AuditEventPatient._meta.get_field("patient_id")
    with connection.cursor() as cursor:
        if patient_ids and connection.vendor == "postgresql":
            cursor.execute(
                f"WITH event AS ({insert}, at) INSERT INTO {links} (patient_id, at, event_id) "  # noqa: S608
                "SELECT patient, event.at, event.id FROM event, unnest(%s::uuid[]) AS patient "
                "RETURNING event_id", [*values, _uuid_array(patient_ids)])
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(insert, values)
            event.pk = cursor.fetchone()[0]
            if patient_ids:
                at = values[[f.name for f in fields].index("at")]
                cursor.executemany(
                    f"INSERT INTO {links} (patient_id, at, event_id) VALUES (%s, %s, %s)",  # noqa: S608
                    [(uuid_field.get_db_prep_save(pk, connection), at, event.pk)
                     for pk in patient_ids])
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _uuid_array(ids: list) -> str:
    """The ids as one PostgreSQL array literal for `::uuid[]`: a page of thousands of
    patients (a bulk export's) costs one join, not a check per element by the driver."""
    return "{" + ",".join(str(pk if pk.__class__ is uuid.UUID else uuid.UUID(str(pk)))
                          for pk in ids) + "}"


def _events_insert(events: list[AuditEvent]) -> None:
    """Several entries, each about at most one patient, in one statement (the trigger of
    migration 0007 lists each in its patient's access history)."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    params = [f.get_db_prep_save(getattr(event, f.attname), connection)
              for event in events for f in fields]
    # Table and column names come from the models' meta, never from input.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {AuditEvent._meta.db_table} ({columns}) "  # noqa: S608
                       f"VALUES {', '.join([row] * len(events))} RETURNING id", params)
        ids = sorted(pk for (pk,) in cursor.fetchall())
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = connection.alias


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str = "",
    object_id: Any = "",
    patient_id=None,
    summary: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """One entry; one about a patient is also listed in their access history."""
    event = _event(actor, action=action, object_type=object_type,
                   object_id=str(object_id) if object_id not in (None, "") else "",
                   patient_id=patient_id, summary=summary[:300], details=details or {})
    batch = actor.batch
    if batch is not None and batch.open and action in BATCHED_ACTIONS:
        batch.events.append(event)
        return event
    return _event_insert(event, [])


def audit_patient_shown(*, actor: Actor, patient, summary: str = "",
                        details: dict | None = None) -> AuditEvent | None:
    """Record that a page or API response showed this patient's identity: once per request
    (the actor), however many selectors read the patient to build it."""
    if patient.pk in actor.shown:
        return None
    actor.shown.add(patient.pk)
    return audit_record(actor=actor, action=AuditAction.VIEW, object_type="patient",
                        object_id=patient.pk, patient_id=patient.pk,
                        summary=summary or f"Viewed the record of {patient.nhs_number}",
                        details=details)


def audit_record_many(*, actor: Actor, action: AuditAction, object_type: str,
                      patients: list[tuple[Any, str]], summary: str, details: dict | None = None
                      ) -> AuditEvent:
    """One entry for a page that showed several patients (id, label): a search or a list. It
    names them in its details and is listed in each one's access history."""
    labels = [label for _pk, label in patients]
    event = _event(actor, action=action, object_type=object_type,
                   summary=f"{summary} ({len(patients)}: {', '.join(labels)})"[:300],
                   details={**(details or {}), "patients": labels})
    return _event_insert(event, [pk for pk, _label in patients])

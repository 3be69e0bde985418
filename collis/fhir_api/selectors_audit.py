"""The FHIR API's reads of the audit log (AuditEvent), for those who may read the log on
the pages (`audit_view`), and recorded in it like the pages' reads. Pages walk the log's
indexes newest first from an (at, id) cursor, as `core.selectors` does (ADR 0010): by
(action, at, id) or (at, id) for the log, by the (patient, at, entry) key for a patient's
history; never a count, never an offset."""

from __future__ import annotations

from django.db.models import F

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, AuditEvent, AuditEventPatient
from collis.core.roles import Capability, can
from collis.core.selectors import AuditCursor, _keyset
from collis.fhir_api.mappers_audit import FHIR_ACTIONS
from collis.fhir_api.outcomes import FhirError, invalid
from collis.fhir_api.search import SearchRequest
from collis.fhir_api.selectors import Rows, _date_filter, _one
from collis.fhir_api.selectors_records import _patient_ids
from collis.patients.models import Patient


def _may_read_the_log(actor: Actor) -> None:
    """Only those whose role reads the audit log on the pages; a system client (SMART
    Backend Services), whose scopes name resource types and not roles, never does."""
    if not can(actor.user, Capability.AUDIT_VIEW):
        raise FhirError(403, "forbidden", "AuditEvent: only those who may read the audit "
                        "log on the pages (audit_view) may read it here.")


def fhir_audit_event_read(*, event_id: str, actor: Actor) -> AuditEvent:
    _may_read_the_log(actor)
    event = _one(AuditEvent.objects.all(), "AuditEvent", event_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="audit_log",
                 object_id=event.pk, summary="Viewed an entry of the audit log (FHIR)")
    return event


def _actions(search: SearchRequest) -> set[str] | None:
    """Collis's actions behind the AuditEventAction codes asked for (None: any)."""
    found = None
    for tokens in search.values("action"):
        wanted = {a.value for t in tokens for a in FHIR_ACTIONS.get(t.code, ())}
        found = wanted if found is None else found & wanted
    return found


def fhir_audit_event_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of the log, newest first; with `patient`, that patient's access history (a
    patient the actor may not see has none)."""
    _may_read_the_log(actor)
    before = None
    if search.cursor:
        before = AuditCursor.parse(search.cursor)
        if before is None:
            raise invalid("_cursor: not a cursor this server gave; start the search "
                          "again.", "_cursor")
    actions = _actions(search)
    patient_lists = _patient_ids(search)
    if patient_lists:
        wanted = set(patient_lists[0]).intersection(*patient_lists[1:])
        visible = list(Patient.objects.visible_to(actor.user).filter(pk__in=wanted)
                       .values_list("pk", flat=True))
        rows = AuditEventPatient.objects.filter(patient_id__in=visible)
        if actions is not None:
            rows = rows.filter(event__action__in=actions, event__at=F("at"))
        for value in search.values("date"):
            rows = rows.filter(_date_filter("at", value))
        links, _, older = _keyset(rows.values("at", "event_id"), at="at", key="event_id",
                                  before=before, after=None, per_page=search.count)
        found = {e.pk: e for e in AuditEvent.objects.filter(
            pk__in=[link["event_id"] for link in links],
            at__in={link["at"] for link in links}).order_by()} if links else {}
        events = [found[link["event_id"]] for link in links if link["event_id"] in found]
    else:
        rows = AuditEvent.objects.all()
        if actions is not None:
            rows = rows.filter(action__in=actions)
        for value in search.values("date"):
            rows = rows.filter(_date_filter("at", value))
        events, _, older = _keyset(rows, at="at", key="id", before=before, after=None,
                                   per_page=search.count)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="audit_log",
                 summary="Viewed the audit log (FHIR)",
                 details={"query": actor.path, "cursor": search.cursor,
                          "entries": len(events)})
    return Rows(events, str(AuditCursor.of(events[-1])) if events and older else "")

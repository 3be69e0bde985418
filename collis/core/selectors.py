"""Reads of the audit log: pages by keyset ("newer" and "older" from an (at, id) cursor,
never a count or an offset over the log), each filter walking an index that ends in
(at, id), and exports streamed by date range."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, AuditEvent, AuditEventPatient

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class AuditCursor:
    """A place in the log: the (at, id) of an entry, written into links as "<µs>.<id>"."""

    at: datetime
    id: int

    def __str__(self) -> str:
        return f"{int(self.at.timestamp() * 1_000_000)}.{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> AuditCursor | None:
        """The cursor in a link, or None for anything else (the newest page then)."""
        try:
            micros, entry = (int(part) for part in (text or "").split("."))
            at = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return cls(at=at, id=entry)

    @classmethod
    def of(cls, event: AuditEvent) -> AuditCursor:
        return cls(at=event.at, id=event.pk)


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of entries, newest first, and the cursors of the pages either side."""

    events: list[AuditEvent]
    newer: AuditCursor | None = None
    older: AuditCursor | None = None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class AuditFilters:
    username: str = ""
    action: str = ""
    on: date | None = None
    patient_ids: tuple | None = None   # None: any patient; () : a patient nobody matched
    # With patient_ids: leave out this account's own entries (a patient's own visits).
    exclude_actor_id: int | None = None

    def as_details(self) -> dict:
        return {"username": self.username, "action": self.action, "on": str(self.on or ""),
                "patients": [str(pk) for pk in self.patient_ids or ()]}


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _keyset(rows: QuerySet, *, at: str, key: str, before: AuditCursor | None,
            after: AuditCursor | None, per_page: int) -> tuple[list, bool, bool]:
    """One page of `rows` by (at, key), newest first: (rows, has newer, has older)."""
    if after is not None:
        page = list(rows.filter(Q(**{f"{at}__gt": after.at}) | Q(**{at: after.at,
                                                                    f"{key}__gt": after.id}),
                                **{f"{at}__gte": after.at}).order_by(at, key)[:per_page + 1])
        more = len(page) > per_page
        return list(reversed(page[:per_page])), more, True
    if before is not None:
        rows = rows.filter(Q(**{f"{at}__lt": before.at}) | Q(**{at: before.at,
                                                               f"{key}__lt": before.id}),
                           **{f"{at}__lte": before.at})
    page = list(rows.order_by(f"-{at}", f"-{key}")[:per_page + 1])
    return page[:per_page], before is not None, len(page) > per_page


def audit_events_page(filters: AuditFilters, *, before: AuditCursor | None = None,
                      after: AuditCursor | None = None, per_page: int = PER_PAGE) -> AuditPage:
    """A page of the log under the filters (not audited: the callers below are)."""
    if filters.patient_ids == ():
        return AuditPage(events=[])
    if filters.patient_ids:
        # The patient's rows come first, from the (patient, at, entry) key: a page of them,
        # then their entries by (id, at), so that PostgreSQL reads only those months.
        rows = AuditEventPatient.objects.filter(patient_id__in=filters.patient_ids)
        for name, value in (("actor_username", filters.username),
                            ("action", filters.action)):
            if value:
                rows = rows.filter(**{f"event__{name}": value, "event__at": F("at")})
        if filters.exclude_actor_id is not None:
            rows = rows.filter(event__at=F("at")).exclude(
                event__actor_id=filters.exclude_actor_id)
        if filters.on:
            start, end = _day_bounds(filters.on)
            rows = rows.filter(at__gte=start, at__lt=end)
        links, newer, older = _keyset(rows.values("at", "event_id"), at="at", key="event_id",
                                      before=before, after=after, per_page=per_page)
        found = {event.pk: event for event in AuditEvent.objects.filter(
            pk__in=[link["event_id"] for link in links],
            at__in={link["at"] for link in links}).order_by()} if links else {}
        events = [found[link["event_id"]] for link in links if link["event_id"] in found]
    else:
        rows = AuditEvent.objects.all()
        if filters.username:
            rows = rows.filter(actor_username=filters.username)
        if filters.action:
            rows = rows.filter(action=filters.action)
        if filters.on:
            start, end = _day_bounds(filters.on)
            rows = rows.filter(at__gte=start, at__lt=end)
        events, newer, older = _keyset(rows, at="at", key="id", before=before, after=after,
                                       per_page=per_page)
    return AuditPage(events=events,
                     newer=AuditCursor.of(events[0]) if events and newer else None,
                     older=AuditCursor.of(events[-1]) if events and older else None)


def audit_log_page(*, filters: AuditFilters, before: AuditCursor | None = None,
                   after: AuditCursor | None = None, actor: Actor,
                   per_page: int = PER_PAGE) -> AuditPage:
    """One page of the filtered audit log; reading the log is itself audited."""
    page = audit_events_page(filters, before=before, after=after, per_page=per_page)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="audit_log",
                 summary="Viewed the audit log", details={"filters": filters.as_details()})
    return page


def audit_patients_with_number(nhs_number: str, *, actor: Actor) -> tuple:
    """The ids of the patients of the actor's unit with this NHS number (one or none), for
    the log's patient filter. Not audited: it shows nobody; the page it filters is."""
    from collis.patients.models import Patient

    return tuple(Patient.objects.visible_to(actor.user).filter(nhs_number=nhs_number)
                 .values_list("pk", flat=True))


def audit_export_rows(*, start: date, end: date, actor: Actor) -> Iterator[list[str]]:
    """Every entry from `start` to `end` (both days included), oldest first, as rows of
    text for a CSV: read in chunks from the (at, id) index, never all at once. The export is
    audited before the first row."""
    first, _ = _day_bounds(start)
    _, last = _day_bounds(end)
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="audit_log",
                 summary=f"Exported the audit log from {start} to {end}",
                 details={"from": str(start), "to": str(end)})
    yield ["id", "at", "username", "role", "action", "channel", "object_type", "object_id",
           "patient_id", "patients_shown", "summary", "ip_address", "path"]
    events = AuditEvent.objects.filter(at__gte=first, at__lt=last).order_by("at", "id")
    for event in events.iterator(chunk_size=2000):
        yield [str(event.pk), event.at.isoformat(), event.actor_username, event.actor_role,
               event.action, event.channel, event.object_type, event.object_id,
               str(event.patient_id or ""), " ".join(event.details.get("patients", []))
               if isinstance(event.details, dict) else "", event.summary,
               event.ip_address or "", event.path]

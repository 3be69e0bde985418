"""Reads of the patient registry, scoped to who asks (`Patient.objects.visible_to`).
Reads that show patients are audited. This module holds the one way to fetch a patient:
`patient_get`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import Collate
from django.http import Http404

from collis.core.audit import Actor, audit_patient_shown, audit_record, audit_record_many
from collis.core.models import AccountType, AuditAction
from collis.core.prepared import PreparedQuery
from collis.core.selectors import AuditFilters, AuditPage, audit_events_page
from collis.patients.models import (
    Patient,
    PatientNameToken,
    is_unit_staff,
    name_key,
    nhs_number_normalise,
)

DUPLICATE_NHS_NUMBER = ("A patient with this NHS number is already registered. Search for "
                        "them instead of registering them again.")


def nhs_number_taken(nhs_number: str, *, patient: Patient | None = None) -> bool:
    """Whether another patient than `patient` has the NHS number, in any unit (the number
    is unique across the installation). Not audited: it shows nobody."""
    others = Patient.objects.filter(nhs_number=nhs_number)
    if patient is not None:
        others = others.exclude(pk=patient.pk)
    return others.exists()


@dataclass(frozen=True, slots=True)
class PatientQuery:
    """What the user searched for: an NHS number, or words of a name in any order, and/or a
    date of birth."""

    text: str = ""
    date_of_birth: date | None = None

    @property
    def nhs_number(self) -> str | None:
        digits = nhs_number_normalise(self.text)
        return digits if re.fullmatch(r"[0-9]{10}", digits) else None

    @property
    def name_words(self) -> list[str]:
        """Each word typed, as a name key ("Siân" -> SIAN, "O'Hara" -> OHARA)."""
        return [key for key in (name_key(word) for word in re.split(r"[\s,]+", self.text))
                if key]

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and self.date_of_birth is None

    @property
    def problem(self) -> str:
        """Why the query cannot match anybody, in words for the page; empty if it can."""
        if "\x00" in self.text:
            return "Remove the null character from the search"
        if self.text.strip() and not self.nhs_number and not self.name_words:
            return ("Enter a name (letters), a 10-digit NHS number or a date of birth to "
                    "search for")
        return ""


# A unit's staff search by name with one SQL statement for each number of words (up to
# _PREPARED_WORDS) that finds, orders, counts and pages the matches, then reads the page's
# patients with a prepared query, one for each number of patients on a page. Other
# searches use the ORM as it stands.
_PREPARED_WORDS = 3


def _page_query(count: int) -> PreparedQuery:
    return PreparedQuery(
        lambda organisation_id, **ids: Patient.objects.filter(
            organisation_id=organisation_id, pk__in=list(ids.values()))
        .select_related("home_site"),
        organisation_id=int, **{f"id{i}": uuid.UUID for i in range(count)})


_BY_NUMBER = PreparedQuery(lambda organisation_id, nhs_number: Patient.objects.filter(
    organisation_id=organisation_id, nhs_number=nhs_number).select_related("home_site"),
    organisation_id=int, nhs_number=str)
_PAGES: dict[int, PreparedQuery] = {}


def _in_binary_order(field: str, vendor: str):
    """The registry's order is the sort key's characters by code point, as Python sorts
    them, whatever the database's collation (a language's collation skips spaces, which
    would put SMITHE ANN before SMITH JOHN). SQLite compares text by its bytes already."""
    return Collate(F(field), "C") if vendor == "postgresql" else F(field)


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class _NameMatches:
    """The patients matching a name search, in the registry's order (sort key, then id), as
    a sequence that `Paginator` can count and slice. The database finds the matches in the
    token index alone (unit, token, sort key, patient), orders them, counts them and returns
    one page of ids with the count, in one statement (a window count over the matches
    grouped by patient); only the patients of that page are then read. Thousands of matches
    for a short prefix never leave the database.

    `first` is the slice the caller will ask for first (the page being shown): counting
    reads it at the same time, so that a page costs one statement here."""

    def __init__(self, patients: QuerySet[Patient], tokens, *, first: slice = slice(0, 25)):
        self.patients = patients
        self.tokens = tokens
        self._first = (first.start, first.stop)
        self._total: int | None = None
        self._window: tuple[int, int, list[uuid.UUID]] | None = None

    def _rows(self, start: int, stop: int) -> list[tuple]:
        """(patient id, number of matches) for the matches start..stop-1."""
        vendor = connections[self.tokens.db].vendor
        return list(
            self.tokens.values("sort_key", "patient_id").annotate(tokens=Count("pk"))
            .annotate(total=Window(Count("*")))
            .order_by(_in_binary_order("sort_key", vendor), "patient_id")
            .values_list("patient_id", "total")[start:stop])

    def _ids(self, start: int, stop: int) -> list[uuid.UUID]:
        if self._window is not None:
            first, last, ids = self._window
            if start == first and (stop <= last or len(ids) < last - first):
                return ids[:stop - start]
        rows = self._rows(start, stop) if stop > start else []
        if rows:
            self._total = rows[0][1]
        elif self._total is None:  # nothing from here on: count from the first match
            rows_from_first = self._rows(0, 1) if start > 0 else []
            self._total = rows_from_first[0][1] if rows_from_first else 0
        ids = [_as_uuid(pk) for pk, _total in rows]
        self._window = (start, stop, ids)
        return ids

    def count(self) -> int:
        if self._total is None:
            self._ids(*self._first)
        return self._total

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("Name matches are read a page at a time, without a step.")
            start, stop = index.start or 0, index.stop
            if start < 0 or stop is None or stop < 0:
                start, stop, _step = index.indices(self.count())
            ids = self._ids(start, stop)
        else:
            position = index + self.count() if index < 0 else index
            ids = self._ids(position, position + 1) if position >= 0 else []
            if not ids:
                raise IndexError("No match at that position.")
        found = {p.pk: p for p in self._read(ids)} if ids else {}
        page = [found[pk] for pk in ids if pk in found]
        return page if isinstance(index, slice) else page[0]

    def _read(self, ids: list[uuid.UUID]):
        return self.patients.filter(pk__in=ids)


def _name_page_sql(words: int, connection) -> str:
    """`_NameMatches._rows` for a unit's staff as one statement (the same text for every
    page, so that PostgreSQL prepares it): the first word's range of the unit's tokens, each
    further word a range the patient must also have, grouped by patient."""
    table = connection.ops.quote_name(PatientNameToken._meta.db_table)
    match = "organisation_id = %s AND token >= %s AND token <= %s"
    # The table's name is the model's and the rest is fixed text; every value is a parameter.
    also = f" AND patient_id IN (SELECT patient_id FROM {table} WHERE {match})"  # noqa: S608
    order = 'sort_key COLLATE "C"' if connection.vendor == "postgresql" else "sort_key"
    return (f"SELECT patient_id, COUNT(*) OVER () FROM {table} WHERE {match}"  # noqa: S608
            + also * (words - 1)
            + f" GROUP BY sort_key, patient_id ORDER BY {order}, patient_id"
            " LIMIT %s OFFSET %s")


class _PreparedNameMatches(_NameMatches):
    """`_NameMatches` for a unit's staff, from one fixed statement and prepared queries."""

    def __init__(self, organisation_id: int, words: list[str], *, first: slice = slice(0, 25)):
        super().__init__(Patient.objects.none(), None, first=first)
        self.organisation_id = organisation_id
        self.words = words

    def _rows(self, start: int, stop: int) -> list[tuple]:
        params = []
        for word in self.words:
            params += [self.organisation_id, *PatientNameToken.bounds(word)]
        connection = connections["default"]
        with connection.cursor() as cursor:
            cursor.execute(_name_page_sql(len(self.words), connection),
                           [*params, stop - start, start])
            return cursor.fetchall()

    def _read(self, ids: list[uuid.UUID]):
        query = _PAGES.get(len(ids)) or _PAGES.setdefault(len(ids), _page_query(len(ids)))
        return query.instances(organisation_id=self.organisation_id,
                               **{f"id{i}": pk for i, pk in enumerate(ids)})


def patient_list_matching(query: PatientQuery, *, actor: Actor,
                          first: slice = slice(0, 25)) -> Sequence[Patient]:
    """The patients the actor may see that match the query, in the registry's order (not
    audited: callers that show them audit them). Each word of a name must begin one of the
    patient's name tokens (`name_tokens`), in any order. `first` is the slice the caller
    will read first, if it knows (a name search counts and reads it in one statement)."""
    patients = Patient.objects.visible_to(actor.user).select_related("home_site")
    if query.problem:
        return patients.none()
    if query.nhs_number:
        if is_unit_staff(actor.user):
            return _BY_NUMBER.instances(organisation_id=actor.user.organisation_id,
                                        nhs_number=query.nhs_number)
        return patients.filter(nhs_number=query.nhs_number)
    words = query.name_words
    if query.date_of_birth:
        # The date of birth narrows to a handful of patients through its own index.
        patients = patients.filter(date_of_birth=query.date_of_birth)
        for word in words:
            patients = patients.filter(
                pk__in=PatientNameToken.objects.matching(word).values("patient_id"))
        return patients
    if not words:
        return patients
    if is_unit_staff(actor.user) and len(words) <= _PREPARED_WORDS:
        return _PreparedNameMatches(actor.user.organisation_id, words, first=first)
    visible = PatientNameToken.objects.visible_to(actor.user)
    tokens = visible.matching(words[0])
    for word in words[1:]:
        tokens = tokens.filter(patient__in=visible.matching(word).values("patient_id"))
    return _NameMatches(patients, tokens, first=first)


def patient_search(*, query: PatientQuery, page_number, per_page: int, actor: Actor) -> Page:
    """One page of matching patients; each patient shown is recorded in the audit log."""
    try:
        number = max(int(page_number), 1)
    except (TypeError, ValueError):
        number = 1  # as Paginator.get_page reads it
    first = slice((number - 1) * per_page, number * per_page)
    page = Paginator(patient_list_matching(query, actor=actor, first=first),
                     per_page).get_page(page_number)
    if page.object_list:
        audit_record_many(
            actor=actor, action=AuditAction.SEARCH, object_type="patient",
            patients=[(p.pk, p.nhs_number) for p in page.object_list],
            summary="Patient appeared in search results",
            details={"query": query.text, "date_of_birth": str(query.date_of_birth or ""),
                     "page": page.number},
        )
    return page


def patient_get(*, patient_id, actor: Actor, for_update: bool = False) -> Patient:
    """The patient, if the actor may see them (otherwise Http404, as if there were no such
    patient: a record outside one's unit is not confirmed to exist). Showing the patient is
    audited once per request. `for_update` locks the row for a service's write."""
    user = actor.user if actor else None
    if not for_update and is_unit_staff(user):
        # The read of every record page, with SQL compiled once (collis.core.prepared).
        try:
            found = _STAFF_PATIENT.instances(organisation_id=user.organisation_id,
                                             patient_id=patient_id)
        except (ValueError, ValidationError):
            found = []
        if len(found) != 1:
            raise Http404("No patient has this id.")
        patient = found[0]
    else:
        patients = Patient.objects.visible_to(user).select_related("home_site", "updated_by")
        if for_update:
            patients = patients.select_for_update(of=("self",))
        try:
            patient = patients.get(pk=patient_id)
        except (Patient.DoesNotExist, ValueError, ValidationError):
            raise Http404("No patient has this id.") from None
    audit_patient_shown(actor=actor, patient=patient)
    return patient


@dataclass(frozen=True)
class _UnitStaff:
    """Who `Patient.objects.visible_to` scopes to a unit, for compiling that scope once."""

    organisation_id: int
    is_authenticated: bool = True
    is_active: bool = True
    account_type: str = AccountType.STAFF


_STAFF_PATIENT = PreparedQuery(
    lambda organisation_id, patient_id: Patient.objects.visible_to(
        _UnitStaff(organisation_id)).select_related("home_site", "updated_by")
    .filter(pk=patient_id),
    organisation_id=int, patient_id=uuid.UUID)


def patient_timeline(*, patient: Patient, actor: Actor) -> list:
    """Every event on the record, newest first (collis.core.timeline); read once, audited
    once."""
    from collis.core.timeline import timeline_events_for

    events = timeline_events_for(patient)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="timeline",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the timeline of {patient.nhs_number}",
                 details={"events": len(events)})
    return events


def patient_access_history(*, patient: Patient, actor: Actor, before=None, after=None,
                           per_page: int = 50) -> AuditPage:
    """A page of every audited access to the patient, newest first (searches that listed
    them included), by keyset from the patient's own index. Reading it is audited too."""
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="access_history",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the access history of {patient.nhs_number}")
    return audit_events_page(AuditFilters(patient_ids=(patient.pk,)), before=before,
                             after=after, per_page=per_page)

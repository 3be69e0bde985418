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
from django.db.models import CharField, ExpressionWrapper, F, QuerySet
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


# A unit's staff search by name as prepared queries, one for each number of words (up to
# _PREPARED_WORDS): the tokens' sort keys and patient ids, then the page's patients, one
# query for each number of patients on a page. Other searches use the ORM as it stands.
_PREPARED_WORDS = 3
_RAW_ID = ExpressionWrapper(F("patient_id"), output_field=CharField())


def _tokens_query(words: int) -> PreparedQuery:
    def build(organisation_id, **bounds):
        visible = PatientNameToken.objects.filter(organisation_id=organisation_id)
        tokens = visible.filter(token__gte=bounds["low0"], token__lte=bounds["high0"])
        for i in range(1, words):
            tokens = tokens.filter(patient__in=visible.filter(
                token__gte=bounds[f"low{i}"], token__lte=bounds[f"high{i}"]).values("patient_id"))
        return tokens.annotate(raw_id=_RAW_ID).values_list("sort_key", "raw_id")
    bounds = {f"{end}{i}": str for i in range(words) for end in ("low", "high")}
    return PreparedQuery(build, organisation_id=int, **bounds)


def _page_query(count: int) -> PreparedQuery:
    return PreparedQuery(
        lambda organisation_id, **ids: Patient.objects.filter(
            organisation_id=organisation_id, pk__in=list(ids.values()))
        .select_related("home_site"),
        organisation_id=int, **{f"id{i}": uuid.UUID for i in range(count)})


_BY_NUMBER = PreparedQuery(lambda organisation_id, nhs_number: Patient.objects.filter(
    organisation_id=organisation_id, nhs_number=nhs_number).select_related("home_site"),
    organisation_id=int, nhs_number=str)
_TOKENS = {words: _tokens_query(words) for words in range(1, _PREPARED_WORDS + 1)}
_PAGES: dict[int, PreparedQuery] = {}


class _NameMatches:
    """The patients matching a name search, in the registry's order, as a sequence that
    `Paginator` can count and slice: the matches are found and ordered from the token index
    alone (unit, token, patient, sort key), and only the patients of the slice asked for are
    read. Sorting the few thousand keys here is steadier than any plan the database could
    choose between walking the patients in order and joining them to the tokens."""

    def __init__(self, patients: QuerySet[Patient], tokens):
        self.patients = patients
        # The patient ids as the database driver gives them (a UUID on PostgreSQL, its hex
        # text on SQLite), without building a UUID for each of thousands of rows; either
        # sorts as the database orders `id`.
        self.ids = [pk for _key, pk in sorted(set(
            tokens.annotate(raw_id=_RAW_ID).values_list("sort_key", "raw_id")))]

    def __len__(self):
        return len(self.ids)

    def count(self):
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        ids = [uuid.UUID(str(pk)) for pk in (
            self.ids[index] if isinstance(index, slice) else [self.ids[index]])]
        found = {p.pk: p for p in self._read(ids)} if ids else {}
        page = [found[pk] for pk in ids if pk in found]
        return page if isinstance(index, slice) else page[0]

    def _read(self, ids: list[uuid.UUID]):
        return self.patients.filter(pk__in=ids)


class _PreparedNameMatches(_NameMatches):
    """`_NameMatches` for a unit's staff, from prepared queries."""

    def __init__(self, organisation_id: int, words: list[str]):
        self.organisation_id = organisation_id
        bounds = {}
        for i, word in enumerate(words):
            bounds[f"low{i}"], bounds[f"high{i}"] = PatientNameToken.bounds(word)
        rows = _TOKENS[len(words)].rows(organisation_id=organisation_id, **bounds)
        self.ids = [pk for _key, pk in sorted(set(rows))]

    def _read(self, ids: list[uuid.UUID]):
        query = _PAGES.get(len(ids)) or _PAGES.setdefault(len(ids), _page_query(len(ids)))
        return query.instances(organisation_id=self.organisation_id,
                               **{f"id{i}": pk for i, pk in enumerate(ids)})


def patient_list_matching(query: PatientQuery, *, actor: Actor) -> Sequence[Patient]:
    """The patients the actor may see that match the query, in the registry's order (not
    audited: callers that show them audit them). Each word of a name must begin one of the
    patient's name tokens (`name_tokens`), in any order."""
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
        return _PreparedNameMatches(actor.user.organisation_id, words)
    visible = PatientNameToken.objects.visible_to(actor.user)
    tokens = visible.matching(words[0])
    for word in words[1:]:
        tokens = tokens.filter(patient__in=visible.matching(word).values("patient_id"))
    return _NameMatches(patients, tokens)


def patient_search(*, query: PatientQuery, page_number, per_page: int, actor: Actor) -> Page:
    """One page of matching patients; each patient shown is recorded in the audit log."""
    page = Paginator(patient_list_matching(query, actor=actor), per_page).get_page(page_number)
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

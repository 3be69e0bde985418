"""Reads of the patient registry, scoped to who asks (`Patient.objects.visible_to`).
Reads that show patients are audited. This module holds the one way to fetch a patient:
`patient_get`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.http import Http404

from collis.core.audit import Actor, audit_patient_shown, audit_record, audit_record_many
from collis.core.models import AuditAction, AuditEvent
from collis.patients.models import (
    NAME_KEY_LENGTH,
    Patient,
    PatientNameToken,
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


def patient_list_matching(query: PatientQuery, *, actor: Actor) -> QuerySet[Patient]:
    """The patients the actor may see that match the query (not audited: callers that show
    them audit them). Each word of a name must begin one of the patient's name tokens
    (`name_tokens`), in any order, through the (token, patient) index."""
    patients = Patient.objects.visible_to(actor.user).select_related("home_site")
    if query.problem:
        return patients.none()
    if query.nhs_number:
        return patients.filter(nhs_number=query.nhs_number)
    for word in query.name_words:
        upper = word + "Z" * (NAME_KEY_LENGTH - len(word))
        patients = patients.filter(pk__in=PatientNameToken.objects.filter(
            token__gte=word, token__lte=upper).values("patient_id"))
    if query.date_of_birth:
        patients = patients.filter(date_of_birth=query.date_of_birth)
    if query.name_words:
        # Sort the matches rather than walk the whole name index in order: PostgreSQL would
        # otherwise scan tens of thousands of patients to fill one page of a rare name.
        return patients.order_by(Upper("family_key"), Upper("given_key"), "date_of_birth",
                                 "id")
    return patients.order_by("family_key", "given_key", "date_of_birth", "id")


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
    patients = Patient.objects.visible_to(actor.user if actor else None).select_related(
        "home_site", "created_by", "updated_by")
    if for_update:
        patients = patients.select_for_update(of=("self",))
    try:
        patient = patients.get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError, ValidationError):
        raise Http404("No patient has this id.") from None
    audit_patient_shown(actor=actor, patient=patient)
    return patient


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


def patient_access_history(*, patient: Patient, actor: Actor) -> QuerySet[AuditEvent]:
    """Every audited access to the patient, newest first. Reading it is audited too."""
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="access_history",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the access history of {patient.nhs_number}")
    return AuditEvent.objects.for_patient(patient.pk).order_by("-at", "-id")

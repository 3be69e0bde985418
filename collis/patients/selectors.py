"""Reads of the patient registry. Reads that show patients are audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction, AuditEvent
from collis.patients.models import Patient


@dataclass(frozen=True, slots=True)
class PatientQuery:
    """What the user searched for: an NHS number, or a name, and/or a date of birth."""

    text: str = ""
    date_of_birth: date | None = None

    @property
    def nhs_number(self) -> str | None:
        digits = re.sub(r"[\s-]", "", self.text)
        return digits if re.fullmatch(r"\d{10}", digits) else None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and self.date_of_birth is None


def patient_list_matching(query: PatientQuery) -> QuerySet[Patient]:
    patients = Patient.objects.select_related("home_site")
    if query.nhs_number:
        return patients.filter(nhs_number=query.nhs_number)
    text = query.text.strip()
    if "," in text:  # "Family, Given"
        family, _, given = text.partition(",")
    else:
        words = text.split()
        family, given = (words[-1], " ".join(words[:-1])) if words else ("", "")
    patients = patients.with_name_prefix(family=family, given=given)
    if query.date_of_birth:
        patients = patients.filter(date_of_birth=query.date_of_birth)
    return patients.order_by("family_key", "given_key", "date_of_birth", "id")


def patient_search(*, query: PatientQuery, page_number, per_page: int, actor: Actor) -> Page:
    """One page of matching patients; each patient shown is recorded in the audit log."""
    page = Paginator(patient_list_matching(query), per_page).get_page(page_number)
    if page.object_list:
        audit_record_many(
            actor=actor, action=AuditAction.SEARCH, object_type="patient",
            patients=[(p.pk, p.nhs_number) for p in page.object_list],
            summary="Patient appeared in search results",
            details={"query": query.text, "date_of_birth": str(query.date_of_birth or ""),
                     "page": page.number},
        )
    return page


def patient_get(*, patient_id, actor: Actor) -> Patient:
    """The patient's record, for reading; the view is audited."""
    patient = Patient.objects.select_related("home_site", "created_by", "updated_by").get(
        pk=patient_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="patient",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the record of {patient.nhs_number}")
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

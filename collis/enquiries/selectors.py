"""Reads of enquiries, scoped to the reader's unit and audited: an enquiry holds a person's
details (and, once linked, names a patient)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction
from collis.core.roles import Capability, can
from collis.enquiries.models import (
    DeliveryState,
    Enquiry,
    EnquiryEmail,
    EnquiryEvent,
    EnquiryStatus,
)

# How many possible patients the enquiry page offers to link.
CANDIDATES_MAX = 5


def _unsent(state_filter):
    return Exists(EnquiryEmail.objects.filter(enquiry=OuterRef("pk"), **state_filter))


def enquiry_list(*, actor: Actor, status: str = "", assigned: str = "",
                 booking_requests: bool = False):
    """The unit's enquiries, newest first, with the current status and whether an email to
    the enquirer failed or waits for another try (one query, whatever the page)."""
    enquiries = Enquiry.objects.visible_to(actor.user).select_related(
        "site", "assigned_to").annotate(
        email_failed=_unsent({"state": DeliveryState.FAILED}),
        email_retrying=_unsent({"state": DeliveryState.RETRYING}))
    if booking_requests:
        enquiries = enquiries.booking_requests()
    if status == "":
        enquiries = enquiries.exclude(status=EnquiryStatus.CLOSED)
    elif status in EnquiryStatus.values:
        enquiries = enquiries.filter(status=status)
    if assigned == "me":
        enquiries = enquiries.filter(assigned_to=actor.user)
    elif assigned == "nobody":
        enquiries = enquiries.filter(assigned_to__isnull=True)
    return enquiries


def enquiry_list_booking_requests(*, actor: Actor):
    """The unit's enquiries marked as requests for an appointment, oldest first: what the
    scheduling app reads to offer appointments (not audited here: its pages audit what they
    show)."""
    return Enquiry.objects.visible_to(actor.user).booking_requests().select_related("site")


def enquiry_page(*, actor: Actor, page_number, per_page: int, **filters) -> Page:
    """One page of the inbox; listing it is audited once, naming the references shown."""
    page = Paginator(enquiry_list(actor=actor, **filters), per_page).get_page(page_number)
    if page.object_list:
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="enquiry_list",
                     summary=f"Viewed the enquiries inbox ({len(page.object_list)})",
                     details={"references": [e.reference for e in page.object_list],
                              **{k: str(v) for k, v in filters.items()}})
    return page


def enquiry_failed_email_count(*, actor: Actor) -> int:
    return EnquiryEmail.objects.filter(enquiry__in=Enquiry.objects.visible_to(actor.user),
                                       state=DeliveryState.FAILED).count()


def enquiry_get(*, enquiry_id, actor: Actor) -> Enquiry:
    """The enquiry, if it is the actor's unit's (Http404 otherwise, as if there were none);
    reading it is audited (in the linked patient's access history too)."""
    try:
        enquiry = Enquiry.objects.visible_to(actor.user).select_related(
            "site", "assigned_to", "booking_requested_by").get(pk=enquiry_id)
    except (Enquiry.DoesNotExist, ValueError, TypeError):
        raise Http404("No enquiry has this id.") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="enquiry",
                 object_id=enquiry.pk, patient_id=enquiry.patient_id,
                 summary=f"Viewed enquiry {enquiry.reference}")
    return enquiry


@dataclass(frozen=True)
class EnquiryRecord:
    """What the enquiry page shows beside the enquiry itself."""

    events: list[EnquiryEvent]
    emails: list[EnquiryEmail]
    patient: object | None  # the linked patient, when the reader may see them
    candidates: list  # patients the enquiry may be about, when none is linked yet
    candidates_by: str = ""  # "NHS number" or "name": what they matched


def enquiry_record(*, enquiry: Enquiry, actor: Actor) -> EnquiryRecord:
    """The history, the emails, the linked patient (read through the scoped, audited
    `patient_get`) and, before one is linked and for a reader who may link one, the unit's
    patients it may be about: by the NHS number given, else by the enquirer's name (those
    offered are audited as a search)."""
    from collis.patients.selectors import PatientQuery, patient_get, patient_list_matching

    events = list(enquiry.events.select_related("by", "assigned_to", "email"))
    emails = list(enquiry.emails.all())
    if enquiry.patient_id:
        patient = patient_get(patient_id=enquiry.patient_id, actor=actor) if can(
            actor.user, Capability.PATIENT_VIEW) else None
        return EnquiryRecord(events=events, emails=emails, patient=patient, candidates=[])
    if not enquiry_may_link(actor):
        return EnquiryRecord(events=events, emails=emails, patient=None, candidates=[])
    for by, text in (("NHS number", enquiry.nhs_number), ("name", enquiry.name)):
        candidates = list(patient_list_matching(PatientQuery(text=text), actor=actor)[
            :CANDIDATES_MAX]) if text else []
        if candidates:
            audit_record_many(
                actor=actor, action=AuditAction.SEARCH, object_type="patient",
                patients=[(p.pk, p.nhs_number) for p in candidates],
                summary=f"Patient offered as a match for enquiry {enquiry.reference}",
                details={"enquiry": enquiry.reference, "matched_by": by})
            return EnquiryRecord(events=events, emails=emails, patient=None,
                                 candidates=candidates, candidates_by=by)
    return EnquiryRecord(events=events, emails=emails, patient=None, candidates=[])


def enquiry_may_link(actor: Actor) -> bool:
    """Whether the actor may link an enquiry to a patient's record (and so be offered
    patients to link)."""
    return all(can(actor.user, c) for c in (Capability.ENQUIRY_ANSWER,
                                             Capability.PATIENT_SEARCH,
                                             Capability.PATIENT_VIEW))


def enquiry_assigned_to_me(*, actor: Actor, limit: int = 10) -> list[Enquiry]:
    """The open enquiries assigned to the actor, longest waiting first; listing them is
    audited once, naming the references shown (as the inbox is)."""
    rows = list(enquiry_list(actor=actor, assigned="me").order_by("submitted_at", "id")[:limit])
    if rows:
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="enquiry_list",
                     summary=f"Enquiries assigned to me on the home page ({len(rows)})",
                     details={"references": [e.reference for e in rows]})
    return rows

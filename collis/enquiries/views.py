"""The public contact form and its confirmation; the team's inbox, booking requests and
enquiry page, whose actions (reply, status, assignment, note, booking request, patient
link, sending an email again) are one view driven by the `ACTIONS` table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from collis.core.audit import Actor, client_ip
from collis.core.flow import form_submit
from collis.core.permissions import methods, public, require
from collis.core.roles import Capability, can
from collis.enquiries import presenters, selectors, services
from collis.enquiries.forms import (
    HONEYPOT,
    AssignForm,
    BookingRequestForm,
    EmailRetryForm,
    EnquiryForm,
    InboxFilterForm,
    NoteForm,
    PatientLinkForm,
    ReplyForm,
    StatusForm,
)

SENT_SESSION_KEY = "enquiries_sent"
_HOME = {"text": "Home", "href": "/"}


# -- Public ------------------------------------------------------------------------------

@public
@methods("GET", "POST")
@never_cache  # it holds the visitor's CSRF token: no shared cache may keep it
def enquiry_create(request):
    """Public: the contact form. Saved first; the acknowledgement email follows."""
    form = EnquiryForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        def save(data):
            nonlocal status
            try:
                return services.enquiry_submit(
                    data=data, client_address=client_ip(request), honeypot=form.honeypot,
                    actor=Actor.from_request(request))
            except services.EnquiryRefused as refused:
                status = 429
                raise ValidationError(str(refused)) from None

        response = form_submit(request, form, save,
                               redirect_to=lambda enquiry: _sent_remember(request, enquiry))
        if response:
            return response
    return render(request, "enquiries/enquiry_create.jinja", {
        "title": "Contact the dystonia unit", "form": form, "honeypot": HONEYPOT,
        "reply_days": settings.COLLIS_ENQUIRY_REPLY_WORKING_DAYS,
        "breadcrumbs": [_HOME, {"text": "Contact us", "href": ""}],
    }, status=status)


def _sent_remember(request, enquiry) -> str:
    """Keep the reference in the sender's session for the confirmation page (so that the
    page shows nobody else's), and give its address."""
    request.session[SENT_SESSION_KEY] = {"reference": enquiry.reference,
                                         "email": bool(enquiry.email)}
    return reverse("enquiries:enquiry_sent")


@public
@never_cache  # the sender's own reference
def enquiry_sent(request):
    """Public: the confirmation, with the reference (kept in the sender's session only)."""
    sent = request.session.get(SENT_SESSION_KEY)
    if not sent:
        return redirect("enquiries:enquiry_create")
    return render(request, "enquiries/enquiry_sent.jinja", {
        "title": "Enquiry sent", "sent": sent,
        "reply_days": settings.COLLIS_ENQUIRY_REPLY_WORKING_DAYS,
        "breadcrumbs": [_HOME, {"text": "Contact us", "href": ""}],
    })


# -- The team's inbox --------------------------------------------------------------------

def _inbox(request, *, booking_requests: bool):
    actor = Actor.from_request(request)
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {"status": "", "assigned": ""}
    if booking_requests:
        filters = {"status": "all", "assigned": ""}
    page = selectors.enquiry_page(actor=actor, page_number=request.GET.get("page"),
                                  per_page=settings.COLLIS_PAGE_SIZE,
                                  booking_requests=booking_requests, **filters)
    title = "Booking requests" if booking_requests else "Enquiries"
    return render(request, "enquiries/enquiry_list.jinja", {
        "title": title, "form": None if booking_requests else form, "page": page,
        "booking_requests": booking_requests,
        "failed_emails": selectors.enquiry_failed_email_count(actor=actor),
        "status_tag": presenters.status_tag,
        "breadcrumbs": [_HOME, {"text": title, "href": ""}],
    })


@require(Capability.ENQUIRY_VIEW)
def enquiry_list(request):
    return _inbox(request, booking_requests=False)


@require(Capability.ENQUIRY_VIEW)
def booking_request_list(request):
    """Enquiries marked as booking requests: the list the scheduling app will read."""
    return _inbox(request, booking_requests=True)


# -- One enquiry -------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    """A form on the enquiry page: how to build it, the service it calls, what to say."""

    form: Callable[[Any, Any], forms.Form]
    save: Callable[..., Any]
    message: str


ACTIONS: dict[str, Action] = {
    "reply": Action(lambda data, user: ReplyForm(data, prefix="reply"),
                    lambda pk, data, actor: services.enquiry_reply_send(
                        enquiry_id=pk, body=data["body"], actor=actor),
                    "Your reply is saved and will be emailed to the enquirer."),
    "status": Action(lambda data, user: StatusForm(data, prefix="status"),
                     lambda pk, data, actor: services.enquiry_status_change(
                         enquiry_id=pk, status=data["status"], note=data["note"],
                         actor=actor),
                     "The status is changed."),
    "assign": Action(lambda data, user: AssignForm(data, prefix="assign", user=user),
                     lambda pk, data, actor: services.enquiry_assign(
                         enquiry_id=pk, assignee=data["assigned_to"], actor=actor),
                     "The enquiry is assigned."),
    "note": Action(lambda data, user: NoteForm(data, prefix="note"),
                   lambda pk, data, actor: services.enquiry_note_add(
                       enquiry_id=pk, text=data["text"], actor=actor),
                   "Your note is added."),
    "booking-request": Action(lambda data, user: BookingRequestForm(data, prefix="booking"),
                              lambda pk, data, actor: services.enquiry_booking_request_mark(
                                  enquiry_id=pk, actor=actor),
                              "The enquiry is now a booking request."),
    "patient": Action(lambda data, user: PatientLinkForm(data, prefix="patient"),
                      lambda pk, data, actor: services.enquiry_patient_link(
                          enquiry_id=pk, patient_id=data["patient_id"], actor=actor),
                      "The enquiry is linked to the patient's record."),
    "email-retry": Action(lambda data, user: EmailRetryForm(data, prefix="email"),
                          lambda pk, data, actor: services.enquiry_email_retry(
                              email_id=data["email_id"], actor=actor),
                          "The email will be tried again."),
}

# The forms the page shows to someone who may answer (the others are buttons).
PAGE_FORMS = ("reply", "status", "assign", "note")


def _detail(request, pk, *, failed: str = "", failed_form=None, status: int = 200):
    actor = Actor.from_request(request)
    enquiry = selectors.enquiry_get(enquiry_id=pk, actor=actor)
    record = selectors.enquiry_record(enquiry=enquiry, actor=actor)
    can_answer = can(request.user, Capability.ENQUIRY_ANSWER)
    page_forms = {}
    if can_answer:
        page_forms = {name: ACTIONS[name].form(None, request.user) for name in PAGE_FORMS}
        page_forms["assign"].initial = {"assigned_to": enquiry.assigned_to_id}
        page_forms["status"].offer_moves_from(enquiry.status)
    if failed_form is not None:
        page_forms[failed] = failed_form
    return render(request, "enquiries/enquiry_detail.jinja", {
        "title": f"Enquiry {enquiry.reference}", "enquiry": enquiry, "record": record,
        "rows": presenters.summary_rows(enquiry),
        "status_tag": presenters.status_tag(enquiry.status),
        "events": [(e, presenters.event_words(e)) for e in record.events],
        "emails": [(e, presenters.delivery_words(e)) for e in record.emails],
        "forms": page_forms, "failed_form": failed_form, "can_answer": can_answer,
        "can_link": selectors.enquiry_may_link(actor),
        "breadcrumbs": [_HOME, {"text": "Enquiries", "href": reverse("enquiries:enquiry_list")},
                        {"text": enquiry.reference, "href": ""}],
    }, status=status)


@require(Capability.ENQUIRY_VIEW)
def enquiry_detail(request, pk):
    return _detail(request, pk)


@require(Capability.ENQUIRY_ANSWER)
@methods("POST")
def enquiry_act(request, pk, action):
    """One of the `ACTIONS` on the enquiry; back to its page, with errors if refused."""
    chosen = ACTIONS.get(action)
    if chosen is None:
        return _detail(request, pk, status=404)
    form = chosen.form(request.POST, request.user)
    actor = Actor.from_request(request)
    response = form_submit(request, form, lambda data: chosen.save(pk, data, actor),
                           redirect_to=reverse("enquiries:enquiry_detail", args=[pk]),
                           message=chosen.message)
    return response or _detail(request, pk, failed=action, failed_form=form)

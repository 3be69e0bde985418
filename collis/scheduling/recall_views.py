"""The toxin recall list: patients due or overdue for toxin, by site, most overdue first,
each booked with one click into the next free toxin clinic. Reads through the recall
selectors (scoped and audited); the booking goes through the booking services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from collis.core.audit import Actor
from collis.core.nhsuk_forms import sites_of
from collis.core.permissions import methods, require
from collis.core.presenters import format_nhs_number
from collis.core.roles import Capability, can
from collis.domain.recall import RECALL_LOOKAHEAD, TOXIN_RECALL_INTERVAL, recall_interval
from collis.domain.scheduling import AppointmentType
from collis.patients.selectors import patient_get
from collis.scheduling import due, recall
from collis.scheduling.presenters import slot_text


def _site(request, sites, name="site"):
    wanted = request.POST.get(name) if request.method == "POST" else request.GET.get(name)
    return next((s for s in sites if str(s.pk) == (wanted or "")), None)


def _list_href(site) -> str:
    query = f"?{urlencode({'site': site.pk})}" if site is not None else ""
    return reverse("scheduling:recall_list") + query


@require(Capability.CLINIC_VIEW)
def recall_list(request):
    """Patients due or overdue for toxin at a site (or all), most overdue first, a page at a
    time by keyset."""
    actor = Actor.from_request(request)
    sites = list(sites_of(request.user))
    site = _site(request, sites)
    page = recall.recall_list(actor=actor, site=site, after=request.GET.get("after", ""))
    return render(request, "scheduling/recall_list.jinja", {
        "title": "Toxin recall", "page": page, "sites": sites, "site": site,
        "after": request.GET.get("after", ""), "nhs": format_nhs_number,
        "interval_weeks": recall_interval().days // 7, "interval": TOXIN_RECALL_INTERVAL,
        "lookahead": RECALL_LOOKAHEAD,
        "may_book": can(request.user, Capability.APPOINTMENT_BOOK),
        "breadcrumbs": [{"text": "Home", "href": "/"},
                        {"text": "Clinics", "href": reverse("scheduling:session_list")},
                        {"text": "Toxin recall", "href": ""}],
    })


@require(Capability.APPOINTMENT_BOOK)
@methods("GET", "POST")
def recall_book(request, patient_id):
    """Book the patient into the next free toxin clinic slot from their due date, at the
    chosen site (or any), and say where; a refusal is said on the list."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    site = _site(request, list(sites_of(request.user)))
    if request.method == "GET":  # a link followed, not the button: back to the list
        return redirect(_list_href(site))
    try:
        appointment = recall.recall_book(patient=patient, site=site, actor=actor)
    except ValidationError as refused:
        words = " ".join(m for ms in refused.message_dict.values() for m in ms)
        messages.error(request, f"{patient.given_name} {patient.family_name} "
                                f"({format_nhs_number(patient.nhs_number)}) was not booked: "
                                f"{words}.")
    else:
        messages.success(request, f"Booked {patient.given_name} {patient.family_name} "
                                  f"({format_nhs_number(patient.nhs_number)}): "
                                  f"{slot_text(appointment.slot)}.")
    return redirect(_list_href(site))


def _due_href(kind, site) -> str:
    query = {"kind": kind.value, **({"site": site.pk} if site is not None else {})}
    return reverse("scheduling:due_list") + f"?{urlencode(query)}"


def _kind(request) -> AppointmentType:
    wanted = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    return next((k for k in due.DUE_KINDS if k.value == wanted), due.DUE_KINDS[0])


@require(Capability.CLINIC_VIEW)
def due_list(request):
    """Post-operative reviews or physiotherapy sessions due and not yet booked, most overdue
    first, each booked with one click."""
    actor = Actor.from_request(request)
    sites = list(sites_of(request.user))
    kind = _kind(request)
    return render(request, "scheduling/due_list.jinja", {
        "title": "Reviews and sessions to book", "rows": due.due_list(actor=actor, kind=kind),
        "kind": kind, "kinds": due.DUE_KINDS, "sites": sites, "site": _site(request, sites),
        "lookahead": RECALL_LOOKAHEAD,
        "may_book": can(request.user, Capability.APPOINTMENT_BOOK),
        "breadcrumbs": [{"text": "Home", "href": "/"},
                        {"text": "Clinics", "href": reverse("scheduling:session_list")},
                        {"text": "Reviews and sessions to book", "href": ""}],
    })


@require(Capability.APPOINTMENT_BOOK)
@methods("GET", "POST")
def due_book(request, patient_id):
    """Book the patient's review or session due into the next free slot of its kind from
    its due date (at the chosen site, or any); a refusal is said on the list."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    site = _site(request, list(sites_of(request.user)))
    kind = _kind(request)
    if request.method == "GET":  # a link followed, not the button: back to the list
        return redirect(_due_href(kind, site))
    name = f"{patient.given_name} {patient.family_name}"
    try:
        row = due.due_row_for(patient=patient, kind=kind, actor=actor)
        appointment = recall.book_next_free(patient=patient, kind=kind, not_before=row.due_on,
                                            actor=actor, site=site)
    except ValidationError as refused:
        words = " ".join(m for ms in refused.message_dict.values() for m in ms)
        messages.error(request, f"{name} ({format_nhs_number(patient.nhs_number)}) was not "
                                f"booked: {words}.")
    else:
        messages.success(request, f"Booked {name} ({format_nhs_number(patient.nhs_number)}) "
                                  f"for the {row.what.lower()}: {slot_text(appointment.slot)}.")
    return redirect(_due_href(kind, site))

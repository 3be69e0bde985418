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
from collis.patients.selectors import patient_get
from collis.scheduling import recall
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
@methods("POST")
def recall_book(request, patient_id):
    """Book the patient into the next free toxin clinic slot from their due date, at the
    chosen site (or any), and say where; a refusal is said on the list."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    site = _site(request, list(sites_of(request.user)))
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

"""Faster clinic entry: the toxin cycle given at an appointment, recorded in one page that
starts from the last cycle or the confirmed muscles (collis.scheduling.clinic_entry).
Reads go through the selectors; the save through the toxin and scheduling services."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.permissions import methods, require
from collis.core.roles import Capability
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.scheduling import clinic_entry, selectors
from collis.scheduling.presenters import session_title
from collis.treatments import presenters as toxin_presenters
from collis.treatments.forms import ToxinCycleForm
from collis.treatments.views import toxin_cycle_submit


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def clinic_cycle(request, patient_id, pk):
    """Record the toxin cycle given at this appointment and mark the patient seen; `?start=`
    chooses between the last cycle and the confirmed muscles."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    appointment = selectors.appointment_get(patient=patient, appointment_id=pk, actor=actor)
    back = reverse("scheduling:session_detail", kwargs={"session_id": appointment.session_id})
    if not clinic_entry.clinic_cycle_may_record(appointment):
        messages.info(request, "A cycle is recorded here from a toxin clinic appointment once "
                               "it has started, until the patient is marked seen.")
        return redirect(back)
    start = clinic_entry.clinic_cycle_start(appointment=appointment, user=request.user,
                                            start=request.GET.get("start", ""))
    warnings = ()
    if request.method == "POST":
        form = ToxinCycleForm(request.POST, user=request.user)
        response, warnings = toxin_cycle_submit(
            request, form, patient=patient, amends=None,
            save=lambda data, codes: clinic_entry.clinic_cycle_record(
                appointment=appointment, given_on=data["given_on"], product=data["product"],
                batch_number=data["batch_number"], batch_expires_on=data["batch_expires_on"],
                guidance=data["guidance"], injector=data["injector"], site=data["site"],
                injections=data["injections"], notes=data["notes"],
                warnings_acknowledged=codes, warnings_reason=data["warnings_reason"],
                actor=actor),
            redirect_to=back)
        if response:
            return response
    else:
        form = ToxinCycleForm(initial=start.initial, user=request.user)
    # From the clinic the expiry is asked for (the service requires it), not optional.
    form.fields["batch_expires_on"].label = "Batch expiry date"
    title = "Record the toxin cycle"
    return render(request, "scheduling/clinic_cycle.jinja", {
        "title": title, "patient": patient, "form": form, "amends": None,
        "warnings": warnings, "p": toxin_presenters, "appointment": appointment,
        "start": start, "session_title": session_title(appointment.session),
        "breadcrumbs": record_crumbs(
            patient, {"text": "Clinic list", "href": back}, {"text": title, "href": ""}),
    })

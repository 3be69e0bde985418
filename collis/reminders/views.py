"""The patient's contact preferences for appointment messages (under PATIENT)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.reminders import selectors, services
from collis.reminders.forms import ContactPreferenceForm


@require(Capability.APPOINTMENT_BOOK)
@methods("GET", "POST")
def contact_preferences(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    current = selectors.contact_preference_get(patient=patient, actor=actor)
    initial = {"email_ok": "yes" if current and current.email_ok else "no",
               "sms_ok": "yes" if current and current.sms_ok else "no"} if current else None
    form = ContactPreferenceForm(request.POST if request.method == "POST" else None,
                                 initial=initial)
    back = request.POST.get("next") or request.GET.get("next") or reverse(
        "scheduling:appointment_list", kwargs={"patient_id": patient.pk})
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("scheduling:appointment_list", kwargs={"patient_id": patient.pk})
    if request.method == "POST":
        done = form_submit(
            request, form,
            lambda data: services.contact_preference_record(
                patient=patient, email_ok=data["email_ok"] == "yes",
                sms_ok=data["sms_ok"] == "yes", actor=actor),
            redirect_to=back, message="The patient's contact preferences are saved.")
        if done:
            return done
    return render(request, "reminders/contact_preferences.jinja", {
        "title": "Contact about appointments", "patient": patient, "form": form,
        "current": current, "back": back,
        "breadcrumbs": record_crumbs(patient, {"text": "Contact about appointments",
                                               "href": ""}),
    })

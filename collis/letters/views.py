"""Pages of clinic letters (under PATIENT): write the draft from an appointment, read it
with its versions, edit, send, correct, mark entered in error and download the PDF. Reads
go through `patient_get` and the app's selectors (scoped and audited); writes through
`form_submit` and the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.pdf import pdf_response
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.letters import selectors, services
from collis.letters.forms import LetterEditForm, LetterErrorForm, LetterSendForm
from collis.letters.models import SECTIONS, LetterState
from collis.letters.pdfs import letter_pdf
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.scheduling.selectors import appointment_get


def _href(letter) -> str:
    return reverse("letters:letter_detail",
                   kwargs={"patient_id": letter.patient_id, "pk": letter.pk})


def _crumbs(patient, title):
    return record_crumbs(patient, {"text": "Appointments", "href": reverse(
        "scheduling:appointment_list", kwargs={"patient_id": patient.pk})},
        {"text": title, "href": ""})


@require(Capability.LETTER_WRITE)
@methods("POST")
def letter_new(request, patient_id, appointment_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    appointment = appointment_get(patient=patient, appointment_id=appointment_id, actor=actor)
    try:
        letter = services.letter_draft_create(appointment=appointment, actor=actor)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("scheduling:appointment_detail", patient_id=patient.pk,
                        pk=appointment.pk)
    messages.success(request, "The draft letter is written from the record: check and edit "
                              "it before sending.")
    return redirect(_href(letter))


@require(Capability.RECORD_VIEW)
@methods("GET")
def letter_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    letter = selectors.letter_get(patient=patient, letter_id=pk, actor=actor)
    versions = selectors.letter_versions(letter)
    current = next((v for v in versions if v.is_current), versions[0])
    writer = can(request.user, Capability.LETTER_WRITE)
    return render(request, "letters/letter_detail.jinja", {
        "title": "Clinic letter", "patient": patient, "letter": letter, "current": current,
        "versions": versions, "sections": SECTIONS,
        "email": selectors.letter_email_latest(letter) if letter.sent_how == "email" else None,
        "may_edit": writer and letter.state != LetterState.ENTERED_IN_ERROR,
        "may_send": writer and letter.state == LetterState.DRAFT,
        "breadcrumbs": _crumbs(patient, "Clinic letter"),
    })


def _letter_form_page(request, patient_id, pk, *, form_for, save, title, message,
                      intro=""):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    letter = selectors.letter_get(patient=patient, letter_id=pk, actor=actor)
    current = services.letter_current_version(letter)
    form = form_for(letter, current, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = form_submit(request, form, lambda data: save(letter, data, actor),
                           redirect_to=_href(letter), message=message)
        if done:
            return done
    return render(request, "letters/letter_form.jinja", {
        "title": title, "patient": patient, "letter": letter, "form": form, "intro": intro,
        "breadcrumbs": _crumbs(patient, title),
    })


@require(Capability.LETTER_WRITE)
@methods("GET", "POST")
def letter_edit(request, patient_id, pk):
    def form_for(letter, current, data):
        initial = {"version": letter.version,
                   **{field: getattr(current, field) for field, _h in SECTIONS}}
        return LetterEditForm(data, initial=initial,
                              correcting=letter.state == LetterState.SENT)

    def save(letter, data, actor):
        return services.letter_edit(letter=letter, version=data["version"], sections=data,
                                    reason=data.get("correction_reason") or "", actor=actor)

    return _letter_form_page(request, patient_id, pk, form_for=form_for, save=save,
                             title="Edit the clinic letter",
                             message="Saved as a new version of the letter.")


@require(Capability.LETTER_WRITE)
@methods("GET", "POST")
def letter_send(request, patient_id, pk):
    def form_for(letter, current, data):
        return LetterSendForm(data, initial={"version": letter.version,
                                             "to": letter.patient.gp_practice_email})

    def save(letter, data, actor):
        return services.letter_send(letter=letter, version=data["version"], how=data["how"],
                                    to=data.get("to") or "", actor=actor)

    return _letter_form_page(request, patient_id, pk, form_for=form_for, save=save,
                             title="Send the clinic letter",
                             intro="The version you send is kept as it was sent. To change "
                                   "it later, you correct it and send the new version.",
                             message="The letter is sent.")


@require(Capability.LETTER_WRITE)
@methods("GET", "POST")
def letter_error(request, patient_id, pk):
    def form_for(letter, current, data):
        return LetterErrorForm(data, initial={"version": letter.version})

    def save(letter, data, actor):
        return services.letter_mark_entered_in_error(
            letter=letter, version=data["version"], reason=data["reason"], actor=actor)

    return _letter_form_page(request, patient_id, pk, form_for=form_for, save=save,
                             title="Mark the letter as entered in error",
                             message="The letter is marked as entered in error.")


@require(Capability.RECORD_VIEW)
@methods("GET")
def letter_download(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    letter = selectors.letter_get(patient=patient, letter_id=pk, actor=actor)
    number = request.GET.get("version") or services.letter_current_version(letter).number
    version = selectors.letter_version_for_download(letter=letter, number=number, actor=actor)
    dated = timezone.localtime(letter.sent_at if letter.sent_version_id == version.pk
                               else version.created_at).date()
    data = letter_pdf(letter=letter, version=version, author=version.created_by, dated=dated)
    return pdf_response(data, f"clinic-letter-{letter.pk}-v{version.number}.pdf")

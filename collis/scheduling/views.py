"""Pages of clinics and appointments: the week's clinic sessions, a session's clinic list
(page and PDF) with attendance, and a patient's appointments: find the next free slot,
book, move, cancel and record attendance. Patients are read through `patient_get`, all
reads through the app's selectors (scoped and audited); forms run through `form_submit`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.models import AuditAction
from collis.core.nhsuk_forms import sites_of
from collis.core.pdf import pdf_response
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.scheduling import DNA_POLICY, STATUS_MOVES, AppointmentStatus
from collis.letters import selectors as letter_selectors
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.reminders import selectors as reminder_selectors
from collis.scheduling import pdfs, selectors, services
from collis.scheduling.forms import (
    AttendanceForm,
    BookForm,
    CancelForm,
    ClinicForm,
    FindSlotForm,
)
from collis.scheduling.presenters import clinicians_text, session_title, slot_text, time_short


def _session_href(session_id) -> str:
    return reverse("scheduling:session_detail", kwargs={"session_id": session_id})


def _appointments_href(patient) -> str:
    return reverse("scheduling:appointment_list", kwargs={"patient_id": patient.pk})


def _detail_href(appointment) -> str:
    return reverse("scheduling:appointment_detail",
                   kwargs={"patient_id": appointment.patient_id, "pk": appointment.pk})


def _clinic_crumbs(current: str) -> list[dict]:
    return [{"text": "Home", "href": "/"},
            {"text": "Clinics", "href": reverse("scheduling:session_list")},
            {"text": current, "href": ""}]


def _moving(request, patient, actor):
    """The appointment being moved (`?reschedule=<id>`), or None."""
    appointment_id = request.GET.get("reschedule")
    return (selectors.appointment_get(patient=patient, actor=actor,
                                      appointment_id=appointment_id)
            if appointment_id else None)


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return timezone.localdate()


@require(Capability.CLINIC_VIEW)
def session_list(request):
    """The unit's clinic sessions for a week, at a site or all."""
    actor = Actor.from_request(request)
    sites = list(sites_of(request.user))
    site = next((s for s in sites if str(s.pk) == request.GET.get("site")), None)
    day = _day(request)
    sessions = selectors.session_list(actor=actor, site=site, day=day)
    return render(request, "scheduling/session_list.jinja", {
        "title": "Clinics", "sessions": sessions, "sites": sites, "site": site, "day": day,
        "earlier": day - dt.timedelta(days=7), "later": day + dt.timedelta(days=7),
        "session_title": session_title, "clinicians_text": clinicians_text,
        "may_schedule": can(request.user, Capability.CLINIC_SCHEDULE),
    })


@require(Capability.CLINIC_SCHEDULE)
@methods("GET", "POST")
def session_new(request):
    """Set up a clinic: once, weekly or fortnightly, at the same local time each sitting."""
    actor = Actor.from_request(request)
    form = ClinicForm(request.POST if request.method == "POST" else None, user=request.user,
                      initial={"recurrence": "weekly", "capacity": 1})
    if request.method == "POST":
        done = form_submit(
            request, form,
            lambda data: services.clinic_series_create(
                appointment_type=data["appointment_type"], room=data["room"],
                clinicians=list(data["clinicians"]), first_day=data["first_day"],
                starts=data["starts"], ends=data["ends"], recurrence=data["recurrence"],
                until=data.get("until"), capacity=data["capacity"], actor=actor),
            redirect_to=lambda series: _session_href(series.sessions.order_by(
                "starts_at").values_list("pk", flat=True).first()),
            message=lambda series: f"The clinic is set up: {series.sessions.count()} "
                                   f"session(s).")
        if done:
            return done
    return render(request, "scheduling/session_new.jinja", {
        "title": "Set up a clinic", "form": form,
        "breadcrumbs": _clinic_crumbs("Set up a clinic"),
    })


@require(Capability.CLINIC_VIEW)
def session_detail(request, session_id):
    """The clinic list: every slot with its patient, and attendance buttons once started."""
    actor = Actor.from_request(request)
    session = selectors.session_get(actor=actor, session_id=session_id)
    rows = selectors.session_clinic_list(session=session, actor=actor)
    return render(request, "scheduling/session_detail.jinja", {
        "title": session_title(session), "session": session, "rows": rows,
        "clinicians": clinicians_text(session), "time_short": time_short,
        "started": session.starts_at <= timezone.now(), "now": timezone.now(),
        "may_record": can(request.user, Capability.ATTENDANCE_RECORD),
        "may_record_toxin": can(request.user, Capability.TOXIN_RECORD),
        "moves": STATUS_MOVES,
        "breadcrumbs": _clinic_crumbs("Clinic list"),
    })


@require(Capability.CLINIC_VIEW)
def session_pdf(request, session_id):
    actor = Actor.from_request(request)
    session = selectors.session_get(actor=actor, session_id=session_id)
    rows = selectors.session_clinic_list(session=session, actor=actor,
                                         action=AuditAction.DOWNLOAD)
    local = timezone.localtime(session.starts_at)
    return pdf_response(pdfs.clinic_list_pdf(session=session, rows=rows),
                        f"clinic-list-{local:%Y-%m-%d-%H%M}-{session.pk}.pdf")


@require(Capability.CLINIC_VIEW)
def appointment_list(request, patient_id):
    """The patient's appointments, missed appointments with what happens next, and the
    search for the next free slot."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    appointments = selectors.appointment_list_for_patient(patient=patient, actor=actor)
    return render(request, "scheduling/appointment_list.jinja", {
        "title": "Appointments", "patient": patient, "appointments": appointments,
        "missed": selectors.dna_summary(patient=patient), "dna_policy": DNA_POLICY,
        "may_book": can(request.user, Capability.APPOINTMENT_BOOK),
        "breadcrumbs": record_crumbs(patient, {"text": "Appointments", "href": ""}),
    })


@require(Capability.APPOINTMENT_BOOK)
def appointment_find(request, patient_id):
    """Find the next free slots of a type (at a site, with a clinician, or any), to book or
    to move an appointment to (`?reschedule=<id>`)."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    moving = _moving(request, patient, actor)
    sites = list(sites_of(request.user))
    clinicians = selectors.clinicians_of_unit(actor=actor)
    data = request.GET if "appointment_type" in request.GET else None
    if data is None and moving is not None:
        data = {"appointment_type": moving.appointment_type}
    form = FindSlotForm(data, sites=sites, clinicians=clinicians)
    slots = None
    if data is not None and form.is_valid():
        pick = form.cleaned_data
        slots = selectors.slot_find_free(
            actor=actor, appointment_type=pick["appointment_type"],
            site=next((s for s in sites if str(s.pk) == pick["site"]), None),
            clinician=next((u for u in clinicians if str(u.pk) == pick["clinician"]), None))
    return render(request, "scheduling/appointment_find.jinja", {
        "title": "Move the appointment" if moving else "Book an appointment",
        "patient": patient, "form": form, "slots": slots, "moving": moving,
        "slot_text": slot_text, "book_form": BookForm(),
        "breadcrumbs": record_crumbs(patient, {"text": "Appointments",
                                               "href": _appointments_href(patient)},
                                     {"text": "Find a slot", "href": ""}),
    })


@require(Capability.APPOINTMENT_BOOK)
@methods("GET", "POST")
def appointment_book(request, patient_id):
    """Book the chosen slot (or move an appointment to it, `?reschedule=<id>`); a full slot
    only with a clinician's agreement to double book, in words."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    moving = _moving(request, patient, actor)
    slot_id = request.POST.get("slot") or request.GET.get("slot")
    slot = selectors.slot_get(actor=actor, slot_id=slot_id) if slot_id else None
    form = BookForm(request.POST if request.method == "POST" else None,
                    initial={"slot": slot.pk if slot else None})
    if request.method == "POST":
        def save(data):
            if slot is None:
                raise ValidationError({"slot": "Choose a slot"})
            if moving is not None:
                if not (data.get("reason") or "").strip():
                    raise ValidationError({"reason": "Enter the reason for moving the "
                                                     "appointment"})
                return services.appointment_reschedule(
                    appointment=moving, slot=slot, reason=data["reason"], actor=actor,
                    double_booking_reason=data.get("double_booking_reason") or "")
            return services.appointment_book(
                patient=patient, slot=slot, actor=actor,
                double_booking_reason=data.get("double_booking_reason") or "")

        done = form_submit(request, form, save, redirect_to=_detail_href,
                           message=lambda a: f"Booked: {slot_text(a.slot)}.",
                           field_for={"patient": "slot"})
        if done:
            return done
    if slot is None:
        return redirect(reverse("scheduling:appointment_find", kwargs={"patient_id": patient.pk}))
    return render(request, "scheduling/appointment_book.jinja", {
        "title": "Check and book", "patient": patient, "form": form, "slot": slot,
        "moving": moving, "slot_text": slot_text,
        "may_double_book": can(request.user, Capability.DOUBLE_BOOKING_AGREE),
        "breadcrumbs": record_crumbs(patient, {"text": "Appointments",
                                               "href": _appointments_href(patient)},
                                     {"text": "Book", "href": ""}),
    })


@require(Capability.CLINIC_VIEW)
def appointment_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    appointment = selectors.appointment_get(patient=patient, appointment_id=pk, actor=actor)
    status = AppointmentStatus(appointment.status)
    open_ = status in STATUS_MOVES
    return render(request, "scheduling/appointment_detail.jinja", {
        "title": appointment.get_appointment_type_display(), "patient": patient,
        "appointment": appointment, "slot_text": slot_text,
        "may_book": open_ and status != AppointmentStatus.ARRIVED
        and can(request.user, Capability.APPOINTMENT_BOOK)
        and appointment.starts_at > timezone.now(),
        "may_record": open_ and can(request.user, Capability.ATTENDANCE_RECORD)
        and appointment.starts_at <= timezone.now(),
        "may_book_next": status in (AppointmentStatus.SEEN, AppointmentStatus.DID_NOT_ATTEND)
        and can(request.user, Capability.APPOINTMENT_BOOK),
        # The messages to the patient about it (collis.reminders).
        "messages_to_patient": reminder_selectors.appointment_messages_get(
            appointment=appointment, actor=actor),
        "may_change_contact": can(request.user, Capability.APPOINTMENT_BOOK),
        # Its clinic letter (collis.letters), once seen.
        "clinic_letter": letter_selectors.letters_of_appointment(appointment),
        "may_write_letter": status == AppointmentStatus.SEEN
        and can(request.user, Capability.LETTER_WRITE),
        "breadcrumbs": record_crumbs(patient, {"text": "Appointments",
                                               "href": _appointments_href(patient)},
                                     {"text": "Appointment", "href": ""}),
    })


def _appointment_form_page(request, patient_id, pk, *, form_class, save, template, title,
                           message):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    appointment = selectors.appointment_get(patient=patient, appointment_id=pk, actor=actor)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = form_submit(request, form, lambda data: save(appointment, data, actor),
                           redirect_to=request.POST.get("next") or _detail_href(appointment),
                           message=message)
        if done:
            return done
    return render(request, template, {
        "title": title, "patient": patient, "appointment": appointment, "form": form,
        "slot_text": slot_text,
        "breadcrumbs": record_crumbs(patient, {"text": "Appointments",
                                               "href": _appointments_href(patient)},
                                     {"text": title, "href": ""}),
    })


@require(Capability.ATTENDANCE_RECORD)
@methods("GET", "POST")
def appointment_attendance(request, patient_id, pk):
    """Record arrival, that the patient was seen (with the outcome), or did not attend."""
    def save(appointment, data, actor):
        return services.appointment_status_record(
            appointment=appointment, status=data["status"], outcome=data.get("outcome") or "",
            reason=data.get("reason") or "", actor=actor)

    return _appointment_form_page(request, patient_id, pk, form_class=AttendanceForm,
                                  save=save, template="scheduling/appointment_form.jinja",
                                  title="Record attendance",
                                  message=lambda a: f"Recorded: {a.status_label.lower()}.")


@require(Capability.APPOINTMENT_BOOK)
@methods("GET", "POST")
def appointment_cancel(request, patient_id, pk):
    def save(appointment, data, actor):
        return services.appointment_cancel(
            appointment=appointment, by_patient=data["cancelled_by"] == "patient",
            reason=data["reason"], actor=actor)

    return _appointment_form_page(request, patient_id, pk, form_class=CancelForm, save=save,
                                  template="scheduling/appointment_form.jinja",
                                  title="Cancel the appointment",
                                  message="The appointment is cancelled and its slot is free.")

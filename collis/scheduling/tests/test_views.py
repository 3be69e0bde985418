"""The pages: find, book, move, cancel, clinic list (page and PDF) and attendance; refusals
in words on the field; queries bounded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import services
from collis.scheduling.models import Appointment
from collis.scheduling.tests.factories import clinic, coordinator_actor, room_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_as, sites):
    return client_as(Role.MDT_COORDINATOR)


def _find(patient):
    return reverse("scheduling:appointment_find", kwargs={"patient_id": patient.pk})


def _book(patient):
    return reverse("scheduling:appointment_book", kwargs={"patient_id": patient.pk})


def test_the_next_free_toxin_slot_at_the_portland_is_found_and_booked(coordinator):
    patient = PatientFactory()
    session = clinic()
    site = room_at().site
    page = coordinator.get(_find(patient), {"appointment_type": "toxin", "site": site.pk})
    assert page.status_code == 200
    first = session.slots.order_by("starts_at").first()
    assert f"?slot={first.pk}" in page.content.decode()
    done = coordinator.post(_book(patient), {"slot": first.pk})
    assert done.status_code == 302
    appointment = Appointment.objects.get(patient=patient)
    assert appointment.slot == first and appointment.created_by == coordinator.user


def test_booking_a_full_slot_says_so_on_the_slot_field(coordinator):
    session = clinic()
    slot = session.slots.order_by("starts_at").first()
    services.appointment_book(patient=PatientFactory(), slot=slot, actor=coordinator_actor())
    page = coordinator.post(_book(PatientFactory()), {"slot": slot.pk})
    assert page.status_code == 200
    assert "This slot is full" in page.content.decode()


def test_a_bad_slot_id_is_a_404_not_a_server_error(coordinator):
    page = coordinator.post(_book(PatientFactory()), {"slot": "abc"})
    assert page.status_code == 404


def test_moving_an_appointment_needs_a_reason_and_keeps_the_old_one(coordinator):
    patient = PatientFactory()
    first, later = clinic().slots.order_by("starts_at")[:2]
    old = services.appointment_book(patient=patient, slot=first, actor=coordinator_actor())
    url = _book(patient) + f"?reschedule={old.pk}"
    refused = coordinator.post(url, {"slot": later.pk})
    assert "Enter the reason for moving the appointment" in refused.content.decode()
    coordinator.post(url, {"slot": later.pk, "reason": "Patient on holiday"})
    old.refresh_from_db()
    assert old.status == "rescheduled" and old.rescheduled_to.slot == later


def test_cancel_form_names_the_missing_fields(coordinator):
    patient = PatientFactory()
    appointment = services.appointment_book(
        patient=patient, slot=clinic().slots.first(), actor=coordinator_actor())
    url = reverse("scheduling:appointment_cancel",
                  kwargs={"patient_id": patient.pk, "pk": appointment.pk})
    html = coordinator.post(url, {}).content.decode()
    assert "Choose who cancelled?" in html or "Choose who cancelled" in html
    assert "Enter reason for cancelling" in html
    coordinator.post(url, {"cancelled_by": "patient", "reason": "Feeling better"})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled_by_patient"


def test_attendance_before_the_start_is_refused_on_the_page(coordinator):
    patient = PatientFactory()
    appointment = services.appointment_book(
        patient=patient, slot=clinic().slots.first(), actor=coordinator_actor())
    url = reverse("scheduling:appointment_attendance",
                  kwargs={"patient_id": patient.pk, "pk": appointment.pk})
    html = coordinator.post(url, {"status": "arrived"}).content.decode()
    assert "before the appointment starts" in html
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_the_clinic_list_page_and_pdf_show_the_patients_and_are_audited(
        coordinator, django_assert_max_num_queries):
    session = clinic(ends=dt.time(12))
    for slot in list(session.slots.order_by("starts_at"))[:6]:
        services.appointment_book(patient=PatientFactory(), slot=slot,
                                  actor=coordinator_actor())
    url = reverse("scheduling:session_detail", kwargs={"session_id": session.pk})
    with django_assert_max_num_queries(14):
        page = coordinator.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("NHS number") >= 6
    pdf = coordinator.get(reverse("scheduling:session_pdf", kwargs={"session_id": session.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="clinic_session", action="download").exists()


def test_the_week_of_clinics_is_listed_with_bounded_queries(
        coordinator, django_assert_max_num_queries):
    for hour in (8, 10, 12, 14):
        session = clinic(starts=dt.time(hour), ends=dt.time(hour + 1))
    for slot in session.slots.all()[:2]:
        services.appointment_book(patient=PatientFactory(), slot=slot,
                                  actor=coordinator_actor())
    day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with django_assert_max_num_queries(10):
        page = coordinator.get(reverse("scheduling:session_list"), {"from": day})
    html = page.content.decode()
    assert html.count("Botulinum toxin clinic, The Portland Hospital") == 4
    assert html.count("0 of 3 places") == 3 and html.count("2 of 3 places") == 1


def test_the_patients_appointments_show_missed_ones_and_the_local_policy(coordinator):
    patient = PatientFactory()
    slot = clinic().slots.first()
    appointment = services.appointment_book(patient=patient, slot=slot,
                                            actor=coordinator_actor())
    services.appointment_status_record(appointment=appointment, status="did_not_attend",
                                       actor=coordinator_actor(), now=slot.ends_at)
    html = coordinator.get(reverse("scheduling:appointment_list",
                                   kwargs={"patient_id": patient.pk})).content.decode()
    assert "Missed appointments" in html and "local policy" in html


def test_an_auditor_cannot_open_the_clinics(client_as, sites):
    page = client_as(Role.AUDITOR).get(reverse("scheduling:session_list"))
    assert page.status_code == 403
    assert "Your role cannot view clinic lists and appointments." in page.content.decode()


def _clinic_post(room, nurse, **changes):
    first = timezone.localdate() + dt.timedelta(days=1)
    data = {"appointment_type": "toxin", "room": room.pk, "clinicians": [nurse.pk],
            "first_day-day": first.day, "first_day-month": first.month,
            "first_day-year": first.year,
            "starts": "09:00", "ends": "12:00", "recurrence": "weekly",
            "until-day": (first + dt.timedelta(days=14)).day,
            "until-month": (first + dt.timedelta(days=14)).month,
            "until-year": (first + dt.timedelta(days=14)).year, "capacity": "1"}
    data.update(changes)
    return data


def test_a_coordinator_sets_up_a_weekly_clinic(coordinator):
    from collis.core.tests.factories import UserFactory
    from collis.scheduling.models import ClinicSession

    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    done = coordinator.post(reverse("scheduling:session_new"), _clinic_post(room_at(), nurse))
    assert done.status_code == 302, done.content.decode()[:2000]
    sessions = ClinicSession.objects.order_by("starts_at")
    assert sessions.count() == 3
    assert {timezone.localtime(s.starts_at).time() for s in sessions} == {dt.time(9)}
    assert all(s.slots.count() == 9 for s in sessions)


def test_setting_up_a_clinic_names_each_bad_field(coordinator):
    from collis.core.tests.factories import UserFactory

    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    html = coordinator.post(reverse("scheduling:session_new"), _clinic_post(
        room_at(), nurse, starts="9 o'clock", capacity="0",
        **{"until-day": "", "until-month": "", "until-year": ""})).content.decode()
    assert "Starts at must be a time such as 09:00 or 1:30pm" in html
    assert "Enter the date of the last session of a repeating clinic" in html
    assert "Patients per slot must be a whole number from 1 to 20" in html
    html = coordinator.post(reverse("scheduling:session_new"), _clinic_post(
        room_at(), nurse, starts="12:00", ends="09:00")).content.decode()
    assert "The session must end after it starts" in html


def test_a_nurse_cannot_set_up_a_clinic(client_as, sites):
    page = client_as(Role.NURSE_SPECIALIST).get(reverse("scheduling:session_new"))
    assert page.status_code == 403
    assert "Your role cannot set up clinic sessions." in page.content.decode()


def test_the_patient_pages_read_a_bounded_number_of_queries(coordinator,
                                                            django_assert_max_num_queries):
    patient = PatientFactory()
    session = clinic(ends=dt.time(12))
    slots = list(session.slots.order_by("starts_at"))
    for slot in slots[:4]:
        appointment = services.appointment_book(patient=patient, slot=slot,
                                                actor=coordinator_actor())
        services.appointment_cancel(appointment=appointment, by_patient=True, reason="Away",
                                    actor=coordinator_actor())
    kwargs = {"patient_id": patient.pk}
    with django_assert_max_num_queries(14):
        coordinator.get(reverse("scheduling:appointment_list", kwargs=kwargs))
    with django_assert_max_num_queries(14):
        coordinator.get(reverse("scheduling:appointment_find", kwargs=kwargs),
                        {"appointment_type": "toxin"})
    # + 4 for the messages to the patient, their audit entry (collis.reminders) and the
    # clinic letter (collis.letters).
    with django_assert_max_num_queries(18):
        coordinator.get(reverse("scheduling:appointment_detail",
                                kwargs={**kwargs, "pk": appointment.pk}))


def test_another_units_staff_cannot_see_the_clinics_or_appointments(client_as, sites):
    from collis.core.models import Organisation

    patient = PatientFactory()
    session = clinic()
    appointment = services.appointment_book(patient=patient, slot=session.slots.first(),
                                            actor=coordinator_actor())
    other = client_as(Role.MDT_COORDINATOR)
    other.user.organisation = Organisation.objects.create(code="north", name="North unit")
    other.user.save()
    for url in (reverse("scheduling:session_detail", kwargs={"session_id": session.pk}),
                reverse("scheduling:session_pdf", kwargs={"session_id": session.pk}),
                reverse("scheduling:appointment_detail",
                        kwargs={"patient_id": patient.pk, "pk": appointment.pk})):
        assert other.get(url).status_code == 404, url
    html = other.get(reverse("scheduling:session_list")).content.decode()
    assert "Botulinum toxin clinic" not in html


@pytest.mark.parametrize(("typed", "time"), [
    ("09:00", dt.time(9)), ("9.30", dt.time(9, 30)), ("1pm", dt.time(13)),
    ("12:15am", dt.time(0, 15)), ("12pm", dt.time(12)), ("4:30 PM", dt.time(16, 30))])
def test_a_time_is_read_as_people_write_it(typed, time):
    from collis.scheduling.forms import TimeField

    assert TimeField(label="Starts at").clean(typed) == time


@pytest.mark.parametrize("typed", ["9", "13pm", "half four", "25:00", "9:75"])
def test_a_time_that_is_not_one_is_refused_by_name(typed):
    from django.core.exceptions import ValidationError

    from collis.scheduling.forms import TimeField

    with pytest.raises(ValidationError, match="Starts at must be a time such as 09:00"):
        TimeField(label="Starts at").clean(typed)


def test_a_full_slot_is_double_booked_from_the_page_only_with_the_reason(coordinator,
                                                                         client_as):
    slot = clinic().slots.order_by("starts_at").first()
    services.appointment_book(patient=PatientFactory(), slot=slot, actor=coordinator_actor())
    patient = PatientFactory()
    page = coordinator.get(_book(patient), {"slot": slot.pk})
    assert "Double booking agreed by a clinician" in page.content.decode()
    done = coordinator.post(_book(patient), {
        "slot": slot.pk, "double_booking_reason": "Dr Demo agreed: pain crisis"})
    assert done.status_code == 302
    assert Appointment.objects.get(patient=patient).double_booking_reason.startswith("Dr Demo")
    nurse = client_as(Role.NURSE_SPECIALIST)
    html = nurse.get(_book(PatientFactory()), {"slot": slot.pk}).content.decode()
    assert "Double booking agreed by a clinician" not in html
    refused = nurse.post(_book(PatientFactory()), {"slot": slot.pk,
                                                   "double_booking_reason": "please"})
    assert refused.status_code == 403


def test_once_seen_the_next_appointment_of_the_same_kind_is_one_click_away(coordinator):
    patient = PatientFactory()
    slot = clinic().slots.first()
    appointment = services.appointment_book(patient=patient, slot=slot,
                                            actor=coordinator_actor())
    for status in ("arrived", "seen"):
        services.appointment_status_record(appointment=appointment, status=status,
                                           outcome="recall", actor=coordinator_actor(),
                                           now=slot.starts_at)
    html = coordinator.get(reverse("scheduling:appointment_detail", kwargs={
        "patient_id": patient.pk, "pk": appointment.pk})).content.decode()
    assert "Book the next appointment" in html
    assert f"appointment_type=toxin&amp;site={slot.session.room.site_id}" in html
    assert "Recall for the next toxin cycle" in html
    assert "Cancel the appointment" not in html

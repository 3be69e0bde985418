"""Faster clinic entry: the cycle given at a toxin appointment, recorded in one page that
starts from the last cycle (or the confirmed muscles), through the toxin services, marking
the appointment seen; nothing half-saved when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import RecordStatus
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.scheduling import AppointmentType
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import clinic_entry, services
from collis.scheduling.models import Appointment
from collis.scheduling.tests.factories import clinic, coordinator_actor, room_at
from collis.treatments.models import ToxinCycle
from collis.treatments.tests.factories import ToxinCycleFactory, ToxinInjectionFactory

pytestmark = pytest.mark.django_db


def started_toxin_appointment(patient, *, nurse=None) -> Appointment:
    """A toxin appointment at The Portland Hospital that started this morning (or, before
    08:00, yesterday morning), booked two days before."""
    now = timezone.localtime()
    day = now.date() if now.time() >= dt.time(8) else now.date() - dt.timedelta(days=1)
    coordinator = coordinator_actor()
    before = timezone.now() - dt.timedelta(days=2)
    series = services.clinic_series_create(
        appointment_type=AppointmentType.TOXIN, room=room_at(name="Room 3"),
        clinicians=[nurse or UserFactory(role=Role.NURSE_SPECIALIST)], first_day=day,
        starts=dt.time(7), ends=dt.time(7, 40), actor=coordinator, now=before)
    slot = series.sessions.get().slots.order_by("starts_at").first()
    return services.appointment_book(patient=patient, slot=slot, actor=coordinator, now=before)


def _last_cycle(patient, weeks_ago=13):
    cycle = ToxinCycleFactory(patient=patient,
                              given_on=timezone.localdate() - dt.timedelta(weeks=weeks_ago),
                              product="abobotulinumtoxinA", guidance="ultrasound")
    ToxinInjectionFactory(cycle=cycle, muscle="sternocleidomastoid", side="left", units=250)
    ToxinInjectionFactory(cycle=cycle, muscle="splenius_capitis", side="right", units=200)
    return cycle


@pytest.fixture
def nurse(client_as, sites):
    return client_as(Role.NURSE_SPECIALIST)


def _page(appointment):
    return reverse("scheduling:clinic_cycle",
                   kwargs={"patient_id": appointment.patient_id, "pk": appointment.pk})


def _post_data(form_initial: dict, **changes) -> dict:
    data = {}
    for name, value in form_initial.items():
        if isinstance(value, dt.date):
            data[f"{name}-day"], data[f"{name}-month"], data[f"{name}-year"] = (
                value.day, value.month, value.year)
        elif value is not None:
            data[name] = value
    data.update(changes)
    return data


def test_the_form_starts_from_the_last_cycle_with_todays_date_the_injector_and_the_site(
        nurse, sites):
    patient = PatientFactory()
    _last_cycle(patient)
    appointment = started_toxin_appointment(patient)
    start = clinic_entry.clinic_cycle_start(appointment=appointment, user=nurse.user)
    assert start.initial["given_on"] == clinic_entry.appointment_day(appointment)
    assert start.initial["injector"] == nurse.user.pk
    assert start.initial["site"] == appointment.session.room.site_id
    assert start.initial["product"] == "abobotulinumtoxinA"
    assert start.initial["guidance"] == "ultrasound"
    assert start.initial["muscle_1"] == "sternocleidomastoid"
    assert start.initial["units_1"] == 250
    assert start.initial["side_2"] == "right"
    assert "batch_number" not in start.initial  # no batch opened at this clinic yet


def test_the_batch_in_use_at_the_clinic_today_is_filled_in(nurse, sites):
    patient = PatientFactory()
    _last_cycle(patient)
    appointment = started_toxin_appointment(patient)
    day = clinic_entry.appointment_day(appointment)
    ToxinCycleFactory(given_on=day, product="abobotulinumtoxinA", batch_number="DYS-26-114",
                      batch_expires_on=day + dt.timedelta(days=200),
                      site=appointment.session.room.site)
    start = clinic_entry.clinic_cycle_start(appointment=appointment, user=nurse.user)
    assert start.initial["batch_number"] == "DYS-26-114"
    assert start.initial["batch_expires_on"] == day + dt.timedelta(days=200)


def test_a_cycle_entered_in_error_is_not_the_one_repeated(nurse, sites):
    patient = PatientFactory()
    _last_cycle(patient, weeks_ago=20)
    wrong = ToxinCycleFactory(patient=patient, product="onabotulinumtoxinA",
                              given_on=timezone.localdate() - dt.timedelta(weeks=13),
                              record_status=RecordStatus.ENTERED_IN_ERROR)
    ToxinInjectionFactory(cycle=wrong, units=99)
    start = clinic_entry.clinic_cycle_start(appointment=started_toxin_appointment(patient),
                                            user=nurse.user)
    assert start.initial["product"] == "abobotulinumtoxinA"
    assert start.initial["units_1"] == 250


def test_the_page_records_the_repeated_cycle_and_marks_the_patient_seen(nurse, sites):
    patient = PatientFactory()
    _last_cycle(patient)
    appointment = started_toxin_appointment(patient)
    page = nurse.get(_page(appointment))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Record the toxin cycle" in text and "as in the last cycle" in text
    start = clinic_entry.clinic_cycle_start(appointment=appointment, user=nurse.user)
    expiry = timezone.localdate() + dt.timedelta(days=300)
    done = nurse.post(_page(appointment), _post_data(
        start.initial, batch_number="DYS-26-200", **{
            "batch_expires_on-day": expiry.day, "batch_expires_on-month": expiry.month,
            "batch_expires_on-year": expiry.year}))
    assert done.status_code == 302
    assert done["Location"] == reverse("scheduling:session_detail",
                                       kwargs={"session_id": appointment.session_id})
    cycle = ToxinCycle.objects.current().filter(patient=patient).latest("given_on")
    assert cycle.given_on == clinic_entry.appointment_day(appointment)
    assert cycle.injector == nurse.user and cycle.batch_expires_on == expiry
    assert sorted((i.muscle, i.units) for i in cycle.injections.all()) == [
        ("splenius_capitis", 200), ("sternocleidomastoid", 250)]
    appointment.refresh_from_db()
    assert appointment.status == "seen"
    assert [c.status for c in appointment.history.all()] == ["booked", "arrived", "seen"]
    assert appointment.history.last().outcome == "recall"


def test_an_expired_batch_is_refused_on_its_field_and_nothing_is_saved(nurse, sites):
    patient = PatientFactory()
    _last_cycle(patient)
    appointment = started_toxin_appointment(patient)
    start = clinic_entry.clinic_cycle_start(appointment=appointment, user=nurse.user)
    expired = clinic_entry.appointment_day(appointment) - dt.timedelta(days=1)
    page = nurse.post(_page(appointment), _post_data(
        start.initial, batch_number="OLD-1", **{
            "batch_expires_on-day": expired.day, "batch_expires_on-month": expired.month,
            "batch_expires_on-year": expired.year}))
    assert page.status_code == 200
    assert "The batch expired on" in page.content.decode()
    assert ToxinCycle.objects.filter(patient=patient).count() == 1
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_missing_expiry_or_a_date_other_than_the_appointments_is_refused(sites):
    patient = PatientFactory()
    _last_cycle(patient)
    appointment = started_toxin_appointment(patient)
    actor = Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST))
    from django.core.exceptions import ValidationError

    from collis.treatments.services import InjectionRow

    kwargs = {"appointment": appointment, "product": "abobotulinumtoxinA",
              "batch_number": "B1", "guidance": "emg", "injector": actor.user,
              "site": appointment.session.room.site,
              "injections": [InjectionRow("sternocleidomastoid", "left", 100)], "actor": actor}
    day = clinic_entry.appointment_day(appointment)
    with pytest.raises(ValidationError) as refused:
        clinic_entry.clinic_cycle_record(given_on=day, batch_expires_on=None, **kwargs)
    assert "batch_expires_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        clinic_entry.clinic_cycle_record(given_on=day - dt.timedelta(days=3),
                                         batch_expires_on=day, **kwargs)
    assert "given_on" in refused.value.message_dict
    assert ToxinCycle.objects.filter(patient=patient).count() == 1


def test_an_appointment_not_yet_started_is_sent_back_to_the_clinic_list(nurse, sites):
    session = clinic(room=room_at())
    appointment = services.appointment_book(patient=PatientFactory(),
                                            slot=session.slots.first(),
                                            actor=coordinator_actor())
    page = nurse.get(_page(appointment))
    assert page.status_code == 302
    assert not ToxinCycle.objects.filter(patient=appointment.patient).exists()


def test_a_coordinator_may_not_record_a_cycle(client_as, sites):
    appointment = started_toxin_appointment(PatientFactory())
    assert client_as(Role.MDT_COORDINATOR).get(_page(appointment)).status_code == 403


def test_the_clinic_list_offers_the_cycle_to_a_nurse_once_the_patient_has_arrived(nurse, sites):
    appointment = started_toxin_appointment(PatientFactory())
    services.appointment_status_record(appointment=appointment, status="arrived",
                                       actor=Actor.command_line(nurse.user))
    page = nurse.get(reverse("scheduling:session_detail",
                             kwargs={"session_id": appointment.session_id}))
    assert _page(appointment) in page.content.decode()

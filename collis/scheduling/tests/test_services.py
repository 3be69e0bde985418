"""Booking, moving, cancelling and attendance, and no double booking on either database."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.scheduling import AppointmentStatus, AppointmentType, Recurrence
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import services
from collis.scheduling.models import Appointment, AppointmentStatusChange, Slot
from collis.scheduling.selectors import dna_summary, slot_find_free
from collis.scheduling.tests.factories import clinic, coordinator_actor, room_at

pytestmark = pytest.mark.django_db
CONNECTIONS = 40
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="exclusion constraints need PostgreSQL")


@pytest.fixture
def actor(sites):
    return coordinator_actor()


def first_slot(session) -> Slot:
    return session.slots.order_by("starts_at").first()


def test_a_series_makes_sittings_and_slots_of_the_types_length(actor):
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    session = clinic(clinicians=[nurse], recurrence=Recurrence.WEEKLY,
                     until=timezone.localdate() + dt.timedelta(days=22), actor=actor)
    sessions = list(session.series.sessions.all())
    assert len(sessions) == 4
    assert [s.slots.count() for s in sessions] == [3, 3, 3, 3]  # 09:00-10:00 in 20 minutes
    assert {timezone.localtime(s.starts_at).time() for s in sessions} == {dt.time(9)}


def test_two_sessions_in_one_room_at_once_are_refused(actor):
    clinic(actor=actor)
    with pytest.raises(ValidationError) as refused:
        clinic(actor=actor, starts=dt.time(9, 30), ends=dt.time(11))
    assert "room" in refused.value.message_dict


def test_a_clinician_in_two_sessions_at_once_is_refused(actor):
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    clinic(clinicians=[nurse], actor=actor)
    with pytest.raises(ValidationError) as refused:
        clinic(clinicians=[nurse], room=room_at(name="Room 2"), actor=actor)
    assert "already has a clinic session" in refused.value.message_dict["clinicians"][0]


def test_booking_keeps_its_history_and_is_audited(actor):
    patient = PatientFactory()
    slot = first_slot(clinic(actor=actor))
    appointment = services.appointment_book(patient=patient, slot=slot, actor=actor)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.appointment_type == AppointmentType.TOXIN
    assert list(appointment.history.values_list("status", flat=True)) == ["booked"]
    assert AuditEvent.objects.filter(object_type="appointment", patient_id=patient.pk,
                                     action="create").exists()


def test_a_full_slot_is_refused_with_a_clear_message(actor):
    slot = first_slot(clinic(actor=actor))
    services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    assert refused.value.message_dict == {"slot": [services.SLOT_FULL]}
    assert Appointment.objects.count() == 1


def test_a_patient_cannot_be_in_two_overlapping_appointments(actor):
    patient = PatientFactory()
    services.appointment_book(patient=patient, slot=first_slot(clinic(actor=actor)),
                              actor=actor)
    other = clinic(actor=actor, room=room_at(name="Room 2"), starts=dt.time(9, 10),
                   ends=dt.time(10), kind=AppointmentType.FOLLOW_UP)
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(patient=patient, slot=first_slot(other), actor=actor)
    assert "already has an appointment" in refused.value.message_dict["patient"][0]


def test_a_clinician_agreed_double_booking_is_allowed_with_a_reason_and_audited(actor):
    slot = first_slot(clinic(actor=actor))
    services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    second = services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor,
                                       double_booking_reason="Dr Demo agreed: urgent review")
    assert second.place == 2 and second.is_double_booked
    assert "Double booked: Dr Demo agreed" in second.history.get().reason
    assert AuditEvent.objects.filter(object_type="appointment", object_id=str(second.pk),
                                     summary__contains="double booked").exists()


def test_a_nurse_may_not_agree_to_double_book(actor):
    slot = first_slot(clinic(actor=actor))
    services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    nurse = Actor.command_line(UserFactory(role=Role.NURSE_SPECIALIST))
    with pytest.raises(PermissionDenied, match="double book"):
        services.appointment_book(patient=PatientFactory(), slot=slot, actor=nurse,
                                  double_booking_reason="asked nicely")


def test_a_slot_that_has_started_cannot_be_booked(actor):
    slot = first_slot(clinic(actor=actor))
    with pytest.raises(ValidationError, match="already started"):
        services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor,
                                  now=slot.starts_at)


def test_rescheduling_keeps_the_old_appointment_and_frees_its_slot(actor):
    patient = PatientFactory()
    session = clinic(actor=actor)
    first, later = session.slots.order_by("starts_at")[:2]
    old = services.appointment_book(patient=patient, slot=first, actor=actor)
    new = services.appointment_reschedule(appointment=old, slot=later, reason="Patient away",
                                          actor=actor)
    old.refresh_from_db()
    assert old.status == AppointmentStatus.RESCHEDULED and not old.holds_slot
    assert new.rescheduled_from == old and new.slot == later
    assert slot_find_free(actor=actor, appointment_type="toxin")[0] == first


def test_cancelling_needs_a_reason_and_frees_the_slot(actor):
    slot = first_slot(clinic(actor=actor))
    appointment = services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    with pytest.raises(ValidationError) as refused:
        services.appointment_cancel(appointment=appointment, by_patient=True, reason="",
                                    actor=actor)
    assert refused.value.message_dict == {"reason": ["Enter the reason"]}
    services.appointment_cancel(appointment=appointment, by_patient=False,
                                reason="Clinician ill", actor=actor)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_HOSPITAL
    services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)


def test_attendance_waits_for_the_appointment_then_records_the_outcome(actor):
    slot = first_slot(clinic(actor=actor))
    appointment = services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    with pytest.raises(ValidationError, match="before the appointment starts"):
        services.appointment_status_record(appointment=appointment, status="arrived",
                                           actor=actor)
    later = slot.starts_at + dt.timedelta(minutes=1)
    services.appointment_status_record(appointment=appointment, status="arrived",
                                       actor=actor, now=later)
    with pytest.raises(ValidationError) as refused:
        services.appointment_status_record(appointment=appointment, status="seen",
                                           actor=actor, now=later)
    assert "outcome" in refused.value.message_dict
    services.appointment_status_record(appointment=appointment, status="seen",
                                       outcome="recall", actor=actor, now=later)
    assert list(appointment.history.values_list("status", "outcome")) == [
        ("booked", ""), ("arrived", ""), ("seen", "recall")]
    with pytest.raises(PermissionError):
        AppointmentStatusChange.objects.filter(appointment=appointment).delete()


def test_missed_appointments_are_counted_with_the_next_step(actor):
    patient = PatientFactory()
    session = clinic(actor=actor)
    for slot in session.slots.order_by("starts_at")[:2]:
        appointment = services.appointment_book(patient=patient, slot=slot, actor=actor)
        services.appointment_status_record(appointment=appointment, status="did_not_attend",
                                           actor=actor, now=slot.ends_at)
    summary = dna_summary(patient=patient)
    assert summary.count == 2
    assert "responsible clinician" in summary.next_step


def test_next_free_slot_filters_by_site_and_clinician(actor):
    nurse, doctor = (UserFactory(role=Role.NURSE_SPECIALIST),
                     UserFactory(role=Role.NEUROLOGIST))
    clinic(clinicians=[nurse], actor=actor)
    lister = clinic(clinicians=[doctor], room=room_at("lister-hospital"),
                    starts=dt.time(8), ends=dt.time(9), actor=actor)
    assert slot_find_free(actor=actor, appointment_type="toxin")[0].session == lister
    at_portland = slot_find_free(actor=actor, appointment_type="toxin",
                                 site=room_at().site)
    assert {s.clinician for s in at_portland} == {nurse}
    assert slot_find_free(actor=actor, appointment_type="toxin", clinician=nurse)[0] \
        .session.room.site.code == "portland-hospital"
    assert slot_find_free(actor=actor, appointment_type="new_patient") == []


def test_the_database_refuses_a_second_appointment_in_a_single_place(actor):
    """The rule holds below the services too: a raw insert into a taken place fails."""
    slot = first_slot(clinic(actor=actor))
    first = services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    copy = Appointment(patient=PatientFactory(), appointment_type="toxin", slot=slot,
                       session=slot.session, clinician=slot.clinician, room=first.room,
                       starts_at=slot.starts_at, ends_at=slot.ends_at, place=1,
                       created_by=actor.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.place = 2  # above the capacity of 1, without a clinician's agreement
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@postgres_only
def test_postgresql_refuses_overlapping_appointments_of_a_patient_below_the_services(actor):
    patient = PatientFactory()
    first = services.appointment_book(patient=patient, slot=first_slot(clinic(actor=actor)),
                                      actor=actor)
    other = first_slot(clinic(actor=actor, room=room_at(name="Room 2"),
                              kind=AppointmentType.FOLLOW_UP))
    copy = Appointment(patient=patient, appointment_type="follow_up", slot=other,
                       session=other.session, clinician=other.clinician, room=other.session.room,
                       starts_at=other.starts_at, ends_at=other.ends_at, created_by=actor.user)
    with pytest.raises(IntegrityError, match="appointment_patient_no_overlap"), \
            transaction.atomic():
        copy.save()
    assert first.pk


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_bookings_fill_exactly_the_slots_places(sites):
    actor = coordinator_actor()
    slot = first_slot(clinic(capacity=3, actor=actor))
    patients = [PatientFactory() for _ in range(100)]
    # All 100 start together; at most CONNECTIONS hold a connection at once, because the
    # shared server allows 100 connections in all (other test runs use some).
    start = threading.Event()
    connections = threading.BoundedSemaphore(CONNECTIONS)
    results: list[str] = []
    lock = threading.Lock()

    def book(patient):
        from django.db import connection as own_connection
        start.wait()
        try:
            with connections:
                try:
                    services.appointment_book(patient=patient, slot=slot, actor=actor)
                finally:
                    own_connection.close()
            outcome = "booked"
        except ValidationError as refused:
            outcome = "; ".join(refused.messages)
        except Exception as error:  # noqa: BLE001 - a server error is what the test looks for
            outcome = f"ERROR {type(error).__name__}: {error}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert len(results) == 100
    assert results.count("booked") == 3, [r for r in results if r.startswith("ERROR")][:3]
    assert results.count(services.SLOT_FULL) == 97
    assert Appointment.objects.holding().filter(slot=slot).count() == 3
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize(("first_day", "until", "utc_hours"), [
    (dt.date(2027, 10, 18), dt.date(2027, 11, 1), [8, 8, 9]),
    (dt.date(2028, 3, 20), dt.date(2028, 4, 3), [9, 8, 8]),
])
def test_a_stored_weekly_clinic_keeps_its_wall_clock_time_across_the_clock_changes(
        actor, first_day, until, utc_hours):
    """The October 2027 change is on the 31st and the March 2028 one on the 26th: the
    sessions are stored in UTC an hour apart and all show 09:00 in London."""
    from collis.domain.scheduling import UTC

    session = clinic(day=first_day, until=until, recurrence=Recurrence.WEEKLY, actor=actor)
    sessions = list(session.series.sessions.order_by("starts_at"))
    assert [s.starts_at.astimezone(UTC).hour for s in sessions] == utc_hours
    assert {timezone.localtime(s.starts_at).strftime("%H:%M") for s in sessions} == {"09:00"}
    assert {timezone.localtime(slot.starts_at).strftime("%H:%M")
            for s in sessions for slot in s.slots.all()} == {"09:00", "09:20", "09:40"}


def test_a_refused_move_leaves_the_appointment_as_it_was(actor):
    patient = PatientFactory()
    first, full = clinic(actor=actor).slots.order_by("starts_at")[:2]
    services.appointment_book(patient=PatientFactory(), slot=full, actor=actor)
    old = services.appointment_book(patient=patient, slot=first, actor=actor)
    with pytest.raises(ValidationError) as refused:
        services.appointment_reschedule(appointment=old, slot=full, reason="Later suits",
                                        actor=actor)
    assert refused.value.message_dict == {"slot": [services.SLOT_FULL]}
    old.refresh_from_db()
    assert old.status == AppointmentStatus.BOOKED and old.holds_slot
    assert list(old.history.values_list("status", flat=True)) == ["booked"]

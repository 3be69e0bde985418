"""Given/when/then: a coordinator finds the next toxin clinic slot at The Portland Hospital,
books a patient, opens the clinic list (page and PDF) and marks a patient arrived."""

import datetime as dt

from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.domain.scheduling import AppointmentType
from collis.scheduling import services
from collis.scheduling.models import Appointment
from collis.scheduling.tests.factories import clinic, room_at
from tests.system.steps import Journey


class TestBookingAToxinClinic(Journey):
    def test_a_coordinator_books_the_next_toxin_slot_at_the_portland_and_marks_arrival(self):
        self.given_a_toxin_clinic_under_way_with_a_booked_patient()
        self.given_a_toxin_clinic_tomorrow_at_the_portland()
        patient = self.given_a_patient("Robin", "Applebarrow")
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)

        self.when_i_open_the_record(patient)
        self.when_i_follow_the_record_section("Appointments")
        self.then_i_see_the_heading("Appointments", exact=True)
        self.when_i_follow("Book an appointment")
        self.when_i_select("Type of appointment", option="Botulinum toxin clinic")
        self.when_i_select("Site", option="The Portland Hospital")
        self.when_i_press("Find the next free slots")
        self.then_i_see_the_heading("Next free slots")
        self.then_the_page_is_accessible("scheduling-find-slot")

        self.when_i_follow(self.tomorrow_first_slot_text(), first=True)
        self.then_i_see_the_heading("Check and book")
        self.then_the_page_is_accessible("scheduling-check-and-book")
        self.when_i_press("Book the appointment")
        self.then_i_see_the_success_banner("Booked:")
        self.then_the_page_is_accessible("scheduling-appointment")
        assert Appointment.objects.get(patient=patient).slot == self.tomorrow_first_slot

        self.when_i_follow("Clinics", exact=True)
        if self.clinic_day != timezone.localdate():  # out of working hours: yesterday's
            self.when_i_visit(f"/clinics/?from={self.clinic_day.isoformat()}")
        self.when_i_follow(self.today_title)
        self.then_i_see_the_heading("Clinic list")
        self.then_the_table_shows("BRIGHTWATER, Sasha", "Booked", name="Slots and patients")
        self.then_the_page_is_accessible("scheduling-clinic-list")
        pages = self.when_i_download_the_pdf("Download the clinic list (PDF)")
        assert "BRIGHTWATER, Sasha" in pages[0] and "Clinic list" in pages[0]

        self.when_i_press("Mark arrived")
        self.then_i_see_the_success_banner("Recorded: arrived.")
        self.then_the_table_shows("BRIGHTWATER, Sasha", "Arrived", name="Slots and patients")
        assert Appointment.objects.get(pk=self.waiting.pk).status == "arrived"

        self.when_i_follow("BRIGHTWATER, Sasha")
        self.when_i_follow("Record attendance")
        self.when_i_choose("Seen")
        self.when_i_press("Record attendance")
        self.then_the_error_summary_says("Choose the outcome of the appointment")
        self.when_i_choose("Seen")
        self.when_i_choose("Recall for the next toxin cycle")
        self.then_the_page_is_accessible("scheduling-attendance")
        self.when_i_press("Record attendance")
        self.then_i_see_the_success_banner("Recorded: seen.")
        self.then_the_table_shows("Seen", "Recall for the next toxin cycle",
                                  name="Every change of status, oldest first")

    def given_a_toxin_clinic_under_way_with_a_booked_patient(self):
        """A clinic that started half an hour ago (yesterday's, out of working hours), with a
        patient booked into it before it started."""
        now = timezone.localtime()
        day, start = now.date(), (now - dt.timedelta(minutes=30)).replace(
            second=0, microsecond=0)
        if not dt.time(7) <= start.time() <= dt.time(19):
            day, start = day - dt.timedelta(days=1), start.replace(hour=9, minute=0)
        coordinator = Actor.command_line(self.given_a_user(Role.MDT_COORDINATOR))
        before = timezone.now() - dt.timedelta(days=2)
        series = services.clinic_series_create(
            appointment_type=AppointmentType.TOXIN, room=room_at(name="Room 3"),
            clinicians=[self.given_a_user(Role.NURSE_SPECIALIST)], first_day=day,
            starts=start.time(), ends=(start + dt.timedelta(hours=1)).time(),
            actor=coordinator, now=before)
        session = series.sessions.get()
        self.clinic_day = day
        self.today_title = f"Botulinum toxin clinic, The Portland Hospital, {day.day} "
        self.waiting = services.appointment_book(
            patient=self.given_a_patient("Sasha", "Brightwater"),
            slot=session.slots.order_by("starts_at").first(), actor=coordinator, now=before)

    def given_a_toxin_clinic_tomorrow_at_the_portland(self):
        session = clinic()
        self.tomorrow_first_slot = session.slots.order_by("starts_at").first()

    def tomorrow_first_slot_text(self) -> str:
        from collis.scheduling.presenters import slot_text

        return slot_text(self.tomorrow_first_slot)


class TestSettingUpAClinic(Journey):
    def test_a_coordinator_sets_up_a_fortnightly_clinic_and_fixes_a_mistake(self):
        room_at("lister-hospital", "Room 2")
        self.given_a_user(Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)
        first = timezone.localdate() + dt.timedelta(days=3)

        self.when_i_follow("Clinics", exact=True)
        self.when_i_follow("Set up a clinic")
        self.then_i_see_the_heading("Set up a clinic")
        self.when_i_select("Type of clinic", option="New patient clinic")
        self.when_i_select("Room", option="The Lister Hospital: Room 2")
        self.when_i_choose("Nia Neuro (Neurologist)")
        self.when_i_fill_in_the_date(first, field="first_day")
        self.when_i_fill_in({"Starts at": "13:30", "Ends at": "half four"})
        self.when_i_choose("Every two weeks")
        self.when_i_fill_in_the_date(first + dt.timedelta(days=28), field="until")
        self.when_i_press("Set up the clinic")
        self.then_the_error_summary_says("Ends at must be a time such as 09:00 or 1:30pm")
        self.then_the_page_is_accessible("scheduling-set-up-a-clinic-error")

        self.when_i_fill_in({"Ends at": "4:30pm"})
        self.when_i_press("Set up the clinic")
        self.then_i_see_the_success_banner("The clinic is set up: 3 session(s).")
        self.then_i_see_the_heading("Clinic list")
        self.then_the_table_shows("1:30pm", "Nia Neuro", "Free", name="Slots and patients")
        self.then_the_page_is_accessible()

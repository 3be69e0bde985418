"""Given/when/then: a coordinator sees a patient due for toxin on the recall list and books
them into a toxin clinic at The Portland Hospital with one click; on the day, the nurse opens
the clinic list, marks the patient arrived and records a repeated cycle in one page."""

import datetime as dt

import time_machine
from django.utils import timezone

from collis.core.roles import Role
from collis.scheduling.models import Appointment
from collis.scheduling.presenters import session_title
from collis.scheduling.tests.factories import clinic, room_at
from collis.sites.models import Site
from collis.treatments.models import ToxinCycle
from collis.treatments.tests.factories import ToxinCycleFactory, ToxinInjectionFactory
from tests.system.steps import Journey


class TestToxinRecall(Journey):
    def test_a_due_patient_is_booked_from_the_recall_list_and_their_cycle_repeated(self):
        nurse = self.given_a_user(Role.NURSE_SPECIALIST, first_name="Ada", last_name="Quill")
        session = self.given_a_toxin_clinic_tomorrow_at_the_portland(nurse)
        patient = self.given_a_patient_injected_thirteen_weeks_ago("Morgan", "Hollowell")
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)

        self.when_i_follow("Clinics", exact=True)
        self.when_i_follow("Toxin recall: patients due for toxin")
        self.then_i_see_the_heading("Toxin recall", exact=True)
        self.when_i_select("Home site", option="The Portland Hospital")
        self.when_i_press("Show patients")
        self.then_the_table_shows("HOLLOWELL, Morgan", "Overdue by 7 days",
                                  name=("Patients due for toxin at The Portland Hospital, "
                                        "most overdue first"))
        self.then_the_page_is_accessible("recall-list")

        self.when_i_press("Book next toxin clinic for Morgan Hollowell")
        self.then_i_see_the_success_banner("Booked Morgan Hollowell")
        self.then_i_see_the_success_banner("The Portland Hospital")
        self.then_i_see("No patient is due for toxin at The Portland Hospital.")
        self.then_the_page_is_accessible("recall-booked")
        appointment = Appointment.objects.get(patient=patient)
        assert appointment.session == session and appointment.status == "booked"

        with time_machine.travel(appointment.starts_at + dt.timedelta(minutes=5), tick=True):
            self.when_the_user_changes_to(nurse)
            self.when_i_follow("Clinics", exact=True)
            self.when_i_follow(session_title(session))
            self.then_i_see_the_heading("Clinic list")
            self.then_the_table_shows("HOLLOWELL, Morgan", "Booked", name="Slots and patients")
            self.when_i_press("Mark arrived")
            self.then_i_see_the_success_banner("Recorded: arrived.")

            self.when_i_follow("Record the toxin cycle")
            self.then_i_see_the_heading("Record the toxin cycle")
            self.then_i_see("as in the last cycle", first=True)
            self.then_the_field_holds("Product", "abobotulinumtoxinA")
            self.then_the_field_holds("Units 1", "250", exact=True)
            self.then_the_field_holds("Units 2", "200", exact=True)
            self.then_the_page_is_accessible("recall-clinic-cycle")
            self.when_i_fill_in({"Batch number": "DYS-26-114"})
            self.when_i_fill_in_the_date(timezone.localdate() + dt.timedelta(days=240),
                                         field="batch_expires_on")
            self.when_i_press("Save the cycle")
            self.then_i_see_the_success_banner("is recorded: 450 units.")
            self.then_the_table_shows("HOLLOWELL, Morgan", "Seen", name="Slots and patients")
            self.then_the_page_is_accessible("recall-clinic-list-seen")

        cycle = ToxinCycle.objects.current().filter(patient=patient).latest("given_on")
        assert cycle.injector == nurse and cycle.batch_number == "DYS-26-114"
        assert cycle.site == Site.objects.get(code="portland-hospital")
        assert cycle.given_on == timezone.localtime(appointment.starts_at).date()
        assert Appointment.objects.get(pk=appointment.pk).status == "seen"

    def given_a_toxin_clinic_tomorrow_at_the_portland(self, nurse):
        return clinic(room=room_at("portland-hospital"), clinicians=[nurse])

    def given_a_patient_injected_thirteen_weeks_ago(self, given_name, family_name):
        patient = self.given_a_patient(
            given_name, family_name, home_site=Site.objects.get(code="portland-hospital"))
        last = ToxinCycleFactory(patient=patient, product="abobotulinumtoxinA",
                                 given_on=timezone.localdate() - dt.timedelta(weeks=13),
                                 guidance="ultrasound")
        ToxinInjectionFactory(cycle=last, muscle="sternocleidomastoid", side="left", units=250)
        ToxinInjectionFactory(cycle=last, muscle="splenius_capitis", side="right", units=200)
        return patient


class TestHomePage(Journey):
    def test_a_coordinator_starts_triage_from_the_home_page(self):
        from collis.domain.pathway import State
        from collis.surgery.models import Episode
        from collis.surgery.tests.factories import episode_at

        patient = self.given_a_patient("Jules", "Fairweather")
        episode = episode_at(State.REFERRAL_RECEIVED, patient=patient)
        Episode.objects.filter(pk=episode.pk).update(
            referral_received_on=timezone.localdate() - dt.timedelta(weeks=6))
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)

        self.when_i_visit("/")
        self.then_i_see_the_heading("Episodes waiting for me")
        self.then_the_table_shows("FAIRWEATHER, Jules", "6 weeks", name=(
            "Episodes waiting for you, longest waiting since referral first"))
        self.then_the_page_is_accessible("home-coordinator")
        self.when_i_press("Start triage")
        self.then_i_see_the_success_banner("start triage, done")
        self.then_i_see("No pathway episode is waiting for you.")
        self.then_the_episode_is_at(episode, State.TRIAGE)

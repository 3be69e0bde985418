"""Given/when/then journeys through the treatments record, in a real browser."""

import datetime
import re

from playwright.sync_api import expect

from collis.core.roles import Role
from collis.treatments.models import TherapySession, ToxinCycle, ToxinReview
from collis.treatments.tests.factories import cycle_with
from tests.system.steps import Journey

NOVEMBER_2 = datetime.date(2026, 11, 2)


class TestToxinCycle(Journey):
    def test_record_a_toxin_cycle_with_three_muscles_and_its_review(self):
        self.given_a_patient_with_one_earlier_reviewed_cycle()
        self.given_i_am_signed_in_as(Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")
        self.when_i_open_the_record(self.patient, "toxin/")
        self.then_i_see_the_heading("Botulinum toxin", exact=True)
        self.then_the_page_is_accessible("toxin-list-before")
        self.when_i_follow("Record a toxin cycle")
        self.then_i_see_the_heading("Record a toxin cycle")
        self.then_the_page_is_accessible("toxin-create")

        self.when_i_enter_a_cycle_of_three_muscles_forgetting_the_units_of_the_second()
        self.then_the_error_summary_says("There is a problem",
                                         "Enter the units for splenius capitis (right)")
        self.then_the_page_is_accessible("toxin-create-error")
        self.then_only_the_earlier_cycle_is_saved()
        self.when_i_follow_the_error_to("Units 2", exact=True)
        self.then_the_field_holds("Units 3", "60", exact=True)
        self.when_i_fill_in({"Units 2": "90"}, exact=True)
        self.when_i_press("Save the cycle")
        self.then_i_see_the_heading("Toxin cycle of 2 November 2026")
        self.then_i_see("200 units of onabotulinumtoxinA")
        self.then_the_page_is_accessible("toxin-detail")
        self.when_i_follow("All botulinum toxin cycles")
        self.then_the_table_shows("200 U", name="Botulinum toxin cycles")

        self.when_i_follow("Record the review of the cycle of 2 November 2026")
        self.then_i_see_the_heading("Review the cycle of 2 November 2026")
        self.then_the_page_is_accessible("toxin-review")
        self.when_i_review_it_with_neck_weakness()
        self.then_i_see_the_success_banner(
            "The review of the cycle of 2 November 2026 is recorded.")
        self.then_i_see_the_benefit_chart_and_its_table()
        self.then_i_see("neck weakness")
        self.then_the_page_is_accessible("toxin-list-after")
        self.then_the_review_records_neck_weakness()

    def given_a_patient_with_one_earlier_reviewed_cycle(self):
        self.patient = self.given_a_patient("Wren", "Willowherb")
        cycle_with(self.patient, datetime.date(2026, 5, 4), benefit=70, weeks=11)

    def when_i_enter_a_cycle_of_three_muscles_forgetting_the_units_of_the_second(self):
        self.when_i_fill_in_the_date(NOVEMBER_2, field="given_on")
        self.when_i_select("Product", "onabotulinumtoxinA")
        self.when_i_fill_in({"Batch number": "C4411"})
        self.when_i_choose("Electromyography (EMG)")
        self.when_i_fill_in_the_muscle_rows(("sternocleidomastoid", "left", "50"),
                                            ("splenius_capitis", "right", None),
                                            ("levator_scapulae", "right", "60"))
        self.when_i_press("Save the cycle")

    def then_only_the_earlier_cycle_is_saved(self):
        assert ToxinCycle.objects.count() == 1

    def when_i_review_it_with_neck_weakness(self):
        self.when_i_fill_in_the_date(datetime.date(2026, 11, 20))
        self.when_i_fill_in({"Peak benefit (%)": "65", "Weeks of benefit": "2"})
        self.when_i_choose("Neck weakness")
        self.when_i_choose("Mild")
        self.when_i_press("Save the review")

    def then_i_see_the_benefit_chart_and_its_table(self):
        chart = self.page.get_by_role("img", name="Peak benefit of each botulinum toxin cycle")
        expect(chart).to_be_visible()
        self.then_the_table_shows("65%", "70%",
                                  name="Peak benefit and weeks of benefit per cycle")

    def then_the_review_records_neck_weakness(self):
        assert ToxinReview.objects.get(cycle__given_on=NOVEMBER_2).neck_weakness


class TestTherapy(Journey):
    def test_a_physiotherapist_records_therapy_but_not_toxin(self):
        patient = self.given_a_patient("Kit", "Kettleby")
        self.physio = self.given_i_am_signed_in_as(Role.PHYSIOTHERAPIST, first_name="Pat",
                                                   last_name="Physio")
        self.when_i_open_the_record(patient, "toxin/")
        self.then_i_see_the_heading("Botulinum toxin", exact=True)
        self.then_there_is_no_link("Record a toxin cycle")
        self.then_the_page_is_accessible("toxin-list-physio")
        self.when_i_open_the_record(patient, "toxin/new/")
        self.then_access_is_refused()
        self.then_the_page_is_accessible("toxin-create-403")

        self.when_i_open_the_record(patient, "therapy/")
        self.when_i_follow("Record a therapy session")
        self.then_i_see_the_heading("Record a therapy session")
        self.then_the_page_is_accessible("therapy-create")
        self.when_i_record_a_physiotherapy_session()
        self.then_the_table_shows("Strengthen the deep neck flexors", "18 November 2026")
        self.then_the_page_is_accessible("therapy-list")
        self.then_the_session_is_mine()

    def when_i_record_a_physiotherapy_session(self):
        self.when_i_choose("Physiotherapy")
        self.when_i_fill_in_the_date(datetime.date(2026, 11, 18))
        self.when_i_select("Therapist", option="Pat Physio (Physiotherapist)")
        self.when_i_fill_in({"Duration (minutes)": "45",
                             "Goals (optional)": "Strengthen the deep neck flexors"})
        self.when_i_press("Save the session")

    def then_the_session_is_mine(self):
        assert TherapySession.objects.get().therapist == self.physio


class TestShortIntervalAndMedication(Journey):
    def test_a_short_interval_warns_and_a_medicine_is_started_and_stopped(self):
        self.patient = self.given_a_patient()
        cycle_with(self.patient, datetime.date(2026, 10, 1), benefit=60, weeks=10)
        self.given_i_am_signed_in_as(Role.NURSE_SPECIALIST)

        self.when_i_open_the_record(self.patient, "toxin/new/")
        self.when_i_enter_a_cycle_seven_weeks_after_the_last()
        self.then_i_see("Check the interval before you go on")
        self.then_the_page_is_accessible("toxin-create-warning")
        self.when_i_press("Record the cycle anyway")
        self.then_i_see_the_heading("Toxin cycle of 19 November 2026")
        self.when_i_open_the_record(self.patient, "toxin/")
        self.then_i_see("Short intervals between cycles")
        self.then_the_page_is_accessible("toxin-list-warning")

        self.when_i_open_the_record(self.patient, "medication/")
        self.then_the_page_is_accessible("medication-list-empty")
        self.when_i_follow("Record a medicine")
        self.then_i_see_the_heading("Record a medicine")
        self.when_i_press("Save the medicine")
        self.then_the_error_summary_says("Enter the name of the medicine")
        self.then_the_page_is_accessible("medication-create-error")
        self.when_i_record_baclofen()
        self.then_the_table_shows("10 mg three times a day",
                                  name="Medicines the patient takes now")
        self.when_i_follow("Stop Baclofen")
        self.then_i_see_the_heading("Stop Baclofen")
        self.then_the_page_is_accessible("medication-stop")
        self.when_i_stop_it_for_drowsiness()
        self.then_the_table_shows("1 November 2026: Drowsiness", name=re.compile("stopped"))
        self.then_the_page_is_accessible("medication-list")

    def when_i_enter_a_cycle_seven_weeks_after_the_last(self):
        self.when_i_fill_in_the_date(datetime.date(2026, 11, 19), field="given_on")
        self.when_i_select("Product", "onabotulinumtoxinA")
        self.when_i_fill_in({"Batch number": "C9"})
        self.when_i_choose("Ultrasound", exact=True)
        self.when_i_fill_in_the_muscle_rows(("trapezius", "bilateral", "80"))
        self.when_i_press("Save the cycle")

    def when_i_record_baclofen(self):
        self.when_i_fill_in({"Medicine": "Baclofen", "Dose": "10",
                             "How often": "three times a day"})
        self.when_i_select("Unit", "mg")
        self.when_i_fill_in_the_date(datetime.date(2026, 9, 1))
        self.when_i_press("Save the medicine")

    def when_i_stop_it_for_drowsiness(self):
        self.when_i_fill_in_the_date(datetime.date(2026, 11, 1))
        self.when_i_fill_in({"Reason for stopping": "Drowsiness"})
        self.when_i_press("Record that it stopped")


class TestStoppingToxin(Journey):
    def test_a_neurologist_records_that_toxin_was_stopped_and_why(self):
        patient = self.given_a_patient()
        cycle_with(patient, datetime.date(2025, 1, 6), benefit=80, weeks=12)
        cycle_with(patient, datetime.date(2025, 4, 7), benefit=20, weeks=4)
        self.given_i_am_signed_in_as(Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")
        self.when_i_open_the_record(patient, "toxin/")
        self.then_i_see("No decision to stop botulinum toxin is recorded")
        self.when_i_follow("Record that botulinum toxin was stopped")
        self.then_i_see_the_heading("Record that botulinum toxin was stopped")
        self.then_the_page_is_accessible("toxin-stop-create")

        self.when_i_fill_in_the_date(datetime.date(2025, 5, 1), field="stopped_on")
        self.when_i_choose("Another reason", group="Reason for stopping")
        self.when_i_press("Save the stop of toxin")
        self.then_the_error_summary_says("There is a problem",
                                         "Enter the other reason for stopping")
        self.then_the_page_is_accessible("toxin-stop-create-error")

        self.when_i_choose("It stopped working (secondary non-response)",
                           group="Reason for stopping")
        self.when_i_press("Save the stop of toxin")
        self.then_i_see_the_success_banner("The stop of botulinum toxin is recorded.")
        self.then_i_see("Botulinum toxin was stopped on 1 May 2025")
        self.then_the_table_shows("It stopped working (secondary non-response)",
                                  name=re.compile("Decisions to stop botulinum toxin"))
        self.then_the_page_is_accessible("toxin-list-stopped")

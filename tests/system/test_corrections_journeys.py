"""Given/when/then: a wrong toxin dose is recorded with its warning and a reason, then
marked as entered in error and the right one recorded; the chart, the response pattern and
the timeline follow, and nothing is lost from the record's history."""

import datetime
import re

from playwright.sync_api import expect

from collis.core.models import RecordStatus
from collis.core.roles import Role
from collis.treatments.models import ToxinCycle
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    cycle_with,
)
from tests.system.steps import Journey

SEPTEMBER_7 = datetime.date(2026, 9, 7)
BENEFIT_TABLE = "Peak benefit and weeks of benefit per cycle"


class TestEnteredInErrorToxinCycle(Journey):
    def test_a_wrong_dose_recorded_anyway_is_marked_in_error_and_the_right_one_recorded(self):
        self.given_a_patient_with_two_good_dysport_cycles()
        self.nurse = self.given_i_am_signed_in_as(Role.NURSE_SPECIALIST, first_name="Nora",
                                                  last_name="Nurse")
        self.when_i_open_the_record(self.patient, "toxin/")
        self.then_the_response_pattern_is("Good response")
        self.then_the_page_is_accessible("corrections-toxin-before")

        self.when_i_follow("Record a toxin cycle")
        self.when_i_enter_1250_units_of_dysport()
        self.then_i_see("Check the units before you go on")
        self.then_i_see(re.compile(r"1,250 U of abobotulinumtoxinA in one session is more "
                                   r"than the licensed maximum per session"))
        self.then_the_page_is_accessible("corrections-units-warning")
        self.when_i_press("Record the cycle anyway")
        self.then_the_error_summary_says(
            "Give the reason for recording the cycle despite the warning")
        self.then_the_page_is_accessible("corrections-units-reason-missing")
        self.when_i_fill_in({"Why record it anyway?": "Severe retrocollis; agreed with the "
                                                      "consultant by phone"})
        self.when_i_press("Record the cycle anyway")
        self.then_i_see_the_heading("Toxin cycle of 7 September 2026")
        self.then_i_see("Recorded despite these warnings")
        self.then_the_page_is_accessible("corrections-cycle-recorded-anyway")
        self.then_the_reason_is_kept_with_the_cycle()

        self.when_i_follow("Record the review of this cycle")
        self.when_i_review_it_as_a_poor_response()
        self.then_the_response_pattern_is("Secondary non-response")
        self.then_the_table_shows("1250 U", "20%", name=BENEFIT_TABLE)

        self.when_the_user_changes_to(self.given_a_user(Role.NEUROLOGIST, first_name="Nia",
                                                        last_name="Neuro"))
        self.when_i_open_the_record(self.patient, "toxin/")
        self.when_i_follow("7 September 2026", exact=True)
        self.then_i_see_the_heading("Toxin cycle of 7 September 2026")
        self.then_the_page_is_accessible("corrections-cycle-before-error")
        self.when_i_press("Mark this cycle as entered in error")
        self.then_i_see_the_heading("Mark the toxin cycle of 7 September 2026 as entered in "
                                    "error")
        self.then_the_page_is_accessible("corrections-entered-in-error")
        self.when_i_press("Mark as entered in error")
        self.then_the_error_summary_says("Give the reason the entry was entered in error")
        self.then_the_page_is_accessible("corrections-entered-in-error-no-reason")
        self.when_i_fill_in({"Why was this entered in error?": "1,250 U typed for 750 U: "
                                                               "the dose given was 750 U"})
        self.when_i_press("Mark as entered in error")
        self.then_i_see_the_success_banner("The entry is marked as entered in error")
        self.then_the_cycle_page_shows_it_entered_in_error()
        self.then_the_page_is_accessible("corrections-cycle-entered-in-error")

        self.when_i_follow("All botulinum toxin cycles")
        self.when_i_follow("Record a toxin cycle")
        self.when_i_enter_the_right_dose_of_750_units()
        self.then_i_see_the_heading("Toxin cycle of 7 September 2026")
        self.then_i_see("750 units of abobotulinumtoxinA")

        self.when_i_follow("All botulinum toxin cycles")
        self.then_the_wrong_cycle_has_left_the_chart_and_the_pattern()
        self.then_the_page_is_accessible("corrections-toxin-after")
        self.when_i_follow_the_record_section("Timeline")
        self.then_the_timeline_shows_both_cycles_one_marked_entered_in_error()
        self.then_the_page_is_accessible("corrections-timeline")

    # Given

    def given_a_patient_with_two_good_dysport_cycles(self):
        self.patient = self.given_a_patient("Rowan", "Rushbrook")
        for day in (datetime.date(2026, 3, 2), datetime.date(2026, 6, 1)):
            cycle_with(self.patient, day, product="abobotulinumtoxinA", units=(200, 300),
                       benefit=70, weeks=11)

    # When

    def when_i_enter_a_dysport_cycle(self, *rows):
        self.when_i_fill_in_the_date(SEPTEMBER_7, field="given_on")
        self.when_i_select("Product", "abobotulinumtoxinA")
        self.when_i_fill_in({"Batch number": "D5521"})
        self.when_i_choose("Electromyography (EMG)")
        self.when_i_fill_in_the_muscle_rows(*rows)
        self.when_i_press("Save the cycle")

    def when_i_enter_1250_units_of_dysport(self):
        self.when_i_enter_a_dysport_cycle(("sternocleidomastoid", "left", "400"),
                                          ("splenius_capitis", "right", "850"))

    def when_i_enter_the_right_dose_of_750_units(self):
        self.when_i_enter_a_dysport_cycle(("sternocleidomastoid", "left", "250"),
                                          ("splenius_capitis", "right", "500"))

    def when_i_review_it_as_a_poor_response(self):
        self.when_i_fill_in_the_date(datetime.date(2026, 11, 30))
        self.when_i_fill_in({"Peak benefit (%)": "20", "Weeks of benefit": "3"})
        self.when_i_press("Save the review")

    # Then

    def then_the_response_pattern_is(self, pattern: str):
        row = self.page.locator(".nhsuk-summary-list__row").filter(
            has=self.page.get_by_text("Response pattern", exact=True))
        expect(row).to_contain_text(pattern)

    def then_the_reason_is_kept_with_the_cycle(self):
        cycle = ToxinCycle.objects.get(given_on=SEPTEMBER_7)
        assert cycle.warnings_reason.startswith("Severe retrocollis")
        assert [w["code"] for w in cycle.warnings_acknowledged] == [
            "ABOVE_LICENSED_SESSION_MAXIMUM"]
        assert cycle.created_by == self.nurse

    def then_the_cycle_page_shows_it_entered_in_error(self):
        self.then_i_see_the_heading("Entered in error")
        self.then_i_see("1,250 U typed for 750 U", first=True)
        self.then_the_table_shows("Entered in error", name="Versions of this entry, oldest "
                                                           "first")
        expect(self.page.get_by_role("button", name="Mark this cycle as entered in error")
               ).to_have_count(0)
        wrong = ToxinCycle.objects.get(given_on=SEPTEMBER_7)
        assert wrong.record_status == RecordStatus.ENTERED_IN_ERROR
        assert wrong.status_changed_by.last_name == "Neuro"

    def then_the_wrong_cycle_has_left_the_chart_and_the_pattern(self):
        self.then_the_response_pattern_is("Good response")
        benefit = self.table(name=BENEFIT_TABLE)
        expect(benefit).to_contain_text("750 U")
        expect(benefit).not_to_contain_text("1250 U")
        expect(benefit).not_to_contain_text("20%")
        cycles = self.table(name=re.compile("Botulinum toxin cycles, oldest first"))
        expect(cycles).to_contain_text("(3)")
        chart = self.page.get_by_role("img", name="Peak benefit of each botulinum toxin cycle")
        expect(chart).to_be_visible()
        self.when_i_open_the_corrected_entries()
        self.then_i_see(re.compile("7 September 2026, 1250 units of abobotulinumtoxinA"))

    def when_i_open_the_corrected_entries(self):
        self.page.get_by_text("Corrected or entered in error (1)").click()

    def then_the_timeline_shows_both_cycles_one_marked_entered_in_error(self):
        self.then_the_table_shows(
            "Botulinum toxin: 750 units of abobotulinumtoxinA",
            "Botulinum toxin: 1250 units of abobotulinumtoxinA (entered in error)",
            "Toxin review: 20% benefit for 3 weeks (entered in error)",
            name="Events on the record, newest first")


class TestCorrectedMedicineAndResistanceTest(Journey):
    def test_a_medicine_is_corrected_then_entered_in_error_and_a_test_corrected(self):
        self.patient = self.given_a_patient("Ash", "Aldergrove")
        MedicationFactory(patient=self.patient, drug_name="Baclofen", dose_amount="100",
                          started_on=datetime.date(2026, 9, 1))
        ResistanceTestFactory(patient=self.patient, tested_on=datetime.date(2026, 10, 5),
                              result="resistant")
        self.given_i_am_signed_in_as(Role.NURSE_SPECIALIST)

        self.when_i_open_the_record(self.patient, "medication/")
        self.when_i_follow("Baclofen", exact=True)
        self.then_i_see_the_heading("Baclofen from 1 September 2026")
        self.then_the_page_is_accessible("corrections-medication-detail")
        self.when_i_press("Correct this entry")
        self.then_i_see_the_heading("Correct Baclofen")
        self.then_the_field_holds("Dose", "100")
        self.when_i_fill_in({"Dose": "10"})
        self.when_i_press("Save the medicine")
        self.then_the_error_summary_says("Give the reason for the correction")
        self.then_the_page_is_accessible("corrections-medication-correct-error")
        self.when_i_fill_in({"Reason for the correction": "100 mg was a typing error"})
        self.when_i_press("Save the medicine")
        self.then_the_table_shows("10 mg three times a day",
                                  name="Medicines the patient takes now")
        self.page.get_by_text("Corrected or entered in error (1)").click()
        self.then_the_page_is_accessible("corrections-medication-list")
        self.when_i_follow(re.compile("Baclofen 100 mg"))
        self.then_i_see_the_heading("Superseded")
        self.then_the_page_is_accessible("corrections-medication-superseded")
        self.when_i_follow("See the current version")
        self.when_i_press("Mark this entry as entered in error")
        self.then_the_page_is_accessible("corrections-medication-entered-in-error")
        self.when_i_fill_in({"Why was this entered in error?": "Never prescribed"})
        self.when_i_press("Mark as entered in error")
        self.then_i_see_the_heading("Entered in error")
        self.when_i_follow("All medication")
        self.then_i_see("No current medicines are recorded.")

        self.when_i_open_the_record(self.patient, "toxin/")
        self.when_i_follow("5 October 2026")
        self.then_i_see_the_heading("Resistance test of 5 October 2026")
        self.then_the_page_is_accessible("corrections-resistance-test")
        self.when_i_press("Correct this entry")
        self.when_i_choose("Not resistant")
        self.when_i_fill_in({"Reason for the correction": "Result misread"})
        self.when_i_press("Save the resistance test")
        self.then_the_table_shows("Not resistant", name="Resistance tests, oldest first")

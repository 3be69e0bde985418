"""Given/when/then journeys through diagnosis, neck examination and rating scales, in a
real browser."""

import datetime
import random
import re

from playwright.sync_api import expect

from collis.assessments.demo import demo_history
from collis.assessments.models import Examination, ScaleAssessment
from collis.core.roles import Role
from tests.system.steps import Journey

TWSTRS = {
    "Rotation": "3", "Laterocollis": "1", "Anterocollis or retrocollis": "0",
    "Lateral shift": "0", "Sagittal shift": "0", "Duration factor (weighted x2)": "4",
    "Effect of sensory tricks": "1", "Shoulder elevation": "1", "Range of motion": "2",
    "Time the head can be held within 10 degrees of neutral": "1", "Work": "2",
    "Activities of daily living": "2", "Driving": "2", "Reading": "1", "Television": "1",
    "Activities outside the home": "2", "Pain severity": "4", "Pain duration": "2",
    "Disability due to pain": "2",
}
ROTATION_ERROR = "Rotation must be a whole number from 0 to 4 (you entered 7)"


class TestRatingScales(Journey):
    def test_entering_a_twstrs_shows_the_score_and_the_chart(self):
        self.given_a_patient_with_a_demo_history()
        self.given_i_am_signed_in_as(self.neurologist)
        self.when_i_open_the_record(self.patient)
        self.when_i_follow_the_record_section("Rating scales")
        self.then_i_see_the_heading("Rating scales", exact=True)
        self.then_the_page_is_accessible("assessments-scales")
        self.when_i_follow("Enter a TWSTRS item by item")
        self.then_i_see_the_heading("Enter a TWSTRS item by item")
        self.then_the_page_is_accessible("assessments-twstrs-new")
        self.when_i_enter_a_twstrs_with_rotation_out_of_its_range()
        self.then_the_error_summary_says(ROTATION_ERROR)
        self.then_the_field_holds("Disability due to pain", "2", exact=True)
        self.then_the_page_is_accessible("assessments-twstrs-error")
        self.then_no_scale_is_saved()
        self.when_i_follow_the_error_to("Rotation", link="Rotation must be a whole number",
                                        exact=True)
        self.when_i_correct_the_rotation_and_save()
        self.then_i_see_the_success_banner("is saved: total 35")
        self.then_i_see_the_chart_and_its_table()
        self.then_i_see("local policy, needs clinical sign-off")
        self.then_the_page_is_accessible("assessments-scales-after")

    def test_a_mistaken_twstrs_is_corrected_then_another_marked_entered_in_error(self):
        self.given_a_patient_with_a_demo_history()
        self.given_i_am_signed_in_as(self.neurologist)
        self.when_i_open_the_record(self.patient, "scales/")
        self.when_i_open_the_latest_twstrs()
        self.when_i_follow(re.compile("Correct this entry"))
        self.then_i_see_the_heading("Correct the TWSTRS of")
        self.then_the_page_is_accessible("assessments-twstrs-correct")
        self.when_i_fill_in({"Rotation": "1e309"}, exact=True)
        self.when_i_press("Save")
        self.then_the_error_summary_says("Rotation must be a whole number from 0 to 4",
                                         "Give the reason for the correction")
        self.then_the_page_is_accessible("assessments-twstrs-correct-error")
        self.when_i_fill_in({"Rotation": "0", "Reason for the correction":
                             "Rotation was scored on the wrong side"}, exact=True)
        self.when_i_press("Save")
        self.then_i_see_the_success_banner("The correction of the TWSTRS")
        self.then_the_superseded_twstrs_is_out_of_the_table()
        self.when_i_open_the_latest_twstrs()
        self.then_the_table_shows("Rotation was scored on the wrong side",
                                  name="Versions of this entry, oldest first")
        self.when_i_follow(re.compile("Mark as entered in error"))
        self.then_the_page_is_accessible("assessments-twstrs-entered-in-error")
        self.when_i_fill_in({"Why was this entered in error?": "Another patient's form"})
        self.when_i_press("Mark as entered in error")
        self.then_i_see("This entry was entered in error")
        self.then_the_page_is_accessible("assessments-twstrs-marked-in-error")

    def when_i_open_the_latest_twstrs(self):
        self.table(containing="TWSTRS assessments").locator("tbody tr").last.get_by_role(
            "link").click()

    def then_the_superseded_twstrs_is_out_of_the_table(self):
        current = ScaleAssessment.objects.filter(patient=self.patient, scale="twstrs")
        rows = self.table(containing="TWSTRS assessments").locator("tbody tr")
        expect(rows).to_have_count(current.current().count())
        assert current.count() == current.current().count() + 1

    def given_a_patient_with_a_demo_history(self):
        self.patient = self.given_a_patient("Wren", "Willowherb")
        self.neurologist = self.given_a_user(Role.NEUROLOGIST)
        demo_history(self.patient, random.Random(3), datetime.date.today(), self.neurologist)
        self.scales_before = ScaleAssessment.objects.filter(patient=self.patient).count()

    def when_i_enter_a_twstrs_with_rotation_out_of_its_range(self):
        self.when_i_fill_in_the_date(datetime.date.today())
        self.when_i_fill_in(TWSTRS | {"Rotation": "7"}, exact=True)
        self.when_i_press("Save")

    def then_no_scale_is_saved(self):
        assert ScaleAssessment.objects.filter(patient=self.patient).count() == self.scales_before

    def when_i_correct_the_rotation_and_save(self):
        self.when_i_fill_in({"Rotation": "3"}, exact=True)
        self.when_i_press("Save")

    def then_i_see_the_chart_and_its_table(self):
        expect(self.page.get_by_role("img", name="TWSTRS over time")).to_be_visible()
        last_row = self.table(containing="TWSTRS assessments").locator("tbody tr").last
        expect(last_row).to_contain_text("35")
        expect(last_row).to_contain_text("17")


class TestNeckExamination(Journey):
    def test_recording_a_neck_examination_and_confirming_the_suggested_muscles(self):
        self.patient = self.given_a_patient("Kit", "Kettleby")
        self.given_i_am_signed_in_as(Role.PHYSIOTHERAPIST)
        self.when_i_open_the_record(self.patient, "examinations/")
        self.then_the_page_is_accessible("assessments-examinations-empty")
        self.when_i_press("Record a neck examination")
        self.then_i_see_the_heading("Record a neck examination")
        self.then_the_page_is_accessible("assessments-examination-new")
        self.when_i_record_torticaput_without_its_side_or_the_date()
        self.then_the_error_summary_says("Choose the side of torticaput",
                                         "Enter the date of the examination")
        self.then_the_page_is_accessible("assessments-examination-error")
        self.when_i_complete_the_examination()
        self.then_i_see("Torticaput to the right, severity 3")
        self.then_i_see("A suggestion for the clinician to confirm with EMG")
        self.then_the_table_shows("Splenius capitis", containing="Suggested muscles")
        self.then_the_page_is_accessible("assessments-examination-detail")
        self.then_the_box_is_ticked("Splenius capitis", group="Right side")
        self.when_i_untick("Longissimus capitis", group="Right side")
        self.when_i_press("Save the involved muscles")
        self.then_i_see_the_success_banner("The involved muscles are confirmed.")
        self.then_the_confirmed_muscles_are_stored_on_the_examination()
        self.then_the_page_is_accessible("assessments-examination-confirmed")
        self.when_i_follow(re.compile("Correct this entry"))
        self.then_i_see_the_heading("Correct the neck examination of")
        self.then_the_page_is_accessible("assessments-examination-correct")
        self.when_i_select("Severity of torticaput", "2")
        self.when_i_fill_in({"Reason for the correction": "Severity over-estimated"})
        self.when_i_press("Save the correction")
        self.then_i_see("Torticaput to the right, severity 2")
        self.then_the_table_shows("Severity over-estimated",
                                  name="Versions of this entry, oldest first")
        self.then_the_page_is_accessible("assessments-examination-corrected")
        self.when_i_follow(re.compile("Mark as entered in error"))
        self.then_the_page_is_accessible("assessments-examination-entered-in-error")
        self.when_i_fill_in({"Why was this entered in error?": "Wrong patient"})
        self.when_i_press("Mark as entered in error")
        self.then_i_see("This entry was entered in error")
        self.when_i_open_the_record(self.patient, "examinations/")
        self.then_i_see("No neck examination is recorded yet")

    def when_i_record_torticaput_without_its_side_or_the_date(self):
        self.when_i_select("Severity of torticaput", "3")
        self.when_i_press("Save the examination")

    def when_i_complete_the_examination(self):
        self.when_i_fill_in_the_date(datetime.date.today())
        self.when_i_choose("Right (torticaput)")
        self.when_i_choose("None", group="Tremor")
        self.when_i_choose("Absent", group="Sensory trick")
        self.when_i_press("Save the examination")

    def then_the_confirmed_muscles_are_stored_on_the_examination(self):
        examination = Examination.objects.get(patient=self.patient, supersedes=None)
        confirmed = set(examination.muscles.values_list("muscle", "side"))
        assert ("splenius_capitis", "right") in confirmed
        assert ("longissimus_capitis", "right") not in confirmed
        assert ("sternocleidomastoid", "left") in confirmed


class TestDiagnosis(Journey):
    def test_recording_and_changing_the_diagnosis_keeps_its_history(self):
        patient = self.given_a_patient("Ola", "Oakapple")
        self.given_i_am_signed_in_as(Role.NEUROLOGIST)
        self.when_i_open_the_record(patient, "diagnosis/")
        self.then_the_page_is_accessible("assessments-diagnosis-empty")
        self.when_i_follow("Record the diagnosis")
        self.then_i_see_the_heading("Record the diagnosis")
        self.when_i_describe_a_focal_idiopathic_cervical_dystonia()
        self.then_the_page_is_accessible("assessments-diagnosis-form")
        self.when_i_press("Save as a new version")
        self.then_i_see("Late adulthood (over 40 years)")
        self.then_i_see("Focal (one region) (derived from the regions [1])")
        self.when_i_follow("Change the diagnosis")
        self.when_i_choose("Progressive")
        self.when_i_press("Save as a new version")
        self.then_the_table_shows("Course: Static changed to Progressive", "First version",
                                  containing="Every version")
        self.then_the_page_is_accessible("assessments-diagnosis")

    def when_i_describe_a_focal_idiopathic_cervical_dystonia(self):
        self.when_i_fill_in({"Age at onset (years)": "44"})
        self.when_i_choose("Neck")
        self.when_i_choose("Static")
        self.when_i_choose("Idiopathic", exact=True)
        self.when_i_select("If idiopathic: form", "sporadic")

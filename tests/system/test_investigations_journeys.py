"""Given/when/then journeys through a patient's investigations, in a real browser."""

import datetime
import re

from playwright.sync_api import expect

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.investigations.demo import minimal_pdf
from collis.investigations.models import Investigation
from tests.system.steps import Journey

WORK_UP = "Work-up for selective denervation"
REPORT = "Report (optional)"
ACTIVE_MUSCLES = ("Sternocleidomastoid, left", "Splenius capitis, right")


class TestInvestigations(Journey):
    def test_coordinator_records_an_emg_attaches_its_report_and_downloads_it(self):
        self.given_uploads_are_stored_for_this_test()
        self.given_the_emg_report_and_a_text_file_renamed_to_look_like_a_pdf()
        self.patient = self.given_a_patient("Wren", "Willowherb")
        self.coordinator = self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)

        self.when_i_open_the_record(self.patient, "investigations/")
        self.then_i_see_the_heading("Investigations", exact=True)
        self.then_i_see_the_heading(WORK_UP)
        self.then_the_whole_work_up_is_outstanding()
        self.then_the_page_is_accessible("investigations-empty")

        self.when_i_press("Record an investigation")
        self.then_i_see_the_heading("Record an investigation")
        self.then_the_page_is_accessible("investigation-create")
        self.when_i_record_an_emg_with_two_active_muscles()
        self.when_i_attach_and_save(self.fake)
        self.then_the_error_summary_says(
            "There is a problem", "The attached file (notes.pdf) must be a PDF, PNG or JPEG")
        self.then_the_active_muscles_are_ticked()
        self.then_the_field_holds(REPORT, re.compile("Dystonic"))
        self.then_nothing_is_saved()
        self.then_the_page_is_accessible("investigation-create-error")

        self.when_i_attach_and_save(self.report)
        self.then_i_see_the_heading("Electromyography (EMG), 2 March 2026")
        self.then_the_table_shows("Sternocleidomastoid", "Splenius capitis",
                                  name="Muscles found active on this EMG")
        self.then_the_page_is_accessible("investigation-detail")
        self.when_i_download_the_report_it_is_the_same_file_and_audited()

        self.when_i_follow(re.compile("Correct this entry"))
        self.then_the_box_is_ticked(ACTIVE_MUSCLES[0])
        self.then_i_see("emg-report.pdf")
        self.then_the_page_is_accessible("investigation-correct")
        self.when_i_untick(ACTIVE_MUSCLES[0])
        self.when_i_press("Save as a new version")
        self.then_the_error_summary_says("Give the reason for the correction")
        self.then_the_page_is_accessible("investigation-correct-error")
        self.when_i_give_the_reason_and_save("The left SCM was not active on review")
        self.then_i_see_the_success_banner("saved as a new version")
        self.then_the_table_shows("The left SCM was not active on review",
                                  name="Versions of this entry, oldest first")
        self.then_i_see_the_link("Download emg-report.pdf")  # the file of version 1
        self.then_the_page_is_accessible("investigation-corrected")
        self.when_i_follow("Back to all investigations")
        self.then_the_table_shows("Abnormal, 2 March 2026", name=WORK_UP)
        self.then_the_page_is_accessible("investigations-list")

    def test_a_pending_result_is_recorded_and_a_mistaken_entry_marked_in_error(self):
        self.patient = self.given_a_patient("Ida", "Ironside")
        self.given_i_am_signed_in_as(Role.NEUROLOGIST)
        self.given_a_pending_swallow_study()
        self.when_i_open_the_record(self.patient, f"investigations/{self.pending.pk}/")
        self.when_i_follow(re.compile("Record the result or attach its report"))
        self.then_i_see_the_heading("Record the result: Videofluoroscopic swallow study")
        self.when_i_choose("Normal", exact=True)
        self.when_i_fill_in_the_date(datetime.date(2026, 3, 9), field="result_on")
        self.when_i_press("Save as a new version")
        self.then_i_see_the_success_banner("saved as a new version")
        self.then_the_table_shows("Result recorded (normal)",
                                  name="Versions of this entry, oldest first")
        self.when_i_follow(re.compile("Mark as entered in error"))
        self.then_i_see_the_heading("Mark the investigation (Videofluoroscopic swallow study")
        self.then_the_page_is_accessible("investigation-entered-in-error")
        self.when_i_fill_in({"Why was this entered in error?": "Recorded on the wrong patient"})
        self.when_i_press("Mark as entered in error")
        self.then_i_see("This entry was entered in error")
        self.then_the_page_is_accessible("investigation-marked-in-error")
        self.when_i_follow("Back to all investigations")
        self.then_the_whole_work_up_is_outstanding()

    def given_a_pending_swallow_study(self):
        from collis.core.audit import Actor
        from collis.investigations import services

        self.pending = services.investigation_create(
            patient=self.patient, actor=Actor.command_line(self.given_a_user(Role.NEUROLOGIST)),
            details=services.InvestigationDetails(
                kind="videofluoroscopy", performed_on=datetime.date(2026, 3, 2),
                status="pending"))

    def when_i_give_the_reason_and_save(self, reason):
        self.when_i_fill_in({"Reason for the correction": reason})
        self.when_i_press("Save as a new version")

    def given_uploads_are_stored_for_this_test(self):
        self.settings.MEDIA_ROOT = self.tmp_path / "media"

    def given_the_emg_report_and_a_text_file_renamed_to_look_like_a_pdf(self):
        self.report = self.tmp_path / "emg-report.pdf"
        self.report.write_bytes(minimal_pdf(["EMG report: SCM left, splenius capitis right"]))
        self.fake = self.tmp_path / "notes.pdf"
        self.fake.write_text("These are typed notes, not a PDF.")

    def then_the_whole_work_up_is_outstanding(self):
        expect(self.page.get_by_text("Outstanding")).to_have_count(3)

    def when_i_record_an_emg_with_two_active_muscles(self):
        self.when_i_choose("Electromyography (EMG)")
        self.when_i_fill_in_the_date(datetime.date(2026, 3, 2), field="performed_on")
        self.when_i_choose("Abnormal")
        for muscle in ACTIVE_MUSCLES:
            self.when_i_choose(muscle)
        self.when_i_fill_in({REPORT: "Dystonic activity in left SCM and right "
                                     "splenius capitis."})

    def when_i_attach_and_save(self, path):
        self.page.locator("input[type=file]").set_input_files(str(path))
        self.when_i_press("Save investigation")

    def then_the_active_muscles_are_ticked(self):
        for muscle in ACTIVE_MUSCLES:
            self.then_the_box_is_ticked(muscle)

    def then_nothing_is_saved(self):
        assert not Investigation.objects.exists()

    def when_i_download_the_report_it_is_the_same_file_and_audited(self):
        download = self.when_i_download("Download emg-report.pdf")
        assert download.suggested_filename == "emg-report.pdf"
        assert download.path().read_bytes() == self.report.read_bytes()
        event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
        assert (event.patient_id == self.patient.pk
                and event.actor_username == self.coordinator.username)

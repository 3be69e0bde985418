"""Given/when/then: a patient with a record has sent questionnaires through the portal; a
neurologist sees them in the record's TWSTRS chart as lines of their own, marked
patient-reported, and in a table of their own; the patient downloads a copy of their data
holding every part of the record and its FHIR Bundle. On a desktop and a 320 px phone, with
axe finding nothing."""

import datetime as dt
import json
import random

from playwright.sync_api import expect

from collis.assessments.demo import demo_history
from collis.assessments.tests.factories import send_patient_reported
from collis.core.roles import Role
from collis.portal.tests.factories import PATIENT_PASSWORD, portal_account
from tests.system.steps import Journey

REPORTED_TABLE = "Patient-reported: TWSTRS disability and pain sections"


class TestPatientReportedScores(Journey):
    def test_patient_reported_scores_are_charted_apart_and_the_copy_holds_the_record(self):
        self.given_a_patient_with_a_record_who_sent_two_questionnaires()
        self.given_i_am_signed_in_as(self.neurologist)
        self.when_i_open_the_record(self.patient, "scales/")
        self.then_the_chart_has_the_patient_reported_lines()
        self.then_the_table_shows("Patient-reported", "10 May 2026", containing=REPORTED_TABLE)
        self.then_the_page_is_accessible("assessments-scales-patient-reported")

        self.when_the_patient_signs_in_to_the_portal()
        self.when_i_follow("A copy of your data")
        self.then_i_see("This copy holds the current entries of your record")
        self.then_the_page_is_accessible("portal-my-data-full")
        data = json.loads(self.when_i_download("Download the file (JSON)").path().read_text())
        assert data["fhir"]["type"] == "collection" and data["diagnosis"]["current"]
        assert [q["disability"] for q in data["questionnaires"]] == [6, 9]
        text = " ".join(self.when_i_download_the_pdf("Download the summary (PDF)"))
        assert "Questionnaires you sent (patient-reported)" in text
        assert "Botulinum toxin treatment" in text and "Your diagnosis" in text

        self.when_on_a_phone()
        self.when_i_visit("/portal/my-data/")
        self.then_nothing_is_wider_than_the_screen()
        self.then_the_page_is_accessible("portal-my-data-phone")

    def given_a_patient_with_a_record_who_sent_two_questionnaires(self):
        self.patient = self.given_a_patient("Wren", "Willowherb")
        self.neurologist = self.given_a_user(Role.NEUROLOGIST)
        demo_history(self.patient, random.Random(3), dt.date(2026, 6, 1), self.neurologist)
        send_patient_reported(self.patient, sent_on=dt.date(2026, 2, 10))  # disability 9
        send_patient_reported(self.patient, sent_on=dt.date(2026, 5, 10), reading=0)  # 6

    def then_the_chart_has_the_patient_reported_lines(self):
        chart = self.page.get_by_role("img", name="TWSTRS over time")
        expect(chart).to_be_visible()
        expect(chart).to_contain_text("Disability (patient-reported)")
        expect(chart).to_contain_text("Pain (patient-reported)")

    def when_the_patient_signs_in_to_the_portal(self):
        account, codes = portal_account(self.patient, by=self.neurologist)
        self.page.context.clear_cookies()
        self.when_i_visit("/portal/sign-in/")
        self.when_i_fill_in({"Email address": account.username, "Password": PATIENT_PASSWORD})
        self.when_i_press("Sign in")
        self.when_i_fill_in({"Code from your authenticator app, or a recovery code": codes[0]})
        self.when_i_press("Continue")

    def when_on_a_phone(self):
        self.page.set_viewport_size({"width": 320, "height": 640})

    def then_nothing_is_wider_than_the_screen(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, width

"""Given/when/then: a coordinator invites a patient to the portal; the patient accepts,
chooses a password and sets up an authenticator app, sees their appointment, answers the
questionnaire due before it in two sittings; a neurologist sees the patient-reported scores
on the record; the patient, signing in again with a recovery code, sees those looks at their
record in their access log and downloads their data, on a desktop and on a 320 px phone,
without a time limit and with axe finding nothing."""

import base64
import datetime as dt
import json
import re

from django.core import mail
from django_otp.oath import totp

from collis.core.roles import Role
from collis.portal.tests.factories import PATIENT_PASSWORD
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor
from tests.system.steps import Journey

WORK = ("How much does your neck condition get in the way of your work (paid, unpaid or "
        "housework)?")
FIRST_SITTING = {
    WORK: "2",
    "How much does it get in the way of everyday tasks, such as washing, dressing and "
    "eating?": "1",
    "How much does it get in the way of driving?": "0 (not at all)",
}
SECOND_SITTING = {
    "How much does it get in the way of reading?": "3",
    "How much does it get in the way of watching television?": "1",
    "How much does it get in the way of doing things outside your home?": "2",
    "How bad has the pain in your neck or shoulders been?": "6",
    "How much of the time have you had this pain?": "3",
    "How much does the pain stop you doing things?": "2",
}


class TestThePatientPortal(Journey):
    def test_a_patient_is_invited_sets_up_their_account_and_uses_the_portal(self):
        patient = self.given_a_patient("Morag", "Ellison", email="morag@example.com",
                                       date_of_birth=dt.date(1968, 4, 9))
        self.given_an_appointment_for(patient)
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR, first_name="Tomasz",
                                     last_name="Wren")

        self.when_i_open_the_record(patient)
        self.when_i_follow_the_record_section("Patient portal")
        self.then_i_see_the_heading("Patient portal", exact=True)
        self.then_the_field_holds("Patient's email address", "morag@example.com")
        self.then_the_page_is_accessible("portal-staff-invite")
        self.when_i_press("Send the invitation")
        self.then_i_see_the_success_banner("Invitation sent to morag@example.com")
        self.then_the_table_shows("Waiting to be accepted", name=None)

        self.when_the_patient_opens_the_link_in_their_email()
        self.then_i_see_the_heading("Make your account")
        self.then_the_page_is_accessible("portal-accept")
        self.when_i_fill_in_the_date(dt.date(1968, 4, 9))
        self.when_i_fill_in({"Choose a password": PATIENT_PASSWORD,
                             "Type your password again": PATIENT_PASSWORD})
        self.when_i_press("Make my account")

        self.then_i_see_the_heading("Set up your authenticator app")
        self.then_the_page_is_accessible("portal-authenticator")
        self.when_i_visit("/portal/")  # nothing is shown before the second factor
        self.then_i_see_the_heading("Set up your authenticator app")
        self.when_i_fill_in({"Code from your authenticator app": self.code_from_the_app()})
        self.when_i_press("Check the code")
        self.then_i_see_the_heading("Your recovery codes")
        self.recovery_codes = self.page.locator("#recovery-codes code").all_text_contents()
        self.then_the_page_is_accessible("portal-recovery-codes")
        self.when_i_follow("I have kept my codes")

        self.then_i_see_the_heading("Hello, Morag")
        self.then_the_page_is_accessible("portal-home")
        self.when_i_follow("Your appointments")
        self.then_i_see("Botulinum toxin clinic appointment at The Portland Hospital",
                        first=True)
        self.then_the_page_is_accessible("portal-appointments")
        self.when_i_follow(re.compile(r"at 9:00am"), first=True)
        self.then_i_see_the_heading("What to bring")
        self.then_the_page_is_accessible("portal-appointment")

        self.when_i_follow("Your portal")
        self.when_i_follow("Your questionnaires")
        self.then_the_page_is_accessible("portal-questionnaires")
        self.when_i_follow("How your neck affects your daily life")
        self.then_the_page_is_accessible("portal-questionnaire")
        self.when_i_answer(FIRST_SITTING)
        self.when_i_press("Save and come back later")
        self.then_i_see_the_success_banner("Your answers are saved")
        self.when_i_follow("Your portal")
        self.when_i_follow("Your questionnaires")
        self.then_i_see("You have answered 3 of 9 questions")
        self.when_i_follow("How your neck affects your daily life")
        self.when_i_answer(SECOND_SITTING)
        self.when_i_press("Send my answers")
        self.then_i_see_the_success_banner("Your answers were sent")
        self.then_i_see("You have no questionnaires to fill in now")

        self.when_the_user_changes_to(self.given_a_user(Role.NEUROLOGIST, first_name="Ines",
                                                        last_name="Achterberg"))
        self.when_i_open_the_record(patient)
        self.when_i_follow_the_record_section("Patient-reported")
        self.then_the_table_shows("Patient-reported", "Before your next botulinum toxin")
        self.then_the_page_is_accessible("portal-patient-reported-on-the-record")

        self.when_the_patient_signs_in_again_with_a_recovery_code()
        self.when_i_follow("Who has looked at your record")
        self.then_i_see("Ines Achterberg", first=True)
        self.then_i_see("Viewed the patient-reported questionnaires", first=True)
        self.then_i_see("Tomasz Wren", first=True)
        self.then_the_page_is_accessible("portal-access-log")

        self.when_i_follow("Your portal")
        self.when_i_follow("A copy of your data")
        self.then_the_page_is_accessible("portal-my-data")
        data = json.loads(self.when_i_download("Download the file (JSON)").path().read_text())
        assert data["patient"]["family_name"] == "Ellison"
        pages = self.when_i_download_the_pdf("Download the summary (PDF)")
        assert "Morag Ellison" in pages[0]

        self.when_on_a_phone()
        self.when_i_visit("/portal/")
        self.then_nothing_is_wider_than_the_screen()
        self.then_the_page_is_accessible("portal-home-phone")
        self.when_i_visit("/portal/access/")
        self.then_nothing_is_wider_than_the_screen()
        self.then_the_page_is_accessible("portal-access-log-phone")

    def when_i_answer(self, answers: dict):
        for question, value in answers.items():
            self.when_i_choose(value, exact=True, group=question)

    def when_the_patient_signs_in_again_with_a_recovery_code(self):
        self.page.context.clear_cookies()
        self.when_i_visit("/portal/sign-in/")
        self.when_i_fill_in({"Email address": "morag@example.com",
                             "Password": PATIENT_PASSWORD})
        self.when_i_press("Sign in")
        self.when_i_fill_in({"Code from your authenticator app, or a recovery code":
                             self.recovery_codes[0]})
        self.then_the_page_is_accessible("portal-sign-in-code")
        self.when_i_press("Continue")
        self.then_i_see_the_heading("Hello, Morag")

    def given_an_appointment_for(self, patient):
        slot = clinic().slots.order_by("starts_at").first()
        return scheduling.appointment_book(patient=patient, slot=slot,
                                           actor=coordinator_actor())

    def when_the_patient_opens_the_link_in_their_email(self):
        self.page.context.clear_cookies()
        link = re.search(r"https?://[^/\s]+(/portal/invitation/\S+/)", mail.outbox[-1].body)
        self.when_i_visit(link.group(1))

    def code_from_the_app(self) -> str:
        """What the patient's authenticator app shows, from the key on the page."""
        key = self.page.locator("#totp-key").text_content().replace(" ", "")
        secret = base64.b32decode(key + "=" * (-len(key) % 8))
        return f"{totp(secret):06d}"

    def when_on_a_phone(self):
        self.page.set_viewport_size({"width": 320, "height": 640})

    def then_nothing_is_wider_than_the_screen(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, width

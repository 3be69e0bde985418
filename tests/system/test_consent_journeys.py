"""Given/when/then journeys through counselling and consent, in a real browser."""

import datetime

from django.utils import timezone

from collis.consent.models import Consent, ConsentConfirmation
from collis.consent.tests.factories import episode_at
from collis.core.models import AuditAction, AuditEvent
from collis.core.presenters import date_long
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.domain.risks import Intervention, risks_for
from collis.policy.tests.factories import policy_version_make
from tests.system.steps import Journey

WHAT_MATTERS = "What matters most to you about your treatment?"
WHAT_MATTERS_TO_THEM = "Being able to drive and look over my shoulder"
RISKS = risks_for(Intervention.SELECTIVE_DENERVATION)
UNDERSTOOD = "Discussed and understood"
NOT_YET = "Discussed, not yet understood: to confirm at a later session"
NOT_DISCUSSED = "Not discussed at this session"
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


class TestConsent(Journey):
    def test_counselling_over_two_sessions_then_consent_the_form_and_the_day_of_surgery(self):
        self.given_an_episode_listed_for_surgery_with_no_cooling_off_period()
        self.given_i_am_signed_in_as(Role.NURSE_SPECIALIST)
        self.when_i_open_the_episode(self.episode, "consent/")
        self.then_i_see_the_heading("Counselling and consent")
        self.then_the_page_is_accessible("consent-overview")
        self.when_i_follow("Patient version, in plain English")
        self.then_i_see_the_heading("Treatment choices for neck dystonia")
        self.then_i_see("about 25 in 100 people", first=True)
        self.then_i_see("Where the information comes from")
        self.then_the_page_is_accessible("consent-patient-aid")
        self.when_i_follow("clinician version")
        self.then_the_page_heading_says("decision aid")
        self.then_i_see("new dysphagia on videofluoroscopy in 3 of 12", first=True)
        self.then_the_page_is_accessible("consent-decision-aid")

        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record counselling")
        self.then_the_page_is_accessible("consent-counselling-form")
        self.when_i_record_counselling_forgetting_the_last_risk()
        self.then_the_error_summary_says(
            f"Select whether '{RISKS[-1].name}' was discussed and understood")
        self.then_the_field_holds(WHAT_MATTERS, WHAT_MATTERS_TO_THEM)
        self.then_the_page_is_accessible("consent-counselling-error")
        self.when_i_choose(NOT_YET, group=RISKS[-1].name)
        self.when_i_press("Save counselling")
        self.then_the_page_heading_says("Counselling on")
        self.then_the_table_shows(RISKS[-1].name, "Discussed, not yet understood")
        self.then_the_page_is_accessible("consent-counselling-detail")
        self.then_the_episode_is_at(self.episode, State.COUNSELLING)

        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record counselling")
        self.when_i_confirm_at_a_second_session_only_the_last_risk()
        self.then_the_page_heading_says("Counselling on")
        self.when_i_sign_out()

        self.surgeon = self.given_i_am_signed_in_as(Role.NEUROSURGEON, first_name="Sam",
                                                    last_name="Surgeon")
        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record consent")  # the link styled as a button
        self.then_i_see("this form does not apply")
        self.then_the_table_shows(RISKS[-1].name, date_long(YESTERDAY), date_long(TODAY))
        self.then_the_page_is_accessible("consent-form")
        self.when_i_press("Record consent")
        self.then_the_error_summary_says("Select how the patient signed",
                                         "Enter the benefits the operation is intended",
                                         "Select whether an interpreter was used",
                                         "Confirm that the patient has capacity to consent")
        self.then_the_page_is_accessible("consent-form-error")
        self.when_i_fill_in_the_consent_form_with_an_interpreter()
        self.when_the_patient_signs_by_typing_their_name()
        self.when_i_press("Record consent")
        self.then_i_see_the_success_banner("The consent is recorded")
        self.then_i_see("Sam Surgeon", first=True)
        self.then_i_see("Yes: Ana Lopes (Portuguese)")
        self.then_i_see(f"Discussed on {date_long(YESTERDAY)}; understood on "
                        f"{date_long(TODAY)}")
        self.then_the_page_is_accessible("consent-recorded")
        self.then_the_episode_is_at(self.episode, State.CONSENTED)
        self.then_the_consent_names_the_surgeon_and_the_versions_seen()

        self.when_i_press("Confirm consent on the day of surgery")
        self.when_i_confirm_dated(YESTERDAY)
        self.then_the_error_summary_says("The date of the confirmation")
        self.then_the_page_is_accessible("consent-confirmation-error")
        self.when_i_confirm_dated(TODAY)
        self.then_i_see_the_success_banner("The confirmation of consent on the day of surgery")
        self.then_i_see("the patient still wants to go ahead")
        self.then_the_page_is_accessible("consent-confirmed")
        self.then_the_consent_form_downloads_with_every_section()

    def given_an_episode_listed_for_surgery_with_no_cooling_off_period(self):
        policy_version_make(consent_cooling_off_days=0)  # a local policy value
        self.episode = episode_at(State.LISTED)

    def when_i_record_counselling_forgetting_the_last_risk(self):
        self.when_i_fill_in_the_date(YESTERDAY, legend="Date of the counselling session")
        self.when_i_fill_in({WHAT_MATTERS: WHAT_MATTERS_TO_THEM})
        self.when_i_choose("Patient version (plain English)")
        for risk in RISKS[:-1]:
            self.when_i_choose(UNDERSTOOD, exact=True, group=risk.name)
        self.when_i_press("Save counselling")

    def when_i_confirm_at_a_second_session_only_the_last_risk(self):
        self.when_i_fill_in({WHAT_MATTERS: WHAT_MATTERS_TO_THEM})
        self.when_i_choose("Patient version (plain English)")
        for risk in RISKS[:-1]:
            self.when_i_choose(NOT_DISCUSSED, group=risk.name)
        self.when_i_choose(UNDERSTOOD, exact=True, group=RISKS[-1].name)
        self.when_i_press("Save counselling")

    def when_i_fill_in_the_consent_form_with_an_interpreter(self):
        self.when_i_fill_in({
            "Intended benefits": "Less pulling and pain in the neck; a straighter head.",
            "Extra procedures that may become necessary": "None expected."})
        self.when_i_choose("Deep brain stimulation (GPi-DBS)")
        self.when_i_choose("No further treatment")
        self.when_i_choose("Yes", exact=True, group="Was an interpreter used?")
        self.when_i_fill_in({"The interpreter's name": "Ana Lopes (Portuguese)"})
        self.when_i_choose("The patient has capacity to consent to this operation")

    def when_the_patient_signs_by_typing_their_name(self):
        patient = self.episode.patient
        self.when_i_choose("The patient typed their name as a signature")
        self.when_i_fill_in({"Patient's name, typed by them as a signature":
                             f"{patient.given_name} {patient.family_name}"})
        self.when_i_fill_in_the_date(TODAY, legend="Date the patient signed")

    def when_i_confirm_dated(self, day):
        self.when_i_fill_in_the_date(day, legend="Date of the confirmation")
        self.when_i_choose("Yes", exact=True,
                           group="Does the patient still want to go ahead with the operation?")
        self.when_i_press("Record the confirmation")

    def then_the_consent_names_the_surgeon_and_the_versions_seen(self):
        consent = Consent.objects.get()
        assert consent.surgeon == self.surgeon
        assert [v["kind"] for v in consent.decision_aids_seen] == ["patient"]

    def then_the_consent_form_downloads_with_every_section(self):
        text = " ".join(self.when_i_download_the_pdf("Download the consent form (PDF)"))
        assert all(risk.name in text for risk in RISKS)
        for section in ("Intended benefits", "Alternatives discussed", "No further treatment",
                        "General anaesthetic", "Ana Lopes (Portuguese)",
                        "Statement of the health professional", "Statement of the patient",
                        "Confirmation of consent on the day of surgery",
                        "this form does not apply"):
            assert section in text, section
        assert ConsentConfirmation.objects.get().created_by == self.surgeon
        assert AuditEvent.objects.filter(object_type="consent", action=AuditAction.DOWNLOAD,
                                         actor=self.surgeon).exists()

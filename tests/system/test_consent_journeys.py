"""Given/when/then journeys through counselling and consent, in a real browser."""

from django.utils import timezone

from collis.consent.models import Consent
from collis.consent.tests.factories import episode_at
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.domain.risks import Intervention, risks_for
from collis.policy.tests.factories import policy_version_make
from tests.system.steps import Journey

WHAT_MATTERS = "What matters most to you about your treatment?"
WHAT_MATTERS_TO_THEM = "Being able to drive and look over my shoulder"
RISKS = risks_for(Intervention.SELECTIVE_DENERVATION)


class TestConsent(Journey):
    def test_counselling_with_the_decision_aid_then_consent_and_the_form(self):
        self.given_an_episode_listed_for_surgery_with_no_cooling_off_period()
        self.given_i_am_signed_in_as(Role.NURSE_SPECIALIST)
        self.when_i_open_the_episode(self.episode, "consent/")
        self.then_i_see_the_heading("Counselling and consent")
        self.then_the_page_is_accessible("consent-overview")
        self.when_i_follow("Decision aid for this patient")
        self.then_the_page_heading_says("decision aid")
        self.then_i_see("new dysphagia on videofluoroscopy in 3 of 12", first=True)
        self.then_the_page_is_accessible("consent-decision-aid")

        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record counselling")
        self.then_the_page_is_accessible("consent-counselling-form")
        self.when_i_record_counselling_forgetting_the_last_risk()
        self.then_the_error_summary_says(f"Confirm that '{RISKS[-1].name}' was discussed")
        self.then_the_field_holds(WHAT_MATTERS, WHAT_MATTERS_TO_THEM)
        self.then_the_page_is_accessible("consent-counselling-error")
        self.when_i_acknowledge(RISKS[-1])
        self.when_i_press("Save counselling")
        self.then_the_page_heading_says("Counselling on")
        self.then_the_table_shows(RISKS[-1].name)
        self.then_the_page_is_accessible("consent-counselling-detail")
        self.then_the_episode_is_at(self.episode, State.COUNSELLING)
        self.when_i_sign_out()

        self.surgeon = self.given_i_am_signed_in_as(Role.NEUROSURGEON, first_name="Sam",
                                                    last_name="Surgeon")
        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record consent")  # the link styled as a button
        self.then_the_page_is_accessible("consent-form")
        self.when_i_press("Record consent")
        self.then_the_error_summary_says("Select how the patient signed")
        self.then_the_page_is_accessible("consent-form-error")
        self.when_the_patient_signs_by_typing_their_name()
        self.when_i_press("Record consent")
        self.then_i_see_the_success_banner("The consent is recorded")
        self.then_i_see("Sam Surgeon", first=True)
        self.then_the_page_is_accessible("consent-recorded")
        self.then_the_episode_is_at(self.episode, State.CONSENTED)
        self.then_the_consent_names_the_surgeon()
        self.then_the_consent_form_downloads_listing_every_risk_disclosed()

    def given_an_episode_listed_for_surgery_with_no_cooling_off_period(self):
        policy_version_make(consent_cooling_off_days=0)  # a local policy value
        self.episode = episode_at(State.LISTED)

    def when_i_acknowledge(self, risk):
        self.when_i_choose(f"{risk.name}: discussed and understood")

    def when_i_record_counselling_forgetting_the_last_risk(self):
        self.when_i_fill_in({WHAT_MATTERS: WHAT_MATTERS_TO_THEM})
        for risk in RISKS[:-1]:
            self.when_i_acknowledge(risk)
        self.when_i_press("Save counselling")

    def when_the_patient_signs_by_typing_their_name(self):
        patient = self.episode.patient
        self.when_i_choose("The patient typed their name as a signature")
        self.when_i_fill_in({"Patient's name, typed by them as a signature":
                             f"{patient.given_name} {patient.family_name}"})
        self.when_i_fill_in_the_date(timezone.localdate())

    def then_the_consent_names_the_surgeon(self):
        assert Consent.objects.get().surgeon == self.surgeon

    def then_the_consent_form_downloads_listing_every_risk_disclosed(self):
        text = " ".join(self.when_i_download_the_pdf("Download the consent form (PDF)"))
        assert all(risk.name in text for risk in RISKS)
        assert AuditEvent.objects.filter(object_type="consent", action=AuditAction.DOWNLOAD,
                                         actor=self.surgeon).exists()

"""Given/when/then journeys through the MDT: a meeting, its agenda, a decision that departs
from the candidacy engine, the outcome letter, and funding, in a real browser."""

import datetime

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.mdt import services
from collis.mdt.models import FundingRequest, MdtDecision
from collis.mdt.tests.factories import (
    DEPARTURE_REASON,
    assessment_for,
    episode_at,
    overridden_decision,
)
from tests.system.steps import Journey

DISCUSSION = "Discussed options; the patient prefers toxin."
DEPARTING = "Reason for departing from the engine's recommendation"


class TestMdtMeeting(Journey):
    def test_coordinator_runs_the_mdt_records_a_departing_decision_and_obtains_funding(self):
        self.given_an_episode_awaiting_the_mdt_with_a_favourable_assessment()
        self.given_the_team()
        self.given_i_am_signed_in_as(self.coordinator)

        self.when_i_visit("/mdt/")
        self.then_the_page_is_accessible("mdt-meeting-list")
        self.when_i_follow("Create a meeting")
        self.when_i_set_up_a_meeting_with_a_neurologist_and_a_neurosurgeon()
        self.then_the_page_is_accessible("mdt-meeting-form")
        self.when_i_press("Create the meeting")
        self.then_i_see_the_heading("MDT meeting, 20 November 2026")
        self.then_i_see("No physiotherapist is attending")

        self.when_i_add_the_episode_to_the_agenda()
        self.then_the_page_is_accessible("mdt-meeting-detail")
        self.when_i_follow("RUSHMORE, Rowan")
        self.then_i_see("collis-sd-candidacy/1", first=True)
        self.then_the_field_holds("#target_1", "spinal accessory nerve branches")
        self.then_the_page_is_accessible("mdt-agenda-item")

        self.when_i_record_continue_botulinum_toxin_without_a_reason()
        self.then_the_error_summary_says("Give the reason the decision departs from the engine")
        self.then_the_field_holds("Discussion", DISCUSSION)
        self.then_the_page_is_accessible("mdt-agenda-item-error")
        self.when_i_fill_in({DEPARTING: "The patient does not want surgery this year."})
        self.when_i_press("Record the decision")
        self.then_i_see("Departs from the engine's recommendation (Favourable)")
        self.then_the_page_is_accessible("mdt-episode-decisions")
        self.then_the_decision_is_kept_with_the_engines_recommendation()

        self.then_the_outcome_letter_names_the_decision_the_reason_and_the_action()

    def given_an_episode_awaiting_the_mdt_with_a_favourable_assessment(self):
        self.patient = self.given_a_patient("Rowan", "Rushmore")
        self.episode = episode_at(State.AWAITING_MDT, patient=self.patient)
        assessment_for(self.patient, "favourable")

    def given_the_team(self):
        self.coordinator = self.given_a_user(Role.MDT_COORDINATOR, first_name="Cass",
                                             last_name="Coord")
        self.neurologist = self.given_a_user(Role.NEUROLOGIST, first_name="Nia",
                                             last_name="Neuro")
        self.given_a_user(Role.NEUROSURGEON, first_name="Sam", last_name="Surgeon")

    def when_i_set_up_a_meeting_with_a_neurologist_and_a_neurosurgeon(self):
        self.when_i_fill_in_the_date(datetime.date(2026, 11, 20))
        self.when_i_select("Site", index=1)
        self.when_i_choose("Nia Neuro (Neurologist)")
        self.when_i_choose("Sam Surgeon (Neurosurgeon)")

    def when_i_add_the_episode_to_the_agenda(self):
        self.when_i_select("Episode awaiting the MDT", str(self.episode.pk))
        self.when_i_press("Add to the agenda")

    def when_i_record_continue_botulinum_toxin_without_a_reason(self):
        self.when_i_fill_in({"Discussion": DISCUSSION})
        self.when_i_choose("Continue botulinum toxin")
        self.when_i_fill_in({"Action": "Review at the toxin clinic"}, exact=True,
                            group="Action 1")
        self.when_i_select("#owner_1", str(self.neurologist.pk))
        self.when_i_fill_in_the_date(datetime.date(2027, 1, 15), field="due_1")
        self.when_i_press("Record the decision")

    def then_the_decision_is_kept_with_the_engines_recommendation(self):
        decision = MdtDecision.objects.get()
        assert decision.agrees_with_engine is False
        assert decision.engine_recommendation == "favourable"

    def then_the_outcome_letter_names_the_decision_the_reason_and_the_action(self):
        first_page = self.when_i_download_the_pdf("Download the outcome letter (PDF)")[0]
        assert "Continue botulinum toxin" in first_page
        assert "does not want surgery" in first_page
        assert "Review at the toxin clinic" in first_page
        assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD,
                                         patient_id=self.patient.pk).exists()


class TestFunding(Journey):
    def test_coordinator_requests_funding_after_a_decision_for_sd_and_records_approval(self):
        self.given_an_episode_the_mdt_decided_for_selective_denervation()
        self.given_i_am_signed_in_as(self.coordinator)

        self.when_i_open_the_episode(self.episode, "funding/")
        self.then_the_page_is_accessible("mdt-funding")
        self.when_i_follow("Request funding")
        self.when_i_choose_prior_approval_from_the_commissioner()
        self.then_the_page_is_accessible("mdt-funding-new")
        self.when_i_press("Draw up the request")
        self.then_i_see("Rotation-dominant cervical dystonia")
        self.then_i_see("A60.6 + Z92.3")
        self.then_the_page_is_accessible("mdt-funding-detail")

        self.when_i_record_that_it_was_submitted(datetime.date(2026, 11, 2))
        self.then_i_see_the_heading("Funding request: submitted")
        self.when_i_record_the_approval(decided=datetime.date(2026, 11, 10),
                                        expires=datetime.date(2026, 11, 1))
        self.then_the_error_summary_says("must expire after the date of the decision")
        self.then_the_page_is_accessible("mdt-funding-error")
        self.when_i_change_the_expiry(datetime.date(2027, 5, 1))
        self.then_i_see_the_heading("Funding request: approved")
        self.then_the_episode_is_at(self.episode, State.FUNDING_APPROVED)
        self.then_the_request_keeps_its_reference()

    def test_a_commissioner_reads_the_whole_case_of_an_unfavourable_case_the_mdt_overrode(self):
        self.given_an_episode_the_mdt_decided_for_sd_against_an_unfavourable_assessment()
        self.given_i_am_signed_in_as(self.coordinator)

        self.when_i_open_the_episode(self.episode, "funding/")
        self.when_i_follow("Request funding")
        self.when_i_choose_prior_approval_from_the_commissioner()
        self.when_i_press("Draw up the request")
        self.then_i_see("Unfavourable: a finding weighs decisively against selective "
                        "denervation.")
        self.then_i_see("Weighs decisively against selective denervation (1)")
        self.then_i_see("None of 3 cycles gave a useful benefit", first=True)
        self.then_i_see(DEPARTURE_REASON)
        self.then_the_page_is_accessible("mdt-funding-detail-overridden")
        self.then_the_pdf_shows_the_finding_against_and_the_mdts_reason()

    def given_an_episode_the_mdt_decided_for_sd_against_an_unfavourable_assessment(self):
        patient = self.given_a_patient("Briar", "Beech")
        self.episode = episode_at(State.AWAITING_MDT, patient=patient)
        self.coordinator = self.given_a_user(Role.MDT_COORDINATOR)
        overridden_decision(self.episode)

    def then_the_pdf_shows_the_finding_against_and_the_mdts_reason(self):
        text = " ".join(self.when_i_download_the_pdf("Download the funding request (PDF)"))
        assert "Weighs decisively against selective denervation (1)" in text
        assert "None of 3 cycles gave a useful benefit" in text
        assert "Why the MDT departed from the engine's recommendation" in text
        assert DEPARTURE_REASON in text

    def given_an_episode_the_mdt_decided_for_selective_denervation(self):
        patient = self.given_a_patient("Ash", "Alder")
        self.episode = episode_at(State.AWAITING_MDT, patient=patient)
        self.coordinator = self.given_a_user(Role.MDT_COORDINATOR)
        services.mdt_decision_create(
            episode=self.episode, decision="sd", discussion="Rotation-dominant; toxin failing",
            assessment=assessment_for(patient, "favourable"),
            planned=[services.PlannedRow("sternocleidomastoid", "left", "spinal accessory")],
            actor=Actor.command_line(self.coordinator))

    def when_i_choose_prior_approval_from_the_commissioner(self):
        self.when_i_choose("Prior approval")
        self.when_i_fill_in({"Commissioner": "NHS England specialised commissioning (demo)"})

    def when_i_record_that_it_was_submitted(self, on):
        self.when_i_choose("Submitted")
        self.when_i_fill_in({"Reference number": "PA-2026-0042"})
        self.when_i_fill_in_the_date(on)
        self.when_i_press("Save the status")

    def when_i_record_the_approval(self, *, decided, expires):
        self.when_i_choose("Approved")
        self.when_i_fill_in_the_date(decided, field="decided_on")
        self.when_i_fill_in_the_date(expires, field="expires_on")
        self.when_i_press("Save the status")

    def when_i_change_the_expiry(self, expires):
        self.when_i_fill_in_the_date(expires, field="expires_on")
        self.when_i_press("Save the status")

    def then_the_request_keeps_its_reference(self):
        assert FundingRequest.objects.get().reference == "PA-2026-0042"

"""The whole selective denervation pathway in a real browser: one patient from referral to
the 3-month follow-up, each step by the role that owns it, axe on every page."""

import datetime
import random

from collis.assessments.demo import demo_history as assessments_demo
from collis.candidacy.services import candidacy_assess
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.investigations.demo import demo_history as investigations_demo
from collis.surgery.models import Episode
from collis.treatments.demo import demo_history as treatments_demo
from tests.system.steps import Journey

TODAY = datetime.date.today()
REFERRED = TODAY - datetime.timedelta(days=200)
COUNSELLED = TODAY - datetime.timedelta(days=150)
CONSENTED = COUNSELLED + datetime.timedelta(days=21)
OPERATED = CONSENTED + datetime.timedelta(days=7)
PHYSIO = OPERATED + datetime.timedelta(days=2)
REVIEWED = OPERATED + datetime.timedelta(days=92)
ACCEPTED_BECAUSE = "Focal rotational CD, toxin failing."
MDT_ATTENDEES = (Role.NEUROLOGIST, Role.NEUROSURGEON, Role.PHYSIOTHERAPIST)


class TestSelectiveDenervationPathway(Journey):
    def test_one_patient_from_referral_to_the_three_month_follow_up(self):
        self.given_the_team()
        self.given_a_patient_whose_toxin_is_failing()

        self.when_the_user_changes_to(self.coordinator)
        self.when_i_open_the_record(self.patient, "pathway/")
        self.then_the_page_is_accessible("pathway-list")
        self.when_i_press("Record a referral")
        self.when_i_fill_in_the_referral()
        self.then_the_page_is_accessible("pathway-referral")
        self.when_i_press("Record the referral")
        self.then_the_page_heading_says("Referral received")
        self.then_a_pathway_episode_is_opened()
        self.when_i_move_the_episode("Start triage", "", "pathway-triage")

        self.when_the_user_changes_to(self.neurologist)
        self.when_i_move_the_episode("Accept the referral", ACCEPTED_BECAUSE, "pathway-accept")
        self.when_the_user_changes_to(self.coordinator)
        self.when_i_move_the_episode("Work-up complete: put on the MDT list",
                                     "Work-up reviewed.", "pathway-work-up")
        self.then_the_episode_is_at(self.episode, State.AWAITING_MDT)

        self.given_the_neurologist_assessed_candidacy_before_the_meeting()
        self.when_the_user_changes_to(self.coordinator)
        self.when_i_visit("/mdt/")
        self.then_the_page_is_accessible("pathway-mdt-meetings")
        self.when_i_create_a_meeting_and_put_the_episode_on_its_agenda()
        self.when_i_follow("THISTLEWOOD, Tam")
        self.then_i_see("collis-sd-candidacy/2", first=True)
        self.then_the_page_is_accessible("pathway-mdt-item")
        self.when_i_record_a_decision_for_selective_denervation()
        self.then_i_see("Selective denervation", first=True)
        self.then_the_page_is_accessible("pathway-mdt-decided")
        self.then_the_outcome_letter_names_the_decision()
        self.when_i_open_the_episode(self.episode, "funding/")
        self.when_i_draw_up_a_prior_approval_request()
        self.then_i_see("A60.6 + Z92.3")
        self.then_the_page_is_accessible("pathway-funding")
        self.when_i_record_that_it_was_submitted_then_approved()
        self.then_the_episode_is_at(self.episode, State.FUNDING_APPROVED)

        self.when_the_user_changes_to(self.surgeon)
        self.when_i_open_the_pathway_episode("pathway-before-listing")
        self.when_i_follow("Put on the waiting list")
        self.when_i_fill_in_the_listing()
        self.then_the_page_is_accessible("pathway-listing")
        self.when_i_press("Put on the waiting list")
        self.when_i_visit("/waiting-list/")
        self.then_the_table_shows("THISTLEWOOD, Tam")
        self.then_the_page_is_accessible("pathway-waiting-list")

        self.when_the_user_changes_to(self.nurse)
        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record counselling")
        self.when_i_counsel_with_the_decision_aid_each_risk_acknowledged()
        self.then_the_page_is_accessible("pathway-counselling")
        self.when_i_press("Save counselling")
        self.then_the_page_heading_says("Counselling on")
        self.given_the_counselling_was_recorded_on_the_day_it_was_held()

        self.when_the_user_changes_to(self.surgeon)
        self.when_i_open_the_episode(self.episode, "consent/")
        self.when_i_press("Record consent")
        self.when_the_patient_signs_after_the_cooling_off_period()
        self.then_the_page_is_accessible("pathway-consent")
        self.when_i_press("Record consent")
        self.then_i_see_the_success_banner("The consent is recorded")
        self.then_the_consent_form_names_the_patient()
        self.when_i_open_the_episode(self.episode, "operation/record/")
        self.when_i_fill_in_the_operation_note()
        self.then_the_page_is_accessible("pathway-operation")
        self.when_i_press("Save the operation note")
        self.then_the_page_heading_says("Operation")

        self.when_the_user_changes_to(self.physio)
        self.when_i_open_the_episode(self.episode, "physiotherapy/start/")
        self.when_i_plan_six_weekly_sessions()
        self.then_the_page_is_accessible("pathway-physio-start")
        self.when_i_press("Start")
        self.then_the_page_heading_says("hysiotherapy")
        self.then_the_page_is_accessible("pathway-physio")

        self.when_the_user_changes_to(self.neurologist)
        self.when_i_open_the_episode(self.episode, "follow-up/reviews/3/")
        self.when_i_fill_in_the_three_month_review()
        self.then_the_page_is_accessible("pathway-review")
        self.when_i_press("Save")
        self.then_the_page_heading_says("ollow-up")
        self.then_the_page_is_accessible("pathway-follow-up")
        self.then_the_episode_is_at(self.episode, State.FOLLOW_UP)
        self.when_i_open_the_pathway_episode("pathway-history")
        self.then_every_step_shows_who_made_it_when_and_why()

    # Given

    def given_the_team(self):
        """One member of staff for every role, named after it ("Neurologist Demo")."""
        self.team = {role: self.given_a_user(role, first_name=role.label.split()[0],
                                             last_name="Demo") for role in Role}
        self.coordinator = self.team[Role.MDT_COORDINATOR]
        self.neurologist = self.team[Role.NEUROLOGIST]
        self.surgeon = self.team[Role.NEUROSURGEON]
        self.nurse = self.team[Role.NURSE_SPECIALIST]
        self.physio = self.team[Role.PHYSIOTHERAPIST]

    def given_a_patient_whose_toxin_is_failing(self):
        self.patient = self.given_a_patient("Tam", "Thistlewood")
        for demo in (assessments_demo, treatments_demo, investigations_demo):
            demo(self.patient, random.Random(7), REFERRED, self.neurologist)

    def given_the_neurologist_assessed_candidacy_before_the_meeting(self):
        """Through the service: the candidacy journey does this step in the browser."""
        candidacy_assess(patient=self.patient, answers={"wants_surgery": True},
                         actor=Actor.command_line(self.neurologist))

    # When

    def when_i_fill_in_the_referral(self):
        self.when_i_fill_in({
            "Referring consultant": "Dr Ari Demo-Referrer",
            "GMC number": "1234567",
            "Organisation": "Example Movement Disorders Clinic (demo)",
            "Reason for referral": "Botulinum toxin is failing.",
        })
        self.when_i_choose("Routine")
        self.when_i_fill_in_the_date(REFERRED, legend="Date the referral was received")

    def when_i_open_the_pathway_episode(self, screenshot):
        """The episode's page, checked with axe."""
        self.when_i_open_the_episode(self.episode)
        self.then_the_page_heading_says("Pathway episode")
        self.then_the_page_is_accessible(screenshot)

    def when_i_move_the_episode(self, move, reason, screenshot):
        """From the episode's page, make the move named `move` with this reason; axe checks
        the episode's page and the move's form."""
        self.when_i_open_the_pathway_episode(f"{screenshot}-episode")
        self.when_i_follow(move)
        self.when_i_fill_in({"Reason": reason})
        self.then_the_page_is_accessible(screenshot)
        self.when_i_press(move)
        self.then_i_see_the_success_banner("The episode is now at")

    def when_i_create_a_meeting_and_put_the_episode_on_its_agenda(self):
        self.when_i_follow("Create a meeting")
        self.when_i_fill_in_the_date(TODAY - datetime.timedelta(days=190),
                                     legend="Date of the meeting")
        self.when_i_select("Site", option="The Harley Street Clinic")
        for role in MDT_ATTENDEES:
            self.when_i_choose(f"{self.team[role].display_name} ({role.label})")
        self.when_i_press("Create the meeting")
        self.then_the_page_heading_says("MDT meeting")
        self.when_i_select("Episode awaiting the MDT", str(self.episode.pk))
        self.when_i_press("Add to the agenda")

    def when_i_record_a_decision_for_selective_denervation(self):
        self.when_i_fill_in({"Discussion": "Rotational CD; toxin failing; SD offered."})
        self.when_i_choose("Selective denervation", exact=True)
        self.when_i_fill_in({"Reason for departing from the engine's recommendation":
                             "The team judges the involved groups fewer than the engine "
                             "counted."})
        self.when_i_press("Record the decision")

    def when_i_draw_up_a_prior_approval_request(self):
        self.when_i_follow("Request funding")
        self.when_i_choose("Prior approval")
        self.when_i_fill_in({"Commissioner": "NHS England specialised commissioning (demo)"})
        self.when_i_press("Draw up the request")

    def when_i_record_that_it_was_submitted_then_approved(self):
        self.when_i_choose("Submitted")
        self.when_i_fill_in({"Reference number": "PA-2026-0042"})
        self.when_i_fill_in_the_date(TODAY - datetime.timedelta(days=185),
                                     legend="Date submitted")
        self.when_i_press("Save the status")
        self.then_i_see_the_heading("Funding request: submitted")
        self.when_i_choose("Approved")
        self.when_i_fill_in_the_date(TODAY - datetime.timedelta(days=175),
                                     legend="Date of the decision")
        self.when_i_fill_in_the_date(TODAY + datetime.timedelta(days=180),
                                     legend="Approval expires")
        self.when_i_press("Save the status")
        self.then_i_see_the_heading("Funding request: approved")

    def when_i_fill_in_the_listing(self):
        self.when_i_fill_in_the_date(COUNSELLED - datetime.timedelta(days=7),
                                     legend="Date listed")
        self.when_i_choose("Soon")
        self.when_i_select("Site", option="London Bridge Hospital")
        self.when_i_select("Surgeon", option=self.surgeon.display_name)

    def when_i_counsel_with_the_decision_aid_each_risk_acknowledged(self):
        self.when_i_fill_in_the_date(COUNSELLED, legend="Date of the counselling session")
        self.when_i_choose("Patient version (plain English)")
        for radio in self.page.get_by_label("Discussed and understood", exact=True).all():
            radio.check()
        self.when_i_fill_in({"What matters most to you about your treatment?":
                             "Being able to drive and read again."})

    def given_the_counselling_was_recorded_on_the_day_it_was_held(self):
        """The journey runs months in minutes: the session was entered the day it was held
        (the cooling-off period runs from when counselling was recorded)."""
        from collis.consent.models import CounsellingSession
        from collis.consent.tests.factories import recorded_at

        recorded_at(CounsellingSession.objects.get(episode=self.episode), COUNSELLED)

    def when_the_patient_signs_after_the_cooling_off_period(self):
        self.when_i_fill_in({"Intended benefits": "Less pulling and pain in the neck.",
                             "Extra procedures that may become necessary": "None expected."})
        self.when_i_choose("No further treatment")
        self.when_i_choose("No", exact=True, group="Was an interpreter used?")
        self.when_i_choose("The patient has capacity to consent to this operation")
        self.when_i_choose("The patient typed their name as a signature")
        self.when_i_fill_in({"Patient's name, typed by them as a signature": "Tam Thistlewood"})
        self.when_i_fill_in_the_date(CONSENTED, legend="Date the patient signed")

    def when_i_fill_in_the_operation_note(self):
        self.when_i_fill_in_the_date(OPERATED, legend="Date of the operation")
        self.when_i_select("Site", option="London Bridge Hospital")
        self.when_i_select("Surgeon", option=self.surgeon.display_name)
        self.when_i_choose("General anaesthetic", exact=True)
        self.when_i_fill_in({"Anaesthetist": "Dr Birch Demo"})
        self.when_i_fill_in_the_muscle_rows(("sternocleidomastoid", "left"),
                                            ("splenius_capitis", "right"),
                                            labels="{field} (row {n})")

    def when_i_plan_six_weekly_sessions(self):
        self.when_i_fill_in_the_date(PHYSIO, legend="Date of the first session")
        self.when_i_fill_in({"Number of sessions": "6", "Days between sessions": "7"})

    def when_i_fill_in_the_three_month_review(self):
        self.when_i_fill_in_the_date(REVIEWED, legend="Date of the review")
        self.when_i_fill_in({"TWSTRS severity": "12", "TWSTRS disability": "8",
                             "TWSTRS pain": "5"})

    # Then

    def then_a_pathway_episode_is_opened(self):
        self.episode = Episode.objects.get(patient=self.patient)

    def then_the_outcome_letter_names_the_decision(self):
        letter = self.when_i_download_the_pdf("Download the outcome letter (PDF)")
        assert "Selective denervation" in " ".join(letter)

    def then_the_consent_form_names_the_patient(self):
        form = self.when_i_download_the_pdf("Download the consent form (PDF)")
        assert "Thistlewood" in " ".join(form)

    def then_every_step_shows_who_made_it_when_and_why(self):
        who = (self.coordinator, self.neurologist, self.surgeon, self.nurse)
        self.then_the_table_shows(*(user.display_name for user in who), ACCEPTED_BECAUSE,
                                  which="last")

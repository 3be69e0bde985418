"""Given/when/then: a clinical lead changes the cooling-off period with a reason; a new
counselling uses it; the old consent still shows the value it was given."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from collis.consent.models import Consent, CounsellingSession
from collis.consent.tests.factories import consented_episode, episode_at
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.domain.risks import Intervention, risks_for
from collis.policy.models import PolicyVersion
from tests.system.steps import Journey

COOLING_OFF = "Cooling-off period between counselling and consent (days)"
NOT_SIGNED_OFF = "Local policy, not yet signed off"
RISKS = risks_for(Intervention.SELECTIVE_DENERVATION)
TODAY = timezone.localdate()


class TestLocalPolicy(Journey):
    def test_a_clinical_lead_changes_the_cooling_off_period_and_a_new_counselling_uses_it(
            self):
        self.given_an_episode_consented_under_the_first_policy()
        self.given_an_episode_listed_for_surgery()

        self.lead = self.given_i_am_signed_in_as(Role.CLINICAL_LEAD, first_name="Lee",
                                                 last_name="Lead")
        self.when_i_follow("Local policy", exact=True)
        self.then_i_see_the_heading("Local policy", exact=True)
        self.then_the_table_shows("14 days", NOT_SIGNED_OFF,
                                  name="Counselling and consent")
        self.then_the_page_is_accessible("policy-version-1")

        self.when_i_press("Change local policy")  # the link styled as a button
        self.then_i_see_the_heading("Change local policy")
        self.then_the_field_holds(COOLING_OFF, "14", exact=True)
        self.then_the_page_is_accessible("policy-change")
        self.when_i_fill_in({COOLING_OFF: "7"}, exact=True)
        self.when_i_press("Sign off the new version")
        self.then_the_error_summary_says("Enter the reason for the change")
        self.then_the_field_holds(COOLING_OFF, "7", exact=True)
        self.then_the_page_is_accessible("policy-change-no-reason")
        self.when_i_fill_in({"Reason for the change": "Clinical governance meeting of 1 "
                                                      "December 2026: 7 days is enough"})
        self.when_i_press("Sign off the new version")
        self.then_i_see_the_success_banner("Local policy version 2 is signed off.")
        self.then_the_table_shows("7 days", "Lee Lead", name="Counselling and consent")
        self.then_the_history_keeps_both_versions_with_the_reason()
        self.then_the_page_is_accessible("policy-version-2")
        self.then_the_change_is_audited()

        self.when_the_user_changes_to(self.given_a_user(Role.NURSE_SPECIALIST))
        self.when_i_open_the_episode(self.listed, "consent/")
        self.when_i_press("Record counselling")
        self.when_i_record_counselling_with_every_risk()
        self.then_the_page_heading_says("Counselling on")
        self.then_i_see(f"{self.first_signing_day():%-d %B %Y}: 7 days (cooling-off period")
        self.then_there_is_no_notice()
        self.then_the_page_is_accessible("policy-new-counselling")
        self.then_the_counselling_keeps_version_2()

        self.when_i_open_the_episode(self.consented, "consent/")
        self.then_i_see("14 days (local policy, version 1)")
        self.then_i_see(NOT_SIGNED_OFF, first=True)
        self.then_the_page_is_accessible("policy-old-consent")

    # Given

    def given_an_episode_consented_under_the_first_policy(self):
        self.consented = consented_episode(TODAY)  # counselled 14 days ago under version 1

    def given_an_episode_listed_for_surgery(self):
        self.listed = episode_at(State.LISTED)

    # When

    def when_i_record_counselling_with_every_risk(self):
        self.when_i_fill_in({"What matters most to you about your treatment?":
                             "Being able to drive"})
        self.when_i_choose("Patient version (plain English)")
        for risk in RISKS:
            self.when_i_choose("Discussed and understood", exact=True, group=risk.name)
        self.when_i_press("Save counselling")

    def first_signing_day(self) -> datetime.date:
        return TODAY + datetime.timedelta(days=7)

    # Then

    def then_the_history_keeps_both_versions_with_the_reason(self):
        self.then_the_table_shows("Clinical governance meeting of 1 December 2026",
                                  "The defaults Collis was built with",
                                  name="Every version of the local policy, newest first")
        assert PolicyVersion.objects.count() == 2

    def then_the_change_is_audited(self):
        event = AuditEvent.objects.get(object_type="policy_version")
        assert event.actor == self.lead
        assert event.details["before"] == {"consent_cooling_off_days": 14}
        assert event.details["after"] == {"consent_cooling_off_days": 7}

    def then_there_is_no_notice(self):
        expect(self.page.get_by_text(NOT_SIGNED_OFF)).to_have_count(0)

    def then_the_counselling_keeps_version_2(self):
        session = CounsellingSession.objects.get(episode=self.listed)
        assert session.policy_version.number == 2
        old = Consent.objects.get(episode=self.consented)
        assert old.cooling_off_days == 14 and old.policy_version.number == 1

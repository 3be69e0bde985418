"""Given/when/then journeys through the record's chronology, in a real browser: an effect
cannot be dated before its cause, and the page says which field and why."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from collis.core.presenters import date_long
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.outcomes.models import Operation
from collis.outcomes.tests.factories import PLAN, make_episode
from collis.sites.models import Site
from collis.surgery.models import Episode
from tests.system.steps import Journey

CONSENTED = timezone.localdate() - datetime.timedelta(days=20)
THE_DAY_BEFORE = CONSENTED - datetime.timedelta(days=1)
OPERATED = CONSENTED + datetime.timedelta(days=3)
REFERRED = timezone.localdate() - datetime.timedelta(days=40)
REFUSAL = (f"The date of the operation cannot be before the patient signed the consent "
           f"({date_long(CONSENTED)})")


class ChronologyJourney(Journey):
    """Steps the chronology journeys share."""

    def then_the_date_field_says(self, field, message):
        """The reason is on the field itself, not only in the error summary."""
        expect(self.page.locator(f"#{field}-error")).to_contain_text(message)


class TestOperationChronology(ChronologyJourney):
    def test_an_operation_dated_before_the_consent_is_refused_then_recorded_from_the_plan(self):
        self.surgeon = self.given_i_am_signed_in_as(Role.NEUROSURGEON, first_name="Sam",
                                                    last_name="Surgeon")
        self.given_an_episode_consented_to_the_mdts_plan()

        self.when_i_open_the_episode(self.episode, "operation/")
        self.then_the_page_heading_says("Operation note")
        self.then_the_page_is_accessible("chronology-operation-none")
        self.when_i_follow("Record the operation note")
        self.then_the_page_heading_says("Record the operation note")
        self.then_i_see_the_heading("The consented plan")
        self.then_the_nerves_divided_start_from_the_consented_plan()
        self.then_the_page_is_accessible("chronology-operation-form")

        self.when_i_date_the_operation(THE_DAY_BEFORE)
        self.when_i_fill_in({"Anaesthetist": "Dr Birch"})
        self.when_i_press("Save the operation note")
        self.then_the_error_summary_says(REFUSAL)
        self.then_the_date_field_says("operated_on", REFUSAL)
        self.then_the_page_is_accessible("chronology-operation-refused")
        self.then_nothing_is_recorded()

        self.when_i_follow_the_error_to("#operated_on-day", link=REFUSAL)
        self.when_i_date_the_operation(OPERATED)
        self.when_i_press("Save the operation note")
        self.then_i_see_the_success_banner("The operation note is recorded")
        self.then_the_note_divides_the_planned_nerves_none_outside_the_plan()
        self.then_the_page_is_accessible("chronology-operation-recorded")
        self.then_the_episode_is_at(self.episode, State.OPERATED)

    # Given

    def given_an_episode_consented_to_the_mdts_plan(self):
        """An episode consented on CONSENTED to the MDT's plan (sternocleidomastoid left,
        splenius capitis right), listed at a site with this surgeon."""
        self.episode = make_episode(self.given_a_patient("Robin", "Chronos"),
                                    state=State.CONSENTED, consented_on=CONSENTED,
                                    user=self.surgeon)
        Episode.objects.filter(pk=self.episode.pk).update(
            surgeon=self.surgeon, listing_site=Site.objects.get(name="London Bridge Hospital"))

    # When

    def when_i_date_the_operation(self, day):
        self.when_i_fill_in_the_date(day, field="operated_on")

    # Then

    def then_the_nerves_divided_start_from_the_consented_plan(self):
        for n, entry in enumerate(PLAN, start=1):
            expect(self.control(f"Muscle (row {n})", exact=True)).to_have_value(entry["muscle"])
            expect(self.control(f"Side (row {n})", exact=True)).to_have_value(entry["side"])
            expect(self.control(f"Nerve and level (row {n})", exact=True)).to_have_value(
                entry["target"])
        expect(self.control("Muscle (row 3)", exact=True)).to_have_value("")

    def then_nothing_is_recorded(self):
        assert not Operation.objects.filter(episode=self.episode).exists()
        self.then_the_episode_is_at(self.episode, State.CONSENTED)

    def then_the_note_divides_the_planned_nerves_none_outside_the_plan(self):
        self.then_the_page_heading_says("Operation note")
        self.then_the_table_shows("Sternocleidomastoid", "Splenius capitis", "posterior ramus C2",
                                  "In the plan", name="Nerves divided, by muscle and side")
        expect(self.page.get_by_text("Outside the plan")).to_have_count(0)
        operation = Operation.objects.current().get(episode=self.episode)
        assert operation.operated_on == OPERATED and operation.consent is not None
        assert [(d.muscle, d.side, d.outside_plan) for d in operation.divisions.all()] == [
            (entry["muscle"], entry["side"], False) for entry in PLAN]


class TestOperationCorrections(ChronologyJourney):
    def test_a_surgeon_corrects_the_note_and_a_complication_entered_in_error_stays_in_history(
            self):
        self.surgeon = self.given_i_am_signed_in_as(Role.NEUROSURGEON, first_name="Sam",
                                                    last_name="Surgeon")
        self.given_an_operated_episode_with_a_complication()

        self.when_i_open_the_episode(self.episode, "operation/")
        self.when_i_follow("Correct this entry")
        self.then_the_page_heading_says("Correct the operation note")
        self.then_the_page_is_accessible("chronology-operation-correct")
        self.when_i_fill_in_the_date(CONSENTED - datetime.timedelta(days=2), field="operated_on")
        self.when_i_fill_in({"Reason for the correction": "The date was typed wrongly"})
        self.when_i_press("Save the correction")
        self.then_the_error_summary_says(REFUSAL)
        self.then_the_page_is_accessible("chronology-operation-correct-refused")
        self.when_i_fill_in_the_date(OPERATED + datetime.timedelta(days=1), field="operated_on")
        self.when_i_press("Save the correction")
        self.then_i_see_the_success_banner("The entry is corrected")
        self.then_i_see_the_heading("History of this entry")
        self.then_the_table_shows("The date was typed wrongly", "Superseded",
                                  name="Versions of this entry, oldest first")
        self.then_the_page_is_accessible("chronology-operation-history")

        self.when_i_open_the_episode(self.episode, "follow-up/")
        self.when_i_follow("Dysaesthesia", first=True)
        self.then_the_page_heading_says("Complication")
        self.then_the_page_is_accessible("chronology-complication")
        self.when_i_follow("Mark as entered in error")
        self.then_the_page_is_accessible("chronology-complication-error-form")
        self.when_i_fill_in({"Why was this entered in error?": "Recorded on the wrong patient"})
        self.when_i_press("Mark as entered in error")
        self.then_i_see("Recorded on the wrong patient", first=True)
        self.then_the_page_is_accessible("chronology-complication-entered-in-error")
        self.when_i_open_the_episode(self.episode, "follow-up/")
        self.then_i_see("No complications are recorded.")
        self.then_i_see("Corrected follow-up entries (1)")
        self.then_the_page_is_accessible("chronology-follow-up-corrected")

    def given_an_operated_episode_with_a_complication(self):
        from collis.core.audit import Actor
        from collis.outcomes import services
        from collis.outcomes.tests.factories import operate

        self.episode = make_episode(self.given_a_patient("Robin", "Chronos"),
                                    state=State.CONSENTED, consented_on=CONSENTED,
                                    user=self.surgeon)
        operate(self.episode, surgeon=self.surgeon, operated_on=OPERATED)
        services.complication_create(
            episode=self.episode, risk_code="SD_DYSAESTHESIA",
            onset_on=OPERATED + datetime.timedelta(days=5), severity="mild", status="ongoing",
            actor=Actor.command_line(self.surgeon))


class TestCounsellingChronology(ChronologyJourney):
    def test_a_nurse_corrects_a_counselling_date_and_cannot_put_it_before_the_referral(self):
        self.given_i_am_signed_in_as(Role.NURSE_SPECIALIST)
        self.given_counselling_recorded_after_a_referral()

        self.when_i_open_the_episode(self.episode, f"consent/counselling/{self.session.pk}/")
        self.when_i_follow("Correct this entry")
        self.then_the_page_heading_says("Correct the counselling session")
        self.then_the_page_is_accessible("chronology-counselling-correct")
        self.when_i_fill_in_the_date(REFERRED - datetime.timedelta(days=1), field="held_on")
        self.when_i_fill_in({"Reason for the correction": "Held earlier than typed"})
        self.when_i_press("Save the correction")
        self.then_the_date_field_says("held_on", "The date of the counselling session cannot "
                                                 "be before the referral was received "
                                                 f"({date_long(REFERRED)})")
        self.then_the_page_is_accessible("chronology-counselling-refused")
        self.when_i_fill_in_the_date(REFERRED + datetime.timedelta(days=1), field="held_on")
        self.when_i_press("Save the correction")
        self.then_i_see_the_success_banner("The counselling session is corrected")
        self.then_the_table_shows("Held earlier than typed",
                                  name="Versions of this entry, oldest first")
        self.then_the_page_is_accessible("chronology-counselling-history")
        self.when_i_open_the_first_version()
        self.then_i_see("Superseded by a correction", first=True)
        self.then_the_page_is_accessible("chronology-counselling-superseded")
        self.when_i_open_the_episode(self.episode, "consent/")
        self.then_i_see("Corrected counselling entries (1)")
        self.then_the_page_is_accessible("chronology-counselling-overview")

    def when_i_open_the_first_version(self):
        """The history's link to the version the correction superseded."""
        self.table(name="Versions of this entry, oldest first").get_by_role(
            "link", name="1", exact=True).click()

    def given_counselling_recorded_after_a_referral(self):
        from collis.consent.models import CounsellingSession
        from collis.consent.tests.factories import counselled_episode

        self.episode = counselled_episode(REFERRED + datetime.timedelta(days=10))
        Episode.objects.filter(pk=self.episode.pk).update(referral_received_on=REFERRED)
        self.session = CounsellingSession.objects.get(episode=self.episode)

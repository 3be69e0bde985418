"""Given/when/then journeys through the patient registry, in a real browser."""

import datetime
import re

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.patients.models import Patient
from tests.system.steps import Journey


class TestRegistry(Journey):
    def test_signing_in_shows_the_home_page_for_the_role(self):
        self.given_a_neurologists_account()
        self.when_i_visit("/")  # the public home page
        self.when_i_follow("Staff sign in")
        self.then_i_see_the_heading("Sign in to Collis")
        self.then_the_page_is_accessible("login")
        self.when_i_sign_in(self.user.username, "wrong password")
        self.then_the_error_summary_says("not right")
        self.then_the_page_is_accessible("login-error")
        self.when_i_sign_in(self.user.username, PASSWORD)
        self.then_i_see_the_heading("Welcome, Nia Neuro")
        self.then_i_see_the_link("Find a patient")
        self.then_the_page_is_accessible("home")

    def test_finding_and_opening_a_patient_is_seen_by_the_auditor(self):
        patient = self.given_a_patient("Wren", "Willowherb")
        neurologist = self.given_i_am_signed_in_as(Role.NEUROLOGIST)
        self.when_i_follow("Patients", first=True)
        self.then_the_page_is_accessible("patient-search")
        self.when_i_search_for("willow")
        self.then_i_see("1 patient found")
        self.then_the_page_is_accessible("patient-search-results")
        self.when_i_follow("WILLOWHERB, Wren")
        self.then_i_see_the_heading("WILLOWHERB, Wren")
        self.then_the_page_is_accessible("patient-detail")
        self.when_i_sign_out()
        self.given_i_am_signed_in_as(Role.AUDITOR)
        self.when_i_open_the_record(patient)
        self.when_i_follow(re.compile("access history"))
        self.then_the_table_shows(neurologist.username, "Viewed the record",
                                  "Patient appeared in search results")
        self.then_the_page_is_accessible("access-history")
        self.when_i_visit("/audit/")
        self.then_the_page_is_accessible("audit-log")

    def test_registering_a_patient_with_an_invalid_nhs_number_then_correcting_it(self):
        self.given_i_am_signed_in_as(Role.MDT_COORDINATOR)
        self.when_i_visit("/patients/new/")
        self.then_the_page_is_accessible("patient-create")
        self.when_i_register_a_patient_whose_check_digit_is_wrong()
        self.then_the_error_summary_says("There is a problem", "check digit")
        self.then_the_page_is_accessible("patient-create-error")
        self.then_no_patient_is_registered()
        self.when_i_follow_the_error_to("NHS number")
        self.when_i_correct_the_nhs_number()
        self.then_i_see_the_heading("QUILLON, Robin")
        self.then_i_see("943 476 5919", exact=True)
        self.then_the_patient_is_registered_at_their_home_site_once()

    def test_public_sites_page_needs_no_sign_in(self):
        self.when_i_visit("/sites/")
        self.then_i_see_the_heading("The Portland Hospital")
        self.then_the_page_is_accessible("sites")
        self.when_i_visit("/accessibility/")
        self.then_the_page_is_accessible("accessibility")

    def given_a_neurologists_account(self):
        self.user = UserFactory(role=Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")

    def when_i_search_for(self, words):
        self.when_i_fill_in({"NHS number or name": words})
        self.when_i_press("Search")

    def when_i_register_a_patient_whose_check_digit_is_wrong(self):
        self.when_i_fill_in({"NHS number": "943 476 5918", "Given name": "Robin",
                             "Family name": "Quillon"})
        self.when_i_fill_in_the_date(datetime.date(1970, 1, 2))
        self.when_i_choose("Female")
        self.when_i_fill_in({"Address line 1": "2 Sample Street", "Town or city": "London",
                             "Postcode": "SE1 2PR"})
        self.when_i_select("Home site", option="London Bridge Hospital")
        self.when_i_press("Register patient")

    def then_no_patient_is_registered(self):
        assert Patient.objects.count() == 0

    def when_i_correct_the_nhs_number(self):
        self.when_i_fill_in({"NHS number": "943 476 5919"})
        self.when_i_press("Register patient")

    def then_the_patient_is_registered_at_their_home_site_once(self):
        assert Patient.objects.get().home_site.name == "London Bridge Hospital"
        assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1

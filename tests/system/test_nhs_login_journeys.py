"""Given/when/then: a patient who made their portal account from an invitation chooses
"Continue with NHS login" on the portal's sign-in, is approved by a local provider standing
in for NHS login, and lands on their portal without the portal's own code; a patient of the
unit whom NHS login knows but who has no portal account is told to ask for an invitation.
On a desktop and a 320 px phone, with axe finding nothing."""

import datetime as dt

import pytest

from collis.core.roles import Role
from collis.portal.tests.factories import portal_account
from collis.portal.tests.oidc_provider import Provider, configure_collis, new_key, running
from tests.system.steps import Journey

CALLBACK = "/portal/sign-in/nhs-login/callback/"


class TestNhsLogin(Journey):
    @pytest.fixture(autouse=True)
    def _provider(self, live_server):
        key = new_key("collis-journey-key")
        redirect_uri = f"{live_server.url}{CALLBACK}"
        public = type(key).import_key(key.as_pem(private=False))
        with running(Provider(client_id="collis-journey", client_key=public,
                              redirect_uri=redirect_uri)) as provider:
            self.provider = provider
            configure_collis(self.settings, self.tmp_path, issuer=provider.issuer,
                             client_id="collis-journey", key=key, redirect_uri=redirect_uri)
            yield

    def test_a_patient_continues_with_nhs_login_to_their_portal(self):
        patient = self.given_a_patient("Morag", "Ellison", nhs_number="9434765919",
                                       date_of_birth=dt.date(1970, 5, 17))
        self.given_their_portal_account(patient)

        self.when_i_visit("/portal/sign-in/")
        self.then_the_page_is_accessible("portal-sign-in-with-nhs-login")
        self.when_i_press("Continue with NHS login")
        self.then_i_see_the_heading("Hello, Morag")
        self.then_the_page_is_accessible()
        self.when_i_sign_out()
        self.then_i_see_the_heading("Sign in to your patient portal")

        self.given_nhs_login_knows_someone_without_an_account()
        self.when_i_press("Continue with NHS login")
        self.then_i_see_the_heading("You could not sign in with NHS login")
        self.then_i_see("Ask the unit to email you an invitation", first=True)
        self.then_the_page_is_accessible("portal-nhs-login-refused")

        self.when_on_a_phone()
        self.when_i_visit("/portal/sign-in/")
        self.then_nothing_is_wider_than_the_screen()
        self.then_the_page_is_accessible("portal-sign-in-with-nhs-login-phone")

    def given_their_portal_account(self, patient):
        portal_account(patient, by=self.given_a_user(Role.NURSE_SPECIALIST))

    def given_nhs_login_knows_someone_without_an_account(self):
        """A patient of the unit, never invited to the portal, with an NHS login."""
        other = self.given_a_patient("Ravi", "Okafor", date_of_birth=dt.date(1981, 2, 3))
        self.provider.user.nhs_number = other.nhs_number
        self.provider.user.birthdate = "1981-02-03"

    def when_on_a_phone(self):
        self.page.set_viewport_size({"width": 320, "height": 640})

    def then_nothing_is_wider_than_the_screen(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, width

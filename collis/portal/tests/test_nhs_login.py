"""NHS login as an optional sign-in to the portal (ADR 0022), through a local OpenID Connect
provider (`oidc_provider`) on 127.0.0.1: the test client goes Collis -> provider -> Collis's
callback by hand. A patient with an active portal account signs in without the portal's
code; every answer that fails a check, and every person who is not such a patient, is
refused with a page that says why and what to do, and audited."""

from __future__ import annotations

import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from collis.core.audit import Actor
from collis.core.middleware import IdleTimeoutMiddleware
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.demo_data import synthetic_nhs_number
from collis.patients.tests.factories import PatientFactory
from collis.portal import nhs_login, services
from collis.portal.nhs_login import PROBLEMS, NhsLoginRefused, Refusal
from collis.portal.tests.factories import PATIENT_PASSWORD, portal_account
from collis.portal.tests.oidc_provider import Provider, configure_collis, new_key, running

pytestmark = pytest.mark.django_db

CLIENT_ID = "collis-test-client"
START = "/portal/sign-in/nhs-login/"
CALLBACK = "/portal/sign-in/nhs-login/callback/"


@pytest.fixture(scope="module")
def client_key():
    """Collis's own key pair for signing its client assertions."""
    return new_key("collis-client-key-1")


def configure(settings, tmp_path, *, issuer: str, key, redirect_uri: str) -> None:
    configure_collis(settings, tmp_path, issuer=issuer, client_id=CLIENT_ID, key=key,
                     redirect_uri=redirect_uri)


@pytest.fixture
def provider(settings, tmp_path, client_key):
    """The provider, running, with Collis configured to use it."""
    public = type(client_key).import_key(client_key.as_pem(private=False))
    redirect_uri = f"http://testserver{CALLBACK}"
    with running(Provider(client_id=CLIENT_ID, client_key=public,
                          redirect_uri=redirect_uri)) as running_provider:
        configure(settings, tmp_path, issuer=running_provider.issuer, key=client_key,
                  redirect_uri=redirect_uri)
        yield running_provider


@pytest.fixture
def nurse(user_with_role):
    return user_with_role(Role.NURSE_SPECIALIST)


@pytest.fixture
def patient(sites):
    """The provider's test user's record: same NHS number and date of birth."""
    return PatientFactory(nhs_number="9434765919", date_of_birth=date(1970, 5, 17),
                          given_name="Morag", family_name="Ellison")


@pytest.fixture
def account(patient, nurse):
    """The patient's portal account, made from an invitation, authenticator app set up."""
    account, _codes = portal_account(patient, by=nurse)
    return account


def through_nhs_login(client: Client, provider: Provider, *, start: str = START):
    """Follow the redirects by hand: Collis's start -> the provider's /authorize -> back to
    Collis's callback. Returns Collis's answer to the callback."""
    response = client.get(start)
    assert response.status_code == 302, response.content
    authorize = response["Location"]
    assert authorize.startswith(f"{provider.url}/authorize?")
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"http://testserver{CALLBACK}"
    return client.get(f"{back.path}?{back.query}")


def failures() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("at"))


def assert_refused(response, refusal: Refusal, status: int = 403) -> None:
    """A page that says what went wrong and what to do; an audited failure; not signed in."""
    assert response.status_code == status
    page = response.content.decode()
    assert "You could not sign in with NHS login" in page
    assert PROBLEMS[refusal].replace("'", "&#39;") in page
    assert 'href="/portal/sign-in/"' in page
    last = failures()[-1]
    assert refusal.value in last.details["reason"]
    assert last.details["reason"].startswith("portal: ")
    assert response.client.get("/portal/").status_code == 302  # not signed in


# -- Offered only when configured ---------------------------------------------------------------

def test_the_option_is_absent_when_nhs_login_is_not_configured(db):
    page = Client().get("/portal/sign-in/").content.decode()
    assert "Continue with NHS login" not in page
    assert START not in page
    assert Client().get(START).status_code == 404
    assert Client().get(f"{CALLBACK}?code=x&state=y").status_code == 404
    assert not failures()


def test_the_sign_in_page_offers_nhs_login_first_as_a_link(provider):
    page = Client().get("/portal/sign-in/?next=/portal/access/").content.decode()
    assert "Continue with NHS login" in page
    assert 'href="/portal/sign-in/nhs-login/?next=%2Fportal%2Faccess%2F"' in page
    assert "nhsuk-button--login" in page
    # NHS login comes before the email and password.
    assert page.index("Continue with NHS login") < page.index('name="password"')


# -- Signing in ---------------------------------------------------------------------------------

def test_a_patient_with_an_account_signs_in_without_the_portals_code(provider, account):
    client = Client()
    response = through_nhs_login(client, provider)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200  # no code from the authenticator app was asked for
    assert "Morag" in home.content.decode()
    signed_in = AuditEvent.objects.get(action=AuditAction.LOGIN, actor=account)
    assert signed_in.path.startswith(CALLBACK)
    assert not failures()
    # What Collis asked for: the level with a second factor, PKCE, a nonce, the scopes.
    asked = provider.last_authorize
    assert asked["vtr"] == '["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]'
    assert asked["scope"] == "openid profile"
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert "code_verifier" not in asked


def test_the_client_authenticates_with_a_signed_assertion_never_a_secret(provider, account):
    through_nhs_login(Client(), provider)
    assert len(provider.assertions_seen) == 1  # one assertion, checked and used once
    assert not provider.last_token_error


def test_the_patient_lands_on_the_page_they_asked_for(provider, account):
    client = Client()
    response = through_nhs_login(client, provider,
                                 start=f"{START}?next=/portal/appointments/")
    assert response["Location"] == "/portal/appointments/"
    assert client.get("/portal/appointments/").status_code == 200


def test_another_sites_address_is_never_a_destination(provider, account):
    response = through_nhs_login(Client(), provider,
                                 start=f"{START}?next=https://evil.example/portal/")
    assert response["Location"] == "/portal/"


def test_the_nhs_number_and_date_of_birth_may_come_from_userinfo(provider, account):
    provider.faults.add("claims_in_userinfo_only")
    client = Client()
    assert through_nhs_login(client, provider)["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_lock_out_does_not_apply_to_nhs_login(provider, account, settings):
    """Wrong passwords lock the account's password sign-in; NHS login still signs in."""
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        Client().post("/portal/sign-in/", {"username": account.username,
                                           "password": "not the password at all"})
    locked = Client().post("/portal/sign-in/", {"username": account.username,
                                                "password": PATIENT_PASSWORD})
    assert locked.status_code != 302
    client = Client()
    assert through_nhs_login(client, provider)["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_the_same_idle_time_out_applies(provider, account, settings):
    client = Client()
    through_nhs_login(client, provider)
    assert client.get("/portal/").status_code == 200
    idle = settings.COLLIS_IDLE_TIMEOUT.total_seconds() + 60
    session = client.session
    session[IdleTimeoutMiddleware.SESSION_KEY] -= idle
    session.save()
    client.cookies[IdleTimeoutMiddleware.COOKIE] = IdleTimeoutMiddleware.cookie_value(
        session.session_key, time.time() - idle)
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/?next=/portal/")
    assert client.get("/portal/").status_code == 302


def test_signing_out_ends_the_nhs_login_session(provider, account):
    client = Client()
    through_nhs_login(client, provider)
    assert client.post("/portal/sign-out/").status_code == 302
    assert client.get("/portal/").status_code == 302


# -- Answers that fail a check --------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "refusal"), [
    ("deny", Refusal.CANCELLED),
    ("nonce", Refusal.INVALID),
    ("expired", Refusal.INVALID),
    ("foreign_key", Refusal.INVALID),
    ("audience", Refusal.INVALID),
], ids=["cancelled", "wrong-nonce", "expired-id-token", "wrongly-signed", "other-audience"])
def test_an_answer_that_fails_a_check_is_refused_and_audited(provider, account, fault,
                                                            refusal):
    provider.faults.add(fault)
    response = through_nhs_login(Client(), provider)
    assert_refused(response, refusal)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_a_wrong_state_is_refused_and_audited(provider, account):
    client = Client()
    authorize = client.get(START)["Location"]
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    code = back["code"][0]
    response = client.get(CALLBACK, {"code": code, "state": "not-the-state"})
    assert_refused(response, Refusal.STATE, status=400)
    assert not provider.codes[code]["used"]  # never taken to the token endpoint


def test_an_answer_is_used_once(provider, account):
    client = Client()
    authorize = client.get(START)["Location"]
    callback = requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"]
    path = callback.removeprefix("http://testserver")
    assert client.get(path)["Location"] == "/portal/"
    client.post("/portal/sign-out/")
    assert_refused(client.get(path), Refusal.STATE, status=400)


def test_an_answer_from_another_browser_is_refused(provider, account):
    authorize = Client().get(START)["Location"]
    callback = requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"]
    assert_refused(Client().get(callback.removeprefix("http://testserver")), Refusal.STATE,
                   status=400)


def test_a_client_assertion_signed_with_another_key_is_refused_by_the_provider(
        provider, account, settings, tmp_path):
    configure(settings, tmp_path, issuer=provider.issuer, key=new_key("another-key"),
              redirect_uri=provider.redirect_uri)
    response = through_nhs_login(Client(), provider)
    assert provider.last_token_error.startswith("invalid_client")
    assert_refused(response, Refusal.INVALID)


def test_nhs_login_being_away_is_a_clear_page_not_an_error(settings, tmp_path, client_key,
                                                           db):
    with running(Provider(client_id=CLIENT_ID, client_key=client_key,
                          redirect_uri="http://testserver/x/")) as gone:
        issuer = gone.issuer
    configure(settings, tmp_path, issuer=issuer, key=client_key,
              redirect_uri=f"http://testserver{CALLBACK}")
    response = Client().get(START)
    assert_refused(response, Refusal.UNAVAILABLE, status=503)


# -- People NHS login knows but the portal does not sign in ----------------------------------

def test_an_unknown_nhs_number_is_refused_and_audited(provider, account):
    provider.user.nhs_number = next(number for stem in range(912_345_678, 912_345_700)
                                    if (number := synthetic_nhs_number(stem)))
    response = through_nhs_login(Client(), provider)
    assert_refused(response, Refusal.UNKNOWN)
    assert provider.user.nhs_number in failures()[-1].details["username"]


def test_a_different_date_of_birth_is_refused(provider, account):
    provider.user.birthdate = "1970-05-18"
    assert_refused(through_nhs_login(Client(), provider), Refusal.DETAILS)


def test_a_patient_without_a_portal_account_is_refused(provider, patient):
    response = through_nhs_login(Client(), provider)
    assert_refused(response, Refusal.NO_ACCOUNT)
    assert "Ask the unit to email you an invitation" in response.content.decode()


def test_a_patient_whose_account_was_closed_is_refused(provider, account, patient, nurse):
    services.portal_access_withdraw(patient=patient,
                                    actor=Actor(user=nurse, channel=AuditChannel.WEB))
    assert_refused(through_nhs_login(Client(), provider), Refusal.NO_ACCOUNT)


def test_a_lower_identity_level_is_refused(provider, account):
    provider.user.vot, provider.user.identity_proofing_level = "P5.Cp.Cd", "P5"
    assert_refused(through_nhs_login(Client(), provider), Refusal.LEVEL)


def test_a_p5_account_is_enough_where_the_unit_asks_for_p5(provider, account, settings):
    settings.COLLIS_NHS_LOGIN_IDENTITY_LEVEL = "P5"
    provider.user.vot, provider.user.identity_proofing_level = "P5.Cp.Cd", "P5"
    client = Client()
    assert through_nhs_login(client, provider)["Location"] == "/portal/"
    assert provider.last_authorize["vtr"] == '["P5.Cp.Cd","P5.Cp.Ck","P5.Cm"]'


def test_a_sign_in_without_a_second_factor_is_refused(provider, account):
    provider.user.vot = "P9.Cp"
    assert_refused(through_nhs_login(Client(), provider), Refusal.INVALID)


# -- The rules, one at a time --------------------------------------------------------------------

@pytest.mark.parametrize(("vot", "level", "required", "refusal"), [
    ("P9.Cp.Cd", "P9", "P9", None),
    ("P9.Cp.Ck", None, "P9", None),
    ("P9.Cm", "P9", "P9", None),
    ("P9.Cp.Cd", "P9", "P5", None),
    ("P5.Cp.Cd", "P5", "P9", Refusal.LEVEL),
    ("P9.Cp.Cd", "P5", "P9", Refusal.LEVEL),   # the lower of the two counts
    ("P0.Cp.Cd", "P0", "P5", Refusal.LEVEL),
    ("P9.Cp", "P9", "P9", Refusal.INVALID),    # no second factor
    ("P9.Cd", "P9", "P9", Refusal.INVALID),
    ("", None, "P9", Refusal.INVALID),
    ("X9.Cp.Cd", None, "P9", Refusal.INVALID),
])
def test_the_vector_of_trust_must_reach_the_level_with_a_second_factor(vot, level, required,
                                                                       refusal):
    if refusal is None:
        nhs_login.identity_level_check(vot=vot, proofing_level=level, required=required)
        return
    with pytest.raises(NhsLoginRefused) as raised:
        nhs_login.identity_level_check(vot=vot, proofing_level=level, required=required)
    assert raised.value.refusal == refusal


def test_each_refusal_tells_the_patient_what_to_do_in_plain_words():
    assert set(PROBLEMS) == set(Refusal)
    for problem in PROBLEMS.values():
        assert "token" not in problem.lower() and "_" not in problem
        assert any(step in problem for step in ("Try again", "try again", "phone the unit",
                                                "Phone the unit", "Ask the unit"))


def test_wrong_settings_are_reported_by_the_check_naming_each(settings, tmp_path):
    settings.COLLIS_NHS_LOGIN_ISSUER = "https://auth.example"
    settings.COLLIS_NHS_LOGIN_CLIENT_ID = ""
    settings.COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    settings.COLLIS_NHS_LOGIN_KEY_ID = "k1"
    settings.COLLIS_NHS_LOGIN_REDIRECT_URI = ""
    settings.COLLIS_NHS_LOGIN_SCOPES = "openid"
    settings.COLLIS_NHS_LOGIN_IDENTITY_LEVEL = "P0"
    [error] = nhs_login.settings_check()
    for name in ("COLLIS_NHS_LOGIN_CLIENT_ID", "COLLIS_NHS_LOGIN_REDIRECT_URI",
                 "COLLIS_NHS_LOGIN_SCOPES", "COLLIS_NHS_LOGIN_IDENTITY_LEVEL",
                 "COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE"):
        assert name in error.msg
    settings.COLLIS_NHS_LOGIN_ISSUER = ""
    assert nhs_login.settings_check() == []


def test_a_public_key_in_place_of_the_private_key_is_reported(settings, tmp_path, client_key):
    configure(settings, tmp_path, issuer="https://auth.example", key=client_key,
              redirect_uri="https://collis.example/portal/sign-in/nhs-login/callback/")
    assert nhs_login.settings_check() == []
    (tmp_path / "nhs-login-private.pem").write_bytes(client_key.as_pem(private=False))
    [error] = nhs_login.settings_check()
    assert "public key" in error.msg


def test_misconfigured_nhs_login_refuses_with_a_page(settings, tmp_path, client_key, db):
    configure(settings, tmp_path, issuer="https://auth.example", key=client_key,
              redirect_uri="")
    assert_refused(Client().get(START), Refusal.UNAVAILABLE, status=503)

"""SMART Backend Services: a system client registered by an administrator signs an assertion
with keys made here, gets an access token, and reads its unit's Patients and Observations
(and not another unit's), exports them in bulk, and is named in the audit log; every kind of
bad assertion, client or scope is refused with the OAuth error the standards give."""

import datetime as dt
import json
import time
import uuid

import pytest
from django.test import TestCase
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from collis.assessments.tests.factories import make_twstrs
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent, Organisation
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api import smart
from collis.fhir_api.models import SmartAccessToken, SystemClient
from collis.patients.tests.factories import PatientFactory, other_unit_patient

pytestmark = pytest.mark.django_db
TOKEN_URL = "http://testserver/fhir/R4/auth/token"
FHIR = {"HTTP_ACCEPT": "application/fhir+json"}


@pytest.fixture(scope="module")
def keys():
    """A client's private keys, made for these tests: one RSA (RS384), one P-384 (ES384)."""
    return {"RS384": RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}),
            "ES384": ECKey.generate_key("P-384", parameters={"kid": "ec-1"})}


def public_jwks(*private) -> dict:
    return KeySet(list(private)).as_dict(private=False)


def register(keys, scopes=("system/*.read",), organisation=None, **kwargs) -> SystemClient:
    admin = UserFactory(role=Role.ADMINISTRATOR)
    return smart.system_client_register(
        name="Regional registry", organisation=organisation or Organisation.objects.default(),
        scopes=list(scopes), jwks=kwargs.pop("jwks", public_jwks(*keys.values())),
        jwks_url=kwargs.pop("jwks_url", ""), actor=Actor.command_line(admin))


def assertion(client_id, key, alg="RS384", **claims) -> str:
    now = int(time.time())
    payload = {"iss": client_id, "sub": client_id, "aud": TOKEN_URL, "exp": now + 240,
               "jti": uuid.uuid4().hex, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode({"alg": alg, "kid": key.kid, "typ": "JWT"}, payload, key,
                      algorithms=[alg])


def ask(http, signed, scope="system/*.read", **extra):
    form = {"grant_type": "client_credentials", "scope": scope,
            "client_assertion_type": smart.ASSERTION_TYPE, "client_assertion": signed, **extra}
    return http.post("/fhir/R4/auth/token", {k: v for k, v in form.items() if v is not None})


def token_for(http, client, keys, scope="system/*.read", alg="RS384") -> dict:
    response = ask(http, assertion(client.client_id, keys[alg], alg), scope)
    assert response.status_code == 200, response.content
    return response.json()


def auth(token: dict) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token['access_token']}", **FHIR}


# --- Discovery and the CapabilityStatement ---------------------------------------------------

def test_the_smart_configuration_names_the_token_endpoint_and_what_it_accepts(client):
    response = client.get("/fhir/R4/.well-known/smart-configuration")
    assert response.status_code == 200
    body = response.json()
    assert body["token_endpoint"] == TOKEN_URL
    assert body["grant_types_supported"] == ["client_credentials"]
    assert body["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert body["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
    assert {"system/*.read", "system/Patient.read", "system/Observation.read"} <= set(
        body["scopes_supported"])


def test_the_capability_statement_lists_the_smart_service_and_token_endpoint(client):
    security = client.get("/fhir/R4/metadata").json()["rest"][0]["security"]
    assert {c["code"] for s in security["service"] for c in s["coding"]} == {
        "OAuth", "SMART-on-FHIR"}
    [uris] = [e for e in security["extension"] if e["url"] == smart.OAUTH_URIS]
    assert uris["extension"] == [{"url": "token", "valueUri": TOKEN_URL}]


def test_the_capability_statement_with_its_security_passes_every_validation_layer(client):
    from collis.fhir_api.validation import validation_problems

    assert validation_problems(client.get("/fhir/R4/metadata").json()) == []


# --- Getting a token ----------------------------------------------------------------------------

@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_signed_assertion_gets_an_access_token(client, keys, alg):
    registered = register(keys)
    response = ask(client, assertion(registered.client_id, keys[alg], alg),
                   "system/Patient.read system/Observation.rs")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 300
    assert body["scope"] == "system/Patient.read system/Observation.rs"
    stored = SmartAccessToken.objects.get()
    assert body["access_token"] not in stored.digest  # only its digest is kept
    assert stored.expires_at <= stored.created_at + dt.timedelta(seconds=300)


def test_the_scopes_granted_are_those_requested_that_the_client_is_allowed(client, keys):
    registered = register(keys, scopes=["system/Patient.read", "system/Observation.read"])
    body = token_for(client, registered, keys, "system/*.read system/Condition.read")
    assert body["scope"] == "system/Patient.read system/Observation.read"


def refused(response, status, error, words):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == error, body
    assert words in body["error_description"], body
    return body


def test_an_expired_assertion_is_refused(client, keys):
    registered = register(keys)
    signed = assertion(registered.client_id, keys["RS384"], exp=int(time.time()) - 120)
    refused(ask(client, signed), 401, "invalid_client", "exp")


def test_an_assertion_that_expires_more_than_five_minutes_ahead_is_refused(client, keys):
    registered = register(keys)
    signed = assertion(registered.client_id, keys["RS384"], exp=int(time.time()) + 600)
    refused(ask(client, signed), 401, "invalid_client", "five minutes")


def test_a_reused_assertion_is_refused(client, keys):
    registered = register(keys)
    signed = assertion(registered.client_id, keys["RS384"])
    assert ask(client, signed).status_code == 200
    refused(ask(client, signed), 401, "invalid_client", "already been used")


def test_an_assertion_signed_by_another_key_is_refused(client, keys):
    registered = register(keys)
    stranger = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})  # the same kid
    refused(ask(client, assertion(registered.client_id, stranger)), 401, "invalid_client",
            "signature")


def test_an_assertion_for_another_audience_is_refused(client, keys):
    registered = register(keys)
    signed = assertion(registered.client_id, keys["RS384"],
                       aud="https://elsewhere.example/token")
    refused(ask(client, signed), 401, "invalid_client", "aud")


@pytest.mark.parametrize(("claims", "named"), [
    ({"sub": "someone-else"}, "sub"), ({"jti": None}, "jti"), ({"exp": None}, "exp")])
def test_an_assertion_with_a_wrong_or_missing_claim_is_refused(client, keys, claims, named):
    registered = register(keys)
    body = refused(ask(client, assertion(registered.client_id, keys["RS384"], **claims)),
                   401, "invalid_client", "")
    assert named in body["error_description"]


def test_an_algorithm_other_than_rs384_or_es384_is_refused(client, keys):
    registered = register(keys)
    signed = jwt.encode({"alg": "RS256", "kid": "rsa-1"},
                        {"iss": registered.client_id, "sub": registered.client_id,
                         "aud": TOKEN_URL, "exp": int(time.time()) + 60, "jti": "x"},
                        keys["RS384"])
    refused(ask(client, signed), 401, "invalid_client", "RS384 or ES384")


@pytest.mark.parametrize("signed", [
    "not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOlsxXX0.",  # alg none, iss a list
    "eyJhbGciOiJub25lIn0.W10.", "x" * 5000])
def test_garbage_for_an_assertion_is_invalid_client_not_a_server_error(client, signed):
    refused(ask(client, signed), 401, "invalid_client", "client_assertion")


def test_an_unknown_client_is_refused(client, keys):
    refused(ask(client, assertion("nobody", keys["RS384"])), 401, "invalid_client",
            "no system client")


def test_a_deactivated_client_is_refused_and_its_tokens_stop_working(client, keys):
    registered = register(keys)
    token = token_for(client, registered, keys)
    smart.system_client_deactivate(client_pk=registered.pk, actor=Actor.command_line(
        UserFactory(role=Role.ADMINISTRATOR)))
    refused(ask(client, assertion(registered.client_id, keys["RS384"])), 401,
            "invalid_client", "deactivated")
    assert client.get("/fhir/R4/Patient", **auth(token)).status_code == 401


def test_a_scope_the_client_is_not_allowed_is_refused(client, keys):
    registered = register(keys, scopes=["system/Patient.read"])
    refused(ask(client, assertion(registered.client_id, keys["RS384"]),
                "system/Observation.read"), 400, "invalid_scope", "is allowed for this client")


@pytest.mark.parametrize("scope", ["patient/*.read", "system/Unicorn.read", "openid", ""])
def test_a_scope_collis_does_not_grant_is_refused(client, keys, scope):
    registered = register(keys)
    refused(ask(client, assertion(registered.client_id, keys["RS384"]), scope), 400,
            "invalid_scope", "scope")


@pytest.mark.parametrize(("field", "value", "error"), [
    ("grant_type", "password", "unsupported_grant_type"),
    ("client_assertion_type", "urn:other", "invalid_request"),
    ("client_assertion", None, "invalid_request")])
def test_a_malformed_token_request_is_refused_naming_the_field(client, keys, field, value,
                                                              error):
    registered = register(keys)
    response = ask(client, assertion(registered.client_id, keys["RS384"]),
                   **{field: value})
    refused(response, 400, error, field)


def test_the_token_endpoint_only_takes_a_post(client):
    assert client.get("/fhir/R4/auth/token").status_code == 405


def test_a_jwks_url_is_fetched_for_the_keys(client, keys, settings):
    """The client publishes its keys at a URL (a real HTTP server in this test)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    body = json.dumps(public_jwks(keys["ES384"])).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.COLLIS_SMART_JWKS_HTTP_ALLOWED = True
    try:
        registered = register(keys, jwks=None,
                              jwks_url=f"http://127.0.0.1:{server.server_port}/jwks.json")
        assert token_for(client, registered, keys, alg="ES384")["scope"] == "system/*.read"
    finally:
        server.shutdown()


# --- Reading with the token ---------------------------------------------------------------------

def test_the_token_reads_its_units_patients_and_observations_and_not_another_units(
        client, keys, sites):
    mine = PatientFactory(nhs_number="9990000018", family_name="Marigold")
    make_twstrs(mine, assessed_on=dt.date(2026, 6, 1))
    theirs = other_unit_patient()
    make_twstrs(theirs, assessed_on=dt.date(2026, 6, 1))
    headers = auth(token_for(client, register(keys), keys,
                               "system/Patient.read system/Observation.read"))

    found = client.get("/fhir/R4/Patient", **headers).json()
    assert [e["resource"]["id"] for e in found["entry"]] == [str(mine.pk)]
    assert client.get(f"/fhir/R4/Patient/{mine.pk}", **headers).status_code == 200
    assert client.get(f"/fhir/R4/Patient/{theirs.pk}", **headers).status_code == 404
    observations = client.get("/fhir/R4/Observation", **headers).json()["entry"]
    assert {o["resource"]["subject"]["reference"] for o in observations} == {
        f"Patient/{mine.pk}"}


def test_a_type_outside_the_scopes_is_403_naming_them(client, keys, sites):
    patient = PatientFactory()
    headers = auth(token_for(client, register(keys), keys, "system/Patient.read"))
    response = client.get("/fhir/R4/Observation", **headers)
    assert response.status_code == 403
    assert "system/Patient.read" in response.json()["issue"][0]["diagnostics"]
    assert client.get(f"/fhir/R4/Patient/{patient.pk}/$everything",
                      **headers).status_code == 403


def test_a_v2_read_only_scope_reads_but_does_not_search(client, keys, sites):
    patient = PatientFactory()
    headers = auth(token_for(client, register(keys), keys, "system/Patient.r"))
    assert client.get(f"/fhir/R4/Patient/{patient.pk}", **headers).status_code == 200
    assert client.get("/fhir/R4/Patient", **headers).status_code == 403


def test_a_token_past_its_expiry_is_refused(client, keys, sites):
    headers = auth(token_for(client, register(keys), keys))
    SmartAccessToken.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = client.get("/fhir/R4/Patient", **headers)
    assert response.status_code == 401
    assert "expired" in response.json()["issue"][0]["diagnostics"]


def test_an_unknown_access_token_is_refused(client):
    response = client.get("/fhir/R4/Patient", HTTP_AUTHORIZATION="Bearer smart_nonsense",
                          **FHIR)
    assert response.status_code == 401


def test_audit_entries_name_the_client(client, keys, sites):
    patient = PatientFactory()
    registered = register(keys)
    headers = auth(token_for(client, registered, keys))
    client.get(f"/fhir/R4/Patient/{patient.pk}", **headers)
    read = AuditEvent.objects.filter(patient_id=patient.pk).get()
    assert read.actor_username == f"smart:{registered.client_id}"
    assert read.actor_id is None and read.channel == "api"
    issued = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATE)
    assert issued.actor_username == f"smart:{registered.client_id}"
    registration = AuditEvent.objects.get(object_type="smart_system_client")
    assert registered.client_id in registration.summary


def test_a_refused_assertion_of_a_known_client_is_audited(client, keys):
    registered = register(keys)
    ask(client, assertion(registered.client_id, keys["RS384"], aud="https://x.example/"))
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor_username == f"smart:{registered.client_id}"


def test_the_client_exports_its_unit_in_bulk(client, keys, sites, settings, tmp_path,
                                            bearer):
    settings.MEDIA_ROOT = tmp_path
    mine = PatientFactory()
    make_twstrs(mine)
    other_unit_patient()
    headers = auth(token_for(client, register(keys), keys,
                               "system/Patient.read system/Observation.read"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        kick = client.get("/fhir/R4/Patient/$export", HTTP_PREFER="respond-async", **headers)
    assert kick.status_code == 202, kick.content
    manifest = client.get(kick["Content-Location"], **headers).json()
    assert {o["type"]: o["count"] for o in manifest["output"]} == {
        "Patient": 1, "Observation": 1}
    lines = b"".join(client.get(manifest["output"][0]["url"], **headers)
                     .streaming_content).decode().splitlines()
    assert json.loads(lines[0])["id"] == str(mine.pk)
    included = AuditEvent.objects.filter(object_type="fhir_bulk_export",
                                         action=AuditAction.VIEW)
    assert {e.actor_username for e in included} == {
        f"smart:{SystemClient.objects.get().client_id}"}
    # A member of staff's token does not see the client's export.
    assert client.get(kick["Content-Location"],
                      **bearer(Role.NEUROLOGIST)).status_code == 404


def test_a_bulk_export_type_outside_the_scopes_is_403(client, keys, sites):
    headers = auth(token_for(client, register(keys), keys, "system/Patient.read"))
    response = client.get("/fhir/R4/$export", {"_type": "Observation"},
                          HTTP_PREFER="respond-async", **headers)
    assert response.status_code == 403
    assert "scopes" in response.json()["issue"][0]["diagnostics"]


# --- Registering clients -----------------------------------------------------------------------

@pytest.mark.parametrize(("jwks", "words"), [
    ({"keys": []}, "at least one public key"),
    ({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}, "no kid"),
    ({"keys": [{"kty": "EC", "crv": "P-256", "kid": "a", "x": "x", "y": "y"}]}, "P-384"),
])
def test_registering_refuses_keys_that_cannot_sign_a_smart_assertion(keys, jwks, words):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        register(keys, jwks=jwks)
    assert words in str(error.value.message_dict["jwks"])


def test_registering_refuses_a_private_key(keys):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="private key"):
        register(keys, jwks=KeySet([keys["RS384"]]).as_dict(private=True))


def test_a_documents_pdf_needs_documentreference_among_the_scopes(client, keys, sites):
    from collis.consent.tests.factories import consented_episode

    episode = consented_episode(dt.date(2026, 5, 1))
    consent = episode.consents.get()
    url = f"/fhir/R4/DocumentReference/consent-{consent.pk}/$binary"
    narrow = auth(token_for(client, register(keys), keys, "system/Patient.read"))
    response = client.get(url, **narrow)
    assert response.status_code == 403
    assert "system/Patient.read" in response.json()["issue"][0]["diagnostics"]
    wide = auth(token_for(client, register(keys), keys, "system/DocumentReference.read"))
    pdf = client.get(url, **wide)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_system_client_never_reads_the_audit_log_whatever_its_scopes(client, keys, sites):
    headers = auth(token_for(client, register(keys), keys))  # system/*.read
    for url in ("/fhir/R4/AuditEvent", "/fhir/R4/AuditEvent/1"):
        response = client.get(url, **headers)
        assert response.status_code == 403, url
        assert "audit_view" in response.json()["issue"][0]["diagnostics"]

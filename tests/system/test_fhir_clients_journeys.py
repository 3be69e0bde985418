"""The administrators' page of SMART system clients. Given/when/then in a browser: an
administrator registers a client with pasted keys, is told what is missing first, sees it
listed with its client id, and deactivates it; the page is accessible at full width and at
320 px. Through the test client: only administrators reach it, and it is audited."""

import json

import pytest
from joserfc.jwk import KeySet, RSAKey

from collis.core.models import AuditEvent, Organisation
from collis.core.roles import Role
from collis.fhir_api.models import SystemClient
from tests.system.steps import Journey

PUBLIC_JWKS = json.dumps(KeySet([RSAKey.generate_key(
    2048, parameters={"kid": "registry-2026"})]).as_dict(private=False))


@pytest.mark.browser
class TestTheSystemClientsPage(Journey):
    def test_an_administrator_registers_and_deactivates_a_client(self):
        Organisation.objects.default()
        self.given_i_am_signed_in_as(Role.ADMINISTRATOR)
        self.when_i_visit("/fhir/clients/")
        self.then_i_see_the_heading("FHIR system clients")
        self.then_i_see("No system clients are registered.")
        self.then_the_page_is_accessible("fhir-system-clients-empty")

        self.when_i_fill_in({"Name": "Regional dystonia registry"})
        self.when_i_press("Register the client")
        self.then_the_error_summary_says("Choose the unit the client reads for",
                                         "Choose what the client may read",
                                         "Paste the client's public keys")
        self.then_the_page_is_accessible("fhir-system-clients-errors")

        self.when_i_select("Unit it reads for", option="Dystonia unit")
        self.when_i_choose("Patient", exact=True)
        self.when_i_choose("Observation", exact=True)
        self.when_i_fill_in({"Public keys (JWKS)": PUBLIC_JWKS})
        self.when_i_press("Register the client")
        client = SystemClient.objects.get()
        self.then_i_see_the_success_banner(f"Its client id is {client.client_id}")
        self.then_i_see("registry-2026 (RSA)")
        self.then_i_see("system/Observation.read", exact=True)
        self.then_the_page_is_accessible("fhir-system-clients")

        self.page.set_viewport_size({"width": 320, "height": 800})
        self.when_i_visit("/fhir/clients/")
        self.then_the_page_is_accessible("fhir-system-clients-320")
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 320

        self.when_i_press("Deactivate Regional dystonia registry")
        self.then_i_see_the_success_banner("can no longer get or use access tokens")
        client.refresh_from_db()
        assert not client.active


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.NEUROLOGIST, Role.AUDITOR, Role.CLINICAL_LEAD])
def test_only_administrators_reach_the_page(client_as, role):
    assert client_as(role).get("/fhir/clients/").status_code == 403
    assert client_as(role).post("/fhir/clients/1/deactivate").status_code == 403


@pytest.mark.django_db
def test_registering_and_deactivating_are_audited(client_as):
    admin = client_as(Role.ADMINISTRATOR)
    response = admin.post("/fhir/clients/", {
        "name": "Hospital integration engine",
        "organisation": Organisation.objects.default().pk,
        "resource_types": ["*"], "jwks": PUBLIC_JWKS, "jwks_url": ""})
    assert response.status_code == 302
    client = SystemClient.objects.get()
    assert client.scopes == ["system/*.read"] and client.created_by == admin.user
    assert admin.post(f"/fhir/clients/{client.pk}/deactivate").status_code == 302
    assert [e.summary.split(" the SMART")[0] for e in AuditEvent.objects.filter(
        object_type="smart_system_client").order_by("id")] == ["Registered", "Deactivated"]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "message"), [
    ({"jwks": "{not json"}, "The JWKS is not valid JSON"),
    ({"jwks": PUBLIC_JWKS, "jwks_url": "https://keys.example/jwks.json"},
     "Give the keys one way"),
    ({"jwks": "", "jwks_url": "http://keys.example/jwks.json"}, "must start with https://"),
])
def test_bad_keys_are_refused_on_the_field(client_as, fields, message):
    response = client_as(Role.ADMINISTRATOR).post("/fhir/clients/", {
        "name": "Registry", "organisation": Organisation.objects.default().pk,
        "resource_types": ["Patient"], "jwks": "", "jwks_url": "", **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SystemClient.objects.exists()


@pytest.mark.django_db
def test_deactivating_an_unknown_client_is_404(client_as):
    assert client_as(Role.ADMINISTRATOR).post("/fhir/clients/999/deactivate").status_code == 404

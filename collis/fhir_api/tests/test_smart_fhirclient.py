"""The SMART on FHIR Python client (`fhirclient`) as a backend service, over HTTP: it finds
the token endpoint in Collis's CapabilityStatement (the oauth-uris extension), gets an
access token with a client assertion signed by a key made here, and reads a patient and
their observations, and not another unit's patient."""

import datetime as dt
import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from collis.assessments.tests.factories import make_twstrs
from collis.core.audit import Actor
from collis.core.models import Organisation
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api import smart
from collis.patients.tests.factories import PatientFactory, other_unit_patient


@pytest.mark.django_db(transaction=True)
def test_fhirclient_as_a_backend_service_reads_its_units_patient(live_server):
    from fhirclient import client
    from fhirclient.models.observation import Observation
    from fhirclient.models.patient import Patient
    from fhirclient.server import FHIRNotFoundException

    from collis.sites.services import site_load_unit_sites

    site_load_unit_sites()
    patient = PatientFactory(nhs_number="9990000018", family_name="Marigold")
    make_twstrs(patient, assessed_on=dt.date(2026, 6, 1))
    stranger = other_unit_patient()
    key = ECKey.generate_key("P-384", parameters={"kid": "engine-1"})
    registered = smart.system_client_register(
        name="Hospital integration engine", organisation=Organisation.objects.default(),
        scopes=["system/Patient.read", "system/Observation.read"],
        jwks=KeySet([key]).as_dict(private=False), jwks_url="",
        actor=Actor.command_line(UserFactory(role=Role.ADMINISTRATOR)))
    token_url = f"{live_server.url}/fhir/R4/auth/token"
    signed = jwt.encode({"alg": "ES384", "kid": "engine-1", "typ": "JWT"},
                        {"iss": registered.client_id, "sub": registered.client_id,
                         "aud": token_url, "exp": int(time.time()) + 240,
                         "jti": uuid.uuid4().hex}, key, algorithms=["ES384"])

    backend = client.FHIRClient(settings={
        "app_id": registered.client_id, "api_base": f"{live_server.url}/fhir/R4/",
        "jwt_token": signed, "scope": "system/Patient.read system/Observation.read"})
    backend.wants_patient = False  # a backend service asks for no launch context
    backend.prepare()
    assert backend.server.auth._token_uri == token_url  # found in the CapabilityStatement
    backend.authorize()
    assert backend.server.auth.access_token.startswith("smart_")

    found = list(Patient.where(struct={
        "identifier": "https://fhir.nhs.uk/Id/nhs-number|9990000018"}).perform_resources_iter(
        backend.server))
    assert [p.name[0].family for p in found] == ["Marigold"]
    observations = list(Observation.where(struct={"patient": f"Patient/{patient.pk}"})
                        .perform_resources_iter(backend.server))
    assert [o.effectiveDateTime.date.date() for o in observations] == [dt.date(2026, 6, 1)]
    with pytest.raises(FHIRNotFoundException):
        Patient.read(str(stranger.pk), backend.server)

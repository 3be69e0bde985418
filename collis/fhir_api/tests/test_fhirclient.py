"""The SMART on FHIR Python client (`fhirclient`, with its own R4 models) reads Collis over
HTTP: the CapabilityStatement, a patient and their observations."""

import datetime as dt

import pytest

from collis.assessments.tests.factories import make_twstrs
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory


@pytest.mark.django_db(transaction=True)
def test_the_smart_client_reads_a_patient_and_their_observations(live_server, bearer):
    from fhirclient import client
    from fhirclient.models.observation import Observation
    from fhirclient.models.patient import Patient

    from collis.sites.services import site_load_unit_sites

    site_load_unit_sites()
    patient = PatientFactory(nhs_number="9990000018", given_name="Cass",
                             family_name="Marigold")
    make_twstrs(patient, assessed_on=dt.date(2026, 6, 1))
    make_twstrs(patient, assessed_on=dt.date(2026, 7, 1))
    headers = bearer(Role.NEUROLOGIST)

    smart = client.FHIRClient(settings={"app_id": "collis-test",
                                        "api_base": f"{live_server.url}/fhir/R4/"})
    smart.server.session.headers["Authorization"] = headers["HTTP_AUTHORIZATION"]
    statement = smart.server.capabilityStatement
    assert statement.fhirVersion == "4.0.1"
    assert "Patient" in {r.type for r in statement.rest[0].resource}

    found = list(Patient.where(struct={
        "identifier": "https://fhir.nhs.uk/Id/nhs-number|9990000018"}).perform_resources_iter(
        smart.server))
    assert [p.name[0].family for p in found] == ["Marigold"]
    read = Patient.read(found[0].id, smart.server)
    assert read.identifier[0].value == "9990000018"
    assert read.birthDate.isostring == "1974-05-17"

    observations = list(Observation.where(struct={"patient": f"Patient/{read.id}"})
                        .perform_resources_iter(smart.server))
    assert [o.effectiveDateTime.date.date() for o in observations] == [
        dt.date(2026, 6, 1), dt.date(2026, 7, 1)]
    assert [c.valueQuantity.value for c in observations[0].component] == [17, 10, 8]

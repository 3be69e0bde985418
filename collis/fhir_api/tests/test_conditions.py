"""The diagnosis as a Condition over HTTP: one per patient, its current version, search by
patient and classification, scope and audit."""

import pytest

from collis.assessments.tests.factories import make_diagnosis, make_twstrs
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.fhir_api.validation import validation_problems
from collis.patients.tests.factories import PatientFactory, other_unit_patient

pytestmark = pytest.mark.django_db


def test_the_condition_is_the_current_version_of_the_diagnosis(client, bearer, sites):
    patient = PatientFactory()
    make_diagnosis(patient)
    make_diagnosis(patient, regions=("neck", "upper_limb"))
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/fhir/R4/Condition/dystonia-{patient.pk}", **headers)
    assert response.status_code == 200
    condition = response.json()
    assert validation_problems(condition) == []
    assert condition["meta"]["versionId"] == "2" and response["ETag"] == 'W/"2"'
    assert [b["coding"][0]["code"] for b in condition["bodySite"]] == [
        "region.neck", "region.upper_limb"]
    assert "distribution.segmental" in {c["coding"][0]["code"] for c in condition["category"]}
    assert condition["onsetAge"] == {"value": 44, "unit": "years",
                                     "system": "http://unitsofmeasure.org", "code": "a"}
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="diagnosis",
                                     patient_id=patient.pk, channel=AuditChannel.API).exists()


def test_search_by_patient_and_classification(client, bearer, sites):
    neck, limbs = PatientFactory(), PatientFactory()
    make_diagnosis(neck)
    make_diagnosis(limbs, regions=("neck", "upper_limb"))
    PatientFactory()  # no diagnosis: no Condition
    headers = bearer(Role.NEUROLOGIST)

    def ids(**query):
        response = client.get("/fhir/R4/Condition", query, **headers)
        assert response.status_code == 200, response.content
        assert validation_problems(response.json()) == []
        return sorted(e["resource"]["id"] for e in response.json().get("entry", []))

    assert ids() == sorted([f"dystonia-{neck.pk}", f"dystonia-{limbs.pk}"])
    assert ids(patient=f"Patient/{neck.pk}") == [f"dystonia-{neck.pk}"]
    assert ids(category="distribution.segmental") == [f"dystonia-{limbs.pk}"]
    assert ids(category="distribution.focal,distribution.segmental") == ids()
    assert ids(category="https://example.org|distribution.focal") == []
    assert ids(**{"recorded-date": "gt2999"}) == []
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).first()
    assert event.object_type == "diagnosis"


def test_conditions_page_by_keyset(client, bearer, sites):
    patients = [PatientFactory() for _ in range(5)]
    for patient in patients:
        make_diagnosis(patient)
    headers = bearer(Role.NEUROLOGIST)
    url, seen = "/fhir/R4/Condition?_count=2", []
    while url:
        bundle = client.get(url, **headers).json()
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"),
                   None)
    assert sorted(seen) == sorted(f"dystonia-{p.pk}" for p in patients)
    assert len(seen) == 5


def test_another_units_condition_is_not_found(client, bearer, sites):
    theirs = other_unit_patient()
    make_diagnosis(theirs)
    headers = bearer(Role.NEUROLOGIST)
    assert client.get(f"/fhir/R4/Condition/dystonia-{theirs.pk}", **headers).status_code == 404
    assert client.get("/fhir/R4/Condition/dystonia-nonsense", **headers).status_code == 404
    assert client.get("/fhir/R4/Condition", **headers).json().get("entry", []) == []


def test_everything_includes_the_condition(client, bearer, sites):
    patient = PatientFactory()
    make_diagnosis(patient)
    make_twstrs(patient)
    bundle = client.get(f"/fhir/R4/Patient/{patient.pk}/$everything",
                        **bearer(Role.NEUROLOGIST)).json()
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Patient", "Organization", "Condition", "Observation"]
    assert validation_problems(bundle) == []


def test_a_page_of_conditions_takes_a_fixed_number_of_queries(
        client, bearer, sites, django_assert_max_num_queries):
    for _ in range(8):
        make_diagnosis(PatientFactory())
    headers = bearer(Role.NEUROLOGIST)
    with django_assert_max_num_queries(8):
        response = client.get("/fhir/R4/Condition", {"_count": 50}, **headers)
    assert len(response.json()["entry"]) == 8

"""Each mapper against a JSON fixture: a record with every field filled, and one with the
optional ones empty (FHIR forbids empty elements, so they must be left out)."""

import datetime as dt
import json
import os
import uuid
from pathlib import Path

import pytest

from collis.core.models import Organisation, User
from collis.core.roles import Role
from collis.fhir_api import codes, mappers
from collis.fhir_api.validation import validation_problems
from collis.patients.models import Patient, Sex
from collis.sites.models import Site

FIXTURES = Path(__file__).parent / "fixtures"
CHANGED = dt.datetime(2026, 3, 2, 10, 15, 30, 250000, tzinfo=dt.UTC)


def patient(**changes) -> Patient:
    values = {
        "id": uuid.UUID("5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11"), "nhs_number": "9990000018",
        "given_name": "Cass", "family_name": "Marigold", "date_of_birth": dt.date(1968, 4, 9),
        "sex": Sex.FEMALE, "address_line_1": "12 Example Road", "address_line_2": "Flat 3",
        "town": "London", "postcode": "SE1 9BS", "phone": "020 7946 0018",
        "email": "cass.marigold@example.com", "gp_practice": "Example Road Surgery",
        "organisation_id": 1, "version": 3, "updated_at": CHANGED}
    values.update(changes)
    return Patient(**values)


def organisation(**changes) -> Organisation:
    return Organisation(**{"pk": 1, "code": "unit", "name": "Dystonia unit",
                           "ods_code": "X9Z1A", **changes})


def site(**changes) -> Site:
    return Site(**{"pk": 4, "code": "portland-hospital", "name": "The Portland Hospital",
                   "address": "205-209 Great Portland Street\nLondon", "postcode": "W1W 5AH",
                   "phone": "020 7946 0100", "is_active": True, "organisation_id": 1,
                   "updated_at": CHANGED, **changes})


def clinician(**changes) -> User:
    return User(**{"pk": 7, "username": "neurologist", "first_name": "Nia",
                   "last_name": "Demo-Neurologist", "role": Role.NEUROLOGIST,
                   "professional_registration": "7654321", "organisation_id": 1,
                   "is_active": True, **changes})


def assessment(**changes):
    from collis.assessments.models import ScaleAssessment

    values = {"pk": 41, "patient_id": uuid.UUID("5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11"),
              "scale": "twstrs", "scale_version": "TWSTRS 1994", "entry_mode": "items",
              "assessed_on": dt.date(2026, 2, 27), "severity": 17, "disability": 10,
              "pain": 8.0, "total": 35.0, "notes": "", "record_status": "current",
              "created_at": CHANGED, "created_by": clinician()}
    values.update(changes)
    return ScaleAssessment(**values)


def diagnosis(**changes):
    from collis.assessments.models import DiagnosisVersion

    values = {"pk": 12, "patient_id": uuid.UUID("5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11"),
              "version": 2, "onset_age": 44, "age_at_onset": "late_adulthood",
              "regions": ["neck", "upper_limb"], "distribution": "segmental",
              "course": "static", "variability": "persistent",
              "associated_features": "isolated", "nervous_system_pathology": "none",
              "aetiology": "idiopathic", "aetiology_subtype": "sporadic", "notes": "",
              "created_at": CHANGED, "created_by": clinician()}
    values.update(changes)
    return DiagnosisVersion(**values)


def patient_reported(**changes):
    from collis.questionnaires.models import QuestionnaireResponse

    values = {"pk": 5, "patient_id": uuid.UUID("5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11"),
              "questionnaire": "twstrs-patient", "questionnaire_version": "1",
              "occasion": "toxin_peak:2026-02-01", "reason": "toxin_peak",
              "due_on": dt.date(2026, 3, 1), "submitted_at": CHANGED, "disability": 9,
              "pain": 11.0}
    values.update(changes)
    return QuestionnaireResponse(**values)


CASES = {
    "patient": lambda: mappers.patient_resource(patient()),
    "patient-minimal": lambda: mappers.patient_resource(patient(
        address_line_2="", phone="", email="", gp_practice="", sex=Sex.UNKNOWN)),
    "organization": lambda: mappers.organisation_resource(organisation()),
    "organization-without-ods-code": lambda: mappers.organisation_resource(
        organisation(ods_code="")),
    "location": lambda: mappers.location_resource(site()),
    "location-inactive": lambda: mappers.location_resource(
        site(is_active=False, phone="", updated_at=None)),
    "practitioner": lambda: mappers.practitioner_resource(clinician()),
    "practitioner-nurse": lambda: mappers.practitioner_resource(clinician(
        pk=8, first_name="Noor", last_name="Demo-Nurse", role=Role.NURSE_SPECIALIST,
        professional_registration="12A3456B")),
    "practitioner-unregistered": lambda: mappers.practitioner_resource(clinician(
        professional_registration="")),
    "practitionerrole": lambda: mappers.practitioner_role_resource(clinician()),
    "observation-twstrs": lambda: mappers.observation_resource(assessment()),
    "observation-twstrs-pain-missing-amended": lambda: mappers.observation_resource(
        assessment(pk=42, supersedes_id=41, pain=None, total=None, notes="Pain not rated.",
                   created_by=clinician(role=Role.MDT_COORDINATOR, pk=9, first_name="Cal",
                                        last_name="Demo-Coordinator"))),
    "observation-tsui-entered-in-error": lambda: mappers.observation_resource(
        assessment(pk=43, scale="tsui", severity=None, disability=None, pain=None,
                   total=9.5, record_status="entered_in_error",
                   status_changed_at=CHANGED + dt.timedelta(days=1))),
    "condition": lambda: mappers.condition_resource(diagnosis()),
    "condition-onset-band-only": lambda: mappers.condition_resource(diagnosis(
        version=1, onset_age=None, regions=["neck"], distribution="focal", course="",
        variability="", aetiology="", aetiology_subtype="", notes="Onset in her forties.")),
    "observation-patient-reported": lambda: mappers.patient_reported_observation_resource(
        patient_reported()),
    "codesystem-rating-scale": lambda: mappers.code_system_resource(
        "rating-scale", codes.code_systems()["rating-scale"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_mapper_gives_the_fixture(case):
    resource = CASES[case]()
    fixture = FIXTURES / f"{case}.json"
    if os.environ.get("COLLIS_REGENERATE_FIXTURES"):
        fixture.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n")
    assert resource == json.loads(fixture.read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fixture_passes_the_three_validation_layers(case):
    assert validation_problems(json.loads((FIXTURES / f"{case}.json").read_text())) == []


@pytest.mark.parametrize(("registration", "system"), [
    ("7654321", "https://fhir.hl7.org.uk/Id/gmc-number"),
    ("12a3456b", "https://fhir.hl7.org.uk/Id/nmc-number"),
    ("PH123456", "https://fhir.hl7.org.uk/Id/hcpc-number"),
])
def test_a_registration_number_is_put_in_its_register_by_its_form(registration, system):
    assert mappers.registration_identifier(registration) == {
        "system": system, "value": registration.upper()}


def test_a_registration_number_of_no_known_form_is_left_out():
    assert mappers.registration_identifier("GMC 123") is None


def test_a_collection_gives_served_resources_their_url_and_the_others_a_stable_urn():
    from fhir.resources.R4B.bundle import Bundle

    def bundle():
        return mappers.collection_bundle(
            served=[mappers.patient_resource(patient()),
                    mappers.observation_resource(assessment())],
            not_served=[mappers.patient_reported_observation_resource(patient_reported())],
            base_url="https://collis.example/fhir/R4/", timestamp=CHANGED)

    made = bundle()
    Bundle.model_validate(made)
    assert validation_problems(made) == []
    assert made["type"] == "collection" and made["timestamp"] == "2026-03-02T10:15:30.250Z"
    urls = [entry["fullUrl"] for entry in made["entry"]]
    assert urls[:2] == [
        "https://collis.example/fhir/R4/Patient/5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11",
        "https://collis.example/fhir/R4/Observation/scale-41"]
    assert urls[2].startswith("urn:uuid:") and urls == [e["fullUrl"] for e in bundle()["entry"]]

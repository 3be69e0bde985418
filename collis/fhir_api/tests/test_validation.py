"""The three validation layers: over everything the API serves for the demo data, and
against resources broken on purpose, whose problems are kept as a golden file."""

import copy
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from collis.core.audit import Actor
from collis.core.services import api_token_create
from collis.fhir_api.conformance import conformance_problems
from collis.fhir_api.validation import (
    invariant_problems,
    parse_problems,
    validation_problems,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _walk(client, url, headers):
    """Every page of a search, following next links."""
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        bundle = response.json()
        yield bundle
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)


@pytest.mark.django_db
def test_everything_served_for_the_demo_data_passes_every_layer(client):
    from django.contrib.auth import get_user_model

    from collis.demo_data import demo_data_load

    demo_data_load(patients=300)
    user = get_user_model().objects.get(username="neurologist")
    headers = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
        user=user, actor=Actor.command_line())}
    auditor = {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
        user=get_user_model().objects.get(username="auditor"), actor=Actor.command_line())}
    statement = client.get("/fhir/R4/metadata").json()
    assert validation_problems(statement) == []
    served = Counter()
    for resource in statement["rest"][0]["resource"]:
        # The audit log is read by the auditor, and only its newest page: it grows with
        # every read here.
        audit = resource["type"] == "AuditEvent"
        reader = auditor if audit else headers
        for bundle in _walk(client, f"/fhir/R4/{resource['type']}?_count=100", reader):
            assert validation_problems(bundle) == []
            for entry in bundle.get("entry", []):
                read = client.get(entry["fullUrl"], **reader).json()
                assert read == entry["resource"]
                served[read["resourceType"]] += 1
                if read["resourceType"] == "Patient":
                    everything = client.get(f"{entry['fullUrl']}/$everything", **headers)
                    assert validation_problems(everything.json()) == []
            if audit:
                break
    assert served["Patient"] == 300
    # The demo data gives every kind of resource something to serve.
    assert {name for name, count in served.items() if count} == {
        r["type"] for r in statement["rest"][0]["resource"]}


def test_an_operation_outcome_passes_the_models_and_invariants():
    from collis.fhir_api.outcomes import operation_outcome

    assert validation_problems(operation_outcome(code="invalid", diagnostics="x")) == []


def _broken() -> dict[str, dict]:
    patient = json.loads((FIXTURES / "patient.json").read_text())
    cases = {}
    wrong_digit = copy.deepcopy(patient)
    wrong_digit["identifier"][0]["value"] = "9990000017"
    cases["patient-wrong-check-digit"] = wrong_digit
    status = copy.deepcopy(patient)
    status["identifier"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] = "09"
    cases["patient-unknown-verification-status"] = status
    no_status = copy.deepcopy(patient)
    del no_status["identifier"][0]["extension"]
    cases["patient-without-verification-status"] = no_status
    other_system = copy.deepcopy(patient)
    other_system["identifier"][0]["system"] = "https://fhir.nhs.uk/Id/nhs-number-typo"
    cases["patient-other-identifier-system"] = other_system
    empty = copy.deepcopy(patient)
    empty["telecom"][0]["value"] = ""
    empty["name"][0]["given"] = []
    cases["patient-empty-values"] = empty
    gender = copy.deepcopy(patient)
    gender["gender"] = "F"
    del gender["birthDate"]
    del gender["managingOrganization"]
    cases["patient-gender-birthdate-organisation"] = gender
    telecom = copy.deepcopy(patient)
    del telecom["telecom"][0]["system"]
    telecom["contact"] = [{"gender": "male"}]
    cases["patient-broken-invariants"] = telecom
    wrong_type = copy.deepcopy(patient)
    wrong_type["birthDate"] = "9 April 1968"
    wrong_type["deceasedBoolean"] = "perhaps"
    cases["patient-wrong-types"] = wrong_type
    gmc = json.loads((FIXTURES / "practitioner.json").read_text())
    gmc["identifier"][0]["value"] = "C765432"
    cases["practitioner-malformed-gmc-number"] = gmc
    bundle = {"resourceType": "Bundle", "type": "collection", "total": 2,
              "entry": [{"fullUrl": "http://x/Patient/1", "resource": patient,
                         "search": {"mode": "match"}},
                        {"fullUrl": "http://x/Patient/1", "resource": patient}]}
    cases["bundle-broken-invariants"] = bundle
    return cases


BROKEN = _broken()
GOLDEN = FIXTURES / "broken-resources-problems.json"


def test_broken_resources_give_the_golden_problems():
    found = {name: {"parse": parse_problems(resource),
                    "invariants": invariant_problems(resource),
                    "conformance": conformance_problems(resource)
                    if resource["resourceType"] != "Bundle" else []}
             for name, resource in sorted(BROKEN.items())}
    if os.environ.get("COLLIS_REGENERATE_FIXTURES"):
        GOLDEN.write_text(json.dumps(found, indent=2) + "\n")
    assert found == json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_broken_resource_is_caught(name):
    assert validation_problems(BROKEN[name])

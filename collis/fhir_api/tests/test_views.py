"""The FHIR endpoints over HTTP: authentication, role checks, scope, audit, search and
paging, errors as OperationOutcome, and bounded queries."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from collis.core.models import AuditAction, AuditChannel, AuditEvent, Organisation
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api import registry
from collis.patients.tests.factories import PatientFactory, other_unit_patient

pytestmark = pytest.mark.django_db
FHIR_JSON = "application/fhir+json"


def outcome(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]


def test_metadata_is_public_and_lists_exactly_the_registry(client):
    response = client.get("/fhir/R4/metadata")
    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    statement = response.json()
    assert statement["fhirVersion"] == "4.0.1"
    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(served) == set(registry.BY_NAME)
    for name, resource in registry.BY_NAME.items():
        assert {p["name"] for p in served[name]["searchParam"]} == set(resource.params_by_name)
        assert served[name].get("profile") == resource.profile
        assert [o["name"] for o in served[name].get("operation", [])] == [
            o.name for o in resource.operations] + (
                ["export"] if name in ("Patient", "Group") else [])


def test_every_search_parameter_the_statement_lists_is_accepted(client, bearer, sites):
    """The statement cannot promise a parameter the searches refuse."""
    headers, auditor = bearer(Role.NEUROLOGIST), bearer(Role.AUDITOR)
    samples = {"token": "x", "string": "x", "date": "2020", "reference": "x", "uri": "x"}
    statement = client.get("/fhir/R4/metadata").json()
    for resource in statement["rest"][0]["resource"]:
        for param in resource["searchParam"]:
            reader = auditor if resource["type"] == "AuditEvent" else headers
            response = client.get(f"/fhir/R4/{resource['type']}",
                                  {param["name"]: samples[param["type"]]}, **reader)
            assert response.status_code == 200, (resource["type"], param, response.json())


def test_reads_need_a_valid_token(client, sites):
    patient = PatientFactory()
    issue = outcome(client.get(f"/fhir/R4/Patient/{patient.pk}"), 401)
    assert issue["code"] == "login" and "Bearer" in issue["diagnostics"]
    issue = outcome(client.get(f"/fhir/R4/Patient/{patient.pk}",
                               HTTP_AUTHORIZATION="Bearer collis_nonsense"), 401)
    assert "not valid" in issue["diagnostics"]


def test_a_role_that_may_not_open_records_is_refused(client, bearer, sites):
    patient = PatientFactory()
    issue = outcome(client.get(f"/fhir/R4/Patient/{patient.pk}",
                               **bearer(Role.CONTENT_EDITOR)), 403)
    assert issue["code"] == "forbidden" and "role" in issue["diagnostics"]


def test_a_patient_read_is_the_uk_core_patient_and_is_audited(client, bearer, sites):
    patient = PatientFactory(nhs_number="9990000018")
    response = client.get(f"/fhir/R4/Patient/{patient.pk}", **bearer(Role.NEUROLOGIST))
    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    assert response["ETag"] == 'W/"1"' and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["identifier"][0]["value"] == "9990000018"
    event = AuditEvent.objects.get(action=AuditAction.VIEW, patient_id=patient.pk)
    assert event.channel == AuditChannel.API and event.path.startswith("/fhir/R4/Patient/")


def test_another_units_patient_is_not_found_as_if_absent(client, bearer, sites):
    theirs = other_unit_patient()
    headers = bearer(Role.NEUROLOGIST)
    issue = outcome(client.get(f"/fhir/R4/Patient/{theirs.pk}", **headers), 404)
    absent = outcome(client.get(f"/fhir/R4/Patient/{uuid.uuid4()}", **headers), 404)
    assert issue["code"] == absent["code"] == "not-found"
    assert "no patient has this id" in issue["diagnostics"]
    bundle = client.get("/fhir/R4/Patient", {"identifier": theirs.nhs_number}, **headers).json()
    assert "entry" not in bundle or bundle["entry"] == []
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


def test_a_search_by_nhs_number_finds_the_patient_and_audits_the_page(client, bearer, sites):
    patient = PatientFactory(nhs_number="9990000018")
    PatientFactory()
    response = client.get("/fhir/R4/Patient", {
        "identifier": "https://fhir.nhs.uk/Id/nhs-number|9990000018"},
        **bearer(Role.NEUROLOGIST))
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(patient.pk)]
    assert bundle["entry"][0]["fullUrl"] == f"http://testserver/fhir/R4/Patient/{patient.pk}"
    assert bundle["entry"][0]["search"] == {"mode": "match"}
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.details["patients"] == ["9990000018"]
    assert list(AuditEvent.objects.for_patient(patient.pk)) == [event]


def test_an_identifier_of_another_system_matches_nobody(client, bearer, sites):
    PatientFactory(nhs_number="9990000018")
    bundle = client.get("/fhir/R4/Patient", {"identifier": "https://example.org/mrn|9990000018"},
                        **bearer(Role.NEUROLOGIST)).json()
    assert bundle.get("entry", []) == []
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_search_by_name_birthdate_and_gender(client, bearer, sites):
    import datetime as dt

    siân = PatientFactory(given_name="Siân", family_name="O'Hara",
                          date_of_birth=dt.date(1980, 3, 4), sex="female")
    PatientFactory(given_name="Sian", family_name="Other", date_of_birth=dt.date(1990, 1, 1),
                   sex="male")
    headers = bearer(Role.NEUROLOGIST)

    def ids(**query):
        bundle = client.get("/fhir/R4/Patient", query, **headers).json()
        return [e["resource"]["id"] for e in bundle.get("entry", [])]

    assert ids(name="hara sian") == [str(siân.pk)]
    assert len(ids(name="sian")) == 2
    assert ids(name="sian", birthdate="1980") == [str(siân.pk)]
    assert ids(name="sian", birthdate="lt1985-01-01") == [str(siân.pk)]
    assert ids(name="sian", gender="female") == [str(siân.pk)]
    assert ids(_id=str(siân.pk)) == [str(siân.pk)]


def test_last_updated_finds_recent_changes(client, bearer, sites):
    patient = PatientFactory()
    headers = bearer(Role.NEUROLOGIST)
    changed = patient.updated_at.strftime("%Y-%m-%dT%H:%M:%S") + "Z"

    def found(value):
        return client.get("/fhir/R4/Patient", {"_lastUpdated": value}, **headers).json().get(
            "entry", [])

    assert len(found("ge" + changed)) == 1
    assert found("gt2999-01-01") == []


def test_next_links_walk_every_patient_once_by_keyset(client, bearer, sites,
                                                      django_assert_max_num_queries):
    made = {str(PatientFactory().pk) for _ in range(7)}
    other_unit_patient()
    headers = bearer(Role.NEUROLOGIST)
    url, seen, pages = "/fhir/R4/Patient?_count=3", [], 0
    while url:
        with django_assert_max_num_queries(8):
            bundle = client.get(url, **headers).json()
        pages += 1
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = following[0] if following else None
        if url:
            query = parse_qs(urlsplit(url).query)
            assert query["_count"] == ["3"] and "_cursor" in query
    assert pages == 3 and len(seen) == 7 and set(seen) == made
    # One audit entry per page, naming the patients on it.
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH).count() == 3


def test_the_queries_of_a_search_page_do_not_grow_with_its_size(
        client, bearer, sites, django_assert_max_num_queries):
    for _ in range(30):
        PatientFactory(given_name="Jo")
    headers = bearer(Role.NEUROLOGIST)
    with django_assert_max_num_queries(8):
        bundle = client.get("/fhir/R4/Patient", {"name": "jo", "_count": 30}, **headers).json()
    assert len(bundle["entry"]) == 30


@pytest.mark.parametrize(("query", "words"), [
    ({"birthdate": "17/05/1974"}, "birthdate: '17/05/1974' is not a FHIR date"),
    ({"colour": "blue"}, "colour: this search parameter is not supported"),
    ({"_cursor": "not-an-id"}, "_cursor: not a cursor this server gave"),
    ({"name": "'-'"}, "name: ''-'' has no letters"),
])
def test_bad_searches_answer_400_naming_the_parameter(client, bearer, sites, query, words):
    issue = outcome(client.get("/fhir/R4/Patient", query, **bearer(Role.NEUROLOGIST)), 400)
    assert issue["code"] == "invalid" and issue["diagnostics"].startswith(words)


def test_only_json_is_served(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    issue = outcome(client.get("/fhir/R4/Patient", {"_format": "xml"}, **headers), 406)
    assert issue["diagnostics"].startswith("_format: 'xml' is not supported")
    outcome(client.get("/fhir/R4/Location", HTTP_ACCEPT="application/fhir+xml", **headers), 406)
    assert client.get("/fhir/R4/Location", {"_format": "json"}, **headers).status_code == 200


def test_unknown_types_ids_and_paths_are_operation_outcomes(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    assert "does not serve" in outcome(client.get("/fhir/R4/Medication", **headers),
                                       404)["diagnostics"]
    outcome(client.get("/fhir/R4/Patient/not_an_id!", **headers), 404)
    outcome(client.get("/fhir/R4/Patient/1/_history/1", **headers), 404)
    outcome(client.get("/fhir/R4/Location/999999", **headers), 404)


def test_writes_are_refused_as_operation_outcomes(client, bearer, sites):
    patient = PatientFactory()
    headers = bearer(Role.NEUROLOGIST)
    issue = outcome(client.post("/fhir/R4/Patient", data="{}", content_type=FHIR_JSON,
                                **headers), 405)
    assert issue["diagnostics"].startswith("POST: the FHIR API only reads")
    response = client.delete(f"/fhir/R4/Patient/{patient.pk}", **headers)
    assert outcome(response, 405)["code"] == "not-supported"
    assert response["Allow"] == "GET, HEAD"
    assert client.head(f"/fhir/R4/Patient/{patient.pk}", **headers).status_code == 200


def test_organisation_locations_and_practitioners_are_the_units_own(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST, professional_registration="7654321",
                     first_name="Nia", last_name="Neuro")
    other = Organisation.objects.create(code="north", name="Northern unit")
    UserFactory(role=Role.NEUROLOGIST, organisation=other)
    UserFactory(role=Role.MDT_COORDINATOR)  # not a Practitioner
    organisations = client.get("/fhir/R4/Organization", **headers).json()["entry"]
    assert [e["resource"]["name"] for e in organisations] == ["Dystonia unit"]
    outcome(client.get(f"/fhir/R4/Organization/{other.pk}", **headers), 404)
    locations = client.get("/fhir/R4/Location", {"_count": 100}, **headers).json()["entry"]
    assert len(locations) == 6
    practitioners = client.get("/fhir/R4/Practitioner", **headers).json()["entry"]
    assert [e["resource"]["name"][0]["family"] for e in practitioners] == ["Neuro"]
    gmc = client.get("/fhir/R4/Practitioner", {
        "identifier": "https://fhir.hl7.org.uk/Id/gmc-number|7654321"}, **headers).json()
    assert gmc["entry"][0]["resource"]["identifier"] == [
        {"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "7654321"}]
    roles = client.get("/fhir/R4/PractitionerRole", {"role": "neurologist"}, **headers).json()
    assert roles["entry"][0]["resource"]["code"][0]["coding"][0]["code"] == "neurologist"

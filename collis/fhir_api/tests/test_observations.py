"""Rating scales as Observations over HTTP: search by patient, code, date and status, the
corrections (amendments and entries in error), scope and audit."""

import datetime as dt

import pytest

from collis.assessments import services
from collis.assessments.tests.factories import TWSTRS_ITEMS, actor_for, make_twstrs
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.fhir_api.validation import validation_problems
from collis.patients.tests.factories import PatientFactory, other_unit_patient

pytestmark = pytest.mark.django_db


def entries(client, headers, **query):
    response = client.get("/fhir/R4/Observation", query, **headers)
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert validation_problems(bundle) == []
    return [e["resource"] for e in bundle.get("entry", [])]


def test_a_twstrs_is_an_observation_with_its_subscores(client, bearer, sites):
    patient = PatientFactory()
    twstrs = make_twstrs(patient)
    headers = bearer(Role.PHYSIOTHERAPIST)
    response = client.get(f"/fhir/R4/Observation/scale-{twstrs.pk}", **headers)
    assert response.status_code == 200
    observation = response.json()
    assert observation["subject"] == {"reference": f"Patient/{patient.pk}"}
    assert observation["status"] == "final"
    assert observation["valueQuantity"]["value"] == 35
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"])
            for c in observation["component"]] == [
        ("twstrs-severity", 17), ("twstrs-disability", 10), ("twstrs-pain", 8)]
    assert validation_problems(observation) == []
    event = AuditEvent.objects.get(action=AuditAction.VIEW, patient_id=patient.pk)
    assert event.object_type == "scale_twstrs"


def test_search_by_patient_code_date_and_status(client, bearer, sites):
    patient, other = PatientFactory(), PatientFactory()
    june = make_twstrs(patient, assessed_on=dt.date(2026, 6, 1))
    july = make_twstrs(patient, assessed_on=dt.date(2026, 7, 1))
    tsui = services.tsui_create(patient=patient, assessed_on=dt.date(2026, 7, 1), items={},
                                total=9, actor=actor_for())
    make_twstrs(other)
    headers = bearer(Role.NEUROLOGIST)

    def ids(**query):
        return [o["id"] for o in entries(client, headers, **query)]

    assert ids(patient=f"Patient/{patient.pk}") == [
        f"scale-{june.pk}", f"scale-{july.pk}", f"scale-{tsui.pk}"]
    assert ids(patient=str(patient.pk), code="tsui-total") == [f"scale-{tsui.pk}"]
    assert ids(patient=str(patient.pk), date="ge2026-07") == [f"scale-{july.pk}",
                                                              f"scale-{tsui.pk}"]
    assert ids(patient=str(patient.pk), date="2026-06-01", code="twstrs-total") == [
        f"scale-{june.pk}"]
    assert len(ids()) == 4
    # One audit entry per page, naming each patient once.
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("id")
    assert sorted(event.details["patients"]) == sorted([patient.nhs_number, other.nhs_number])


def test_an_amendment_replaces_the_entry_it_corrects(client, bearer, sites):
    patient = PatientFactory()
    first = make_twstrs(patient)
    user = first.created_by
    amended = services.twstrs_create(
        patient=patient, assessed_on=first.assessed_on, items={**TWSTRS_ITEMS, "rotation": 4},
        actor=actor_for(user), amends=first, correction_reason="Rotation misread")
    headers = bearer(Role.NEUROLOGIST)
    found = entries(client, headers, patient=str(patient.pk))
    assert [(o["id"], o["status"]) for o in found] == [(f"scale-{amended.pk}", "amended")]
    gone = client.get(f"/fhir/R4/Observation/scale-{first.pk}", **headers)
    assert gone.status_code == 410
    assert gone.json()["issue"][0]["diagnostics"] == (
        f"Observation/scale-{first.pk} was amended; the current version is "
        f"Observation/scale-{amended.pk}.")
    assert [o["id"] for o in entries(client, headers, status="final")] == []


def test_an_entry_marked_in_error_says_so(client, bearer, sites):
    patient = PatientFactory()
    twstrs = make_twstrs(patient)
    services.scale_mark_entered_in_error(assessment=twstrs, reason="Wrong patient",
                                         actor=actor_for(twstrs.created_by))
    headers = bearer(Role.NEUROLOGIST)
    observation = client.get(f"/fhir/R4/Observation/scale-{twstrs.pk}", **headers).json()
    assert observation["status"] == "entered-in-error"
    assert [o["id"] for o in entries(client, headers, status="entered-in-error")] == [
        f"scale-{twstrs.pk}"]
    assert entries(client, headers, status="final") == []


def test_another_units_observations_are_not_found(client, bearer, sites):
    theirs = make_twstrs(other_unit_patient())
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/fhir/R4/Observation/scale-{theirs.pk}", **headers)
    assert response.status_code == 404
    assert entries(client, headers) == []
    assert entries(client, headers, patient=str(theirs.patient_id)) == []


def test_roles_without_the_record_are_refused(client, bearer, sites):
    twstrs = make_twstrs(PatientFactory())
    response = client.get(f"/fhir/R4/Observation/scale-{twstrs.pk}", **bearer(Role.AUDITOR))
    assert response.status_code == 403
    assert client.get("/fhir/R4/Observation", **bearer(Role.AUDITOR)).status_code == 403


def test_a_page_of_observations_takes_a_fixed_number_of_queries(
        client, bearer, sites, django_assert_max_num_queries):
    for _ in range(6):
        patient = PatientFactory()
        make_twstrs(patient, assessed_on=dt.date(2026, 6, 1))
        make_twstrs(patient, assessed_on=dt.date(2026, 7, 1))
    headers = bearer(Role.NEUROLOGIST)
    with django_assert_max_num_queries(8):
        response = client.get("/fhir/R4/Observation", {"_count": 50}, **headers)
    assert len(response.json()["entry"]) == 12


def test_code_systems_are_published_at_their_canonical_urls(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    response = client.get("/fhir/R4/CodeSystem", {
        "url": "https://fhir.collis.example/CodeSystem/rating-scale"}, **headers)
    bundle = response.json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == ["rating-scale"]
    staff = client.get("/fhir/R4/CodeSystem/staff-role", **headers).json()
    assert "neurologist" in {c["code"] for c in staff["concept"]}
    assert validation_problems(staff) == []
    assert client.get("/fhir/R4/CodeSystem/nothing", **headers).status_code == 404


def test_everything_gives_the_patient_their_unit_and_their_observations(
        client, bearer, sites, django_assert_max_num_queries):
    patient = PatientFactory()
    june = make_twstrs(patient, assessed_on=dt.date(2026, 6, 1))
    make_twstrs(PatientFactory())
    headers = bearer(Role.NEUROLOGIST)
    # One query per kind of resource (treatments, episodes, appointments, consents,
    # documents and questionnaires sent included).
    with django_assert_max_num_queries(19):
        response = client.get(f"/fhir/R4/Patient/{patient.pk}/$everything", **headers)
    assert response.status_code == 200
    bundle = response.json()
    assert validation_problems(bundle) == []
    assert [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]] == [
        ("Patient", str(patient.pk)), ("Organization", str(patient.organisation_id)),
        ("Observation", f"scale-{june.pk}")]
    assert set(AuditEvent.objects.filter(patient_id=patient.pk, channel=AuditChannel.API)
               .values_list("object_type", flat=True)) == {"patient", "fhir_everything"}


def test_everything_is_scoped_and_needs_the_clinical_record(client, bearer, sites):
    theirs = other_unit_patient()
    ours = PatientFactory()
    assert client.get(f"/fhir/R4/Patient/{theirs.pk}/$everything",
                      **bearer(Role.NEUROLOGIST)).status_code == 404
    assert client.get(f"/fhir/R4/Patient/{ours.pk}/$everything",
                      **bearer(Role.AUDITOR)).status_code == 403
    assert client.get(f"/fhir/R4/Patient/{ours.pk}/$nothing",
                      **bearer(Role.NEUROLOGIST)).status_code == 404

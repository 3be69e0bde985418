"""`_include` and `_revinclude`: the resources referred to (or referring) come in the same
searchset Bundle with search mode include, scoped and audited as reads of their own, in a
fixed number of queries; unsupported values are a 400 naming the parameter; a
`_revinclude` stops at its limit with an OperationOutcome warning."""

import datetime as dt

import pytest

from collis.assessments.tests.factories import make_twstrs
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api import includes
from collis.fhir_api.validation import validation_problems
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor
from collis.treatments.tests.factories import cycle_with

pytestmark = pytest.mark.django_db


def bundle_of(client, headers, resource_type, **query):
    response = client.get(f"/fhir/R4/{resource_type}", query, **headers)
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert validation_problems(bundle) == []
    return bundle


def by_mode(bundle):
    found = {}
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        found.setdefault(entry["search"]["mode"], []).append(
            f"{resource['resourceType']}/{resource.get('id', '')}")
    return found


def test_observations_bring_their_patients_once_each_audited_as_seen(client, bearer, sites):
    first, second, unrelated = PatientFactory(), PatientFactory(), PatientFactory()
    a, b = make_twstrs(first), make_twstrs(first, assessed_on=dt.date(2026, 7, 1))
    c = make_twstrs(second)
    headers = bearer(Role.NEUROLOGIST)
    bundle = bundle_of(client, headers, "Observation", _include="Observation:patient")
    modes = by_mode(bundle)
    assert modes["match"] == [f"Observation/scale-{x.pk}" for x in (a, b, c)]
    # Each patient once (in id order, as the Patient search gives them).
    assert modes["include"] == sorted([f"Patient/{first.pk}", f"Patient/{second.pk}"])
    included = next(e for e in bundle["entry"] if e["resource"]["id"] == str(first.pk))
    assert included["fullUrl"].endswith(f"/fhir/R4/Patient/{first.pk}")
    assert included["resource"]["identifier"][0]["value"] == first.nhs_number
    for patient in (first, second):  # in each one's access history
        assert AuditEvent.objects.for_patient(patient.pk).filter(
            action=AuditAction.SEARCH, object_type="patient",
            channel=AuditChannel.API).exists()
    assert not AuditEvent.objects.for_patient(unrelated.pk).filter(
        channel=AuditChannel.API).exists()
    # :subject and the typed form mean the same here.
    assert by_mode(bundle_of(client, headers, "Observation",
                             _include="Observation:subject:Patient"))["include"] == sorted([
        f"Patient/{first.pk}", f"Patient/{second.pk}"])


def test_an_include_outside_the_askers_scope_is_left_out(client, bearer, sites):
    """The included patient is fetched by the Patient search, so scope applies to it as to
    any search; here nothing is out of scope, so check the other way: a patient of another
    unit never appears (their observations are not matched either)."""
    from collis.patients.tests.factories import other_unit_patient

    stranger = other_unit_patient()
    make_twstrs(stranger)
    bundle = bundle_of(client, bearer(Role.NEUROLOGIST), "Observation",
                       _include="Observation:patient")
    assert by_mode(bundle) == {}


def test_toxin_sessions_bring_patients_and_sites(client, bearer, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, dt.date(2026, 6, 1))
    headers = bearer(Role.NURSE_SPECIALIST)
    bundle = bundle_of(client, headers, "MedicationAdministration",
                       _include="MedicationAdministration:patient")
    assert by_mode(bundle)["include"] == [f"Patient/{patient.pk}"]
    assert len(by_mode(bundle)["match"]) == 3
    bundle = bundle_of(client, headers, "Procedure",
                       _include=["Procedure:patient", "Procedure:location"])
    assert by_mode(bundle) == {"match": [f"Procedure/toxin-{cycle.pk}"],
                               "include": [f"Patient/{patient.pk}",
                                           f"Location/{cycle.site_id}"]}


def test_patients_bring_the_observations_and_treatments_that_refer_to_them(
        client, bearer, sites):
    patient, other = PatientFactory(), PatientFactory()
    twstrs = make_twstrs(patient)
    cycle = cycle_with(patient, dt.date(2026, 6, 1))
    make_twstrs(other)
    headers = bearer(Role.NEUROLOGIST)
    bundle = bundle_of(client, headers, "Patient", _id=str(patient.pk),
                       _revinclude=["Observation:patient", "Procedure:patient"])
    assert by_mode(bundle) == {"match": [f"Patient/{patient.pk}"],
                               "include": [f"Observation/scale-{twstrs.pk}",
                                           f"Procedure/toxin-{cycle.pk}"]}
    # The observations came in as an audited search of the patient's rating scales.
    assert AuditEvent.objects.for_patient(patient.pk).filter(
        action=AuditAction.SEARCH, object_type="scale").exists()


def test_a_revinclude_stops_at_its_limit_and_says_so(client, bearer, sites, settings):
    settings.COLLIS_FHIR_REVINCLUDE_MAX = 2
    patient = PatientFactory()
    for month in (5, 6, 7):
        make_twstrs(patient, assessed_on=dt.date(2026, month, 1))
    bundle = bundle_of(client, bearer(Role.NEUROLOGIST), "Patient",
                       _revinclude="Observation:patient")
    modes = by_mode(bundle)
    assert len(modes["include"]) == 2
    assert modes["outcome"] == ["OperationOutcome/search-warnings"]
    issue = bundle["entry"][-1]["resource"]["issue"][0]
    assert (issue["severity"], issue["code"]) == ("warning", "incomplete")
    assert "Observation:patient" in issue["diagnostics"] and "2" in issue["diagnostics"]


def test_appointments_bring_their_actors_and_clinics_their_slots(client, bearer, sites):
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    session = clinic(clinicians=[nurse])
    slot = session.slots.order_by("starts_at").first()
    patient = PatientFactory()
    appointment = scheduling.appointment_book(patient=patient, slot=slot,
                                              actor=coordinator_actor())
    headers = bearer(Role.MDT_COORDINATOR)
    bundle = bundle_of(client, headers, "Appointment", _include="Appointment:actor")
    assert by_mode(bundle) == {"match": [f"Appointment/{appointment.pk}"],
                               "include": [f"Patient/{patient.pk}",
                                           f"Practitioner/{appointment.clinician_id}",
                                           f"Location/{session.room.site_id}"]}
    assert by_mode(bundle_of(client, headers, "Appointment",
                             _include="Appointment:actor:Location"))["include"] == [
        f"Location/{session.room.site_id}"]
    bundle = bundle_of(client, headers, "Schedule", _revinclude="Slot:schedule")
    assert len(by_mode(bundle)["include"]) == session.slots.count()
    bundle = bundle_of(client, headers, "PractitionerRole", _id=str(nurse.pk),
                       _include=["PractitionerRole:practitioner",
                                 "PractitionerRole:organization"])
    assert by_mode(bundle) == {"match": [f"PractitionerRole/{nurse.pk}"],
                               "include": [f"Practitioner/{nurse.pk}",
                                           f"Organization/{nurse.organisation_id}"]}


@pytest.mark.parametrize(("resource_type", "param", "value"), [
    ("Observation", "_include", "Observation:performer:Patient"),
    ("Observation", "_include", "Procedure:patient"),
    ("Observation", "_include", "*"),
    ("Observation", "_include", "Observation:code"),
    ("Patient", "_revinclude", "Observation:subject"),
    ("Patient", "_revinclude", "PractitionerRole:practitioner"),
    ("Location", "_revinclude", "Schedule:actor"),
    ("CodeSystem", "_include", "CodeSystem:patient"),
    ("Observation", "_include:iterate", "Observation:patient"),
    ("Observation", "_include", ""),
])
def test_unsupported_values_are_refused_naming_the_parameter(client, bearer, sites,
                                                             resource_type, param, value):
    response = client.get(f"/fhir/R4/{resource_type}", {param: value},
                          **bearer(Role.NEUROLOGIST))
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["diagnostics"].startswith(param.split(":")[0] if not
                                                         param.endswith("iterate") else param)


def test_including_what_the_asker_may_not_read_is_refused(client, bearer, sites):
    patient = PatientFactory()
    make_twstrs(patient)
    # A neurologist may read patients but not the audit log.
    response = client.get("/fhir/R4/Patient", {"_revinclude": "AuditEvent:patient"},
                          **bearer(Role.NEUROLOGIST))
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    # An auditor reads the log, but not the clinical record.
    response = client.get("/fhir/R4/Patient", {"_revinclude": "Observation:patient"},
                          **bearer(Role.AUDITOR))
    assert response.status_code == 403


def test_includes_take_a_fixed_number_of_queries(client, bearer, sites,
                                                 django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            patient = PatientFactory()
            make_twstrs(patient)
            cycle_with(patient, dt.date(2026, 6, 1))

    headers = bearer(Role.NEUROLOGIST)
    client.get("/fhir/R4/Patient", **headers)  # the token's first use is noted once
    counts = []
    for n in (2, 8):
        make(n)
        for resource_type, query in (
                ("Observation", {"_include": "Observation:patient"}),
                ("MedicationAdministration", {"_include": "MedicationAdministration:patient"}),
                ("Patient", {"_revinclude": ["Observation:patient", "Procedure:patient",
                                             "MedicationAdministration:patient"]})):
            with django_assert_max_num_queries(16) as captured:
                response = client.get(f"/fhir/R4/{resource_type}",
                                      {"_count": 100, **query}, **headers)
            assert response.status_code == 200
            counts.append(len(captured))
    assert counts[:3] == counts[3:]  # the same whatever the page holds


def test_the_capability_statement_lists_them_from_the_table(client):
    statement = client.get("/fhir/R4/metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert "Observation:patient" in resources["Observation"]["searchInclude"]
    assert "Appointment:actor" in resources["Appointment"]["searchInclude"]
    assert set(resources["Patient"]["searchRevInclude"]) == set(
        includes.search_revincludes("Patient"))
    assert "Observation:patient" in resources["Patient"]["searchRevInclude"]
    assert "searchInclude" not in resources["CodeSystem"]
    # Each declared include follows a reference the source type actually carries.
    for include in includes.INCLUDES:
        assert include.source in resources and set(include.targets) <= set(resources)
        if include.revinclude:
            assert include.param in {p["name"] for p in
                                     resources[include.source]["searchParam"]}, include

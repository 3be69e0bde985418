"""Treatments and the pathway over HTTP: toxin sessions and selective denervation as
Procedures, the toxin per muscle and side as MedicationAdministrations, pathway episodes as
EpisodeOfCares; search by patient, code, date and status, corrections, scope and audit."""

import datetime as dt

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api.validation import validation_problems
from collis.outcomes.tests.factories import make_episode, operate
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.sites.models import Site
from collis.surgery.tests.factories import episode_at
from collis.treatments import services as toxin
from collis.treatments.tests.factories import cycle_with

pytestmark = pytest.mark.django_db


def found(client, headers, resource_type, **query):
    response = client.get(f"/fhir/R4/{resource_type}", query, **headers)
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert validation_problems(bundle) == []
    return [e["resource"] for e in bundle.get("entry", [])]


def ids(client, headers, resource_type, **query):
    return [r["id"] for r in found(client, headers, resource_type, **query)]


def amend(cycle, **changes):
    """A corrected version of the cycle, through the toxin service."""
    user = UserFactory(role=Role.NEUROLOGIST)
    values = {"patient": cycle.patient, "given_on": cycle.given_on, "product": cycle.product,
              "batch_number": cycle.batch_number, "guidance": cycle.guidance,
              "injector": cycle.injector, "site": cycle.site,
              "injections": [toxin.InjectionRow("sternocleidomastoid", "left", 80)]}
    values.update(changes)
    return toxin.toxin_cycle_create(**values, amends=cycle, correction_reason="Units misread",
                                    actor=Actor.command_line(user))


def test_a_toxin_session_is_a_procedure_and_its_injections_medication_administrations(
        client, bearer, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, dt.date(2026, 6, 1), batch_expires_on=dt.date(2027, 1, 1))
    headers = bearer(Role.NURSE_SPECIALIST)
    response = client.get(f"/fhir/R4/Procedure/toxin-{cycle.pk}", **headers)
    assert response.status_code == 200, response.content
    procedure = response.json()
    assert validation_problems(procedure) == []
    assert (procedure["status"], procedure["performedDateTime"]) == ("completed", "2026-06-01")
    assert procedure["subject"] == {"reference": f"Patient/{patient.pk}"}
    administrations = found(client, headers, "MedicationAdministration",
                            patient=f"Patient/{patient.pk}")
    assert [(a["dosage"]["site"]["text"], a["dosage"]["dose"]["value"])
            for a in administrations] == [("Sternocleidomastoid (left)", 100),
                                          ("Splenius capitis (right)", 60),
                                          ("Trapezius (right)", 40)]
    assert {a["partOf"][0]["reference"] for a in administrations} == {
        f"Procedure/toxin-{cycle.pk}"}
    assert administrations[0]["contained"][0]["batch"] == {
        "lotNumber": cycle.batch_number, "expirationDate": "2027-01-01"}
    read = client.get(f"/fhir/R4/MedicationAdministration/{administrations[0]['id']}",
                      **headers).json()
    assert read == administrations[0]
    assert set(AuditEvent.objects.filter(patient_id=patient.pk, channel=AuditChannel.API)
               .values_list("object_type", flat=True)) == {
        "toxin_cycle", "toxin_injection"}


def test_a_selective_denervation_is_a_procedure_coded_in_opcs4(client, bearer, sites):
    patient = PatientFactory()
    operation = operate(make_episode(patient))
    headers = bearer(Role.NEUROLOGIST)
    procedure = client.get(f"/fhir/R4/Procedure/sd-{operation.pk}", **headers).json()
    assert validation_problems(procedure) == []
    assert [c["code"] for c in procedure["code"]["coding"]] == [
        "A60.6", "Z92.3", "selective-denervation"]
    sites_divided = [b["text"] for b in procedure["bodySite"]]
    assert sites_divided[0].startswith("Sternocleidomastoid (left): ")  # the catalogue's nerve
    assert sites_divided[1] == "Splenius capitis (right): posterior ramus C2"
    assert AuditEvent.objects.filter(object_type="operation", patient_id=patient.pk,
                                     action=AuditAction.VIEW).exists()


def test_procedures_are_searched_by_patient_code_date_and_status_across_both_kinds(
        client, bearer, sites):
    patient, other = PatientFactory(), PatientFactory()
    june = cycle_with(patient, dt.date(2026, 6, 1))
    september = cycle_with(patient, dt.date(2026, 9, 1))
    operation = operate(make_episode(patient), operated_on=dt.date(2026, 3, 2))
    cycle_with(other, dt.date(2026, 6, 1))
    headers = bearer(Role.NEUROLOGIST)
    mine = {"patient": str(patient.pk)}
    assert ids(client, headers, "Procedure", **mine) == [
        f"toxin-{june.pk}", f"toxin-{september.pk}", f"sd-{operation.pk}"]
    assert ids(client, headers, "Procedure", code="https://fhir.nhs.uk/Id/opcs-4|A60.6",
               **mine) == [f"sd-{operation.pk}"]
    assert ids(client, headers, "Procedure", code="botulinum-toxin-injection",
               date="ge2026-07", **mine) == [f"toxin-{september.pk}"]
    assert ids(client, headers, "Procedure", date="2026-03", **mine) == [f"sd-{operation.pk}"]
    assert ids(client, headers, "Procedure", status="entered-in-error") == []
    assert len(ids(client, headers, "Procedure")) == 4
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).latest("id")
    assert sorted(event.details["patients"]) == sorted([patient.nhs_number, other.nhs_number])


def test_procedure_pages_walk_both_tables_by_keyset(client, bearer, sites):
    patient = PatientFactory()
    cycles = [cycle_with(patient, dt.date(2026, month, 1)) for month in (1, 4, 7)]
    operation = operate(make_episode(patient))
    headers = bearer(Role.NEUROLOGIST)
    url, seen = "/fhir/R4/Procedure?_count=2", []
    while url:
        bundle = client.get(url, **headers).json()
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert seen == [*(f"toxin-{c.pk}" for c in cycles), f"sd-{operation.pk}"]
    response = client.get("/fhir/R4/Procedure", {"_cursor": "ward-3"}, **headers)
    assert response.status_code == 400
    assert response.json()["issue"][0]["diagnostics"].startswith("_cursor:")


def test_an_amended_session_replaces_the_one_it_corrects(client, bearer, sites):
    patient = PatientFactory()
    first = cycle_with(patient, dt.date(2026, 6, 1))
    amended = amend(first)
    headers = bearer(Role.NEUROLOGIST)
    assert ids(client, headers, "Procedure", patient=str(patient.pk)) == [f"toxin-{amended.pk}"]
    gone = client.get(f"/fhir/R4/Procedure/toxin-{first.pk}", **headers)
    assert gone.status_code == 410
    assert gone.json()["issue"][0]["diagnostics"] == (
        f"Procedure/toxin-{first.pk} was amended; the current version is "
        f"Procedure/toxin-{amended.pk}.")
    administrations = found(client, headers, "MedicationAdministration",
                            patient=str(patient.pk))
    assert [a["dosage"]["dose"]["value"] for a in administrations] == [80]
    old = first.injections.first()
    assert client.get(f"/fhir/R4/MedicationAdministration/injection-{old.pk}",
                      **headers).status_code == 410


def test_a_session_entered_in_error_says_so_with_its_injections(client, bearer, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, dt.date(2026, 6, 1))
    toxin.toxin_cycle_mark_entered_in_error(
        cycle=cycle, reason="Wrong patient",
        actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    headers = bearer(Role.NEUROLOGIST)
    assert client.get(f"/fhir/R4/Procedure/toxin-{cycle.pk}",
                      **headers).json()["status"] == "entered-in-error"
    assert ids(client, headers, "Procedure", status="completed") == []
    assert ids(client, headers, "Procedure", status="entered-in-error") == [f"toxin-{cycle.pk}"]
    assert {a["status"] for a in found(client, headers, "MedicationAdministration")} == {
        "entered-in-error"}


def test_medication_administrations_are_searched_by_product_and_date(client, bearer, sites):
    patient = PatientFactory()
    cycle_with(patient, dt.date(2026, 6, 1), product="onabotulinumtoxinA")
    inco = cycle_with(patient, dt.date(2026, 9, 1), product="incobotulinumtoxinA",
                      units=(50,))
    headers = bearer(Role.NEUROLOGIST)
    product = "https://fhir.collis.example/CodeSystem/botulinum-toxin-product|"
    assert ids(client, headers, "MedicationAdministration",
               code=product + "incobotulinumtoxinA") == [
        f"injection-{inco.injections.get().pk}"]
    assert len(ids(client, headers, "MedicationAdministration",
                   **{"effective-time": "lt2026-07"})) == 3
    assert ids(client, headers, "MedicationAdministration",
               code="http://snomed.info/sct|123") == []


def test_an_episode_of_care_carries_its_pathway_state_and_history(client, bearer, sites):
    patient = PatientFactory()
    episode = episode_at("listed", patient=patient)
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/fhir/R4/EpisodeOfCare/{episode.pk}", **headers)
    assert response.status_code == 200, response.content
    resource = response.json()
    assert validation_problems(resource) == []
    assert resource["status"] == "waitlist"
    assert resource["extension"][0]["valueCoding"]["code"] == "listed"
    assert [(h["status"], h["extension"][0]["valueCoding"]["code"])
            for h in resource["statusHistory"]] == [
        ("planned", "referral_received"), ("waitlist", "listed")]
    assert AuditEvent.objects.filter(object_type="episode", patient_id=patient.pk,
                                     channel=AuditChannel.API).exists()


def test_episodes_are_searched_by_patient_status_and_date(client, bearer, sites):
    listed = episode_at("listed")
    withdrawn = episode_at("withdrawn")
    headers = bearer(Role.NEUROLOGIST)
    assert ids(client, headers, "EpisodeOfCare", status="waitlist") == [str(listed.pk)]
    assert ids(client, headers, "EpisodeOfCare", status="cancelled,finished") == [
        str(withdrawn.pk)]
    assert ids(client, headers, "EpisodeOfCare", patient=str(listed.patient_id)) == [
        str(listed.pk)]
    assert ids(client, headers, "EpisodeOfCare", date="gt2999") == []
    assert len(ids(client, headers, "EpisodeOfCare",
                   date=f"ge{dt.date.today().year - 1}")) == 2


def test_the_referral_is_a_service_request_of_its_episode(client, bearer, sites):
    patient = PatientFactory()
    episode = episode_at("triage", patient=patient)
    withdrawn = episode_at("withdrawn")
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/fhir/R4/ServiceRequest/{episode.pk}", **headers)
    assert response.status_code == 200, response.content
    referral = response.json()
    assert validation_problems(referral) == []
    assert referral["status"] == "active" and referral["authoredOn"] == "2026-10-01"
    assert referral["requester"]["identifier"]["value"] == "1234567"
    assert referral["reasonCode"] == [
        {"text": "Cervical dystonia with waning response to botulinum toxin"}]
    assert client.get(f"/fhir/R4/EpisodeOfCare/{episode.pk}", **headers).json()[
        "referralRequest"] == [{"reference": f"ServiceRequest/{episode.pk}"}]
    assert ids(client, headers, "ServiceRequest", status="revoked") == [str(withdrawn.pk)]
    assert ids(client, headers, "ServiceRequest", patient=str(patient.pk),
               authored="2026-10") == [str(episode.pk)]
    assert ids(client, headers, "ServiceRequest", authored="lt2026") == []
    assert AuditEvent.objects.filter(object_type="referral", patient_id=patient.pk,
                                     action=AuditAction.VIEW).exists()


def test_another_units_treatments_and_episodes_are_not_found(client, bearer, sites):
    theirs = other_unit_patient()
    cycle = cycle_with(theirs, dt.date(2026, 6, 1), site=Site.objects.first())
    episode = episode_at("triage", patient=theirs)
    headers = bearer(Role.NEUROLOGIST)
    assert client.get(f"/fhir/R4/Procedure/toxin-{cycle.pk}", **headers).status_code == 404
    assert client.get(f"/fhir/R4/MedicationAdministration/injection-"
                      f"{cycle.injections.first().pk}", **headers).status_code == 404
    assert client.get(f"/fhir/R4/EpisodeOfCare/{episode.pk}", **headers).status_code == 404
    assert client.get(f"/fhir/R4/ServiceRequest/{episode.pk}", **headers).status_code == 404
    for resource_type in ("Procedure", "MedicationAdministration", "EpisodeOfCare",
                          "ServiceRequest"):
        assert found(client, headers, resource_type) == []
    assert not AuditEvent.objects.filter(patient_id=theirs.pk,
                                         channel=AuditChannel.API).exists()


def test_roles_without_the_record_are_refused(client, bearer, sites):
    cycle = cycle_with(PatientFactory(), dt.date(2026, 6, 1))
    headers = bearer(Role.AUDITOR)
    assert client.get(f"/fhir/R4/Procedure/toxin-{cycle.pk}", **headers).status_code == 403
    for resource_type in ("Procedure", "MedicationAdministration", "EpisodeOfCare",
                          "ServiceRequest"):
        assert client.get(f"/fhir/R4/{resource_type}", **headers).status_code == 403


def test_unknown_ids_are_not_found(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    for path in ("Procedure/toxin-999", "Procedure/sd-x", "Procedure/12",
                 "MedicationAdministration/injection-999", "EpisodeOfCare/abc",
                 "ServiceRequest/999999"):
        assert client.get(f"/fhir/R4/{path}", **headers).status_code == 404


def test_a_page_of_each_takes_a_fixed_number_of_queries(
        client, bearer, sites, django_assert_max_num_queries):
    for month in range(1, 7):
        patient = PatientFactory()
        cycle_with(patient, dt.date(2026, month, 1))
        operate(make_episode(patient, state="consented"))
    headers = bearer(Role.NEUROLOGIST)
    for resource_type, expected in (("Procedure", 12), ("MedicationAdministration", 18),
                                    ("EpisodeOfCare", 6), ("ServiceRequest", 6)):
        with django_assert_max_num_queries(10):
            response = client.get(f"/fhir/R4/{resource_type}", {"_count": 50}, **headers)
        assert len(response.json()["entry"]) == expected


def test_everything_includes_treatments_episodes_and_appointments(
        client, bearer, sites, django_assert_max_num_queries):
    from collis.scheduling.services import appointment_book
    from collis.scheduling.tests.factories import clinic, coordinator_actor

    patient = PatientFactory()
    cycle = cycle_with(patient, dt.date(2026, 6, 1), units=(100,))
    episode = make_episode(patient)
    operation = operate(episode)
    session = clinic()
    appointment = appointment_book(patient=patient, slot=session.slots.first(),
                                   actor=coordinator_actor())
    cycle_with(PatientFactory(), dt.date(2026, 6, 1))
    headers = bearer(Role.NEUROLOGIST)
    # A fixed number whatever the record holds (one more for the questionnaires sent).
    with django_assert_max_num_queries(26):
        response = client.get(f"/fhir/R4/Patient/{patient.pk}/$everything", **headers)
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert validation_problems(bundle) == []
    # The consented episode's Consent and documents are there too (tested with them).
    assert [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]
            if e["resource"]["resourceType"] not in ("Consent", "DocumentReference")] == [
        ("Patient", str(patient.pk)), ("Organization", str(patient.organisation_id)),
        ("Procedure", f"toxin-{cycle.pk}"), ("Procedure", f"sd-{operation.pk}"),
        ("MedicationAdministration", f"injection-{cycle.injections.get().pk}"),
        ("EpisodeOfCare", str(episode.pk)), ("ServiceRequest", str(episode.pk)),
        ("Appointment", str(appointment.pk))]
    event = AuditEvent.objects.get(object_type="fhir_everything", patient_id=patient.pk)
    assert event.details.items() >= {"conditions": 0, "observations": 0, "procedures": 2,
                                     "medication_administrations": 1, "episodes": 1,
                                     "appointments": 1}.items()

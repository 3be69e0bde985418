"""The mappers of treatments, the pathway and clinics against JSON fixtures: Procedure
(toxin session, selective denervation), MedicationAdministration, EpisodeOfCare,
Appointment, Slot and Schedule, each with every field filled and with the optional ones
empty; and the status tables, which must cover every status Collis records."""

import datetime as dt
import json
import os
import uuid
from pathlib import Path

import pytest

from collis.core.roles import Role
from collis.domain.pathway import State
from collis.domain.scheduling import AppointmentStatus
from collis.fhir_api import mappers_records, mappers_scheduling
from collis.fhir_api.tests.test_mappers import CHANGED, clinician
from collis.fhir_api.validation import validation_problems

FIXTURES = Path(__file__).parent / "fixtures"
PATIENT_ID = uuid.UUID("5b0c2f4e-3d1a-4c57-9a7e-0f6b8e2d4c11")


def with_rows(instance, name: str, rows: list):
    """The instance with its related rows `name` as a selector's prefetch leaves them."""
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = rows
    return instance


def nurse():
    return clinician(pk=8, first_name="Noor", last_name="Demo-Nurse",
                     role=Role.NURSE_SPECIALIST, professional_registration="12A3456B")


def surgeon():
    return clinician(pk=11, first_name="Sol", last_name="Demo-Surgeon",
                     role=Role.NEUROSURGEON, professional_registration="7123456")


def coordinator():
    return clinician(pk=9, first_name="Cal", last_name="Demo-Coordinator",
                     role=Role.MDT_COORDINATOR, professional_registration="")


def cycle(**changes):
    from collis.treatments.models import ToxinCycle

    values = {"pk": 21, "patient_id": PATIENT_ID, "given_on": dt.date(2026, 6, 1),
              "product": "abobotulinumtoxinA", "batch_number": "D12345",
              "batch_expires_on": dt.date(2027, 1, 31), "guidance": "emg", "injector": nurse(),
              "site_id": 4, "notes": "", "record_status": "current", "created_at": CHANGED,
              "created_by": nurse()}
    values.update(changes)
    return ToxinCycle(**values)


def injection(**changes):
    from collis.treatments.models import ToxinInjection

    values = {"pk": 301, "cycle": cycle(), "position": 0, "muscle": "sternocleidomastoid",
              "side": "left", "units": 150}
    values.update(changes)
    return ToxinInjection(**values)


def operation(divisions=None, **changes):
    from collis.outcomes.models import NerveDivision, Operation

    values = {"pk": 5, "patient_id": PATIENT_ID, "episode_id": 3,
              "operated_on": dt.date(2026, 7, 14), "started_at": dt.time(9, 30), "site_id": 4,
              "surgeon": surgeon(), "anaesthetic": "general", "anaesthetist": "Dr Birch",
              "myectomy": True, "myectomy_muscles": ["splenius_capitis"],
              "findings": "Branches identified with stimulation.",
              "complication_codes": [], "complication_notes": "", "record_status": "current",
              "created_at": CHANGED, "created_by": surgeon()}
    values.update(changes)
    found = Operation(**values)
    if divisions is None:
        divisions = [
            NerveDivision(pk=1, operation=found, position=0, muscle="sternocleidomastoid",
                          side="left", nerve="spinal accessory nerve branches"),
            NerveDivision(pk=2, operation=found, position=1, muscle="splenius_capitis",
                          side="right", nerve="posterior ramus C2")]
    return with_rows(found, "divisions", divisions)


def episode(states, **changes):
    from collis.patients.models import Patient
    from collis.surgery.models import Episode, EpisodeStatus

    values = {"pk": 3, "patient": Patient(id=PATIENT_ID, organisation_id=1),
              "state": states[-1], "opened_at": CHANGED, "opened_by": coordinator(),
              "referrer_name": "Dr Ivo Inkwell", "referrer_gmc_number": "1234567",
              "referrer_organisation": "Example Neurology", "referral_reason": "CD",
              "referral_received_on": dt.date(2026, 2, 20), "surgeon": surgeon()}
    values.update(changes)
    found = Episode(**values)
    rows = [EpisodeStatus(pk=10 + i, episode=found, state=state,
                          at=CHANGED + dt.timedelta(days=30 * i), by=coordinator())
            for i, state in enumerate(states)]
    return with_rows(found, "statuses", rows)


def session(**changes):
    from collis.scheduling.models import ClinicSession, Room
    from collis.sites.models import Site

    site = Site(pk=4, code="portland-hospital", name="The Portland Hospital", organisation_id=1)
    values = {"pk": 17, "appointment_type": "toxin",
              "room": Room(pk=2, site=site, name="Clinic room 1"),
              "starts_at": dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC),
              "ends_at": dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
              "created_at": CHANGED}
    values.update(changes)
    return with_rows(ClinicSession(**values), "clinicians", [nurse(), clinician()])


def slot(taken=0, **changes):
    from collis.scheduling.models import Slot

    values = {"pk": 90, "session": session(), "clinician": nurse(),
              "starts_at": dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC),
              "ends_at": dt.datetime(2026, 6, 1, 9, 20, tzinfo=dt.UTC), "capacity": 1}
    values.update(changes)
    found = Slot(**values)
    found.taken = taken
    return found


def appointment(history=(), **changes):
    from collis.scheduling.models import Appointment, AppointmentStatusChange

    room = session().room
    values = {"pk": 64, "patient_id": PATIENT_ID, "appointment_type": "toxin", "slot_id": 90,
              "session_id": 17, "clinician": nurse(), "room": room,
              "starts_at": dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC),
              "ends_at": dt.datetime(2026, 6, 1, 9, 20, tzinfo=dt.UTC),
              "status": "booked", "created_at": CHANGED, "created_by": coordinator()}
    values.update(changes)
    found = Appointment(**values)
    rows = [AppointmentStatusChange(pk=200 + i, appointment=found, status=status,
                                    reason=reason, at=CHANGED + dt.timedelta(days=i + 1),
                                    by=coordinator())
            for i, (status, reason) in enumerate(history)]
    return with_rows(found, "history", rows)


CASES = {
    "procedure-toxin": lambda: mappers_records.procedure_resource(
        cycle(notes="Good response last time; same pattern.")),
    "procedure-toxin-entered-in-error": lambda: mappers_records.procedure_resource(
        cycle(pk=22, record_status="entered_in_error", injector=coordinator(),
              status_changed_at=CHANGED + dt.timedelta(days=2))),
    "procedure-selective-denervation": lambda: mappers_records.procedure_resource(
        operation(complication_codes=["SD_OCCIPITAL_NUMBNESS"],
                  complication_notes="Brief bradycardia, settled.")),
    "procedure-selective-denervation-minimal": lambda: mappers_records.procedure_resource(
        operation(divisions=[], pk=6, started_at=None, myectomy=False, myectomy_muscles=[],
                  findings="")),
    "medicationadministration": lambda: mappers_records.medication_administration_resource(
        injection()),
    "medicationadministration-no-expiry-in-error": lambda: (
        mappers_records.medication_administration_resource(injection(
            pk=302, muscle="splenius_capitis", side="right", units=2500,
            cycle=cycle(product="rimabotulinumtoxinB", batch_expires_on=None,
                        record_status="entered_in_error",
                        status_changed_at=CHANGED + dt.timedelta(days=1))))),
    "episodeofcare": lambda: mappers_records.episode_of_care_resource(
        episode(["referral_received", "triage", "listed"])),
    "episodeofcare-discharged": lambda: mappers_records.episode_of_care_resource(
        episode(["referral_received", "follow_up", "discharged"], surgeon=None)),
    "servicerequest": lambda: mappers_records.service_request_resource(
        episode(["referral_received", "triage"])),
    "servicerequest-urgent-withdrawn": lambda: mappers_records.service_request_resource(
        episode(["referral_received", "withdrawn"], urgency="urgent", referrer_gmc_number="",
                referral_reason="")),
    "schedule": lambda: mappers_scheduling.schedule_resource(session()),
    "slot": lambda: mappers_scheduling.slot_resource(slot()),
    "slot-overbooked": lambda: mappers_scheduling.slot_resource(slot(taken=2, pk=91)),
    "appointment": lambda: mappers_scheduling.appointment_resource(appointment(
        history=[("booked", "")])),
    "appointment-cancelled-by-patient": lambda: mappers_scheduling.appointment_resource(
        appointment(pk=65, status="cancelled_by_patient",
                    history=[("booked", ""), ("cancelled_by_patient", "Away that week")])),
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


def test_selective_denervation_is_coded_with_the_opcs4_pair_of_nice_ipg80():
    resource = CASES["procedure-selective-denervation"]()
    assert [(c["system"], c["code"]) for c in resource["code"]["coding"][:2]] == [
        ("https://fhir.nhs.uk/Id/opcs-4", "A60.6"), ("https://fhir.nhs.uk/Id/opcs-4", "Z92.3")]
    # The reference gives no display for either code: none is made up.
    assert all("display" not in c for c in resource["code"]["coding"][:2])


def test_the_toxin_is_named_not_coded_with_an_unsourced_dm_d_code():
    medication = CASES["medicationadministration"]()["contained"][0]
    assert medication["code"]["text"] == "abobotulinumtoxinA"
    assert [c["system"] for c in medication["code"]["coding"]] == [
        "https://fhir.collis.example/CodeSystem/botulinum-toxin-product"]
    assert medication["batch"] == {"lotNumber": "D12345", "expirationDate": "2027-01-31"}


def test_every_pathway_state_has_an_episode_of_care_status():
    assert set(mappers_records.EPISODE_STATUS) == set(State)
    assert set(mappers_records.EPISODE_STATUS.values()) <= {
        "planned", "waitlist", "active", "onhold", "finished", "cancelled"}


def test_a_referral_follows_its_episode_and_names_the_referrer_by_gmc_number():
    referral = CASES["servicerequest"]()
    assert referral["requester"] == {
        "identifier": {"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "1234567"},
        "display": "Dr Ivo Inkwell, Example Neurology"}
    assert (referral["status"], referral["priority"]) == ("active", "routine")
    closed = CASES["servicerequest-urgent-withdrawn"]()
    assert (closed["status"], closed["priority"]) == ("revoked", "urgent")


def test_every_appointment_status_has_a_fhir_appointment_status():
    assert set(mappers_scheduling.APPOINTMENT_STATUS) == set(AppointmentStatus)
    assert set(mappers_scheduling.APPOINTMENT_STATUS.values()) <= {
        "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
        "entered-in-error", "checked-in", "waitlist"}


def test_a_contained_resource_nobody_refers_to_is_caught():
    resource = CASES["medicationadministration"]()
    resource["medicationReference"]["reference"] = "#other"
    assert validation_problems(resource) == [
        "MedicationAdministration.medicationReference.reference: '#other' names no "
        "contained resource",
        "MedicationAdministration.contained[0]: not referred to from the resource (dom-3)"]

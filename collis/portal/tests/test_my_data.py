"""A copy of my data: the documented JSON (valid against its own schema) with every part of
the record's current entries and the record as a FHIR R4 Bundle, the PDF summary of the
same, and the audit of each read and delivery."""

import datetime as dt
import hashlib
import io
import json

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from collis.assessments.services import scale_mark_entered_in_error
from collis.assessments.tests.factories import (
    actor_for,
    make_diagnosis,
    make_examination,
    make_twstrs,
    send_patient_reported,
)
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.fhir_api.validation import validation_problems
from collis.investigations.services import InvestigationDetails, investigation_create
from collis.investigations.tests.factories import pdf_upload
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import portal_client
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor
from collis.surgery.services import episode_open
from collis.surgery.tests.factories import REFERRAL
from collis.treatments.services import toxin_cycle_mark_entered_in_error
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)

pytestmark = pytest.mark.django_db
D = dt.date
MARCH = D(2026, 3, 1)


@pytest.fixture
def client(sites, user_with_role):
    patient = PatientFactory(given_name="Rhiannon", family_name="Pryce")
    slot = clinic().slots.order_by("starts_at").first()
    scheduling.appointment_book(patient=patient, slot=slot, actor=coordinator_actor())
    return portal_client(patient, by=user_with_role(Role.NURSE_SPECIALIST))


def record_entries(patient, neurologist, *, day=MARCH):
    """One current entry of each kind the copy holds (from `day`), made by the apps'
    services and factories."""
    actor = Actor.command_line(neurologist)
    make_examination(patient, neurologist, examined_on=day)
    make_twstrs(patient, neurologist, assessed_on=day)
    send_patient_reported(patient, sent_on=day + dt.timedelta(days=10))
    cycle_with(patient, day, benefit=70, weeks=11, injector=neurologist)
    ResistanceTestFactory(patient=patient, tested_on=day, created_by=neurologist)
    MedicationFactory(patient=patient, started_on=day, created_by=neurologist)
    TherapySessionFactory(patient=patient, session_on=day)
    investigation_create(
        patient=patient, actor=actor, files=[pdf_upload("mri-report.pdf")],
        details=InvestigationDetails(kind="mri_brain", performed_on=day, status="normal",
                                     report="No structural cause seen."))


@pytest.fixture
def full(client, user_with_role, settings, tmp_path):
    """The signed-in patient with a record of every kind, and an entry of a scale and of a
    toxin cycle each marked as entered in error."""
    settings.MEDIA_ROOT = tmp_path
    patient = client.patient
    neurologist = user_with_role(Role.NEUROLOGIST, first_name="Nia",
                                 last_name="Demo-Neurologist")
    make_diagnosis(patient, neurologist)
    make_diagnosis(patient, neurologist, course="progressive")
    record_entries(patient, neurologist)
    wrong = make_twstrs(patient, neurologist, assessed_on=D(2026, 2, 20))
    scale_mark_entered_in_error(assessment=wrong, reason="Another patient's scores",
                                actor=actor_for(neurologist))
    mistaken = cycle_with(patient, D(2026, 3, 8), injector=neurologist)
    toxin_cycle_mark_entered_in_error(cycle=mistaken, reason="Recorded twice",
                                      actor=actor_for(neurologist))
    episode_open(patient=patient, referral=REFERRAL,
                 actor=Actor.command_line(user_with_role(Role.MDT_COORDINATOR)))
    client.neurologist = neurologist
    return client


def test_the_json_copy_follows_its_documented_schema_and_its_delivery_is_audited(client):
    response = client.get("/portal/my-data/my-data.json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    schema = client.get("/portal/my-data/schema.json").json()
    jsonschema.validate(data, schema)
    assert data["format"] == "collis.patient-data" and data["format_version"] == 3
    assert data["patient"]["nhs_number"] == client.patient.nhs_number
    assert len(data["appointments"]) == 1
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD, object_type="data_export")
    assert event.patient_id == client.patient.pk
    assert event.details["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_the_json_copy_holds_every_part_of_the_record_from_its_current_entries(full):
    data = json.loads(full.get("/portal/my-data/my-data.json").content)
    jsonschema.validate(data, full.get("/portal/my-data/schema.json").json())
    assert "entered in error is left out" in data["entries"]
    diagnosis = data["diagnosis"]
    assert [v["version"] for v in diagnosis["history"]] == [2, 1]
    assert diagnosis["current"]["course"] == "progressive"
    assert diagnosis["current"]["recorded_by"] == "Nia Demo-Neurologist"
    [examination] = data["examinations"]
    assert examination["patterns"][0]["pattern"] == "torticaput"
    # The toxin cycle made by mistake is left out; the current one has its injections and
    # review.
    [cycle] = data["toxin_cycles"]
    assert cycle["given_on"] == "2026-03-01" and len(cycle["injections"]) == 3
    assert cycle["review"]["peak_benefit_percent"] == 70
    assert len(data["toxin_resistance_tests"]) == 1
    # Clinician-rated and patient-reported scales apart; the one in error is left out.
    assert [s["assessed_on"] for s in data["rating_scales"]] == ["2026-03-01"]
    [reported] = data["questionnaires"]
    assert (reported["disability"], reported["pain"]) == (9, 11)
    assert [m["drug_name"] for m in data["medications"]] == ["Trihexyphenidyl"]
    assert [s["kind"] for s in data["therapy_sessions"]] == ["physiotherapy"]
    [investigation] = data["investigations"]
    assert investigation["kind"] == "mri_brain"
    assert [f["original_name"] for f in investigation["files"]] == ["mri-report.pdf"]
    assert "download" not in investigation["files"][0]  # the API's link is staff-only
    assert len(data["appointments"]) == 1 and len(data["pathway_episodes"]) == 1
    assert [d["title"] for d in data["documents"]] == [
        "Deciding about selective denervation surgery (decision aid)"]
    assert data["documents"][0]["href"].startswith("/portal/documents/")


def test_the_json_copy_holds_the_record_as_a_valid_fhir_r4_collection(full):
    bundle = json.loads(full.get("/portal/my-data/my-data.json").content)["fhir"]
    Bundle.model_validate(bundle)  # fhir.resources' R4B model
    assert validation_problems(bundle) == []  # and the R4 invariants and UK Core rules
    assert bundle["type"] == "collection"
    resources = {e["resource"]["id"]: e for e in bundle["entry"]}
    patient = resources[str(full.patient.pk)]
    assert patient["fullUrl"] == f"http://testserver/fhir/R4/Patient/{full.patient.pk}"
    assert patient["resource"]["identifier"][0]["value"] == full.patient.nhs_number
    assert f"dystonia-{full.patient.pk}" in resources
    observations = [e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "Observation"]
    # FHIR's convention: the scale entered in error is there, marked so.
    assert sorted(o["status"] for o in observations) == ["entered-in-error", "final",
                                                         "final"]
    [reported] = [e for e in bundle["entry"]
                  if e["resource"]["id"].startswith("patient-reported-")]
    assert reported["fullUrl"].startswith("urn:uuid:")  # the API does not serve it
    assert reported["resource"]["performer"] == [{"reference":
                                                  f"Patient/{full.patient.pk}"}]
    assert [c["valueQuantity"]["value"] for c in reported["resource"]["component"]] == [9, 11]


def test_every_part_is_read_through_an_audited_selector(full):
    full.get("/portal/my-data/my-data.json")
    read = set(AuditEvent.objects.filter(
        action=AuditAction.VIEW, patient_id=full.patient.pk, actor=full.account)
        .values_list("object_type", flat=True))
    assert {"diagnosis", "examination", "toxin_cycles", "scale", "patient_reported",
            "medications", "therapy_sessions", "investigation_list", "appointment_list",
            "episodes", "fhir_everything"} <= read


def test_the_pdf_summary_reads_the_same_data(client):
    response = client.get("/portal/my-data/my-data.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rhiannon Pryce" in text and "Appointments" in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_type="data_export",
                                     details__format="pdf").exists()


def test_the_pdf_summary_has_every_part_in_words_and_leaves_out_entries_in_error(full):
    response = full.get("/portal/my-data/my-data.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in (
            "About this copy", "entered in error is left out",
            "Your diagnosis", "Course Progressive", "Course: Static changed to Progressive",
            "Neck examinations", "Torticaput to the right 3",
            "Botulinum toxin treatment", "Sternocleidomastoid (left) 100",
            "best effect 70%", "Tests for resistance to the toxin", "Frontalis test",
            "Rating scales scored by your clinicians", "1 March 2026",
            "Questionnaires you sent (patient-reported)", "11 March 2026",
            "Trihexyphenidyl", "Physiotherapy", "MRI brain", "No structural cause seen.",
            "mri-report.pdf", "Assessment for surgery", "Dr Ivo Inkwell",
            "Deciding about selective denervation surgery (decision aid)",
            "Not in this copy yet"):
        assert expected in text, expected
    assert "8 March 2026" not in text and "20 February 2026" not in text  # in error


def test_the_page_says_what_the_copy_holds(client):
    body = client.get("/portal/my-data/").content.decode()
    assert "current entries" in body and "FHIR" in body and "Not in this copy yet" in body


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_copy_reads_the_database_a_bounded_number_of_times(full):
    few = {path: _queries(full, path) for path in ("/portal/my-data/my-data.json",
                                                   "/portal/my-data/my-data.pdf")}
    for month in (4, 5, 6):
        record_entries(full.patient, full.neurologist, day=D(2026, month, 1))
    many = {path: _queries(full, path) for path in few}
    assert many == few


def test_the_copy_holds_the_mdt_decision_the_operation_and_its_follow_up(sites, user_with_role):
    from collis.domain.risks import Intervention, risks_for
    from collis.outcomes import services as outcomes
    from collis.outcomes.tests.factories import make_episode, operate

    patient = PatientFactory(given_name="Aled", family_name="Morgan")
    client = portal_client(patient, by=user_with_role(Role.NURSE_SPECIALIST))
    episode = make_episode(patient, state="consented")
    operation = operate(episode)
    risk = risks_for(Intervention.SELECTIVE_DENERVATION)[0]
    surgeon = Actor.command_line(operation.surgeon)
    outcomes.complication_create(episode=episode, risk_code=risk.code,
                                 onset_on=operation.operated_on + dt.timedelta(days=3),
                                 severity="mild", status="ongoing", actor=surgeon)
    data = json.loads(client.get("/portal/my-data/my-data.json").content)
    jsonschema.validate(data, client.get("/portal/my-data/schema.json").json())
    (surgery,) = data["surgery"]
    assert surgery["episode_id"] == episode.pk
    assert surgery["operation"]["operated_on"] == operation.operated_on.isoformat()
    assert {d["muscle"] for d in surgery["operation"]["divisions"]} == {
        "sternocleidomastoid", "splenius_capitis"}
    assert [c["risk_code"] for c in surgery["follow_up"]["complications"]] == [risk.code]
    pdf = client.get("/portal/my-data/my-data.pdf").content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Operation on" in text and risk.name.split(" (")[0] in text
    assert AuditEvent.objects.filter(object_type="follow_up", patient_id=patient.pk,
                                     actor=client.account).exists()

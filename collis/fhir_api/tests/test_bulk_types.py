"""The Bulk Data export's consents, documents, questionnaires and audit log: each exported
resource is the one the per-resource read gives, `_since` keeps what changed, a record that
cannot be mapped is an OperationOutcome in the manifest's `error` list (the rest is still
exported), and the audit log goes only to those who read it on the pages."""

import datetime as dt
import json

import pytest
from django.test import TestCase
from django.utils import timezone

from collis.consent import services as consent_services
from collis.consent.models import Consent
from collis.consent.tests.factories import consented_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.fhir_api import bulk
from collis.fhir_api.models import BulkExport
from collis.fhir_api.tests.test_bulk import ASYNC, a_record, download, kick_off, status
from collis.fhir_api.tests.test_questionnaires import answered
from collis.fhir_api.tests.test_smart import auth, keys, register, token_for  # noqa: F401
from collis.fhir_api.validation import validation_problems
from collis.letters import services as letters
from collis.letters.models import ClinicLetter
from collis.letters.tests.factories import seen_appointment
from collis.mdt.tests.factories import decided
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.questionnaires.models import QuestionnaireResponse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def documented_patient():
    """A patient with a consent, an MDT outcome, a letter sent and a questionnaire sent,
    and the records of `test_bulk.a_record`."""
    episode = consented_episode(dt.date(2026, 5, 4))
    patient = episode.patient
    decided(episode_at(State.AWAITING_MDT, patient=patient))
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    actor = Actor.command_line(neurologist)
    letter = letters.letter_draft_create(
        appointment=seen_appointment(patient=patient, neurologist=neurologist), actor=actor)
    letters.letter_send(letter=letter, version=1, how="printed", actor=actor)
    answered(patient)
    a_record(patient)
    return patient


def without_meta(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


def test_every_exported_resource_is_what_its_read_gives(client, bearer, sites):
    ours = documented_patient()
    documented_patient_elsewhere = other_unit_patient()
    answered(documented_patient_elsewhere)
    headers = bearer(Role.NEUROLOGIST)
    manifest = status(client, kick_off(client, headers), headers).json()
    assert manifest["error"] == []
    resources = download(client, manifest, headers)
    assert {"Consent", "DocumentReference", "QuestionnaireResponse"} <= set(resources)
    assert "AuditEvent" not in resources  # not for a role without audit_view
    kinds = {r["id"].split("-")[0] for r in resources["DocumentReference"]}
    assert kinds == {"letter", "consent", "mdtoutcome", "aid.clinician", "aid.patient"}
    for resource_type in ("Consent", "DocumentReference", "QuestionnaireResponse"):
        assert {r["subject" if "subject" in r else "patient"]["reference"]
                for r in resources[resource_type]} == {f"Patient/{ours.pk}"}
    for resource_type, found in resources.items():
        for resource in found:
            assert validation_problems(resource) == [], resource
            read = client.get(f"/fhir/R4/{resource_type}/{resource['id']}", **headers)
            assert read.status_code == 200, (resource_type, resource["id"], read.content)
            assert without_meta(resource) == without_meta(read.json()), resource_type
    export = BulkExport.objects.get()
    for resource_type in ("Consent", "DocumentReference", "QuestionnaireResponse"):
        assert export.counts[resource_type] == len(resources[resource_type])
        entries = AuditEvent.objects.filter(
            object_type="fhir_bulk_export", action=AuditAction.VIEW,
            summary__startswith=f"Record included in a FHIR bulk export ({resource_type})")
        # One page of each table behind the type (DocumentReference has five kinds).
        assert entries.count() == sum(s.type == resource_type for s in bulk.SOURCES)
        assert all(e.details["patients"] == [ours.nhs_number] for e in entries)


def test_since_keeps_the_letters_and_questionnaires_sent_after_it(client, bearer, sites):
    ours = documented_patient()
    newer = PatientFactory()
    answered(newer)
    month_ago = timezone.now() - dt.timedelta(days=30)
    QuestionnaireResponse.objects.filter(patient=ours).update(submitted_at=month_ago)
    ClinicLetter.objects.filter(patient=ours).update(sent_at=month_ago)
    headers = bearer(Role.NEUROLOGIST)
    since = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = status(client, kick_off(
        client, headers, _type="QuestionnaireResponse,DocumentReference,Consent",
        _since=since), headers).json()
    resources = download(client, manifest, headers)
    assert [r["subject"]["reference"] for r in resources["QuestionnaireResponse"]] == [
        f"Patient/{newer.pk}"]
    # The consent was recorded in May (and its form with it); a confirmation on the day of
    # surgery recorded now changes the Consent (it may make it inactive), not the form.
    assert "Consent" not in resources
    assert not any(r["id"].startswith(("letter-", "consent-"))
                   for r in resources.get("DocumentReference", []))
    consent = Consent.objects.get(patient=ours)
    consent_services.consent_confirmation_create(
        consent=consent, confirmed_on=dt.date(2026, 5, 24), still_wants_to_proceed=True,
        notes="", actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))
    manifest = status(client, kick_off(client, headers, _type="Consent,DocumentReference",
                                       _since=since), headers).json()
    resources = download(client, manifest, headers)
    assert [r["id"] for r in resources["Consent"]] == [str(consent.pk)]
    assert not any(r["id"].startswith("consent-") for r in resources["DocumentReference"])


def test_a_record_that_fails_to_map_is_in_the_error_list_and_the_rest_is_exported(
        client, bearer, sites, monkeypatch):
    good, bad = PatientFactory(), PatientFactory()
    real = bulk.SOURCES[0].mapper

    def sometimes_broken(patient):
        if patient.pk == bad.pk:
            raise KeyError("gender")
        return real(patient)

    monkeypatch.setattr(bulk, "SOURCES", tuple(
        bulk.Source(s.type, s.rows, sometimes_broken, s.since, s.since_text, s.patient)
        if s.type == "Patient" else s for s in bulk.SOURCES))
    headers = bearer(Role.NEUROLOGIST)
    manifest = status(client, kick_off(client, headers, _type="Patient,Location"),
                      headers).json()
    assert {o["type"]: o["count"] for o in manifest["output"]} == {"Patient": 1,
                                                                   "Location": 6}
    assert [(e["type"], e["count"]) for e in manifest["error"]] == [("OperationOutcome", 1)]
    response = client.get(manifest["error"][0]["url"], **headers)
    assert response["Content-Type"] == "application/fhir+ndjson"
    outcome = json.loads(b"".join(response.streaming_content))
    assert validation_problems(outcome) == []
    diagnostics = outcome["issue"][0]["diagnostics"]
    assert diagnostics.startswith("Patient:") and str(bad.pk) in diagnostics
    assert "KeyError" in diagnostics
    assert [p["id"] for p in download(client, {"output": manifest["output"][:1]},
                                      headers)["Patient"]] == [str(good.pk)]
    export = BulkExport.objects.get()
    assert export.counts == {"Patient": 1, "Location": 6}


def test_an_auditor_exports_the_audit_log_up_to_the_kick_off(client, bearer, sites):
    PatientFactory()
    auditor = bearer(Role.AUDITOR)
    clinician = bearer(Role.NEUROLOGIST)
    client.get("/fhir/R4/Patient", **clinician)  # an entry about patients to export
    before = AuditEvent.objects.count()
    url = kick_off(client, auditor)
    export = BulkExport.objects.get()
    assert export.types == ["AuditEvent"]
    manifest = status(client, url, auditor).json()
    events = download(client, manifest, auditor)["AuditEvent"]
    # Everything recorded before the run began (the kick-off's own entry included), nothing
    # the run itself wrote.
    assert len(events) == before + 1 == export.counts["AuditEvent"]
    assert all(e["recorded"] <= manifest["transactionTime"] for e in events)
    for event in events:
        assert validation_problems(event) == [], event
    pages = AuditEvent.objects.filter(
        object_type="audit_log", summary="Entries of the audit log included in a FHIR "
        "bulk export")
    assert pages.count() == 1 and pages.get().details["resources"] == len(events)


def test_the_audit_log_is_not_exported_to_others_nor_by_patient(client, bearer, sites,
                                                                keys):  # noqa: F811
    clinician = bearer(Role.NEUROLOGIST)
    response = client.get("/fhir/R4/$export", {"_type": "AuditEvent"}, **ASYNC, **clinician)
    assert response.status_code == 403
    response = client.get("/fhir/R4/Patient/$export", {"_type": "AuditEvent"}, **ASYNC,
                          **bearer(Role.AUDITOR))
    assert response.status_code == 400
    system = auth(token_for(client, register(keys), keys))
    response = client.get("/fhir/R4/$export", {"_type": "AuditEvent"},
                          HTTP_PREFER="respond-async", **system)
    assert response.status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=False):
        response = client.get("/fhir/R4/$export", HTTP_PREFER="respond-async", **system)
    assert response.status_code == 202
    assert "AuditEvent" not in BulkExport.objects.get().types

"""FHIR Bulk Data export end to end, with the task backend of the test settings: kick-off,
progress, manifest, NDJSON files that parse as FHIR, cancel, expiry, scope, `_type` and
`_since`, the patients' access histories, and a page read with a fixed number of queries."""

import datetime as dt
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collis.assessments.tests.factories import make_diagnosis, make_twstrs
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.fhir_api import bulk
from collis.fhir_api.models import BulkExport, ExportState
from collis.fhir_api.validation import validation_problems
from collis.patients.models import Patient
from collis.patients.selectors import patient_access_history
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.surgery.tests.factories import episode_at
from collis.treatments.tests.factories import cycle_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
ASYNC = {"HTTP_PREFER": "respond-async", "HTTP_ACCEPT": "application/fhir+json"}


def kick_off(client, headers, path="/fhir/R4/$export", run=True, **query):
    """Kick off; with `run`, the transaction's on-commit hook queues the task, which the
    test settings' immediate backend runs at once."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=run):
        response = client.get(path, query, **ASYNC, **headers)
    assert response.status_code == 202, response.content
    return response["Content-Location"]


def status(client, url, headers, expected=200):
    response = client.get(url, **headers)
    assert response.status_code == expected, response.content
    return response


def download(client, manifest, headers) -> dict[str, list[dict]]:
    """Every file of the manifest, each line parsed; by type."""
    found = {}
    for output in manifest["output"]:
        response = client.get(output["url"], HTTP_ACCEPT="application/fhir+ndjson", **headers)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == output["count"]
        found.setdefault(output["type"], []).extend(json.loads(line) for line in lines)
    return found


def a_record(patient):
    make_diagnosis(patient)
    make_twstrs(patient)
    cycle_with(patient, dt.date(2026, 6, 1))
    episode_at("listed", patient=patient)


def test_the_whole_flow_from_kick_off_to_the_files(client, bearer, sites):
    ours, theirs = PatientFactory(), other_unit_patient()
    a_record(ours)
    a_record(theirs)
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, run=False)
    assert url.startswith("http://testserver/fhir/R4/$export/")
    waiting = status(client, url, headers, 202)
    assert waiting["X-Progress"] == "Waiting for the task worker"
    assert int(waiting["Retry-After"]) > 0

    export = BulkExport.objects.get()
    bulk.bulk_export_enqueue(export.pk)  # what the on-commit hook does
    manifest = status(client, url, headers).json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].startswith("http://testserver/fhir/R4/$export")
    assert manifest["transactionTime"].endswith("Z")
    resources = download(client, manifest, headers)
    for resource_type, found in resources.items():
        for resource in found:
            assert resource["resourceType"] == resource_type
            assert validation_problems(resource) == [], resource
    assert set(resources) >= {"Patient", "Condition", "Observation", "Procedure",
                              "MedicationAdministration", "EpisodeOfCare", "ServiceRequest",
                              "Organization", "Location", "Practitioner"}
    # Scope: the token's holder sees their unit's patients only.
    assert [p["id"] for p in resources["Patient"]] == [str(ours.pk)]
    for resource_type in ("Observation", "Condition", "Procedure", "EpisodeOfCare"):
        assert {r["subject" if "subject" in r else "patient"]["reference"]
                for r in resources[resource_type]} == {f"Patient/{ours.pk}"}

    export.refresh_from_db()
    assert export.state == ExportState.DONE and export.types_done == export.types_total
    assert export.counts["Patient"] == 1
    kickoff = AuditEvent.objects.get(object_type="fhir_bulk_export",
                                     action=AuditAction.CREATE)
    assert kickoff.object_id == str(export.pk)
    downloads = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD,
                                          object_type="fhir_bulk_file")
    assert downloads.count() == len(manifest["output"])


def test_each_included_patient_has_an_entry_in_their_access_history(client, bearer, sites):
    patient = PatientFactory()
    make_twstrs(patient)
    headers = bearer(Role.NEUROLOGIST)
    kick_off(client, headers, _type="Patient,Observation")
    history = patient_access_history(patient=patient, actor=Actor.command_line())
    summaries = [e.summary for e in history.events]
    assert any(s.startswith("Record included in a FHIR bulk export (Patient)")
               for s in summaries), summaries
    assert any(s.startswith("Record included in a FHIR bulk export (Observation)")
               for s in summaries), summaries


def test_the_kick_off_needs_prefer_respond_async(client, bearer, sites):
    response = client.get("/fhir/R4/$export", **bearer(Role.NEUROLOGIST))
    assert response.status_code == 400
    assert "Prefer" in response.json()["issue"][0]["diagnostics"]
    assert not BulkExport.objects.exists()


@pytest.mark.parametrize("query, named", [
    ({"_type": "Questionnaire"}, "_type"),
    ({"_type": "Patient,"}, "_type"),
    ({"_since": "2026-01-01"}, "_since"),
    ({"_since": "2999-01-01T00:00:00Z"}, "_since"),
    ({"_outputFormat": "text/csv"}, "_outputFormat"),
    ({"_typeFilter": "Patient?gender=male"}, "_typeFilter"),
])
def test_bad_kick_off_parameters_are_400_naming_them(client, bearer, sites, query, named):
    response = client.get("/fhir/R4/$export", query, **ASYNC, **bearer(Role.NEUROLOGIST))
    assert response.status_code == 400, response.content
    assert response.json()["issue"][0]["diagnostics"].startswith(named)


def test_patient_export_serves_only_the_patient_compartment(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    response = client.get("/fhir/R4/Patient/$export", {"_type": "Location"}, **ASYNC, **headers)
    assert response.status_code == 400
    patient = PatientFactory()
    make_twstrs(patient)
    url = kick_off(client, headers, path="/fhir/R4/Patient/$export",
                   _outputFormat="application/fhir+ndjson")
    types = {o["type"] for o in status(client, url, headers).json()["output"]}
    assert types == {"Patient", "Observation"}


def test_type_limits_the_export_and_since_keeps_what_changed(client, bearer, sites):
    old, new = PatientFactory(), PatientFactory()
    Patient.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    headers = bearer(Role.NEUROLOGIST)
    since = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = kick_off(client, headers, _type="Patient", _since=since)
    manifest = status(client, url, headers).json()
    assert [o["type"] for o in manifest["output"]] == ["Patient"]
    assert [p["id"] for p in download(client, manifest, headers)["Patient"]] == [str(new.pk)]


def test_an_export_with_nothing_to_write_has_no_files(client, bearer, sites):
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, _type="Observation")
    assert status(client, url, headers).json()["output"] == []


def test_another_user_gets_404_for_the_status_and_the_files(client, bearer, sites):
    PatientFactory()
    mine = bearer(Role.NEUROLOGIST)
    url = kick_off(client, mine, _type="Patient")
    file_url = status(client, url, mine).json()["output"][0]["url"]
    theirs = bearer(Role.NEUROLOGIST)
    assert client.get(url, **theirs).status_code == 404
    assert client.get(file_url, **theirs).status_code == 404
    assert client.delete(url, **theirs).status_code == 404
    assert client.get(file_url).status_code == 401


def test_delete_cancels_and_removes_the_files(client, bearer, sites):
    PatientFactory()
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, _type="Patient")
    export = BulkExport.objects.get()
    names = [f["name"] for f in export.files]
    assert names and all(default_storage.exists(n) for n in names)
    assert client.delete(url, **headers).status_code == 202
    assert not any(default_storage.exists(n) for n in names)
    assert client.get(url, **headers).status_code == 404
    export.refresh_from_db()
    assert export.state == ExportState.CANCELLED


def test_a_cancel_while_queued_stops_the_worker_before_it_starts(client, bearer, sites):
    PatientFactory()
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, run=False)
    assert client.delete(url, **headers).status_code == 202
    export = BulkExport.objects.get()
    assert bulk.bulk_export_run(export_id=export.pk) == ExportState.CANCELLED
    export.refresh_from_db()
    assert export.files == [] and export.state == ExportState.CANCELLED


def test_a_failed_export_is_500_with_its_reason(client, bearer, sites, monkeypatch):
    """A failure other than one record's mapping (here, reading the rows) fails the export
    (a record that fails to map is an OperationOutcome in the manifest's `error` list:
    test_bulk_types)."""
    PatientFactory()

    def broken(actor):
        raise RuntimeError("the database went away")

    sources = tuple(bulk.Source(s.type, broken, s.mapper, s.since, s.since_text, s.patient)
                    if s.type == "Patient" else s for s in bulk.SOURCES)
    monkeypatch.setattr(bulk, "SOURCES", sources)
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, _type="Patient")
    response = status(client, url, headers, 500)
    assert "the database went away" in response.json()["issue"][0]["diagnostics"]


def test_an_expired_export_is_gone_and_its_files_deleted(client, bearer, sites, settings):
    PatientFactory()
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, _type="Patient")
    export = BulkExport.objects.get()
    assert export.expires_at - export.finished_at == dt.timedelta(
        hours=settings.COLLIS_FHIR_BULK_EXPIRY_HOURS)
    file_url = status(client, url, headers).json()["output"][0]["url"]
    BulkExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(url, **headers).status_code == 410
    assert client.get(file_url, **headers).status_code == 410
    call_command("fhir_bulk_cleanup", stdout=open("/dev/null", "w"))  # noqa: SIM115
    export.refresh_from_db()
    assert export.state == ExportState.EXPIRED and export.files == []
    assert not default_storage.listdir(f"{bulk.STORAGE_PREFIX}/{export.pk}")[1]


def test_files_are_split_at_the_size_limit(client, bearer, sites, settings):
    PatientFactory.create_batch(3)
    settings.COLLIS_FHIR_BULK_FILE_BYTES = 10  # every resource is bigger: one per file
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, _type="Patient")
    manifest = status(client, url, headers).json()
    assert [o["count"] for o in manifest["output"]] == [1, 1, 1]
    assert len(download(client, manifest, headers)["Patient"]) == 3


def test_a_role_that_may_not_read_records_may_not_export(client, bearer, sites):
    response = client.get("/fhir/R4/$export", **ASYNC, **bearer(Role.CONTENT_EDITOR))
    assert response.status_code == 403
    # An auditor may export the audit log only (test_bulk_types), not the records.
    response = client.get("/fhir/R4/$export", {"_type": "Patient"}, **ASYNC,
                          **bearer(Role.AUDITOR))
    assert response.status_code == 403
    assert not BulkExport.objects.exists()


def test_a_page_of_patients_is_read_with_a_fixed_number_of_queries(sites, monkeypatch):
    """The cost of a page does not grow with the rows on it (no query per patient)."""
    from collis.core.tests.factories import UserFactory

    user = UserFactory(role=Role.NEUROLOGIST)
    monkeypatch.setattr(bulk, "PAGE_SIZE", 50)

    def queries_for(patients: int) -> int:
        BulkExport.objects.all().delete()
        for patient in PatientFactory.create_batch(patients):
            make_twstrs(patient)
        export = BulkExport.objects.create(requested_by=user, level="patient",
                                           request_url="/fhir/R4/Patient/$export",
                                           types=["Patient", "Observation"])
        with CaptureQueriesContext(connection) as queries:
            assert bulk.bulk_export_run(export_id=export.pk) == ExportState.DONE
        return len(queries)

    few = queries_for(2)
    many = queries_for(20)  # 22 patients in all, still one page of each type
    assert many == few
    assert few <= 20


def test_the_capability_statement_lists_both_exports(client):
    statement = client.get("/fhir/R4/metadata").json()
    assert validation_problems(statement) == []
    rest = statement["rest"][0]
    assert [o["definition"] for o in rest["operation"]] == [
        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"]
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export" in [
        o["definition"] for o in patient["operation"]]
    assert "Appointment: booked, or its status changed" in rest["operation"][0]["documentation"]

"""The bulk export written by several processes side by side (PostgreSQL, committed data):
the same resources in the same order as one process writes them, each page audited in
its patients' access histories, progress recorded, and a cancel or a failure in one of
the processes stopping the run and leaving no file behind."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from collis.assessments.tests.factories import make_diagnosis, make_twstrs
from collis.core.audit import Actor
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.fhir_api import bulk
from collis.fhir_api.models import BulkExport, ExportState
from collis.patients.models import Patient
from collis.patients.selectors import patient_access_history
from collis.patients.tests.factories import PatientFactory
from collis.surgery.tests.factories import episode_at
from collis.treatments.tests.factories import cycle_with

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media"),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="several processes write an export on PostgreSQL only"),
]
TYPES = ["Patient", "Condition", "Observation", "Procedure", "MedicationAdministration",
         "EpisodeOfCare"]


@pytest.fixture
def exporter(sites):
    from collis.core.tests.factories import UserFactory

    for number, patient in enumerate(PatientFactory.create_batch(20)):
        make_diagnosis(patient)
        make_twstrs(patient)
        cycle_with(patient, dt.date(2026, 6, 1))
        if number % 4 == 0:
            episode_at("listed", patient=patient)
    return UserFactory(role=Role.NEUROLOGIST)


def run(user, settings, processes: int, unit_rows: int = 7) -> BulkExport:
    settings.COLLIS_FHIR_BULK_PROCESSES = processes
    settings.COLLIS_FHIR_BULK_UNIT_ROWS = unit_rows
    export = BulkExport.objects.create(requested_by=user, level="system",
                                       request_url="/fhir/R4/$export", types=TYPES)
    bulk.bulk_export_run(export_id=export.pk)
    export.refresh_from_db()
    return export


def contents(export: BulkExport) -> dict[str, bytes]:
    found = {}
    for entry in export.files:
        with default_storage.open(entry["name"], "rb") as handle:
            data = handle.read()
        assert data.count(b"\n") == entry["count"]
        found[entry["type"]] = found.get(entry["type"], b"") + data
    return found


def test_several_processes_write_what_one_writes_in_the_same_order(exporter, settings):
    one = run(exporter, settings, processes=1)
    several = run(exporter, settings, processes=2)
    assert one.state == several.state == ExportState.DONE
    assert several.counts == one.counts and several.types_done == len(TYPES)
    assert contents(several) == contents(one)
    # Units of 7 rows: each type's rows are in several files, listed type by type.
    assert len(several.files) > len(one.files)
    listed = [entry["type"] for entry in several.files]
    assert listed == sorted(listed, key=TYPES.index)
    assert len({entry["name"] for entry in several.files}) == len(several.files)


def test_every_patient_written_by_any_process_has_it_in_their_access_history(
        exporter, settings):
    export = run(exporter, settings, processes=2, unit_rows=5)
    assert export.state == ExportState.DONE
    entries = AuditEvent.objects.filter(object_type="fhir_bulk_export",
                                        details__export=export.pk)
    assert entries.count() > 5  # a page per unit at least
    patients = list(Patient.objects.all())
    assert len(patients) == 20
    for patient in patients:
        history = patient_access_history(patient=patient, actor=Actor.command_line())
        summaries = [event.summary for event in history.events]
        assert any(s.startswith("Record included in a FHIR bulk export (Patient)")
                   for s in summaries), (patient.pk, summaries)


def test_a_cancel_seen_by_one_process_stops_the_run_and_leaves_no_file(
        exporter, settings, monkeypatch, media):
    audit_page = bulk._audit_page

    def cancelling(export, actor, source, page, written):
        audit_page(export, actor, source, page, written)
        if source.type == "Procedure":  # in a forked process, committed at once
            BulkExport.objects.filter(pk=export.pk).update(state=ExportState.CANCELLED)

    monkeypatch.setattr(bulk, "_audit_page", cancelling)
    export = run(exporter, settings, processes=2)
    assert export.state == ExportState.CANCELLED
    assert not default_storage.listdir(f"{bulk.STORAGE_PREFIX}/{export.pk}")[1]


def test_a_failure_in_one_process_fails_the_export_with_its_message(
        exporter, settings, monkeypatch):
    audit_page = bulk._audit_page

    def failing(export, actor, source, page, written):
        if source.type == "Observation":
            raise RuntimeError("the audit log could not be written")
        audit_page(export, actor, source, page, written)

    monkeypatch.setattr(bulk, "_audit_page", failing)
    export = run(exporter, settings, processes=2)
    assert export.state == ExportState.FAILED
    assert export.error == "the audit log could not be written"
    assert export.files == []
    assert not default_storage.listdir(f"{bulk.STORAGE_PREFIX}/{export.pk}")[1]

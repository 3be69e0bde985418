"""The bulk export's fast path (rows read as plain values, `mappers_fast`) writes exactly
what the validated mappers write from model instances: over the demo data, resource by
resource and file by file; and its pages cost a fixed number of queries."""

import dataclasses

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collis.core.audit import Actor
from collis.core.models import AccountType, Organisation, User
from collis.core.roles import Role
from collis.fhir_api import bulk
from collis.fhir_api.models import BulkExport, ExportState
from collis.fhir_api.validation import validation_problems
from collis.patients.tests.factories import PatientFactory
from collis.treatments.tests.factories import cycle_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
FAST_TYPES = ("Patient", "Procedure", "Appointment", "Slot")


@pytest.fixture
def demo(db):
    from collis.demo_data import demo_data_load

    demo_data_load(patients=40)
    return User.objects.create(username="fast-path-exporter", role=Role.NEUROLOGIST,
                               account_type=AccountType.STAFF,
                               organisation=Organisation.objects.default())


def fast_sources():
    return [s for s in bulk.SOURCES if s.plain is not None]


def test_every_source_with_a_fast_path_is_one_of_the_large_types():
    assert {s.type for s in fast_sources()} == set(FAST_TYPES)


def test_the_fast_path_gives_the_validated_mappers_resources_for_every_demo_row(demo):
    actor = Actor.command_line(demo)
    for source in fast_sources():
        rows = source.rows(actor)
        slow = [source.mapper(row) for page in bulk.keyset_pages(rows) for row in page]
        if source.type == "Slot":
            rows = rows.filter(pk__in=[int(r["id"]) for r in slow[::50]] + [
                int(r["id"]) for r in slow if r["status"] == "busy"])
            slow = [source.mapper(row) for page in bulk.keyset_pages(rows) for row in page]
        plain = source.plain()
        fast = [plain.mapper(row) for page in bulk.plain_pages(rows, plain, bulk._Users())
                for row in page]
        assert len(slow) > 30, source.type  # the demo gives each something to compare
        assert fast == slow, source.type
        for resource in fast[:50]:
            assert validation_problems(resource) == [], resource


def export_files(user, types) -> dict[str, bytes]:
    export = BulkExport.objects.create(requested_by=user, level="system",
                                       request_url="/fhir/R4/$export", types=list(types))
    assert bulk.bulk_export_run(export_id=export.pk) == ExportState.DONE
    export.refresh_from_db()
    found = {}
    for entry in export.files:
        with default_storage.open(entry["name"], "rb") as handle:
            found[entry["type"]] = found.get(entry["type"], b"") + handle.read()
    return found


def test_the_files_are_byte_for_byte_those_of_the_instances_path(demo, monkeypatch):
    fast = export_files(demo, FAST_TYPES)
    monkeypatch.setattr(bulk, "SOURCES", tuple(
        dataclasses.replace(s, plain=None) for s in bulk.SOURCES))
    slow = export_files(demo, FAST_TYPES)
    assert set(fast) == set(FAST_TYPES)
    assert fast == slow


def test_a_plain_page_costs_a_fixed_number_of_queries(sites, monkeypatch):
    from collis.core.tests.factories import UserFactory

    user = UserFactory(role=Role.NEUROLOGIST)
    monkeypatch.setattr(bulk, "PLAIN_PAGE_SIZE", 100)

    def queries_for(patients: int) -> int:
        BulkExport.objects.all().delete()
        for patient in PatientFactory.create_batch(patients):
            cycle_with(patient, patient.date_of_birth.replace(year=2025))
        export = BulkExport.objects.create(requested_by=user, level="system",
                                           request_url="/fhir/R4/$export",
                                           types=["Patient", "Procedure"])
        with CaptureQueriesContext(connection) as queries:
            assert bulk.bulk_export_run(export_id=export.pk) == ExportState.DONE
        return len(queries)

    assert queries_for(2) == queries_for(30)  # 32 patients in all: still one page each


def test_a_row_read_as_text_falls_back_to_the_validated_mapper_with_the_same_text(db):
    """A row the fast mapper hands to the validated mapper (here: no version) has the
    columns PostgreSQL wrote as text parsed back first, and comes out the same."""
    from collis.fhir_api import mappers, mappers_fast

    patient = PatientFactory()
    patient.version = None
    plain = bulk._plain_patient()
    row = plain.row_class({"pk": patient.pk, **{
        name: getattr(patient, name) for name in plain.fields}})
    row.updated_at = mappers._instant(patient.updated_at)
    row.date_of_birth = patient.date_of_birth.isoformat()
    assert mappers_fast.patient_resource(row) == mappers.patient_resource(patient)


def test_cancelled_and_confirmed_appointments_come_out_as_the_validated_mapper_makes_them(
        demo):
    """The demo's appointments are booked; cancel some (by the patient, by the hospital,
    with a reason) and confirm others, so the fast path's status history read by the
    query (last change, the cancellation's reason) is compared with the instances'."""
    from django.utils import timezone

    from collis.core.tests.factories import UserFactory
    from collis.scheduling.models import Appointment
    from collis.scheduling.services import appointment_cancel, appointment_status_record

    actor = Actor.command_line(UserFactory(role=Role.MDT_COORDINATOR))
    future = list(Appointment.objects.filter(starts_at__gt=timezone.now()).order_by("pk"))
    assert len(future) >= 9
    for number, appointment in enumerate(future[:9]):
        if number % 3 == 0:
            appointment_cancel(appointment=appointment, by_patient=True, actor=actor,
                               reason=f"Moving house ({number})")
        elif number % 3 == 1:
            appointment_cancel(appointment=appointment, by_patient=False, actor=actor,
                               reason="Clinician unwell")
        else:
            appointment_status_record(appointment=appointment, status="confirmed",
                                      actor=actor)
    source = next(s for s in bulk.SOURCES if s.type == "Appointment")
    rows = source.rows(Actor.command_line(demo))
    slow = [source.mapper(row) for page in bulk.keyset_pages(rows) for row in page]
    plain = source.plain()
    fast = [plain.mapper(row) for page in bulk.plain_pages(rows, plain, bulk._Users())
            for row in page]
    assert fast == slow
    reasons = [r["cancelationReason"]["text"] for r in fast if "cancelationReason" in r]
    assert len(reasons) == 6 and "Cancelled by the patient: Moving house (0)" in reasons

"""The audit log at scale: keyset pages with no count, filters that walk an index (checked
with EXPLAIN on PostgreSQL over a seeded log), one entry per search page listed in each
patient's access history, streamed exports, and monthly partitions with their archive."""

import csv
import gzip
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, AuditEvent, AuditEventPatient
from collis.core.roles import Role
from collis.core.selectors import AuditCursor, AuditFilters, audit_events_page
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="PostgreSQL partitions and plans")


@pytest.fixture
def patient(sites):
    return PatientFactory()


@pytest.fixture
def log(db, patient):
    """120 entries: every third about the patient, alternate users and actions."""
    actors = [Actor.command_line(UserFactory(username=name, role=Role.NEUROLOGIST))
              for name in ("ana", "ben")]
    for number in range(120):
        audit_record(actor=actors[number % 2],
                     action=AuditAction.VIEW if number % 3 else AuditAction.UPDATE,
                     patient_id=patient.pk if number % 3 == 0 else None,
                     summary=f"entry {number}")
    return list(AuditEvent.objects.order_by("-at", "-id"))


def walk(filters: AuditFilters, per_page: int = 25) -> list:
    """Every entry, by following "older" from the newest page."""
    seen, page = [], audit_events_page(filters, per_page=per_page)
    while True:
        seen += page.events
        if page.older is None:
            return seen
        page = audit_events_page(filters, before=page.older, per_page=per_page)


def test_older_pages_walk_the_whole_log_once_newest_first(log):
    assert walk(AuditFilters()) == log


def test_newer_goes_back_to_the_same_page(log):
    first = audit_events_page(AuditFilters(), per_page=25)
    second = audit_events_page(AuditFilters(), before=first.older, per_page=25)
    back = audit_events_page(AuditFilters(), after=second.newer, per_page=25)
    assert back.events == first.events and back.newer is None


def test_entries_in_the_same_microsecond_are_neither_lost_nor_repeated(db, patient):
    actor = Actor.command_line(UserFactory(role=Role.AUDITOR))
    at = timezone.now() - timedelta(minutes=1)
    AuditEvent.objects.bulk_create([AuditEvent(at=at, action=AuditAction.VIEW, channel="cli",
                                               summary=str(n)) for n in range(7)])
    audit_record(actor=actor, action=AuditAction.VIEW)
    entries = walk(AuditFilters(), per_page=3)
    assert len(entries) == len({e.pk for e in entries}) == 8


@pytest.mark.parametrize("filters, expected", [
    (AuditFilters(username="ana"), lambda e: e.actor_username == "ana"),
    (AuditFilters(action=AuditAction.UPDATE), lambda e: e.action == AuditAction.UPDATE),
    (AuditFilters(username="ben", action=AuditAction.UPDATE),
     lambda e: e.actor_username == "ben" and e.action == AuditAction.UPDATE),
])
def test_each_filter_pages_through_its_entries(log, filters, expected):
    assert walk(filters, per_page=7) == [e for e in log if expected(e)]


def test_the_patient_filter_pages_through_the_patients_index(log, patient):
    entries = walk(AuditFilters(patient_ids=(patient.pk,)), per_page=7)
    assert entries == [e for e in log if e.patient_id == patient.pk]
    assert len(entries) == 40


def test_the_date_filter_keeps_to_the_day(log):
    assert walk(AuditFilters(on=timezone.localdate())) == log
    assert walk(AuditFilters(on=timezone.localdate() - timedelta(days=1))) == []


def test_a_cursor_that_is_not_one_gives_the_newest_page(log):
    for text in ("", "x", "1.2.3", "99999999999999999999999.1", "-5.x"):
        cursor = AuditCursor.parse(text)
        page = audit_events_page(AuditFilters(), before=cursor, per_page=10)
        assert page.events == log[:10] or cursor is not None


def test_the_audit_log_page_counts_nothing_and_shows_newer_and_older(client_as, log):
    client = client_as(Role.AUDITOR)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/audit/")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(queries.captured_queries) <= 5
    body = response.content.decode()
    assert "Older" in body and "Newer" not in body
    older = re.search(r"before=([0-9.]+)", body).group(1)
    body = client.get("/audit/", {"before": older}).content.decode()
    shown = sorted(int(n) for n in re.findall(r"entry (\d+)<", body))
    assert "Newer" in body and shown == list(range(20, 70)), shown


def test_the_audit_log_filters_by_the_patients_nhs_number(client_as, log, patient):
    client = client_as(Role.AUDITOR)
    body = client.get("/audit/", {"patient": patient.nhs_number}).content.decode()
    shown = {f"entry {n}" for n in range(120) if f"entry {n}<" in body}
    assert shown == {f"entry {n}" for n in range(120) if n % 3 == 0 and n >= 120 - 3 * 50}
    response = client.get("/audit/", {"patient": "9434765919"})
    assert "No patient of your unit has this NHS number" in response.content.decode()


def test_the_log_is_exported_by_date_range_as_a_stream(client_as, log):
    client = client_as(Role.AUDITOR)
    today = timezone.localdate()
    days = {"start-day": today.day, "start-month": today.month, "start-year": today.year,
            "end-day": today.day, "end-month": today.month, "end-year": today.year}
    response = client.get("/audit/export/", days)
    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "at", "username"]
    assert {int(row[0]) for row in rows[1:]} >= {e.pk for e in log}
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_type="audit_log",
                                     actor=client.user).exists()
    bad = client.get("/audit/export/", {**days, "end-year": today.year - 1})
    assert bad.status_code == 200 and "The last day must be" in bad.content.decode()


def test_a_physiotherapist_cannot_export_the_log(client_as):
    assert client_as(Role.PHYSIOTHERAPIST).get("/audit/export/").status_code == 403


def test_every_entry_about_a_patient_is_in_their_index(db, patient):
    """However it was written: the database puts it there (a trigger)."""
    AuditEvent.objects.create(at=timezone.now(), action=AuditAction.VIEW, channel="cli",
                              patient_id=patient.pk)
    assert AuditEventPatient.objects.filter(patient_id=patient.pk).count() == 1


def test_the_patients_index_is_append_only(db, patient):
    audit_record(actor=Actor.command_line(), action=AuditAction.VIEW, patient_id=patient.pk)
    with pytest.raises(PermissionError):
        AuditEventPatient.objects.all().delete()
    with connection.cursor() as cursor, pytest.raises(Exception, match="append-only"):
        cursor.execute("UPDATE core_auditeventpatient SET at = at")


# PostgreSQL: plans over a seeded log, partitions and their archive.

SEED = """
INSERT INTO core_auditevent (at, actor_username, actor_role, action, channel, object_type,
  object_id, patient_id, summary, details, user_agent, path)
SELECT date_trunc('month', now()) + make_interval(secs => n * 0.1), 'user' || (n %% 40),
  'neurologist',
  (ARRAY['view','search','login','update'])[1 + n %% 4], 'web', 'patient', '',
  CASE WHEN n %% 4 = 0 THEN %s::uuid END, 'seeded', '{}', '', ''
FROM generate_series(1, 60000) AS n
"""


@postgres_only
def test_every_filter_of_the_log_walks_an_index_not_the_table(client_as, patient):
    with connection.cursor() as cursor:
        cursor.execute(SEED, [str(patient.pk)])
        cursor.execute("ANALYZE core_auditevent; ANALYZE core_auditeventpatient")
    client = client_as(Role.AUDITOR)
    older = audit_events_page(AuditFilters(), per_page=50).older
    today = timezone.localdate()
    for query in ({}, {"username": "user7"}, {"action": "login"},
                  {"patient": patient.nhs_number}, {"before": str(older)},
                  {"on-day": today.day, "on-month": today.month, "on-year": today.year}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/", query).status_code == 200
        reads = [q["sql"] for q in queries.captured_queries
                 if q["sql"].startswith("SELECT") and "core_auditevent" in q["sql"]]
        assert reads, query
        for sql in reads:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on core_auditevent" not in plan, (query, plan)
            assert "count(" not in sql.lower()


@postgres_only
def test_the_log_is_partitioned_by_month_with_append_only_partitions(db, patient):
    with connection.cursor() as cursor:
        cursor.execute("SELECT collis_audit_partitions_ensure('2011-03-01', '2011-03-01')")
        cursor.execute(
            "INSERT INTO core_auditevent (at, actor_username, actor_role, action, channel, "
            "object_type, object_id, patient_id, summary, details, user_agent, path) VALUES "
            "('2011-03-15 10:00+00', 'old', '', 'view', 'web', '', '', %s, '', '{}', '', '')",
            [str(patient.pk)])
        cursor.execute("SELECT count(*) FROM core_auditevent_y2011m03")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM core_auditeventpatient_y2011m03")
        assert cursor.fetchone()[0] == 1
        for statement in ("UPDATE core_auditevent_y2011m03 SET summary = 'x'",
                          "DELETE FROM core_auditeventpatient_y2011m03",
                          "TRUNCATE core_auditevent_y2011m03"):
            cursor.execute("SAVEPOINT probe")
            with pytest.raises(Exception, match="append-only"):
                cursor.execute(statement)
            cursor.execute("ROLLBACK TO SAVEPOINT probe")


@postgres_only
def test_archive_exports_a_month_checks_it_and_removes_it(db, patient, tmp_path):
    from collis.core.audit_partitions import archivable_months, month_archive

    with connection.cursor() as cursor:
        cursor.execute("SELECT collis_audit_partitions_ensure('2012-01-01', '2012-02-01')")
        for day in (3, 4, 5):
            cursor.execute(
                "INSERT INTO core_auditevent (at, actor_username, actor_role, action, channel, "
                "object_type, object_id, patient_id, summary, details, user_agent, path) "
                "VALUES (%s, 'old', '', 'view', 'web', '', '', %s, 'a, \"quoted\" one', '{}',"
                " '', '')", [datetime(2012, 1, day, tzinfo=UTC), str(patient.pk)])
        months = archivable_months(cursor, before=date(2012, 2, 1))
        assert months == ["_y2012m01"]
        manifest = month_archive(cursor, cursor.cursor, suffix="_y2012m01", directory=tmp_path)
        assert {entry["rows"] for entry in manifest.values()} == {3}
        with gzip.open(tmp_path / "core_auditevent_y2012m01.csv.gz", "rt") as back:
            rows = list(csv.DictReader(back))
        assert [row["summary"] for row in rows] == ['a, "quoted" one'] * 3
        assert json.loads((tmp_path / "core_audit_y2012m01.manifest.json").read_text())
        cursor.execute("SELECT to_regclass('core_auditevent_y2012m01')")
        assert cursor.fetchone()[0] is None
        cursor.execute("SELECT count(*) FROM core_auditevent WHERE at < '2012-02-01'")
        assert cursor.fetchone()[0] == 0


@postgres_only
def test_archive_refuses_months_inside_the_retention_period(db, capsys, tmp_path):
    from collis.cli import main

    assert main(["audit", "archive", "--before", f"{date.today():%Y-%m}",
                 "--to", str(tmp_path)]) == 2
    assert "local policy" in capsys.readouterr().err


def test_a_record_pages_reads_are_written_in_one_statement_before_it_is_sent(client_as,
                                                                               patient):
    client = client_as(Role.NEUROLOGIST)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/patients/{patient.pk}/diagnosis/")
    assert response.status_code == 200
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")
               and AuditEvent._meta.db_table in q["sql"]]
    assert len(inserts) == 1
    entries = AuditEvent.objects.filter(patient_id=patient.pk).order_by("id")
    assert [(e.object_type, e.actor_username) for e in entries] == [
        ("patient", client.user.username), ("diagnosis", client.user.username)]
    assert all(e.path == f"/patients/{patient.pk}/diagnosis/" for e in entries)
    assert AuditEventPatient.objects.filter(patient_id=patient.pk).count() == 2


def test_a_read_after_the_batch_is_written_is_written_at_once(db, patient, rf):
    from collis.core.audit import AuditBatch

    request = rf.get("/")
    request.user = UserFactory(role=Role.NEUROLOGIST)
    request._collis_audit_batch = batch = AuditBatch()
    actor = Actor.from_request(request)
    audit_record(actor=actor, action=AuditAction.VIEW, patient_id=patient.pk, summary="page")
    audit_record(actor=actor, action=AuditAction.UPDATE, patient_id=patient.pk,
                 summary="a change is written at once")
    assert list(AuditEvent.objects.values_list("summary", flat=True)) == [
        "a change is written at once"]
    batch.write()
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, patient_id=patient.pk,
                 summary="streamed later")
    assert sorted(AuditEvent.objects.values_list("summary", flat=True)) == [
        "a change is written at once", "page", "streamed later"]

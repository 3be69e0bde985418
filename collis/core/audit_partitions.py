"""The audit log's monthly partitions on PostgreSQL (declarative partitioning by range of
`at`), shared by migration 0007 and the `collis audit` command.

Both `core_auditevent` and `core_auditeventpatient` are partitioned by month. Every
partition refuses UPDATE and DELETE (the parents' row triggers are cloned onto each) and
TRUNCATE (a statement trigger added to each, since statement triggers are not cloned), and
only the owner may read or write a partition directly: the application reaches them through
the parent tables. A default partition takes any entry outside the months made, so an entry
can never fail to be written; `collis audit partitions` makes the months ahead.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from datetime import date
from pathlib import Path

AUDIT_TABLES = ("core_auditevent", "core_auditeventpatient")

# The functions the migration installs. A month's partition is named <table>_yYYYYmMM.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION collis_audit_partition_guard(partition text) RETURNS void AS $$
DECLARE grantee text;
BEGIN
  EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                 'EXECUTE FUNCTION collis_audit_no_truncate()', partition || '_no_truncate',
                 partition);
  EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', partition);
  FOR grantee IN SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
                  WHERE g.table_name = partition AND g.grantee <> current_user LOOP
    EXECUTE format('REVOKE ALL ON %I FROM %I', partition, grantee);
  END LOOP;
END;
$$ LANGUAGE plpgsql;

-- Every entry about one patient is in that patient's index, however it was written.
CREATE OR REPLACE FUNCTION collis_audit_patient_link() RETURNS trigger AS $$
BEGIN
  INSERT INTO core_auditeventpatient (patient_id, at, event_id)
  VALUES (NEW.patient_id, NEW.at, NEW.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION collis_audit_partitions_ensure(first date, last date)
RETURNS integer AS $$
DECLARE month date; parent text; partition text; made integer := 0;
BEGIN
  month := date_trunc('month', first)::date;
  WHILE month <= last LOOP
    FOREACH parent IN ARRAY ARRAY['core_auditevent', 'core_auditeventpatient'] LOOP
      partition := parent || to_char(month, '"_y"YYYY"m"MM');
      IF to_regclass(partition) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       partition, parent, to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
                       to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
        PERFORM collis_audit_partition_guard(partition);
        made := made + 1;
      END IF;
    END LOOP;
    month := (month + interval '1 month')::date;
  END LOOP;
  RETURN made;
END;
$$ LANGUAGE plpgsql;
"""

# Per table: its primary key and indexes as they are on the partitioned parent (names as in
# the models, so that later migrations find them).
TABLES = {
    "core_auditevent": {
        "primary_key": "(id, at)",
        "indexes": {"audit_at_id": "(at, id)", "audit_username_at": "(actor_username, at, id)",
                    "audit_action_at": "(action, at, id)"},
        "identity": "id",
    },
    "core_auditeventpatient": {
        "primary_key": "(patient_id, at, event_id)",
        "indexes": {},
        "identity": None,
    },
}


def _table_partitioned(table: str, spec: dict) -> list[str]:
    old = f"{table}_unpartitioned"
    statements = [
        f"ALTER TABLE {table} RENAME TO {old}",
        f"ALTER TABLE {old} RENAME CONSTRAINT {table}_pkey TO {old}_pkey",
        *(f"DROP INDEX {name}" for name in spec["indexes"]),
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY) "
        "PARTITION BY RANGE (at)",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY {spec['primary_key']}",
        *(f"CREATE INDEX {name} ON {table} {columns}"
          for name, columns in spec["indexes"].items()),
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION collis_audit_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION collis_audit_no_truncate()",
        f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT",
        f"SELECT collis_audit_partition_guard('{table}_default')",
    ]
    return statements


def partitioned_forward(schema_editor) -> None:
    """Turn both audit tables into partitioned ones, keeping every row (migration 0007)."""
    def execute(sql):
        schema_editor.execute(sql, params=None)

    execute(FUNCTIONS)
    for table, spec in TABLES.items():
        for statement in _table_partitioned(table, spec):
            execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(at) FROM core_auditevent_unpartitioned")
        oldest = cursor.fetchone()[0]
    first = (oldest.date() if oldest else date.today()).replace(day=1)
    execute(f"SELECT collis_audit_partitions_ensure('{first}', "
            "(current_date + interval '12 months')::date)")
    for table, spec in TABLES.items():
        execute(f"INSERT INTO {table} SELECT * FROM {table}_unpartitioned")
        execute(f"DROP TABLE {table}_unpartitioned")
        if spec["identity"]:
            column = spec["identity"]
            execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")
    # After the copy: the links of the entries so far were copied with them.
    execute("CREATE TRIGGER core_auditevent_patient_link AFTER INSERT ON core_auditevent "
            "FOR EACH ROW WHEN (NEW.patient_id IS NOT NULL) "
            "EXECUTE FUNCTION collis_audit_patient_link()")


def partitions_ensure(cursor, *, months_ahead: int = 12) -> int:
    """Make the partitions of this month and the months ahead that are missing; the number
    of tables made. Needs the owner's rights (the application's role cannot)."""
    cursor.execute("SELECT collis_audit_partitions_ensure(current_date, "
                   "(current_date + make_interval(months => %s))::date)", [months_ahead])
    return cursor.fetchone()[0]


def archivable_months(cursor, *, before: date) -> list[str]:
    """The suffixes (`_yYYYYmMM`) of the months with partitions that end on or before
    `before`, oldest first."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'core_auditevent'::regclass AND c.relname ~ '_y[0-9]{4}m[0-9]{2}$' "
        "ORDER BY c.relname")
    months = [name.removeprefix("core_auditevent") for (name,) in cursor.fetchall()]
    return [m for m in months if date(int(m[2:6]), int(m[7:9]), 1) < before.replace(day=1)]


def month_archive(cursor, raw_cursor, *, suffix: str, directory: Path) -> dict:
    """Export one month of both audit tables to gzipped CSV files in `directory`, check the
    files hold every row, then detach and drop the month's partitions. The manifest returned
    (and written beside them) gives each file's rows and SHA-256."""
    manifest = {}
    for table in AUDIT_TABLES:
        partition = f"{table}{suffix}"
        path = directory / f"{partition}.csv.gz"
        if path.exists():
            raise FileExistsError(f"{path} exists already: archive into another folder")
        cursor.execute(f"SELECT count(*) FROM {partition}")
        rows = cursor.fetchone()[0]
        with gzip.open(path, "wb") as out, raw_cursor.copy(
                f"COPY (SELECT * FROM {partition} ORDER BY at) TO STDOUT "
                "WITH (FORMAT csv, HEADER)") as copy:
            for data in copy:
                out.write(data)
        with gzip.open(path, "rt", newline="") as back:
            written = sum(1 for _ in csv.reader(back)) - 1
        if written != rows:
            raise RuntimeError(f"{path} holds {written} rows of {rows}: nothing was removed")
        manifest[path.name] = {"table": table, "rows": rows,
                               "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    (directory / f"core_audit{suffix}.manifest.json").write_text(json.dumps(manifest, indent=2))
    for table in AUDIT_TABLES:
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {table}{suffix}")
        cursor.execute(f"DROP TABLE {table}{suffix}")
    return manifest

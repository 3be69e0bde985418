"""The README's "Backup and restore" steps, round trip: seed a database (audit rows
included), back it up to a named file, change the data, restore from that file, and find
every table exactly as it was backed up, with the audit log still append-only.

SQLite through `collis backup` / `collis restore`; PostgreSQL through pg_dump and
pg_restore on the server at 127.0.0.1:5432 (user postgres, trust), in throwaway databases
with unique names that are dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from collis.backup import table_rows

pytestmark = pytest.mark.backup

REPO = Path(__file__).resolve().parents[1]
COLLIS = ".venv/bin/collis"
POSTGRES = "postgres://postgres@127.0.0.1:5432"


def readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def environment(database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("COLLIS_", "DJANGO_", "DATABASE_URL"))}
    return env | {"DJANGO_SETTINGS_MODULE": "collis.config.settings.local",
                  "DATABASE_URL": database_url}


def run(command: list[str], env: dict[str, str], expect: int = 0) -> str:
    result = subprocess.run(command, cwd=REPO, env=env, text=True,  # noqa: S603
                            capture_output=True, timeout=180, check=False)
    assert result.returncode == expect, (
        f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def seed(env: dict[str, str], patients: int) -> None:
    """The demo data: sites, staff, patients with a history, and their audit rows."""
    run([COLLIS, "demo-data", "--patients", str(patients), "--no-logins"], env)


# SQLite ---------------------------------------------------------------------------------

def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return table_rows(connection)
    finally:
        connection.close()


def crash_leaving_a_write_ahead_log(database: Path) -> None:
    """Change a patient and stop without a checkpoint, as a killed server would: the
    change is only in database-wal."""
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute(\"UPDATE patients_patient SET family_name = 'CHANGED-AFTER-BACKUP'\")\n"
        "c.commit()\n"
        "os._exit(0)\n")
    subprocess.run([str(REPO / ".venv/bin/python"), "-c", script, str(database)],  # noqa: S603
                   check=True, timeout=60)
    assert Path(f"{database}-wal").stat().st_size > 0


def change_sqlite(database: Path) -> None:
    """Change the data after the backup: a patient renamed, an audit row added."""
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE patients_patient SET given_name = 'Changed'")
        columns = ", ".join(f'"{column}"' for (_, column, *_) in connection.execute(
            "PRAGMA table_info(core_auditevent)") if column != "id")
        connection.execute(f"INSERT INTO core_auditevent ({columns}) "  # noqa: S608
                           f"SELECT {columns} FROM core_auditevent LIMIT 1")
    connection.close()


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory):
    """A migrated database with the demo data, made once and copied for each test."""
    database = tmp_path_factory.mktemp("seeded") / "collis.sqlite3"
    env = environment(f"sqlite:///{database}")
    run([COLLIS, "manage", "migrate", "--no-input", "--verbosity", "0"], env)
    seed(env, patients=2)
    return database


@pytest.fixture
def sqlite_database(seeded_sqlite, tmp_path):
    database = tmp_path / "var" / "collis.sqlite3"
    database.parent.mkdir()
    with sqlite3.connect(seeded_sqlite) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return database, environment(f"sqlite:///{database}")


def test_the_readme_restores_sqlite_with_collis_restore_not_cp():
    section = readme_section("Backup and restore")
    assert ".venv/bin/collis backup " in section
    assert ".venv/bin/collis restore " in section
    assert not [line for line in section.splitlines() if line.startswith("cp ")]


def test_sqlite_round_trip_restores_every_table_as_backed_up(sqlite_database, tmp_path):
    database, env = sqlite_database
    backup = tmp_path / "backups" / "collis-backup.sqlite3"

    output = run([COLLIS, "backup", str(backup)], env)
    assert f"to {backup}" in output
    assert not Path(f"{backup}-wal").exists()
    backed_up = sqlite_rows(backup)
    assert backed_up["core_auditevent"], "the seed wrote no audit rows"
    assert backed_up["patients_patient"]

    # Change the data, then change it again leaving the change only in the WAL.
    change_sqlite(database)
    crash_leaving_a_write_ahead_log(database)

    # What the old README's `cp` restore did: the stale WAL is replayed over the backup.
    copied = tmp_path / "cp-restore"
    copied.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{database}{suffix}", copied / f"collis.sqlite3{suffix}")
    shutil.copyfile(backup, copied / "collis.sqlite3")
    with sqlite3.connect(copied / "collis.sqlite3") as wrong:
        names = {name for (name,) in wrong.execute("SELECT family_name FROM patients_patient")}
    assert "CHANGED-AFTER-BACKUP" in names, "the cp scenario no longer shows the problem"

    output = run([COLLIS, "restore", str(backup)], env)
    assert "checked table by table" in output

    restored = sqlite_rows(database)
    assert restored.keys() == backed_up.keys()
    for table, rows in backed_up.items():
        assert restored[table] == rows, f"{table} differs from the backup"
    assert not Path(f"{database}-wal").exists() or Path(f"{database}-wal").stat().st_size == 0

    # The database as it was before the restore is kept beside it, changes and all.
    (previous,) = database.parent.glob("collis.sqlite3.before-restore-*")
    before = sqlite_rows(previous)
    assert len(before["core_auditevent"]) == len(backed_up["core_auditevent"]) + 1
    assert all("CHANGED-AFTER-BACKUP" in row for row in before["patients_patient"])

    # The audit log's append-only trigger came back with the schema.
    with sqlite3.connect(database) as connection, pytest.raises(
            sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE core_auditevent SET summary = 'edited'")


def test_sqlite_restore_refuses_while_collis_has_the_database_open(sqlite_database, tmp_path):
    database, env = sqlite_database
    backup = tmp_path / "collis-backup.sqlite3"
    run([COLLIS, "backup", str(backup)], env)
    before = sqlite_rows(database)

    running = sqlite3.connect(database)  # as a gunicorn worker would
    try:
        running.execute("SELECT count(*) FROM patients_patient").fetchone()
        output = run([COLLIS, "restore", "--no-keep", str(backup)], env, expect=2)
    finally:
        running.close()
    assert "stop Collis" in output
    assert sqlite_rows(database) == before


def test_sqlite_backup_never_overwrites_a_file_and_restore_refuses_other_files(
        sqlite_database, tmp_path):
    database, env = sqlite_database
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"an older backup")
    assert "already exists" in run([COLLIS, "backup", str(existing)], env, expect=2)
    assert existing.read_bytes() == b"an older backup"

    assert "not an SQLite database" in run([COLLIS, "restore", str(existing)], env, expect=2)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text)")
    assert "not Collis's" in run([COLLIS, "restore", str(other)], env, expect=2)
    assert sqlite_rows(database)["patients_patient"]


# PostgreSQL -----------------------------------------------------------------------------

def postgres_or_skip():
    """Skip, saying why, without the PostgreSQL client tools or server; in CI, which has
    both, fail instead."""
    unavailable = pytest.fail if os.environ.get("CI") == "true" else pytest.skip
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed (apt-get install postgresql-client)")
    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        unavailable(f"no PostgreSQL server at 127.0.0.1:5432 with trust auth for user "
                    f"postgres ({str(error).strip()}); CI has one")


def postgres_rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), and the audit trigger's definition."""
    with psycopg.connect(url) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        rows = {}
        for table in tables:
            query = sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
            rows[table] = sorted(connection.execute(query).fetchall(), key=repr)
        rows["triggers"] = connection.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
            "ORDER BY 1, 2").fetchall()  # cloned triggers share a name
    return rows


def change_postgres(url: str) -> None:
    """A patient renamed, an audit row added."""
    with psycopg.connect(url) as connection:
        connection.execute("UPDATE patients_patient SET given_name = 'Changed'")
        columns = sql.SQL(", ").join(sql.Identifier(column) for (column,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'core_auditevent' AND column_name <> 'id' ORDER BY ordinal_position"))
        connection.execute(sql.SQL(
            "INSERT INTO core_auditevent ({columns}) SELECT {columns} FROM core_auditevent "
            "LIMIT 1").format(columns=columns))


def test_postgres_round_trip_restores_every_table_from_the_named_dump(tmp_path):
    postgres_or_skip()
    name = f"collis_backup_{uuid.uuid4().hex[:10]}"
    databases = (name, f"{name}_restoring", f"{name}_before_restore")
    server = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)
    try:
        server.execute(sql.SQL("CREATE DATABASE {}").format(
            sql.Identifier(name)))
        env = environment(f"{POSTGRES}/{name}")
        run([COLLIS, "manage", "migrate", "--no-input", "--verbosity", "0"], env)
        seed(env, patients=2)

        # The README's steps, with this test's names: dump to one named file...
        backup = tmp_path / f"{name}.dump"
        run(["pg_dump", "--format=custom", f"--file={backup}", f"{POSTGRES}/{name}"], env)
        backed_up = postgres_rows(f"{POSTGRES}/{name}")
        assert backed_up["core_auditevent"], "the seed wrote no audit rows"
        assert backed_up["triggers"]

        change_postgres(f"{POSTGRES}/{name}")  # the data changes after the backup
        assert postgres_rows(f"{POSTGRES}/{name}") != backed_up

        # ...and restore exactly that file into a new database, then swap it into place.
        run(["psql", "-v", "ON_ERROR_STOP=1", f"{POSTGRES}/postgres",
             "-c", f"CREATE DATABASE {name}_restoring"], env)
        run(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
             f"--dbname={POSTGRES}/{name}_restoring", str(backup)], env)
        run(["psql", "-v", "ON_ERROR_STOP=1", f"{POSTGRES}/postgres",
             "-c", f"ALTER DATABASE {name} RENAME TO {name}_before_restore",
             "-c", f"ALTER DATABASE {name}_restoring RENAME TO {name}"], env)

        restored = postgres_rows(f"{POSTGRES}/{name}")
        assert restored.keys() == backed_up.keys()
        for table, rows in backed_up.items():
            assert restored[table] == rows, f"{table} differs from the dump"

        # The audit log's append-only trigger came back with the schema.
        with psycopg.connect(f"{POSTGRES}/{name}") as connection:
            for statement in ("UPDATE core_auditevent SET summary = 'edited'",
                              "DELETE FROM core_auditevent"):
                with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                    connection.execute(statement)
                connection.rollback()
    finally:
        for database in databases:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database)))
        server.close()

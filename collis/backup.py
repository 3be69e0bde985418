"""Backing up and restoring the SQLite database through SQLite's online backup API.

A backup is one self-contained file (no `-wal` beside it), written under a temporary name
and renamed only once it is complete and passes SQLite's integrity check. A restore copies
the backup's pages into the database through the same API, inside SQLite's own locking,
so a stale write-ahead log of the old database can never be replayed over the restored
one (copying the file with `cp` allows exactly that); the restored database is then
compared table by table with the backup. PostgreSQL uses pg_dump and pg_restore instead
(README, "Backup and restore").
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class BackupError(Exception):
    """A backup or restore that was refused; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class DatabaseSummary:
    tables: int
    rows: int
    digest: str  # SHA-256 over the schema and every table's rows


@dataclass(frozen=True, slots=True)
class RestoreResult:
    summary: DatabaseSummary
    previous: Path | None  # the database as it was before the restore, kept beside it


def table_rows(connection: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every table's rows in rowid order, and the schema (tables, indexes and triggers)
    under the key "sqlite_schema", for comparing two databases."""
    names = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    rows = {name: connection.execute(
                f"SELECT * FROM {_quoted(name)} ORDER BY rowid").fetchall()  # noqa: S608
            for name in names}
    rows["sqlite_schema"] = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name").fetchall()
    return rows


def _quoted(identifier: str) -> str:
    """A table name from the database's own schema, quoted as an SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def summarise(connection: sqlite3.Connection) -> DatabaseSummary:
    rows = table_rows(connection)
    digest = hashlib.sha256()
    for name, table in rows.items():
        digest.update(repr((name, table)).encode())
    data_tables = [name for name in rows if name != "sqlite_schema"]
    return DatabaseSummary(tables=len(data_tables),
                           rows=sum(len(rows[name]) for name in data_tables),
                           digest=digest.hexdigest())


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_integrity(connection, path)
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        connection.close()
        raise BackupError(f"{path} is not an SQLite database ({error}).") from error
    if "django_migrations" not in tables:
        connection.close()
        raise BackupError(f"{path} is an SQLite database but not Collis's (it has no "
                          "django_migrations table).")
    return connection


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise BackupError(f"{path} fails SQLite's integrity check: {result[:3]}")


def sqlite_backup(*, database: Path, target: Path) -> DatabaseSummary:
    """Copy `database` to the new file `target` while Collis may be running. Refuses to
    overwrite an existing file: each backup has a name of its own."""
    database, target = Path(database), Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists: give each backup a new name.")
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    source = sqlite3.connect(database, timeout=20)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            # The copy of a WAL database is marked WAL too: make it a single file.
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(copy, target)
            summary = summarise(copy)
        finally:
            copy.close()
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return summary


def sqlite_restore(*, backup: Path, database: Path, keep_previous: bool = True) -> RestoreResult:
    """Replace the contents of `database` with those of the backup file, with Collis
    stopped. The database as it was is first backed up beside it (unless keep_previous is
    False), and the result is checked against the backup, table by table."""
    backup, database = Path(backup), Path(database)
    if database.exists() and backup.resolve() == database.resolve():
        raise BackupError("The backup and the database are the same file.")
    source = _open_read_only(backup)
    try:
        expected = summarise(source)
        previous = None
        if keep_previous and database.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            previous = database.with_name(f"{database.name}.before-restore-{stamp}")
            sqlite_backup(database=database, target=previous)
        database.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(database, timeout=1)
        try:
            # Leaving WAL mode checkpoints and removes the old database's -wal file, and
            # needs the only connection: it fails while Collis is still using the file.
            try:
                target.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError as error:
                raise BackupError(f"{database} is in use ({error}): stop Collis (gunicorn "
                                  "and db_worker) and try again.") from error
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(target, database)
            restored = summarise(target)
            target.execute("PRAGMA journal_mode=WAL")  # as Collis opens it
        finally:
            target.close()
    finally:
        source.close()
    if restored != expected:
        raise BackupError(f"{database} does not match {backup} after the restore "
                          f"({restored} != {expected}).")
    return RestoreResult(summary=restored, previous=previous)

"""scripts/postgres-roles.sql: the running application's role cannot empty the audit log,
alter it or switch off its triggers; the owner runs migrations. Needs the PostgreSQL server
that CI provides (127.0.0.1:5432, trust authentication)."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVER = os.environ.get("COLLIS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _psql(url: str, *args: str, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],  # noqa: S603, S607
                          capture_output=True, text=True, check=check, timeout=120)


@pytest.fixture
def roles_database():
    if not shutil.which("psql") or _psql(f"{SERVER}/postgres", "-c", "SELECT 1",
                                         check=False).returncode:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at {SERVER}")
        pytest.skip(f"PostgreSQL is not reachable at {SERVER}")
    suffix = uuid.uuid4().hex[:8]
    db, owner, app = f"collis_roles_{suffix}", f"collis_owner_{suffix}", f"collis_app_{suffix}"
    _psql(f"{SERVER}/postgres", "-c", f'CREATE ROLE "{owner}" LOGIN',
          "-c", f'CREATE DATABASE "{db}" OWNER "{owner}"')
    try:
        yield db, owner, app
    finally:
        _psql(f"{SERVER}/postgres", "-c", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)',
              "-c", f'DROP ROLE IF EXISTS "{app}"', check=False)
        _psql(f"{SERVER}/postgres", "-c", f'DROP ROLE IF EXISTS "{owner}"', check=False)


def test_the_applications_role_cannot_empty_alter_or_unguard_the_audit_log(roles_database):
    db, owner, app = roles_database
    env = {**os.environ, "DATABASE_URL": f"postgres://{owner}@127.0.0.1:5432/{db}",
           "DJANGO_SETTINGS_MODULE": "collis.config.settings.local"}
    subprocess.run([sys.executable, "-m", "collis.cli", "manage", "migrate", "--no-input",  # noqa: S603
                    "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    _psql(f"{SERVER}/postgres", "-v", f"owner={owner}", "-v", f"app={app}", "-v", f"db={db}",
          "-f", str(ROOT / "scripts" / "postgres-roles.sql"))
    as_app = f"postgres://{app}@127.0.0.1:5432/{db}"
    # The application can do its work: read, and append to the audit log.
    _psql(as_app, "-c", "INSERT INTO core_auditevent (at, action, channel, object_type, "
          "object_id, summary, details, actor_username, actor_role, user_agent, path) "
          "VALUES (now(), 'view', 'cli', '', '', 'roles test', '{}', '', '', '', '')",
          "-c", "SELECT count(*) FROM patients_patient")
    for statement in ("TRUNCATE core_auditevent",
                      "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
                      "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
                      "DELETE FROM core_auditevent",
                      "UPDATE core_auditevent SET summary = 'changed'",
                      "ALTER TABLE patients_patient ADD COLUMN x int",
                      "TRUNCATE patients_patient CASCADE"):
        result = _psql(as_app, "-c", statement, check=False)
        assert result.returncode != 0, f"the application's role could run: {statement}"
        assert "permission denied" in result.stderr or "must be owner" in result.stderr, (
            statement, result.stderr)
    count = _psql(as_app, "-t", "-c", "SELECT count(*) FROM core_auditevent "
                  "WHERE summary = 'roles test'").stdout.strip()
    assert count == "1"

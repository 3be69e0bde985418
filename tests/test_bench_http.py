"""`collis bench --http` in miniature: a few hundred patients, a few thousand audit entries,
one second per run at two connections, on a SQLite file of the test's own. The whole
harness runs (collectstatic, gunicorn with the production settings, real sessions, the
CSRF pair, an API token, wrk and its Lua script) and its table must parse with no errors."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from collis.bench_http import AUDIT_CLASSES, CLASS_LABELS, LOAD_CLASSES

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(shutil.which("wrk") is None,
                       reason="wrk is not installed (apt-get install wrk): the HTTP "
                              "benchmark drives its load with it"),
]

REPO = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^  (?P<label>.+?)\s+(?P<c>\d+)\s+(?P<rate>[\d.]+)\s+(?P<p50>[\d.]+)\s+"
                 r"(?P<p95>[\d.]+)\s+(?P<p99>[\d.]+)\s+(?P<requests>\d+)\s+(?P<errors>\d+)$")


def test_the_http_benchmark_runs_end_to_end_with_no_errors(tmp_path):
    database = tmp_path / "bench.sqlite3"
    # SQLite whatever the suite runs on: the benchmark's own settings come from the harness.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("COLLIS_", "DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(  # noqa: S603
        [str(REPO / ".venv" / "bin" / "collis"), "bench", "--http", "--patients", "300",
         "--histories", "6", "--duration", "1", "--concurrency", "2",
         "--audit-concurrency", "2", "--audit-rows", "3000", "--sqlite", str(database)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"

    rows = {}
    for line in result.stdout.splitlines():
        match = ROW.match(line)
        if match and match["label"] in CLASS_LABELS.values():
            rows[match["label"]] = match
    assert set(rows) == {CLASS_LABELS[name] for name in (*LOAD_CLASSES, *AUDIT_CLASSES)}
    for label, row in rows.items():
        assert int(row["c"]) == 2, label
        assert int(row["requests"]) > 0, label
        assert float(row["rate"]) > 0, label
        assert 0 < float(row["p50"]) <= float(row["p95"]) <= float(row["p99"]), label
        assert int(row["errors"]) == 0, label
    assert re.search(r"^  [\d,]+ requests, 0 errors$", result.stdout, re.MULTILINE)

    with sqlite3.connect(database) as connection:
        # The seeds: patients with histories, the audit log grown to its size, and the
        # form writes of the load stored as TWSTRS assessments of today.
        assert connection.execute("SELECT count(*) FROM patients_patient").fetchone()[0] == 300
        entries = connection.execute("SELECT count(*) FROM core_auditevent").fetchone()[0]
        assert entries >= 3000
        assert connection.execute(
            "SELECT count(*) FROM core_auditevent WHERE user_agent LIKE '%bench seed%'"
        ).fetchone()[0] > 2000
        assert connection.execute(
            "SELECT count(*) FROM assessments_scaleassessment WHERE notes LIKE 'Bench load%'"
        ).fetchone()[0] > 0

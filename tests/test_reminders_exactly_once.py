"""Every appointment message is sent exactly once with any number of web servers and task
workers on one PostgreSQL (issue 12, item 7; ADR 0018): two gunicorn servers and two
`db_worker` processes on a fresh database, appointments booked (and one cancelled) through
HTTP on both servers, the reminders falling due while both workers run and while two more
processes queue every due message again. Each email and text message the workers sent is
read back from their output (the console backends) and matched to the outbox rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_production import Browser, production_environment, sign_in, spare_port

pytestmark = pytest.mark.production

REPO = Path(__file__).resolve().parents[1]
COLLIS = str(Path(sys.executable).parent / "collis")
ADMIN_URL = os.environ.get("COLLIS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PATIENTS = 8
# Seconds from the start of the test to the reminders' due time: enough for the servers to
# start and every booking to be made before it (a reminder already due is not planned).
DUE_AFTER = 75

SETUP = """
import datetime as dt, json
from django.utils import timezone
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.reminders.services import contact_preference_record
from collis.scheduling import services
from collis.scheduling.tests.factories import room_at
start = dt.datetime.fromisoformat("{start}")
coordinator = UserFactory(username="coordinator", role=Role.MDT_COORDINATOR)
actor = Actor.command_line(coordinator)
nurse = UserFactory(username="nurse", role=Role.NURSE_SPECIALIST)
series = services.clinic_series_create(
    appointment_type="toxin", room=room_at(), clinicians=[nurse], first_day=start.date(),
    starts=start.time(), ends=(start + dt.timedelta(minutes=20)).time(), capacity={patients},
    actor=actor)
slot = series.sessions.get().slots.get()
patients = []
for n in range({patients}):
    patient = PatientFactory(email=f"patient{{n}}@example.org", phone=f"07700 900{{n:03d}}")
    contact_preference_record(patient=patient, email_ok=True, sms_ok=True, actor=actor)
    patients.append(str(patient.pk))
print(json.dumps({{"slot": slot.pk, "patients": patients}}))
"""


def _postgres():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {ADMIN_URL}: {error}")


@pytest.fixture
def database():
    """A fresh PostgreSQL database of its own, dropped afterwards."""
    admin = _postgres()
    name = f"collis_once_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _start(command: list[str], env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("w"),  # noqa: S603
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, f"gunicorn exited:\n{log.read_text()}"
        try:
            Browser(port).get("/login/")
            return
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not answer within 90 s"
            time.sleep(0.3)


def _book(browser: Browser, patient_id: str, slot_id: int) -> str:
    path = f"/patients/{patient_id}/appointments/book/?slot={slot_id}"
    response, content = browser.get(path)
    assert response.status == 200, content[:500]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    response, content = browser.request("POST", path, body={
        "csrfmiddlewaretoken": token.decode(), "slot": str(slot_id)})
    assert response.status == 302, content[:2000]
    return response.headers["Location"]


def _cancel(browser: Browser, appointment_path: str) -> None:
    path = appointment_path.rstrip("/") + "/cancel/"
    response, content = browser.get(path)
    assert response.status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    response, content = browser.request("POST", path, body={
        "csrfmiddlewaretoken": token.decode(), "cancelled_by": "patient",
        "reason": "Away that week"})
    assert response.status == 302, content[:2000]


def _messages(url: str) -> list[dict]:
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT m.id, m.appointment_id, m.kind, m.channel, m.state, m.skip_reason, "
            "a.status FROM reminders_appointmentmessage m "
            "JOIN scheduling_appointment a ON a.id = m.appointment_id").fetchall()
    keys = ("id", "appointment", "kind", "channel", "state", "skip_reason", "status")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def test_two_web_servers_and_two_workers_send_every_reminder_exactly_once(tmp_path, database):
    from zoneinfo import ZoneInfo

    # The clinic is the next one at 10:00 in London (inside the working day, local policy),
    # whenever the test runs; the reminders' lead time is set below so that they fall due
    # while the servers and workers run.
    london = dt.datetime.now(ZoneInfo("Europe/London"))
    start = london.replace(hour=10, minute=0, second=0, microsecond=0)
    if start < london + dt.timedelta(minutes=15):
        start = (start + dt.timedelta(days=1)).replace(hour=10)

    ports = [spare_port(), spare_port()]
    env = production_environment(tmp_path, ports[0])
    env.update({
        "DATABASE_URL": database,
        "COLLIS_CSRF_TRUSTED_ORIGINS": ",".join(f"https://127.0.0.1:{p}" for p in ports),
        "COLLIS_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "COLLIS_SMS_BACKEND": "collis.reminders.sms.ConsoleBackend",
        "COLLIS_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("GUNICORN_CMD_ARGS")
    collecting = subprocess.Popen([COLLIS, "manage", "collectstatic", "--no-input", "-v", "0"],  # noqa: S603
                                  cwd=REPO, env=env)
    subprocess.run([COLLIS, "manage", "migrate", "--no-input", "-v", "0"], cwd=REPO, env=env,
                   check=True, timeout=300)
    made = subprocess.run(
        [COLLIS, "manage", "shell", "-c",
         SETUP.format(start=start.isoformat(), patients=PATIENTS)],
        cwd=REPO, env=env, check=True, timeout=120, capture_output=True, text=True)
    setup = json.loads(made.stdout.strip().splitlines()[-1])
    assert collecting.wait(timeout=180) == 0
    # The reminders fall due DUE_AFTER seconds from now: the local-policy lead time every
    # process reads is set so.
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=DUE_AFTER)
    env["COLLIS_REMINDER_HOURS_BEFORE"] = f"{(start - due).total_seconds() / 3600:.6f}"

    processes = []
    try:
        for n, port in enumerate(ports):
            log = tmp_path / f"web{n}.log"
            processes.append(_start(
                [str(Path(sys.executable).parent / "gunicorn"), "collis.config.wsgi",
                 "--config", "python:collis.config.gunicorn", "--bind", f"127.0.0.1:{port}",
                 "--control-socket", str(tmp_path / f"gunicorn{n}.ctl")],
                env, log))
        worker_logs = [tmp_path / "worker0.log", tmp_path / "worker1.log"]
        for log in worker_logs:
            processes.append(_start([COLLIS, "manage", "db_worker", "--queue-name", "*",
                                     "--interval", "0.2", "--no-startup-delay"], env, log))
        for n, port in enumerate(ports):
            _wait_for(port, processes[n], tmp_path / f"web{n}.log")

        browsers = [Browser(port) for port in ports]
        for browser in browsers:
            response, _ = sign_in(browser, "coordinator", "correct-horse-battery")
            assert response.status == 302
        booked = [_book(browsers[n % 2], patient, setup["slot"])
                  for n, patient in enumerate(setup["patients"])]
        assert dt.datetime.now(dt.UTC) < due, "the bookings took longer than DUE_AFTER"
        _cancel(browsers[1], booked[0])

        # Once due, two more processes queue every due message again, twice each.
        time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
        requeue = [subprocess.Popen([COLLIS, "manage", "reminders_send_due"], cwd=REPO,  # noqa: S603
                                    env=env, stdout=subprocess.DEVNULL) for _ in range(4)]
        for process in requeue:
            assert process.wait(timeout=120) == 0

        deadline = time.monotonic() + 120
        while True:
            rows = _messages(database)
            if all(row["state"] not in ("queued", "sending", "retrying") for row in rows):
                break
            assert time.monotonic() < deadline, rows
            time.sleep(1)
    finally:
        for process in processes:
            _stop(process)

    output = "".join(log.read_text() for log in worker_logs)
    email_ids = [int(found) for found in re.findall(r"^X-Collis-Message: (\d+)$", output,
                                                    flags=re.MULTILINE)]
    texts = re.findall(r"^Text message to (\S+):$", output, flags=re.MULTILINE)

    sent = [row for row in rows if row["state"] == "sent"]
    sent_emails = sorted(row["id"] for row in sent if row["channel"] == "email")
    # Every email the workers sent was sent once, and it is exactly the rows marked sent.
    assert sorted(email_ids) == sent_emails
    assert len(texts) == sum(1 for row in sent if row["channel"] == "sms")

    by_kind: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_kind.setdefault((row["kind"], row["status"]), []).append(row)
    # Each of the bookings got its confirmation (email and text) once ...
    assert len(by_kind[("confirmation", "booked")]) == 2 * (PATIENTS - 1)
    assert {r["state"] for r in by_kind[("confirmation", "booked")]} == {"sent"}
    # ... and its reminder once, sent while both workers were running ...
    assert len(by_kind[("reminder", "booked")]) == 2 * (PATIENTS - 1)
    assert {r["state"] for r in by_kind[("reminder", "booked")]} == {"sent"}
    # ... and the cancelled one its cancellation, never its reminder.
    cancelled = [r for r in rows if r["status"] == "cancelled_by_patient"]
    assert {(r["kind"], r["state"]) for r in cancelled} == {
        ("confirmation", "sent"), ("cancellation", "sent"), ("reminder", "skipped")}
    assert {r["skip_reason"] for r in cancelled if r["kind"] == "reminder"} == {
        "the appointment was cancelled"}
    # Eight confirmations, seven reminders and one cancellation: sixteen emails, none twice.
    assert len(email_ids) == len(set(email_ids)) == PATIENTS + (PATIENTS - 1) + 1

"""`collis bench --http`: the production stack measured under load.

It serves Collis the way the README's "Production" section does (the production settings,
collectstatic into a temporary STATIC_ROOT, gunicorn with sync workers) on a spare port of
127.0.0.1, over the benchmark's own database (`var/bench.sqlite3`, or `<name>_bench` when
DATABASE_URL names a PostgreSQL server, as `collis bench` uses). It seeds 100,000 synthetic
patients, a few thousand of them with a clinical history made by the demo data's services,
signs in staff with real sessions, and drives `wrk` with the Lua script in
`collis/benchload/` over request lists written here: each page class alone and the mixed
load of a clinic morning, at several concurrencies. Then it grows the audit log to ten
million entries with one SQL seed and measures the auditor's pages.

Everything here is synthetic; the benchmark never touches real data."""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parents[1]
LUA_SCRIPT = Path(__file__).resolve().parent / "benchload" / "requests.lua"
PORTS = range(18100, 18200)
WRK_MISSING = ("collis bench --http needs the load generator wrk, which is not installed.\n"
               "Install it with:  sudo apt-get install wrk   (Debian and Ubuntu; "
               "`brew install wrk` on macOS)\n")

# The mixed load of a clinic morning (issue 16): page class and share of requests.
MIX = (("record", 60), ("search", 25), ("api", 10), ("write", 5))
CLASS_LABELS = {
    "mixed": "Mixed (60% record, 25% search, 10% API, 5% writes)",
    "record": "Record sections (patient page, timeline, toxin...)",
    "timeline": "Timeline of a rich record",
    "search": "Patient search page",
    "api": "API reads (token)",
    "write": "Form writes (TWSTRS subscores, today)",
    "audit": "Auditor's /audit/",
    "audit_user": "/audit/ filtered by user",
    "audit_action": "/audit/ filtered by action",
    "audit_patient": "/audit/ filtered by patient",
    "audit_date": "/audit/ filtered by date",
    "access_history": "Access history of a patient viewed 100,000 times",
}
LOAD_CLASSES = ("mixed", "record", "timeline", "search", "api", "write")
AUDIT_CLASSES = ("audit", "audit_user", "audit_action", "audit_patient", "audit_date",
                 "access_history")
# The sections of a patient's record (their URL names), requested for rich histories.
RECORD_SECTIONS = ("", "timeline/", "diagnosis/", "examinations/", "scales/", "toxin/",
                   "medication/", "therapy/", "investigations/", "candidacy/")
API_SECTIONS = ("", "/toxin-cycles", "/examinations", "/scales", "/investigations")
# Staff who sign in for the load: (username stem, role, how many).
BENCH_STAFF = (("neurologist", "neurologist", 6), ("nurse", "nurse_specialist", 6),
               ("neurosurgeon", "neurosurgeon", 2), ("coordinator", "mdt_coordinator", 2),
               ("auditor", "auditor", 2))
LIST_LENGTH = 20_000  # requests in each list; wrk goes round it
CHOSEN_VIEWS = 100_000  # how often the access-history patient was viewed (of 10 million)
CHOSEN_STEP = 10_000_000 // CHOSEN_VIEWS
SEARCH_SHOWS = 20  # patients a seeded search page showed


@dataclass
class Run:
    load: str
    concurrency: int
    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors: int = 0
    detail: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the stack ------------------------------------------------------------------------


def _spare_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def _environment(*, database_url: str, secret: str, port: int, directory: Path) -> dict:
    """The production environment of the README, for a server at 127.0.0.1:port."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("COLLIS_", "DJANGO_", "DATABASE_URL", "AWS_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "collis.config.settings.production",
        "COLLIS_SECRET_KEY": secret,
        "COLLIS_ALLOWED_HOSTS": "127.0.0.1",
        "COLLIS_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "COLLIS_STATIC_ROOT": str(directory / "static"),
        "COLLIS_MEDIA_ROOT": str(BASE_DIR / "var" / "bench-media"),
        "GUNICORN_CMD_ARGS": f"--control-socket {directory / 'gunicorn.ctl'}",
    })
    return env


class Server:
    """gunicorn serving Collis with the production settings; stopped whatever happens."""

    def __init__(self, *, env: dict, port: int, workers: int, directory: Path):
        self.env, self.port, self.workers, self.directory = env, port, workers, directory
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.log = (self.directory / "gunicorn.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "collis.config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--worker-class", "sync"],
            cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n"
                                   + (self.directory / "gunicorn.log").read_text())
            try:
                status, _, _ = _request(self.port, "GET", "/login/", {})
                if status == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 90 s")
            time.sleep(0.2)

    def __exit__(self, *exc):
        # gunicorn and its workers are the process group started above.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.log.close()


def _request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers={
            "Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", **headers})
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read()
    finally:
        connection.close()


# --- the data -------------------------------------------------------------------------


def _histories_seed(count: int) -> list:
    """The first `count` bench patients (by NHS number) with a clinical history made
    through the services, as the demo data makes them; patients who have one are kept."""
    from django.db import transaction

    from collis.candidacy.models import CandidacyAssessmentRecord
    from collis.demo_data import demo_data_load, demo_histories_load
    from collis.patients.models import Patient

    demo_data_load(patients=0)  # the sites and the demo staff who author the histories
    chosen = list(Patient.objects.order_by("nhs_number")[:count])
    done = set(CandidacyAssessmentRecord.objects.filter(patient__in=chosen)
               .values_list("patient_id", flat=True))
    missing = [patient for patient in chosen if patient.pk not in done]
    if missing:
        started = time.perf_counter()
        for start in range(0, len(missing), 50):
            with transaction.atomic():
                demo_histories_load(missing[start:start + 50])
            made = start + len(missing[start:start + 50])
            print(f"\r  histories: {made:,} of {len(missing):,} "
                  f"({time.perf_counter() - started:.0f} s)", end="", flush=True)
        print()
    return chosen


def _staff_seed() -> list:
    """The members of staff who sign in for the load, made once."""
    from collis.core.models import AccountType, Organisation, User

    unit = Organisation.objects.default()
    staff = []
    for stem, role, count in BENCH_STAFF:
        for number in range(1, count + 1):
            user, _ = User.objects.update_or_create(
                username=f"bench-{stem}-{number}",
                defaults={"role": role, "account_type": AccountType.STAFF,
                          "organisation": unit, "is_active": True,
                          "first_name": f"Bench {number}", "last_name": stem.title()})
            staff.append(user)
    return staff


def _session_sign_in(user) -> str:
    """A session made by the session engine with what `django.contrib.auth.login` stores,
    as the sign-in page would; returns its key (the `sessionid` cookie)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


@dataclass
class Client:
    """What one signed-in member of staff sends: the session and CSRF cookies, the CSRF
    token for forms, and the origin a browser adds to a POST."""

    username: str
    role: str
    cookie: str
    csrf_token: str
    origin: str

    def headers(self, *, form: bool = False) -> dict:
        headers = {"Cookie": self.cookie}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        return headers


def _clients(staff, port: int) -> list[Client]:
    from django.middleware.csrf import _get_new_csrf_string

    clients = []
    for user in staff:
        secret = _get_new_csrf_string()  # the CSRF cookie; its unmasked value is a valid token
        clients.append(Client(username=user.username, role=user.role, csrf_token=secret,
                              cookie=f"sessionid={_session_sign_in(user)}; csrftoken={secret}",
                              origin=f"https://127.0.0.1:{port}"))
    return clients


# --- the audit log --------------------------------------------------------------------


def _sql_expressions(vendor: str) -> dict:
    """The few pieces of the seed that differ between PostgreSQL and SQLite."""
    if vendor == "postgresql":
        return {
            "series": "g(i) AS (SELECT generate_series(%(low)s::bigint, %(high)s::bigint))",
            "at": "(%(start)s::timestamptz + e.seconds * interval '1 second')",
            "uuid_text": "p.id::text",
            "json": "::jsonb", "inet": "::inet", "recursive": "",
            "shows": f"generate_series(0, {SEARCH_SHOWS - 1}) AS k(k)",
        }
    dashed = ("lower(substr(p.id, 1, 8) || '-' || substr(p.id, 9, 4) || '-' || "
              "substr(p.id, 13, 4) || '-' || substr(p.id, 17, 4) || '-' || substr(p.id, 21))")
    return {
        "series": "g(i) AS (SELECT %(low)s UNION ALL SELECT i + 1 FROM g WHERE i < %(high)s)",
        "at": "datetime(%(start)s, '+' || e.seconds || ' seconds')",
        "uuid_text": dashed, "json": "", "inet": "", "recursive": "RECURSIVE",
        "shows": "bench_audit_shows k",
    }


def audit_log_seed(rows: int, *, chosen_patient_id, users, span_days: int = 730,
                   chunk: int = 500_000) -> int:
    """Grow the audit log to `rows` entries with INSERT ... SELECT (generate_series on
    PostgreSQL, a recursive CTE on SQLite), in the log's real shape: about 60% views of
    one patient's record (the database's trigger puts each in the patient's index), 25%
    search pages that each showed 20 patients (one entry, with a row per patient shown in
    core_auditeventpatient, written here), the rest
    sign-ins and views of the audit log; `at` spread over `span_days` up to now; a few of
    `users` doing most of it; `chosen_patient_id` viewed in one entry of CHOSEN_STEP
    (100,000 times in ten million). Entries already there count towards `rows`; returns
    the total."""
    from django.db import connection
    from django.utils import timezone

    from collis.core.models import AuditEvent

    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {table}")  # noqa: S608
        have, last_id = cursor.fetchone()
    if have >= rows:
        return have
    links = _audit_link_model()
    vendor = connection.vendor
    sql = _sql_expressions(vendor)
    column = {f.name: f.column for f in AuditEvent._meta.concrete_fields}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            # The log's indexes are written in random order: keep them in memory (1 GiB)
            # rather than SQLite's default 2 MiB page cache, or every insert reads the disk.
            cursor.execute("PRAGMA cache_size = -1048576")
            cursor.execute("PRAGMA temp_store = MEMORY")
        _audit_seed_tables(cursor, vendor, users)
        cursor.execute("SELECT count(*) FROM bench_audit_patients")
        patients = cursor.fetchone()[0]
        cursor.execute("SELECT n FROM bench_audit_patients WHERE id = %s",
                       [_db_uuid(connection, chosen_patient_id)])
        chosen = cursor.fetchone()[0]
    # One entry in CHOSEN_STEP is the chosen patient's: CHOSEN_VIEWS of the default ten
    # million, and the same entries when a smaller seed is grown later.
    step = CHOSEN_STEP
    start = (timezone.now() - timezone.timedelta(days=span_days)).strftime("%Y-%m-%d %H:%M:%S")
    span = span_days * 86_400
    shows = min(SEARCH_SHOWS, patients)
    stride = max(1, patients // shows)
    # Each entry's kind, actor, patient and time are functions of its number i, so that a
    # seed continued later makes the same log. kind: 0 the chosen patient's record viewed,
    # 1 another record viewed (60% in all), 2 a search page (25%), 3 a sign-in, 4 the
    # audit log viewed. Actors: u*u over the users, so the first few do most of it.
    # Only integers computed here and names from the models' _meta go into the SQL text.
    entries = f"""
        e AS (SELECT i,
            CASE WHEN i %% {step} = 0 THEN 0 WHEN i %% 20 < 12 THEN 1
                 WHEN i %% 20 < 17 THEN 2 WHEN i %% 20 < 19 THEN 3 ELSE 4 END AS kind,
            (((i * 2654435761) %% 1000) * ((i * 2654435761) %% 1000) * {len(users)})
                / 1000000 AS actor_n,
            CASE WHEN i %% {step} = 0 THEN {chosen}
                 ELSE ((i * 40503 + 12345) %% 1000003) %% {patients} END AS patient_n,
            (i * {span}) / {rows} AS seconds
          FROM g)"""  # noqa: S608
    kind_action = ("CASE WHEN e.kind <= 1 THEN 'view' WHEN e.kind = 2 THEN 'search' "
                   "WHEN e.kind = 3 THEN 'login' ELSE 'view' END")
    insert_events = f"""
        WITH {sql['recursive']} {sql['series']}, {entries}
        INSERT INTO {table} ({column['id']}, {column['at']}, {column['actor']},
            {column['actor_username']}, {column['actor_role']}, {column['action']},
            {column['channel']}, {column['object_type']}, {column['object_id']},
            {column['patient_id']}, {column['summary']}, {column['details']},
            {column['ip_address']}, {column['user_agent']}, {column['path']})
        SELECT %(base)s + e.i, {sql['at']}, u.id, u.username, u.role, {kind_action}, 'web',
            CASE WHEN e.kind <= 1 THEN 'patient' WHEN e.kind = 2 THEN 'patient_list'
                 WHEN e.kind = 3 THEN 'user' ELSE 'audit_log' END,
            CASE WHEN e.kind <= 1 THEN {sql['uuid_text']}
                 WHEN e.kind = 3 THEN CAST(u.id AS VARCHAR(20)) ELSE '' END,
            CASE WHEN e.kind <= 1 THEN p.id END,
            CASE WHEN e.kind <= 1 THEN 'Viewed the record of ' || p.nhs_number
                 WHEN e.kind = 2 THEN 'Searched for patients'
                 WHEN e.kind = 3 THEN 'Signed in' ELSE 'Viewed the audit log' END,
            (CASE WHEN e.kind = 2 THEN '{{"query": "' || p.family_name || '", "page": 1}}'
                  ELSE '{{}}' END){sql['json']},
            ('10.20.' || (u.n %% 200) || '.' || (e.i %% 250 + 1)){sql['inet']},
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/120.0 (bench seed)',
            CASE WHEN e.kind <= 1 THEN '/patients/' || {sql['uuid_text']} || '/'
                 WHEN e.kind = 2 THEN '/patients/?q=' || p.family_name
                 WHEN e.kind = 3 THEN '/login/' ELSE '/audit/' END
        FROM e JOIN bench_audit_users u ON u.n = e.actor_n
        JOIN bench_audit_patients p ON p.n = e.patient_n"""  # noqa: S608
    insert_links = ""
    if links is not None:
        link = {f.name: f.column for f in links._meta.concrete_fields}
        insert_links = f"""
            WITH {sql['recursive']} {sql['series']}, {entries}
            INSERT INTO {links._meta.db_table} ({link['patient_id']}, {link['at']},
                {link['event']})
            SELECT p.id, {sql['at']}, %(base)s + e.i
            FROM e CROSS JOIN {sql['shows']}
            JOIN bench_audit_patients p
              ON p.n = (e.patient_n + k.k * {stride}) %% {patients}
            WHERE e.kind = 2 AND k.k < {shows}"""  # noqa: S608
    base = last_id - have  # entry i gets the id base + i, after every id already used
    low = have + 1
    while low <= rows:
        high = min(rows, low + chunk - 1)
        params = {"low": low, "high": high, "base": base, "start": start}
        with connection.cursor() as cursor:
            cursor.execute(insert_events, params)
            if insert_links:
                cursor.execute(insert_links, params)
        print(f"\r  audit log: {high:,} of {rows:,} entries "
              f"({time.perf_counter() - started:.0f} s)", end="", flush=True)
        low = high + 1
    print()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT max(id) FROM {table}))")
            # Vacuum now, as a long-lived log would be, rather than let autovacuum's pass
            # over millions of new rows run during the measurements.
            for name in (table, *([links._meta.db_table] if links is not None else [])):
                cursor.execute(f"VACUUM (ANALYZE) {name}")
        cursor.execute("ANALYZE")
    return rows


def _settle(connection) -> None:
    """Bring the seeded database to the state a long-lived one is in: on PostgreSQL, vacuum
    every table (what autovacuum does to a table some time after it is loaded), so that
    index-only scans read no table pages and no autovacuum pass over the new rows runs
    during the measurements; planner statistics refreshed on both databases. Tables
    already vacuumed are passed over quickly."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def _audit_link_model():
    """The table of patients an entry concerns, once the audit schema has it."""
    from django.apps import apps
    from django.db import connection

    try:
        model = apps.get_model("core", "AuditEventPatient")
    except LookupError:
        return None
    return model if model._meta.db_table in connection.introspection.table_names() else None


def _db_uuid(connection, value):
    return str(value) if connection.vendor == "postgresql" else value.hex


def _audit_seed_tables(cursor, vendor: str, users) -> None:
    """Numbered patients and users for the seed to pick from, as temporary tables."""
    from collis.patients.models import Patient

    patient = Patient._meta.db_table
    for name in ("bench_audit_patients", "bench_audit_users", "bench_audit_shows"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"""CREATE TEMPORARY TABLE bench_audit_patients AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, nhs_number, family_name
        FROM {patient}""")  # noqa: S608
    cursor.execute("CREATE UNIQUE INDEX bench_audit_patients_n ON bench_audit_patients (n)")
    cursor.execute("CREATE TEMPORARY TABLE bench_audit_users (n integer PRIMARY KEY, "
                   "id bigint, username varchar(150), role varchar(32))")
    cursor.executemany("INSERT INTO bench_audit_users VALUES (%s, %s, %s, %s)",
                       [(n, u.pk, u.username, u.role) for n, u in enumerate(users)])
    if vendor != "postgresql":
        cursor.execute("CREATE TEMPORARY TABLE bench_audit_shows (k integer PRIMARY KEY)")
        cursor.executemany("INSERT INTO bench_audit_shows VALUES (%s)",
                           [(k,) for k in range(SEARCH_SHOWS)])
    cursor.execute("ANALYZE bench_audit_patients")


# --- the request lists ----------------------------------------------------------------


def _line(method: str, path: str, headers: dict, body: str = "") -> str:
    fields = "|".join(f"{name}: {value}" for name, value in headers.items())
    return f"{method}\t{path}\t{fields}\t{body}"


def _request_lists(*, clients, token_headers, rich, search_numbers, audit_targets,
                   today, seed: int = 1) -> dict[str, list[str]]:
    """Each page class's requests, spread over the signed-in staff, and the mixed load."""
    from collis.demo_data import FAMILY_NAMES, GIVEN_NAMES

    rng = random.Random(seed)
    clinical = [c for c in clients if c.role != "auditor"]
    writers = [c for c in clients if c.role in ("neurologist", "nurse_specialist")]
    auditors = [c for c in clients if c.role == "auditor"]
    lists: dict[str, list[str]] = {}

    def record():
        patient_id, cycle_id = rng.choice(rich)
        section = rng.choice((*RECORD_SECTIONS, "toxin-cycle"))
        if section == "toxin-cycle":
            section = f"toxin/{cycle_id}/" if cycle_id else "toxin/"
        return _line("GET", f"/patients/{patient_id}/{section}", rng.choice(clinical).headers())

    def timeline():
        patient_id, _ = rng.choice(rich)
        return _line("GET", f"/patients/{patient_id}/timeline/", rng.choice(clinical).headers())

    def search():
        roll = rng.random()
        if roll < 0.5:
            query = f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)[:4]}"
        elif roll < 0.75:
            query = rng.choice(FAMILY_NAMES)[:rng.randint(3, 8)]
        else:
            query = rng.choice(search_numbers)
        return _line("GET", "/patients/?" + urlencode({"q": query}),
                     rng.choice(clinical).headers())

    def api():
        patient_id, _ = rng.choice(rich)
        section = rng.choice((*API_SECTIONS, "search"))
        path = ("/api/v1/patients?" + urlencode({"q": rng.choice(search_numbers)})
                if section == "search" else f"/api/v1/patients/{patient_id}{section}")
        return _line("GET", path, rng.choice(token_headers))

    def write():
        patient_id, _ = rng.choice(rich)
        client = rng.choice(writers)
        body = urlencode({
            "csrfmiddlewaretoken": client.csrf_token,
            "assessed_on-day": today.day, "assessed_on-month": today.month,
            "assessed_on-year": today.year, "severity": rng.randint(8, 24),
            "disability": rng.randint(5, 24), "pain": rng.randint(0, 15),
            "notes": "Bench load (synthetic)."})
        return _line("POST", f"/patients/{patient_id}/scales/twstrs_subscores/new/",
                     client.headers(form=True), body)

    makers = {"record": record, "timeline": timeline, "search": search, "api": api,
              "write": write}
    for name, make in makers.items():
        lists[name] = [make() for _ in range(LIST_LENGTH)]
    classes = [name for name, _ in MIX]
    weights = [share for _, share in MIX]
    lists["mixed"] = [makers[rng.choices(classes, weights)[0]]() for _ in range(LIST_LENGTH)]
    for name, path in audit_targets.items():
        lists[name] = [_line("GET", path, rng.choice(auditors).headers())
                       for _ in range(200)]
    return lists


def _preflight(port: int, lists: dict[str, list[str]]) -> None:
    """Send a few requests of each list once and refuse to measure a list whose requests
    fail or are redirected to the sign-in page (a session that does not work)."""
    for name, lines in lists.items():
        for line in lines[:3]:
            method, path, header_field, body = line.split("\t", 3)
            headers = dict(pair.split(": ", 1) for pair in header_field.split("|") if pair)
            status, location, content = _request(port, method, path, headers, body or None)
            expected = 302 if method == "POST" else 200
            if status != expected or "/login/" in location:
                message = re.sub(r"\s+", " ", content.decode(errors="replace"))[:400]
                raise RuntimeError(f"{name}: {method} {path} answered {status} "
                                   f"{location} (expected {expected}): {message}")


# --- wrk ------------------------------------------------------------------------------


def _wrk(*, port: int, list_file: Path, concurrency: int, seconds: float, load: str) -> Run:
    threads = max(1, min(concurrency, os.cpu_count() or 1))
    command = ["wrk", "--threads", str(threads), "--connections", str(concurrency),
               "--duration", f"{max(1, round(seconds))}s", "--timeout", "60s",
               "--script", str(LUA_SCRIPT), f"http://127.0.0.1:{port}",
               "--", str(list_file), str(threads)]
    result = subprocess.run(command, capture_output=True, text=True, check=False,  # noqa: S603
                            timeout=seconds + 120)
    line = next((row for row in result.stdout.splitlines() if row.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    figures = dict(pair.split("=") for pair in line.split()[1:])
    figures = {name: int(value) for name, value in figures.items()}
    errors = (figures["connect"] + figures["read"] + figures["write"] + figures["timeout"]
              + figures["s4xx"] + figures["s5xx"] + figures["login"])
    return Run(load=load, concurrency=concurrency, requests=figures["requests"],
               seconds=figures["duration_us"] / 1e6, p50=figures["p50_us"] / 1000,
               p95=figures["p95_us"] / 1000, p99=figures["p99_us"] / 1000, errors=errors,
               detail=figures)


def _drain(port: int, workers: int) -> None:
    """Wait until the requests a run left queued are served: wrk stops at its deadline, but
    gunicorn's sync workers still answer every request already sent, which would otherwise
    slow the start of the next run. One probe per worker at a time, until they come back
    quickly."""
    from concurrent.futures import ThreadPoolExecutor

    def probe(_):
        started = time.perf_counter()
        _request(port, "GET", "/login/", {})
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(600):
            if max(pool.map(probe, range(workers))) < 0.5:
                return


def _print_runs(runs: list[Run]) -> None:
    print(f"  {'Load':<52} {'c':>3} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for run in runs:
        if not run.requests:
            print(f"  {CLASS_LABELS[run.load]:<52} {run.concurrency:>3}   no request finished "
                  f"within the run's {run.seconds:.0f} s")
            continue
        print(f"  {CLASS_LABELS[run.load]:<52} {run.concurrency:>3} {run.rate:>8.1f} "
              f"{run.p50:>8.1f} {run.p95:>8.1f} {run.p99:>8.1f} {run.requests:>9} "
              f"{run.errors:>7}")


# --- the whole benchmark --------------------------------------------------------------


def http_benchmark(*, patients: int, histories: int, workers: int, concurrency: list[int],
                   seconds: float, audit_rows: int, audit_concurrency: list[int],
                   database_url: str) -> list[Run]:
    directory = Path(tempfile.mkdtemp(prefix="collis-bench-http-"))
    try:
        return _http_benchmark(directory=directory, patients=patients, histories=histories,
                               workers=workers, concurrency=concurrency, seconds=seconds,
                               audit_rows=audit_rows, audit_concurrency=audit_concurrency,
                               database_url=database_url)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _http_benchmark(*, directory: Path, patients: int, histories: int, workers: int,
                    concurrency: list[int], seconds: float, audit_rows: int,
                    audit_concurrency: list[int], database_url: str) -> list[Run]:
    port = _spare_port()
    env = _environment(database_url=database_url, secret=secrets.token_urlsafe(50), port=port,
                       directory=directory)
    # collectstatic needs no database: it runs while the data is seeded.
    collecting = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "collis"), "manage", "collectstatic", "--no-input"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # This process seeds with the same settings and secret key as the server, so that the
    # sessions it signs are the server's.
    os.environ.update({name: value for name, value in env.items()
                       if name.startswith(("COLLIS_", "DJANGO_", "DATABASE_URL"))})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from collis.bench import _seed
    from collis.core.audit import Actor
    from collis.core.services import api_token_create
    from collis.treatments.models import ToxinCycle

    print(f"HTTP benchmark of the production stack on {connection.vendor} "
          f"({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    total = _seed(patients)
    rich = _histories_seed(histories)
    staff = _staff_seed()
    from django.contrib.auth import get_user_model

    demo_staff = list(get_user_model().objects.filter(username__in=(
        "neurologist", "nurse", "coordinator", "neurosurgeon", "physio", "auditor", "admin")))
    audit_users = staff + demo_staff
    chosen = rich[0]
    audit_total = audit_log_seed(audit_rows, chosen_patient_id=chosen.pk, users=audit_users)
    _settle(connection)
    first_cycle = dict(ToxinCycle.objects.filter(patient__in=rich).order_by("patient_id", "-id")
                       .values_list("patient_id", "id"))
    rich_targets = [(str(p.pk), first_cycle.get(p.pk)) for p in rich]
    numbers = [p.nhs_number for p in rich[:500]]
    clients = _clients(staff, port)
    token_headers = [
        {"Authorization": "Bearer " + api_token_create(user=user, name="collis bench --http",
                                                       actor=Actor.command_line())}
        for user in staff if user.role in ("neurologist", "nurse_specialist")][:4]
    heavy_user = audit_users[0].username
    span_day = (timezone.localdate() - timezone.timedelta(days=365))
    audit_targets = {
        "audit": "/audit/",
        "audit_user": "/audit/?" + urlencode({"username": heavy_user}),
        "audit_action": "/audit/?" + urlencode({"action": "login"}),
        # The patient filter is named `patient` (an NHS number) in the audit form.
        "audit_patient": "/audit/?" + urlencode({"patient": chosen.nhs_number}),
        "audit_date": "/audit/?" + urlencode({"on-day": span_day.day,
                                              "on-month": span_day.month,
                                              "on-year": span_day.year}),
        "access_history": f"/patients/{chosen.pk}/access-history/",
    }
    lists = _request_lists(clients=clients, token_headers=token_headers, rich=rich_targets,
                           search_numbers=numbers, audit_targets=audit_targets,
                           today=timezone.localdate())
    files = {}
    for name, lines in lists.items():
        files[name] = directory / f"{name}.txt"
        files[name].write_text("\n".join(lines) + "\n")
    connection.close()

    output, _ = collecting.communicate(timeout=300)
    if collecting.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{output}")

    runs: list[Run] = []
    print(f"  {total:,} patients, {len(rich):,} with a clinical history; "
          f"{audit_total:,} audit entries; gunicorn with {workers} sync workers on "
          f"127.0.0.1:{port}; wrk for {seconds:g} s per run")
    with Server(env=env, port=port, workers=workers, directory=directory):
        _preflight(port, lists)
        _wrk(port=port, list_file=files["mixed"], concurrency=max(concurrency),
             seconds=max(2.0, seconds / 4), load="mixed")  # warm-up: caches, connections
        plan = [(load, level) for load in LOAD_CLASSES for level in concurrency]
        plan += [(load, level) for load in AUDIT_CLASSES for level in audit_concurrency]
        for load, level in plan:
            _drain(port, workers)
            runs.append(_wrk(port=port, list_file=files[load], concurrency=level,
                             seconds=seconds, load=load))
            print(f"  ... {load} at c={level}: {runs[-1].rate:.1f} req/s", flush=True)
    cores = os.cpu_count() or 1
    print(f"\nResults ({connection.vendor}, {workers} gunicorn workers, {cores} cores shared "
          "with wrk; latency in ms):")
    _print_runs(runs)
    errors = sum(run.errors for run in runs)
    print(f"  {sum(run.requests for run in runs):,} requests, {errors} errors")
    return runs


def main(args) -> int:
    if shutil.which("wrk") is None:
        print(WRK_MISSING, file=sys.stderr, end="")
        return 2
    from collis.bench import _bench_database_url

    database_url = _bench_database_url()
    if args.sqlite and database_url.startswith("sqlite"):
        database_url = f"sqlite:///{Path(args.sqlite).resolve()}"
    runs = http_benchmark(
        patients=args.patients, histories=args.histories,
        workers=args.workers or os.cpu_count() or 1, concurrency=args.concurrency,
        seconds=args.duration, audit_rows=args.audit_rows,
        audit_concurrency=args.audit_concurrency, database_url=database_url)
    return 1 if any(run.errors for run in runs) else 0

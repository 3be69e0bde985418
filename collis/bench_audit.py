"""`collis bench --only audit`: the service audit's pages at scale (issue 15, item 6).

Seeds the bench database (collis.bench: var/bench.sqlite3, or <name>_bench on PostgreSQL)
with the web benchmark's synthetic patients and, in INSERT ... SELECT statements,
`cycles_per_patient` current toxin cycles each (two injections per cycle, 80% reviewed at
12 weeks, a fifth of the patients with a stop of toxin), in the real tables' shape. Then
refreshes the toxin clinic summaries as the task worker does (timed), and times the
complications, outcomes, service measures and toxin clinic pages (p50, p95) through the
test client, as an auditor."""

from __future__ import annotations

import random
import time

GOAL_MS = 500.0
START = "2019-01-07"
# (product, units of the first injection, of the second): totals in the reference's ranges.
PRODUCTS = (("onabotulinumtoxinA", 100, 140), ("onabotulinumtoxinA", 90, 110),
            ("onabotulinumtoxinA", 80, 120), ("abobotulinumtoxinA", 200, 300),
            ("incobotulinumtoxinA", 50, 70))
REASONS = ("stopped_working", "stopped_working", "stopped_working", "side_effects",
           "patient_choice", "surgery_or_dbs")


def _case(expression: str, values) -> str:
    parts = " ".join(f"WHEN {i} THEN '{v}'" if isinstance(v, str) else f"WHEN {i} THEN {v}"
                     for i, v in enumerate(values))
    return f"CASE {expression} {parts} END"


class _Escaping:
    """A cursor whose statements with parameters may use % as the modulo operator."""

    def __init__(self, cursor):
        self.cursor = cursor

    def execute(self, sql: str, params=None):
        if params:
            sql = sql.replace("%", "%%").replace("%%s", "%s")
        return self.cursor.execute(sql, params)

    def fetchone(self):
        return self.cursor.fetchone()


def seed_toxin(*, cycles_per_patient: int, user_id: int) -> int:
    """Give every patient without this seed's cycles (batch "BENCH") `cycles_per_patient`
    cycles (PostgreSQL or SQLite), on top of any the scheduling benchmark gave them;
    returns the number of cycles."""
    from django.db import connection

    from collis.patients.models import Patient
    from collis.treatments.models import ToxinCycle, ToxinInjection, ToxinReview, ToxinStop

    cycles, injections = ToxinCycle._meta.db_table, ToxinInjection._meta.db_table
    reviews, stops = ToxinReview._meta.db_table, ToxinStop._meta.db_table
    patients = Patient._meta.db_table
    pg = connection.vendor == "postgresql"
    day = (lambda base, days: f"(DATE '{START}' + ({days})::int)") if pg else (
        lambda base, days: f"date('{START}', '+' || ({days}) || ' days')")
    plus = (lambda col, days: f"({col} + {days})") if pg else (
        lambda col, days: f"date({col}, '+{days} days')")
    now = "now()" if pg else "datetime('now')"
    last = int(cycles_per_patient) - 1
    recursive = "(WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < {}) "
    series = (f"generate_series(0, {last}) AS k" if pg
              else recursive.format(last) + "SELECT k FROM s) AS g")  # noqa: S608
    started = time.perf_counter()
    with connection.cursor() as raw:
        cursor = _Escaping(raw)
        cursor.execute("DROP TABLE IF EXISTS bench_toxin_patients")
        cursor.execute(
            f"CREATE TABLE bench_toxin_patients AS SELECT p.id, p.home_site_id AS site_id, "  # noqa: S608
            f"row_number() OVER (ORDER BY p.id) AS n FROM {patients} p WHERE NOT EXISTS "
            f"(SELECT 1 FROM {cycles} c WHERE c.patient_id = p.id AND c.batch_number = 'BENCH')")
        product = _case("(p.n % 5)", [p[0] for p in PRODUCTS])
        # Every 12 to 15 weeks from a start spread over two years.
        given = day(START, "(p.n % 730) + k * 84 + ((p.n * 7 + k * 3) % 4) * 7")
        cursor.execute(
            f"INSERT INTO {cycles} (created_at, created_by_id, record_status, status_reason, "  # noqa: S608
            "patient_id, given_on, product, batch_number, guidance, injector_id, site_id, "
            "notes, warnings_acknowledged, warnings_reason) "
            f"SELECT {now}, %s, 'current', '', p.id, {given}, {product}, 'BENCH', 'emg', %s, "
            f"p.site_id, '', '[]', '' FROM bench_toxin_patients p CROSS JOIN {series}",
            [user_id, user_id])
        first = _case("(p.n % 5)", [p[1] for p in PRODUCTS])
        second = _case("(p.n % 5)", [p[2] for p in PRODUCTS])
        for position, muscle, side, units in ((0, "sternocleidomastoid", "left", first),
                                              (1, "splenius_capitis", "right", second)):
            cursor.execute(
                f"INSERT INTO {injections} (cycle_id, position, muscle, side, units) "  # noqa: S608
                f"SELECT c.id, {position}, '{muscle}', '{side}', {units} + (c.id % 3) * 10 "
                f"FROM {cycles} c JOIN bench_toxin_patients p ON p.id = c.patient_id")
        # 80% reviewed at 12 weeks; a seventh of the patients wane (benefit falling with time).
        benefit = ("CASE WHEN p.n % 7 = 0 THEN 80 - ((c.id / 3) % 7) * 10 "
                   "ELSE 45 + (c.id * 37) % 45 END")
        cursor.execute(
            f"INSERT INTO {reviews} (created_at, created_by_id, record_status, status_reason, "  # noqa: S608
            "cycle_id, reviewed_on, peak_benefit_percent, benefit_weeks, dysphagia, "
            "neck_weakness, other_side_effect, side_effect_severity, notes) "
            f"SELECT {now}, %s, 'current', '', c.id, {plus('c.given_on', 84)}, {benefit}, "
            "4 + (c.id * 11) % 9, c.id % 17 = 0, c.id % 23 = 0, '', "
            "CASE WHEN c.id % 17 = 0 OR c.id % 23 = 0 THEN 'mild' ELSE '' END, '' "
            f"FROM {cycles} c JOIN bench_toxin_patients p ON p.id = c.patient_id "
            "WHERE c.id % 5 <> 0", [user_id])
        reason = _case("(p.n % 6)", REASONS)
        cursor.execute(
            f"INSERT INTO {stops} (created_at, created_by_id, record_status, status_reason, "  # noqa: S608
            "patient_id, stopped_on, decided_by_id, reason, reason_other, notes) "
            f"SELECT {now}, %s, 'current', '', p.id, {plus('MAX(c.given_on)', 28)}, %s, "
            f"{reason}, '', '' FROM bench_toxin_patients p JOIN {cycles} c "
            "ON c.patient_id = p.id WHERE p.n % 5 = 0 GROUP BY p.id, p.n", [user_id, user_id])
        cursor.execute("DROP TABLE bench_toxin_patients")
        cursor.execute("ANALYZE" if pg else "ANALYZE")
        cursor.execute(f"SELECT count(*) FROM {cycles}")  # noqa: S608
        total = cursor.fetchone()[0]
    print(f"  toxin seed: {total:,} cycles in {time.perf_counter() - started:.1f} s")
    return total


def _percentiles(samples):
    from collis.bench import _percentiles as percentiles

    return percentiles(samples)


def audit_benchmark(*, patients: int, cycles_per_patient: int, requests: int) -> dict:
    import os

    from collis.bench import _bench_database_url, _seed, _time

    os.environ["DATABASE_URL"] = _bench_database_url()
    os.environ["COLLIS_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collis.config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from collis.core.models import AccountType, Organisation, User
    from collis.core.roles import Role
    from collis.service_audit.toxin_summaries import toxin_summaries_refresh

    print(f"Service audit benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    total = _seed(patients)
    unit = Organisation.objects.default()
    user, _ = User.objects.update_or_create(
        username="bench-auditor", defaults={"role": Role.AUDITOR, "organisation": unit,
                                            "account_type": AccountType.STAFF})
    from collis.service_audit.models import ToxinClinicSummary
    from collis.treatments.models import ToxinCycle

    before = ToxinCycle.objects.count()
    cycles = seed_toxin(cycles_per_patient=cycles_per_patient, user_id=user.pk)
    stored = ToxinClinicSummary.objects.filter(organisation=unit)
    if cycles == before and stored.exists():
        # Nothing new since an earlier run's refresh: report the time it recorded rather
        # than spend it again (the choices row is stored last, timed from the start of the
        # whole refresh).
        refresh_s = stored.get(key="choices").duration_ms / 1000
        refresh = {"summaries": stored.exclude(key="choices").count()}
        print(f"  summaries: {refresh['summaries']} from an earlier run, computed in "
              f"{refresh_s:.1f} s")
    else:
        started = time.perf_counter()
        refresh = toxin_summaries_refresh(organisation=unit)
        refresh_s = time.perf_counter() - started
        print(f"  summaries: {refresh['summaries']} refreshed in {refresh_s:.1f} s")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    keys = list(ToxinClinicSummary.objects.filter(organisation=unit).exclude(key="choices")
                .values_list("key", flat=True))
    rng = random.Random(3)
    toxin_urls = []
    for _ in range(requests):
        site, year = rng.choice(keys).split(":")
        query = "&".join(f"{k}={v}" for k, v in (("site", site), ("year", year)) if v != "-")
        toxin_urls.append("/service-audit/toxin/" + (f"?{query}" if query else ""))
    pages = {"complications": ["/service-audit/"] * requests,
             "outcomes": ["/service-audit/outcomes/"] * requests,
             "service measures": ["/service-audit/service/"] * requests,
             "toxin clinic": toxin_urls}
    results = {"database": connection.vendor, "patients": total, "cycles": cycles,
               "refresh_s": refresh_s, "summaries": refresh["summaries"]}
    print(f"  {total:,} patients, {cycles:,} toxin cycles; {requests} requests per page")
    for label, urls in pages.items():
        _time(client, urls[:3])
        p50, p95 = _percentiles(_time(client, urls))
        results[label] = (p50, p95)
        verdict = "meets" if p95 < GOAL_MS else "MISSES"
        print(f"  {label:<17} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
              f"({verdict} the p95 < {GOAL_MS:.0f} ms goal)")
    return results

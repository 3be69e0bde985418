"""`collis bench` (`make bench`): latency of patient search and of the patient page over
100,000 synthetic patients, of the next-free-slot search, booking and the toxin recall list
(collis.bench_scheduling), of FHIR reads, searches and the Bulk Data export
(collis.bench_fhir), and the throughput of the clinical domain engine.

The web benchmark never touches real data: it uses var/bench.sqlite3, or, when DATABASE_URL
names a PostgreSQL server, a database of its own called <name>_bench on that server. Pages
are requested in-process through Django's full middleware stack with the test client, so
the figures are server time without the network."""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
GOAL_MS = 50.0


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        (BASE_DIR / "var").mkdir(exist_ok=True)
        return f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}"
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if config["NAME"].endswith("_bench"):  # already the benchmark's (an earlier part set it)
        return url
    name = f"{config['NAME']}_bench"
    with psycopg.connect(dbname="postgres", user=config["USER"] or None,
                         password=config["PASSWORD"] or None, host=config["HOST"] or None,
                         port=config["PORT"] or None, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _seed(count: int) -> int:
    from collis.core.services import database_statistics_refresh
    from collis.demo_data import synthetic_patients
    from collis.patients.models import Patient, patient_name_tokens_sync
    from collis.sites.models import Site
    from collis.sites.services import site_load_unit_sites

    site_load_unit_sites()
    have = Patient.objects.count()
    if have >= count:
        return have
    sites = list(Site.objects.order_by("code"))
    batch = []
    started = time.perf_counter()
    # Continue the same deterministic sequence from where an earlier run stopped.
    generated = synthetic_patients(count, seed=7, sites=sites, stem_start=950_000_000)
    for index, patient in enumerate(generated):
        if index < have:
            continue
        batch.append(patient)
        if len(batch) == 5000:
            patient_name_tokens_sync(Patient.objects.bulk_create(batch))
            batch = []
    if batch:
        patient_name_tokens_sync(Patient.objects.bulk_create(batch))
    database_statistics_refresh()
    print(f"  seeded {count - have:,} synthetic patients in {time.perf_counter() - started:.1f} s")
    return Patient.objects.count()


def _time(client, urls: list[str]) -> list[float]:
    timings = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return timings


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def web_benchmark(*, patients: int, requests: int, pages: bool = True,
                  scheduling: bool = True) -> dict:
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
    from collis.demo_data import FAMILY_NAMES, GIVEN_NAMES
    from collis.patients.models import Patient

    print(f"Web benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    total = _seed(patients)
    user, _ = User.objects.update_or_create(
        username="bench-neurologist",
        defaults={"role": Role.NEUROLOGIST, "account_type": AccountType.STAFF,
                  "organisation": Organisation.objects.default()})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    rng = random.Random(1)
    ids = list(Patient.objects.values_list("pk", flat=True).order_by("?")[:2000])
    numbers = list(Patient.objects.filter(pk__in=ids[:500]).values_list("nhs_number",
                                                                          flat=True))
    name_searches = [f"/patients/?q={rng.choice(GIVEN_NAMES)}+{rng.choice(FAMILY_NAMES)[:4]}"
                     for _ in range(requests // 2)]
    name_searches += [f"/patients/?q={rng.choice(FAMILY_NAMES)[:rng.randint(3, 8)]}"
                      for _ in range(requests // 4)]
    number_searches = [f"/patients/?q={rng.choice(numbers)}"
                       for _ in range(requests - len(name_searches))]
    search_urls = name_searches + number_searches
    rng.shuffle(search_urls)
    page_urls = [f"/patients/{rng.choice(ids)}/" for _ in range(requests)]
    results = {"database": connection.vendor, "patients": total}
    if scheduling and not pages:
        from collis.bench_scheduling import scheduling_benchmark

        results["scheduling"] = scheduling_benchmark(client=client, user=user,
                                                     requests=requests)
        return results
    _time(client, search_urls[:20] + page_urls[:20])  # warm up caches and connections
    search = _time(client, search_urls)
    page = _time(client, page_urls)
    results |= {
        "search_ms": _percentiles(search),
        "page_ms": _percentiles(page),
        "search_queries": _queries(client, search_urls[0]),
        "page_queries": _queries(client, page_urls[0]),
    }
    print(f"  {total:,} patients; {requests} requests per page")
    for label, key, queries in (("patient search", "search_ms", "search_queries"),
                                ("patient page", "page_ms", "page_queries")):
        p50, p95 = results[key]
        verdict = "meets" if p95 < GOAL_MS else "MISSES"
        print(f"  {label:<15} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
              f"{results[queries]} SQL queries   ({verdict} the p95 < {GOAL_MS:.0f} ms goal)")
    if scheduling:
        from collis.bench_scheduling import scheduling_benchmark

        results["scheduling"] = scheduling_benchmark(client=client, user=user,
                                                     requests=requests)
    return results


def domain_benchmark(*, cases: int) -> dict:
    from collis.domain.bench import run_benchmark

    print("Domain benchmark (candidacy engine, one core)")
    return run_benchmark(n=cases)


def main(args) -> int:
    if args.only in (None, "web", "scheduling"):
        web_benchmark(patients=args.patients, requests=args.requests,
                      pages=args.only != "scheduling", scheduling=args.only != "web")
    if args.only in (None, "fhir"):
        from collis.bench_fhir import fhir_benchmark

        fhir_benchmark(patients=args.patients, requests=args.requests,
                       histories=args.fhir_histories)
    if args.only in (None, "audit"):
        from collis.bench_audit import audit_benchmark

        audit_benchmark(patients=args.patients,
                        cycles_per_patient=getattr(args, "cycles_per_patient", 10),
                        requests=min(args.requests, getattr(args, "audit_requests", 50)))
    if args.only in (None, "domain"):
        domain_benchmark(cases=args.cases)
    return 0

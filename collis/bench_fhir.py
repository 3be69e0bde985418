"""`collis bench` (FHIR part, `--only fhir`): FHIR read and search latency at 100,000
patients, and the Bulk Data export of the whole population end to end through the task's
own code path, in resources per second and the worker's peak memory, at 10,000 and 100,000
patients.

Seeded into the benchmark databases (`collis.bench`): the synthetic patients, the clinics
and two toxin cycles for every patient (`collis.bench_scheduling`), and full clinical
histories for the first `--fhir-histories` patients through the services
(`collis.bench_http._histories_seed`). The 10,000-patient population is a second database
(`<name>_bench10k`, or `var/bench10k.sqlite3`) seeded the same way with a tenth of the
histories. Each export runs in a fresh process (`python -m collis.bench_fhir export URL`)
so that its peak resident memory (VmHWM) is the export's alone; reads and searches are
timed in-process through Django's full middleware stack with a staff bearer token, as the
other web figures are."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

READ_GOAL_MS = 50.0
SEARCH_GOAL_MS = 100.0
EXPORT_GOAL = 20_000  # resources per second
EXPORTER = "bench-fhir-exporter"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["COLLIS_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collis.config.settings.local")
    import django

    django.setup()


def _exporter():
    from collis.core.models import AccountType, Organisation, User
    from collis.core.roles import Role

    user, _ = User.objects.update_or_create(
        username=EXPORTER, defaults={"role": Role.NEUROLOGIST, "account_type": AccountType.STAFF,
                                     "organisation": Organisation.objects.default(),
                                     "first_name": "Bench", "last_name": "Exporter"})
    return user


def seed(*, patients: int, histories: int) -> None:
    """The population: patients, clinics and toxin cycles, and `histories` full records."""
    from django.core.management import call_command

    from collis.bench import _seed
    from collis.bench_http import _histories_seed
    from collis.bench_scheduling import _seed_clinics, _seed_cycles
    from collis.core.audit import Actor
    from collis.core.services import database_statistics_refresh
    from collis.patients.models import Patient

    call_command("migrate", verbosity=0)
    _seed(patients)
    actor = Actor.command_line(_exporter())
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    _seed_clinics(actor=actor, patients=ids)
    _seed_cycles(actor=actor, patients=ids)
    if histories:
        _histories_seed(histories)
    database_statistics_refresh()


def export() -> dict:
    """One system-level export of everything the exporter (a neurologist) may read, run as
    the task worker runs it; with the run's time, resources and peak memory."""

    from collis.fhir_api import bulk
    from collis.fhir_api.models import BulkExport, ExportLevel
    from collis.fhir_api.tasks import fhir_bulk_export_task

    user = _exporter()
    from django.http import QueryDict

    kickoff = bulk.kickoff_parse(QueryDict(""), level=ExportLevel.SYSTEM, user=user)
    export = BulkExport.objects.create(requested_by=user, level=ExportLevel.SYSTEM,
                                       request_url="/fhir/R4/$export (collis bench)",
                                       types=kickoff.types)
    rss_before = _status_kb("VmRSS")
    started = time.perf_counter()
    state = fhir_bulk_export_task.call(export.pk)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    import resource

    result = {"state": state, "error": export.error, "seconds": seconds,
              "resources": export.resources, "counts": export.counts,
              "files": len(export.files), "bytes": sum(f["bytes"] for f in export.files),
              "processes": bulk._processes(),
              "rss_before_kb": rss_before, "peak_kb": _status_kb("VmHWM"),
              # The largest of the processes forked to write it (`bulk._run_parallel`).
              "children_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
    BulkExport.objects.filter(pk=export.pk).update(files=[], state="expired")
    bulk._folder_empty(export)
    return result


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _child(*args: str) -> dict | None:
    """Run this module in a fresh process; its last line of output is JSON."""
    done = subprocess.run([sys.executable, "-m", "collis.bench_fhir", *args],  # noqa: S603
                          check=True,
                          capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if not line.startswith("{"):
            print(line)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return json.loads(last) if last.startswith("{") else None


EXPORT_RUNS = 3  # each export is run this many times; the median run is reported


def _exports(database_url: str) -> dict:
    """`EXPORT_RUNS` exports, each in a fresh process: the median by time, with every
    run's rate (a shared machine's speed varies from minute to minute)."""
    runs = [_child("export", database_url) for _ in range(EXPORT_RUNS)]
    runs.sort(key=lambda run: run["seconds"])
    median = dict(runs[len(runs) // 2])
    median["rates"] = [run["resources"] / run["seconds"] for run in runs]
    median["children_peak_kb"] = max(run["children_peak_kb"] for run in runs)
    median["peak_kb"] = max(run["peak_kb"] for run in runs)
    return median


def _report_export(label: str, result: dict) -> None:
    rate = result["resources"] / result["seconds"]
    verdict = "meets" if rate >= EXPORT_GOAL else "MISSES"
    print(f"  bulk export, {label}: {result['resources']:,} resources in "
          f"{result['seconds']:.1f} s = {rate:,.0f} resources/s, median of "
          f"{len(result['rates'])} runs ({', '.join(f'{r:,.0f}' for r in result['rates'])}) "
          f"({verdict} the >= {EXPORT_GOAL:,} goal); {result['files']} files, "
          f"{result['bytes'] / 1e6:,.0f} MB; {result['processes']} processes; peak RSS of the "
          f"worker {result['peak_kb'] / 1024:,.0f} MiB ({result['rss_before_kb'] / 1024:,.0f} "
          f"MiB before the run), of the largest process it forked "
          f"{result['children_peak_kb'] / 1024:,.0f} MiB")
    print("    " + ", ".join(f"{t} {n:,}" for t, n in result["counts"].items()))


def _token_client(user):
    from django.test import Client

    from collis.core.audit import Actor
    from collis.core.services import api_token_create

    token = api_token_create(user=user, name="bench", actor=Actor.command_line())
    return Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}",
                  HTTP_ACCEPT="application/fhir+json")


def _latency(client, requests: int) -> dict:
    from collis.bench import _percentiles, _queries, _time
    from collis.demo_data import FAMILY_NAMES, GIVEN_NAMES
    from collis.patients.models import Patient
    from collis.treatments.models import ToxinCycle

    rng = random.Random(5)
    patients = list(Patient.objects.order_by("?").values_list("pk", "nhs_number")[:2000])
    cycles = list(ToxinCycle.objects.order_by("?").values_list("pk", flat=True)[:2000])
    from collis.assessments.models import ScaleAssessment

    scales = list(ScaleAssessment.objects.exclude(record_status="amended").order_by("?")
                  .values_list("pk", flat=True)[:2000])
    reads = []
    for _ in range(requests):
        kind = rng.random()
        if kind < 0.5:
            reads.append(f"/fhir/R4/Patient/{rng.choice(patients)[0]}")
        elif kind < 0.8 or not scales:
            reads.append(f"/fhir/R4/Procedure/toxin-{rng.choice(cycles)}")
        else:
            reads.append(f"/fhir/R4/Observation/scale-{rng.choice(scales)}")
    nhs = "https://fhir.nhs.uk/Id/nhs-number"
    searches = []
    for _ in range(requests):
        kind = rng.random()
        patient, number = rng.choice(patients)
        if kind < 0.3:
            searches.append(f"/fhir/R4/Patient?identifier={nhs}|{number}")
        elif kind < 0.6:
            searches.append(f"/fhir/R4/Patient?name={rng.choice(GIVEN_NAMES)}+"
                            f"{rng.choice(FAMILY_NAMES)[:4]}")
        elif kind < 0.8:
            searches.append(f"/fhir/R4/Procedure?patient=Patient/{patient}")
        else:
            searches.append(f"/fhir/R4/Observation?patient=Patient/{patient}&code=twstrs-total")
    _time(client, reads[:20] + searches[:20])
    read_ms, search_ms = _time(client, reads), _time(client, searches)
    return {"read_ms": _percentiles(read_ms), "search_ms": _percentiles(search_ms),
            "read_queries": _queries(client, reads[0]),
            "search_queries": _queries(client, searches[0])}


def fhir_benchmark(*, patients: int, requests: int, histories: int = 500,
                   small: int | None = None) -> dict:
    from collis.bench import _bench_database_url

    url = _bench_database_url()
    _setup(url)
    from django.db import connection

    print(f"FHIR benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    seed(patients=patients, histories=histories)
    client = _token_client(_exporter())
    results = {"patients": patients, "histories": histories} | _latency(client, requests)
    for label, key, queries, goal in (("FHIR read", "read_ms", "read_queries", READ_GOAL_MS),
                                      ("FHIR search", "search_ms", "search_queries",
                                       SEARCH_GOAL_MS)):
        p50, p95 = results[key]
        verdict = "meets" if p95 < goal else "MISSES"
        print(f"  {label:<12} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {results[queries]} SQL "
              f"queries   ({verdict} the p95 < {goal:.0f} ms goal; {requests} requests)")
    connection.close()
    load = os.getloadavg()
    print(f"  load average before the exports: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    small = small or min(10_000, max(patients // 10, 1))
    small_url = _small_database_url(url)
    _child("seed", small_url, str(small), str(max(histories * small // patients, 1)))
    results["export_small"] = _exports(small_url)
    _report_export(f"{small:,} patients", results["export_small"])
    results["export"] = _exports(url)
    _report_export(f"{patients:,} patients", results["export"])
    return results


def _small_database_url(url: str) -> str:
    if url.startswith("sqlite"):
        return url.replace("bench.sqlite3", "bench10k.sqlite3")
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}10k"
    with psycopg.connect(dbname="postgres", user=config["USER"] or None,
                         password=config["PASSWORD"] or None, host=config["HOST"] or None,
                         port=config["PORT"] or None, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


if __name__ == "__main__":  # the child processes of `fhir_benchmark`
    command, database_url, *rest = sys.argv[1:]
    _setup(database_url)
    if command == "seed":
        seed(patients=int(rest[0]), histories=int(rest[1]))
    else:
        print(json.dumps(export()))

"""The `collis` command: demo data, API tokens, clinical assessment, benchmarks, and
Django's own management commands.

    collis demo-data              load the sites, demo staff and synthetic patients
    collis token create USERNAME  print a new API token for a member of staff
    collis assess CASE.json       assess selective-denervation candidacy (pure Python)
    collis bench                  measure search and page latency, and the domain engine
    collis bench --http           load the production stack (gunicorn) with wrk
    collis backup FILE            back up the SQLite database to a new file
    collis restore FILE           restore the SQLite database from a backup, Collis stopped
    collis run                    serve on 127.0.0.1:8000 with the task worker beside it
    collis manage ARGS...         run a Django management command (migrate, runserver, ...)
"""

from __future__ import annotations

import argparse
import os
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collis.config.settings.local")
    import django

    django.setup()


def _demo_data(args) -> int:
    _django_setup()
    from collis.demo_data import DEMO_PASSWORD, demo_data_load

    result = demo_data_load(patients=args.patients)
    print(f"Demo data: {result.sites_created} sites, {result.users_created} staff accounts and "
          f"{result.patients_created} patients created "
          f"({result.patients_total} patients in all; {result.histories} with a clinical "
          "history).")
    if args.logins:
        print("\nDemo logins (every password is the same):")
        for username, role in result.logins:
            print(f"  {username:<14} {role:<28} password: {DEMO_PASSWORD}")
    return 0


def _token_create(args) -> int:
    _django_setup()
    from django.contrib.auth import get_user_model

    from collis.core.audit import Actor
    from collis.core.services import api_token_create

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"collis token create: no user is called {args.username!r}.", file=sys.stderr)
        return 2
    try:
        raw = api_token_create(user=user, name=args.name, actor=Actor.command_line())
    except ValueError as error:
        print(f"collis token create: {error}", file=sys.stderr)
        return 2
    print(raw)
    return 0


def _bench(args) -> int:
    if args.http:
        from collis.bench_http import main as bench_http_main

        return bench_http_main(args)
    from collis.bench import main as bench_main

    return bench_main(args)


def _numbers(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of numbers such as 1,8,32") from None
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError("give one or more numbers of 1 or more, such as 1,8,32")
    return numbers


def _sqlite_database(command: str):
    """The SQLite database file Collis is configured with, or None (after saying why)."""
    _django_setup()
    from django.db import connections

    database = connections["default"].settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3":
        print(f"collis {command}: the database is PostgreSQL; use pg_dump and pg_restore "
              "as the README says (\"Backup and restore\").", file=sys.stderr)
        return None
    return database["NAME"]


def _backup(args) -> int:
    from collis.backup import BackupError, sqlite_backup

    database = _sqlite_database("backup")
    if database is None:
        return 2
    try:
        summary = sqlite_backup(database=database, target=args.file)
    except BackupError as error:
        print(f"collis backup: {error}", file=sys.stderr)
        return 2
    print(f"Backed up {database} to {args.file}: {summary.tables} tables, {summary.rows} "
          f"rows (content SHA-256 {summary.digest}).")
    return 0


def _restore(args) -> int:
    from collis.backup import BackupError, sqlite_restore

    database = _sqlite_database("restore")
    if database is None:
        return 2
    try:
        result = sqlite_restore(backup=args.file, database=database,
                                keep_previous=args.keep_previous)
    except BackupError as error:
        print(f"collis restore: {error}", file=sys.stderr)
        return 2
    print(f"Restored {database} from {args.file}: {result.summary.tables} tables, "
          f"{result.summary.rows} rows, checked table by table against the backup "
          f"(content SHA-256 {result.summary.digest}).")
    if result.previous:
        print(f"The database as it was before is kept at {result.previous}.")
    return 0


def _audit(args) -> int:
    """`collis audit partitions` and `collis audit archive` (PostgreSQL, as the owner)."""
    _django_setup()
    from datetime import date
    from pathlib import Path

    from django.conf import settings
    from django.db import connection, transaction

    from collis.core import audit_partitions
    from collis.core.audit import Actor, audit_record
    from collis.core.models import AuditAction

    if connection.vendor != "postgresql":
        print("collis audit: the audit log is partitioned on PostgreSQL only; on SQLite it "
              "is one table and there is nothing to do.", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        if args.audit_command == "partitions":
            made = audit_partitions.partitions_ensure(cursor, months_ahead=args.months_ahead)
            print(f"Made {made} partitions; the audit log has a partition for every month "
                  f"to {args.months_ahead} months ahead.")
            return 0
        today = date.today()
        oldest_kept = today.replace(year=today.year - settings.COLLIS_AUDIT_RETENTION_YEARS,
                                    day=1)
        before = date.fromisoformat(f"{args.before}-01")
        if before > oldest_kept:
            print(f"collis audit archive: the log is kept for "
                  f"{settings.COLLIS_AUDIT_RETENTION_YEARS} years (COLLIS_AUDIT_RETENTION_YEARS, "
                  f"local policy): months before {oldest_kept:%Y-%m} only.", file=sys.stderr)
            return 2
        directory = Path(args.to)
        directory.mkdir(parents=True, exist_ok=True)
        for suffix in audit_partitions.archivable_months(cursor, before=before):
            with transaction.atomic():
                manifest = audit_partitions.month_archive(
                    cursor, cursor.cursor, suffix=suffix, directory=directory)
                rows = {name: entry["rows"] for name, entry in manifest.items()}
                audit_record(actor=Actor.command_line(), action=AuditAction.DELETE,
                             object_type="audit_log",
                             summary=f"Archived the audit log of {suffix[2:6]}-{suffix[7:9]} "
                                     f"to {directory}", details={"files": manifest})
            print(f"Archived {suffix[2:6]}-{suffix[7:9]}: {rows}")
    return 0


def _run(args) -> int:
    """The development web server and the background task worker together (emails and other
    queued work need the worker); Ctrl+C, or either of them ending, stops both."""
    import signal
    import subprocess
    import time
    from pathlib import Path

    collis = str(Path(sys.executable).parent / "collis")
    # The service audit's summaries refresh on the worker's schedule (queued once).
    subprocess.run([collis, "manage", "audit_summaries"], check=False,  # noqa: S603
                   stdout=subprocess.DEVNULL)
    processes = [
        subprocess.Popen([collis, "manage", "runserver", args.address]),  # noqa: S603
        subprocess.Popen([collis, "manage", "db_worker", "--queue-name", "*",  # noqa: S603
                          "--interval", "1"]),
    ]
    print(f"Collis is serving http://{args.address}/ with the task worker beside it "
          "(press Ctrl+C to stop both)", flush=True)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    codes = [process.returncode for process in processes]
    return next((code for code in codes if code not in (0, -signal.SIGINT)), 0)


def _manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collis.config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["collis manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="collis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo-data", help="load demo sites, staff and patients")
    demo.add_argument("--patients", type=int, default=300,
                      help="how many synthetic patients to have (default 300)")
    demo.add_argument("--no-logins", dest="logins", action="store_false",
                      help="do not print the demo logins")
    demo.set_defaults(handler=_demo_data)

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token and print it once")
    create.add_argument("username")
    create.add_argument("--name", default="", help="what the token is for")
    create.set_defaults(handler=_token_create)

    assess = commands.add_parser("assess", help="assess selective-denervation candidacy")
    try:
        from collis.domain import assess_command
    except ImportError:  # pragma: no cover - the domain package is always shipped
        assess_command = None
    if assess_command is not None:
        assess_command.add_arguments(assess)
        assess.set_defaults(handler=assess_command.run)

    bench = commands.add_parser("bench", help="benchmarks (see README)")
    bench.add_argument("--patients", type=int, default=100_000)
    bench.add_argument("--requests", type=int, default=300,
                       help="requests timed per page (default 300)")
    bench.add_argument("--cases", type=int, default=100_000,
                       help="case facts assessed by the domain benchmark")
    bench.add_argument("--only", choices=["web", "scheduling", "fhir", "audit", "domain"],
                       default=None,
                       help="web: patient search and page; scheduling: slot search, "
                            "booking and the toxin recall; fhir: FHIR read, search and "
                            "bulk export; audit: the service audit's pages and the toxin "
                            "summaries' refresh; domain: the engine")
    bench.add_argument("--fhir-histories", type=int, default=500,
                       help="patients given a full clinical history for the FHIR part "
                            "(default 500; a tenth of them at 10,000 patients)")
    bench.add_argument("--cycles-per-patient", type=int, default=10,
                       help="toxin cycles per patient for --only audit (default 10: "
                            "1,000,000 at 100,000 patients)")
    bench.add_argument("--audit-requests", type=int, default=50,
                       help="requests timed per audit page (default 50)")
    http = bench.add_argument_group(
        "HTTP benchmark (--http): gunicorn with the production settings, loaded by wrk")
    http.add_argument("--http", action="store_true",
                      help="benchmark the production stack over HTTP instead")
    http.add_argument("--histories", type=int, default=3000,
                      help="patients with a clinical history (default 3000)")
    http.add_argument("--workers", type=int, default=None,
                      help="gunicorn sync workers (default: one per core)")
    http.add_argument("--concurrency", type=_numbers, default=[1, 8, 32],
                      help="concurrent connections of each run (default 1,8,32)")
    http.add_argument("--audit-concurrency", type=_numbers, default=[1, 8],
                      help="concurrent connections of the audit page runs (default 1,8)")
    http.add_argument("--duration", type=float, default=20.0,
                      help="seconds of each run (default 20)")
    http.add_argument("--audit-rows", type=int, default=10_000_000,
                      help="audit log entries to grow the log to (default 10,000,000)")
    http.add_argument("--sqlite", default=None, metavar="FILE",
                      help="SQLite database file (default var/bench.sqlite3; ignored when "
                           "DATABASE_URL names PostgreSQL)")
    bench.set_defaults(handler=_bench)

    backup = commands.add_parser("backup", help="back up the SQLite database to a new file")
    backup.add_argument("file", help="the backup file to create (never overwritten)")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore", help="restore the SQLite database from a backup file, with Collis stopped")
    restore.add_argument("file", help="a file made by `collis backup`")
    restore.add_argument("--no-keep", dest="keep_previous", action="store_false",
                         help="do not keep a copy of the database as it was before")
    restore.set_defaults(handler=_restore)

    audit = commands.add_parser("audit", help="the audit log's partitions and archive")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True,
                                          metavar="ACTION")
    partitions = audit_commands.add_parser(
        "partitions", help="make the monthly partitions ahead (run monthly, as the owner)")
    partitions.add_argument("--months-ahead", type=int, default=12)
    archive = audit_commands.add_parser(
        "archive", help="export months past the retention period to files, then drop them")
    archive.add_argument("--before", required=True, metavar="YYYY-MM",
                         help="archive the months before this one")
    archive.add_argument("--to", required=True, metavar="FOLDER",
                         help="where the gzipped CSV files and manifests go")
    audit.set_defaults(handler=_audit)

    run = commands.add_parser(
        "run", help="serve Collis for development with the background task worker")
    run.add_argument("--address", default="127.0.0.1:8000",
                     help="address and port to serve on (default 127.0.0.1:8000)")
    run.set_defaults(handler=_run)

    manage = commands.add_parser("manage", help="run a Django management command",
                                 add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args) or 0


if __name__ == "__main__":
    sys.exit(main())

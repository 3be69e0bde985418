"""Django's `flush`, refused on a database that holds real audit rows: emptying the tables
would destroy the audit log. Test databases (settings.COLLIS_ALLOW_FLUSH) may be flushed."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections


class Command(DjangoFlush):
    help = DjangoFlush.help + " Refused where the audit log holds entries, outside tests."

    def handle(self, **options):
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        if not getattr(settings, "COLLIS_ALLOW_FLUSH", False):
            with connection.cursor() as cursor:
                tables = connection.introspection.table_names(cursor)
                if "core_auditevent" in tables:
                    cursor.execute("SELECT 1 FROM core_auditevent LIMIT 1")
                    if cursor.fetchone():
                        raise CommandError(
                            "Refusing to flush: this database's audit log holds entries, "
                            "which must never be deleted. Restore an empty database instead.")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET collis.allow_truncate = 'on'")
        try:
            return super().handle(**options)
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("RESET collis.allow_truncate")

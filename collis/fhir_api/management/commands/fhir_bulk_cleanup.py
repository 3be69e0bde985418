"""Delete the files of FHIR bulk exports past their expiry (the task worker also does it
before each export); run it from cron where exports are kept long."""

from django.core.management.base import BaseCommand

from collis.fhir_api.bulk import bulk_export_expired_delete


class Command(BaseCommand):
    help = "Delete the files of expired FHIR bulk exports and mark them expired."

    def handle(self, *args, **options):
        count = bulk_export_expired_delete()
        self.stdout.write(f"{count} expired bulk export(s) deleted.")

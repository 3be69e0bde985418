"""`collis manage audit_summaries [--now]`: queue the refresh of every unit's toxin clinic
summaries for the task worker (which then queues itself again on its schedule; a refresh
already waiting is not queued twice, so running this again is harmless), or with
--now compute them here and print how long each unit took."""

from django.core.management.base import BaseCommand

from collis.core.models import Organisation


class Command(BaseCommand):
    help = "Refresh the service audit's toxin clinic summaries (queued, or --now)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true",
                            help="compute them now instead of queueing the task")

    def handle(self, *args, now=False, **options):
        from collis.service_audit.tasks import toxin_summaries_refresh_queue
        from collis.service_audit.toxin_summaries import toxin_summaries_refresh

        for unit in Organisation.objects.order_by("pk"):
            if now:
                result = toxin_summaries_refresh(organisation=unit)
                self.stdout.write(f"{unit.name}: {result['summaries']} summaries in "
                                  f"{result['seconds']} s")
            else:
                queued = toxin_summaries_refresh_queue(unit.pk)
                self.stdout.write(f"{unit.name}: refresh queued" if queued else
                                  f"{unit.name}: a refresh is already queued")

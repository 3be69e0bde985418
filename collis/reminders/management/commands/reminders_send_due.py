"""Queue every appointment message that is due and still waiting (safe to run often, from
any number of machines: a message is sent once whoever queues it)."""

from django.core.management.base import BaseCommand

from collis.reminders.services import messages_due_enqueue


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        count = messages_due_enqueue()
        self.stdout.write(f"Queued {count} message(s) that were due.")

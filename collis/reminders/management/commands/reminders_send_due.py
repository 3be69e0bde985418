"""Queue every appointment message and clinic letter email that is due and still waiting,
after giving back any whose worker stopped while sending it (safe to run often, from any
number of machines: a message is sent once whoever queues it)."""

from django.core.management.base import BaseCommand

from collis.letters.services import letter_emails_due_enqueue
from collis.reminders.services import messages_due_enqueue


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        messages = messages_due_enqueue()
        letters = letter_emails_due_enqueue()
        self.stdout.write(f"Queued {messages} appointment message(s) and {letters} clinic "
                          f"letter email(s) that were due.")

"""`collis manage questionnaire_emails`: queue the invitations and reminders of
questionnaires due today (run it daily, e.g. from cron; the task worker sends them, each
checked again when sent)."""

from django.core.management.base import BaseCommand

from collis.questionnaires.services import questionnaire_emails_queue


class Command(BaseCommand):
    help = "Queue questionnaire invitations and reminders that are due (run daily)."

    def handle(self, *args, **options):
        queued = questionnaire_emails_queue()
        self.stdout.write(f"Queued {queued} questionnaire email(s).")

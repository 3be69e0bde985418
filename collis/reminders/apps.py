from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "collis.reminders"
    verbose_name = "Appointment confirmations and reminders"

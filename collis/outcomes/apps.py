from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "collis.outcomes"
    label = "outcomes"

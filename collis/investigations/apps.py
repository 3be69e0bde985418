from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "collis.investigations"
    label = "investigations"
    verbose_name = "Investigations"

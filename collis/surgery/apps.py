from django.apps import AppConfig


class SurgeryConfig(AppConfig):
    name = "collis.surgery"
    label = "surgery"
    verbose_name = "The selective denervation pathway"

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "collis.scheduling"
    label = "scheduling"
    verbose_name = "Clinics and appointments"

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "collis.patients"
    label = "patients"
    verbose_name = "Patient registry"

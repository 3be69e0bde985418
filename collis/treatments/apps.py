from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "collis.treatments"
    label = "treatments"
    verbose_name = "Botulinum toxin, medication and therapy"

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "collis.assessments"
    label = "assessments"
    verbose_name = "Diagnosis, examination and rating scales"

from django.apps import AppConfig


class CandidacyConfig(AppConfig):
    name = "collis.candidacy"
    label = "candidacy"
    verbose_name = "Selective denervation candidacy assessments"

from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "collis.questionnaires"
    label = "questionnaires"
    verbose_name = "Patient-reported questionnaires"

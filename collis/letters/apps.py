from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "collis.letters"
    verbose_name = "Clinic letters"

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "collis.consent"
    label = "consent"

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "collis.public"
    label = "public"
    verbose_name = "Public information and patient stories"

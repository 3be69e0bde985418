from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "collis.portal"
    label = "portal"
    verbose_name = "Patient portal"

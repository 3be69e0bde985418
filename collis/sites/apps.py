from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "collis.sites"
    label = "sites"
    verbose_name = "The unit's sites"

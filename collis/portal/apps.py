from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "collis.portal"
    label = "portal"
    verbose_name = "Patient portal"

    def ready(self):
        from django.core import checks

        from collis.portal.nhs_login import settings_check

        checks.register(settings_check)

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "collis.core"
    label = "core"
    verbose_name = "Collis core: accounts and audit"


class CollisAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open only to administrators."""

    default = False
    default_site = "collis.core.admin_site.CollisAdminSite"

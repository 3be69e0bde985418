from django.apps import AppConfig


class ServiceAuditConfig(AppConfig):
    name = "collis.service_audit"
    label = "service_audit"
    verbose_name = "Service audit"

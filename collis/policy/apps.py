from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "collis.policy"
    label = "policy"
    verbose_name = "Local policy under clinical governance"

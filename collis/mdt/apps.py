from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "collis.mdt"
    label = "mdt"

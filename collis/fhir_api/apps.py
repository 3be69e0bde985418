from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    name = "collis.fhir_api"
    label = "fhir_api"
    verbose_name = "FHIR R4 API"

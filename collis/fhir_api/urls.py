from django.urls import path

from collis.fhir_api import views

app_name = "fhir_api"

# Mounted at the root like every app (ADR 0007); the FHIR base is /fhir/R4/.
urlpatterns = [
    path("fhir/R4/metadata", views.metadata, name="metadata"),
    path("fhir/R4/<str:resource_type>", views.search, name="search"),
    path("fhir/R4/<str:resource_type>/<str:resource_id>", views.read, name="read"),
    path("fhir/R4/<str:resource_type>/<str:resource_id>/<str:operation>", views.operation,
         name="operation"),
    path("fhir/R4/<path:rest>", views.unknown, name="unknown"),
]

"""Pages of the assessments app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path  # noqa: F401

app_name = "assessments"

urlpatterns: list = []

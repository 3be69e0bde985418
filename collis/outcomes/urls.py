"""Pages of the outcomes app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path  # noqa: F401

app_name = "outcomes"

urlpatterns: list = []

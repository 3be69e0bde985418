"""Pages of the consent app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path  # noqa: F401

app_name = "consent"

urlpatterns: list = []

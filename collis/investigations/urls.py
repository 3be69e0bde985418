"""Pages of the investigations app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path  # noqa: F401

app_name = "investigations"

urlpatterns: list = []

"""Pages of the pathway: episodes of a patient, the waiting list and worklists."""

from django.urls import path  # noqa: F401

app_name = "surgery"

urlpatterns: list = []

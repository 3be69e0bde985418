"""The patient's contact preferences for appointment messages."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.reminders import views

app_name = "reminders"

urlpatterns = [
    path(PATIENT + "contact-preferences/", views.contact_preferences,
         name="contact_preferences"),
]

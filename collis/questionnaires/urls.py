from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path(PATIENT + "patient-reported/", views.patient_reported, name="patient_reported"),
]

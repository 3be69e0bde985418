"""Pages of the patient registry: the list, and each patient's own pages under PATIENT."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.patients import views

app_name = "patients"

urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path(PATIENT, views.patient_detail, name="patient_detail"),
    path(PATIENT + "edit/", views.patient_edit, name="patient_edit"),
    path(PATIENT + "timeline/", views.patient_timeline, name="patient_timeline"),
    path(PATIENT + "access-history/", views.patient_access_history,
         name="patient_access_history"),
]

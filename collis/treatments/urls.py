"""Pages of the treatments app: a patient's pages, under PATIENT
(collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.treatments import views

app_name = "treatments"

urlpatterns = [
    path(PATIENT + "toxin/", views.toxin_list, name="toxin_list"),
    path(PATIENT + "toxin/new/", views.toxin_create, name="toxin_create"),
    path(PATIENT + "toxin/<int:pk>/", views.toxin_detail, name="toxin_detail"),
    path(PATIENT + "toxin/<int:pk>/review/", views.toxin_review, name="toxin_review"),
    path(PATIENT + "toxin/resistance-tests/new/", views.resistance_test_create,
         name="resistance_test_create"),
    path(PATIENT + "medication/", views.medication_list, name="medication_list"),
    path(PATIENT + "medication/new/", views.medication_create, name="medication_create"),
    path(PATIENT + "medication/<int:pk>/stop/", views.medication_stop, name="medication_stop"),
    path(PATIENT + "therapy/", views.therapy_list, name="therapy_list"),
    path(PATIENT + "therapy/new/", views.therapy_create, name="therapy_create"),
]

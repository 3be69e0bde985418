"""Pages of the treatments app: a patient's pages, under PATIENT
(collis/core/urls_prefixes.py). A create page given `?amends=<id>` corrects that entry."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.treatments import views

app_name = "treatments"

urlpatterns = [
    path(PATIENT + "toxin/", views.toxin_list, name="toxin_list"),
    path(PATIENT + "toxin/new/", views.toxin_create, name="toxin_create"),
    path(PATIENT + "toxin/<int:pk>/", views.toxin_detail, name="toxin_detail"),
    path(PATIENT + "toxin/<int:pk>/entered-in-error/", views.toxin_entered_in_error,
         name="toxin_entered_in_error"),
    path(PATIENT + "toxin/<int:pk>/review/", views.toxin_review, name="toxin_review"),
    path(PATIENT + "toxin/<int:pk>/review/entered-in-error/",
         views.toxin_review_entered_in_error, name="toxin_review_entered_in_error"),
    path(PATIENT + "toxin/resistance-tests/new/", views.resistance_test_create,
         name="resistance_test_create"),
    path(PATIENT + "toxin/resistance-tests/<int:pk>/", views.resistance_test_detail,
         name="resistance_test_detail"),
    path(PATIENT + "toxin/resistance-tests/<int:pk>/entered-in-error/",
         views.resistance_test_entered_in_error, name="resistance_test_entered_in_error"),
    path(PATIENT + "toxin/stopped/new/", views.toxin_stop_create, name="toxin_stop_create"),
    path(PATIENT + "toxin/stopped/<int:pk>/", views.toxin_stop_detail,
         name="toxin_stop_detail"),
    path(PATIENT + "toxin/stopped/<int:pk>/entered-in-error/",
         views.toxin_stop_entered_in_error, name="toxin_stop_entered_in_error"),
    path(PATIENT + "medication/", views.medication_list, name="medication_list"),
    path(PATIENT + "medication/new/", views.medication_create, name="medication_create"),
    path(PATIENT + "medication/<int:pk>/", views.medication_detail, name="medication_detail"),
    path(PATIENT + "medication/<int:pk>/stop/", views.medication_stop, name="medication_stop"),
    path(PATIENT + "medication/<int:pk>/entered-in-error/", views.medication_entered_in_error,
         name="medication_entered_in_error"),
    path(PATIENT + "therapy/", views.therapy_list, name="therapy_list"),
    path(PATIENT + "therapy/new/", views.therapy_create, name="therapy_create"),
    path(PATIENT + "therapy/<int:pk>/", views.therapy_detail, name="therapy_detail"),
    path(PATIENT + "therapy/<int:pk>/entered-in-error/", views.therapy_entered_in_error,
         name="therapy_entered_in_error"),
]

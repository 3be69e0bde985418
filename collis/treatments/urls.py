"""Pages of the treatments app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path

from collis.treatments import views

app_name = "treatments"

urlpatterns = [
    path("toxin/", views.toxin_list, name="toxin_list"),
    path("toxin/new/", views.toxin_create, name="toxin_create"),
    path("toxin/<int:pk>/", views.toxin_detail, name="toxin_detail"),
    path("toxin/<int:pk>/review/", views.toxin_review, name="toxin_review"),
    path("toxin/resistance-tests/new/", views.resistance_test_create,
         name="resistance_test_create"),
    path("medication/", views.medication_list, name="medication_list"),
    path("medication/new/", views.medication_create, name="medication_create"),
    path("medication/<int:pk>/stop/", views.medication_stop, name="medication_stop"),
    path("therapy/", views.therapy_list, name="therapy_list"),
    path("therapy/new/", views.therapy_create, name="therapy_create"),
]

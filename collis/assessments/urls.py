"""Pages of the assessments app: a patient's pages, under PATIENT
(collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.assessments import views
from collis.core.urls_prefixes import PATIENT

app_name = "assessments"

urlpatterns = [
    path(PATIENT + "diagnosis/", views.diagnosis, name="diagnosis"),
    path(PATIENT + "diagnosis/edit/", views.diagnosis_edit, name="diagnosis_edit"),
    path(PATIENT + "examinations/", views.examination_list, name="examination_list"),
    path(PATIENT + "examinations/new/", views.examination_create, name="examination_create"),
    path(PATIENT + "examinations/<int:pk>/", views.examination_detail, name="examination_detail"),
    path(PATIENT + "examinations/<int:pk>/muscles/", views.examination_muscles,
         name="examination_muscles"),
    path(PATIENT + "examinations/<int:pk>/entered-in-error/", views.examination_entered_in_error,
         name="examination_entered_in_error"),
    path(PATIENT + "scales/", views.scale_list, name="scale_list"),
    path(PATIENT + "scales/<int:pk>/", views.scale_detail, name="scale_detail"),
    path(PATIENT + "scales/<int:pk>/entered-in-error/", views.scale_entered_in_error,
         name="scale_entered_in_error"),
    path(PATIENT + "scales/<str:kind>/new/", views.scale_create, name="scale_create"),
]

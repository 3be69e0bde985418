"""Pages of the assessments app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path

from collis.assessments import views

app_name = "assessments"

urlpatterns = [
    path("diagnosis/", views.diagnosis, name="diagnosis"),
    path("diagnosis/edit/", views.diagnosis_edit, name="diagnosis_edit"),
    path("examinations/", views.examination_list, name="examination_list"),
    path("examinations/new/", views.examination_create, name="examination_create"),
    path("examinations/<int:pk>/", views.examination_detail, name="examination_detail"),
    path("examinations/<int:pk>/muscles/", views.examination_muscles,
         name="examination_muscles"),
    path("scales/", views.scale_list, name="scale_list"),
    path("scales/<int:pk>/", views.scale_detail, name="scale_detail"),
    path("scales/<str:kind>/new/", views.scale_create, name="scale_create"),
]

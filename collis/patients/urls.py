from django.urls import path

from collis.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="patient_list"),
    path("new/", views.patient_create, name="patient_create"),
    path("<uuid:patient_id>/", views.patient_detail, name="patient_detail"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path("<uuid:patient_id>/timeline/", views.patient_timeline, name="patient_timeline"),
    path("<uuid:patient_id>/access-history/", views.patient_access_history,
         name="patient_access_history"),
]

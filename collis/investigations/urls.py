"""Pages of the investigations app: a patient's pages, under PATIENT
(collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.investigations import views

app_name = "investigations"

urlpatterns = [
    path(PATIENT + "investigations/", views.investigation_list, name="investigation_list"),
    path(PATIENT + "investigations/new/", views.investigation_create,
         name="investigation_create"),
    path(PATIENT + "investigations/<int:pk>/", views.investigation_detail,
         name="investigation_detail"),
    path(PATIENT + "investigations/<int:pk>/entered-in-error/",
         views.investigation_entered_in_error, name="investigation_entered_in_error"),
    path(PATIENT + "investigations/<int:pk>/files/<int:file_pk>/",
         views.investigation_file_download, name="investigation_file_download"),
]

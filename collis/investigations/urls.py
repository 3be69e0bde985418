"""Pages of the investigations app, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path

from collis.investigations import views

app_name = "investigations"

urlpatterns = [
    path("investigations/", views.investigation_list, name="investigation_list"),
    path("investigations/new/", views.investigation_create, name="investigation_create"),
    path("investigations/<int:pk>/", views.investigation_detail, name="investigation_detail"),
    path("investigations/<int:pk>/edit/", views.investigation_edit, name="investigation_edit"),
    path("investigations/<int:pk>/files/<int:file_pk>/", views.investigation_file_download,
         name="investigation_file_download"),
]

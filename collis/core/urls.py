from django.urls import path

from collis.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
]

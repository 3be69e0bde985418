"""Pages of candidacy assessment, mounted under /patients/<uuid:patient_id>/."""

from django.urls import path

from collis.candidacy import views

app_name = "candidacy"

urlpatterns = [
    path("candidacy/", views.candidacy_list, name="candidacy_list"),
    path("candidacy/new/", views.candidacy_new, name="candidacy_new"),
    path("candidacy/<int:pk>/", views.candidacy_detail, name="candidacy_detail"),
]

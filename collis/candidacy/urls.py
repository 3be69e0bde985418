"""Pages of candidacy assessment: a patient's pages, under PATIENT
(collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.candidacy import views
from collis.core.urls_prefixes import PATIENT

app_name = "candidacy"

urlpatterns = [
    path(PATIENT + "candidacy/", views.candidacy_list, name="candidacy_list"),
    path(PATIENT + "candidacy/new/", views.candidacy_new, name="candidacy_new"),
    path(PATIENT + "candidacy/<int:pk>/", views.candidacy_detail, name="candidacy_detail"),
]

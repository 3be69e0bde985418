"""Pages after SD, per episode, under EPISODE (collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.core.urls_prefixes import EPISODE
from collis.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path(EPISODE + "operation/", views.operation_detail, name="operation_detail"),
    path(EPISODE + "operation/record/", views.operation_create, name="operation_create"),
    path(EPISODE + "physiotherapy/", views.physio_programme, name="physio_programme"),
    path(EPISODE + "physiotherapy/start/", views.physio_programme_start,
         name="physio_programme_start"),
    path(EPISODE + "physiotherapy/sessions/<int:session_id>/", views.physio_session_update,
         name="physio_session_update"),
    path(EPISODE + "follow-up/", views.follow_up, name="follow_up"),
    path(EPISODE + "follow-up/start/", views.follow_up_start, name="follow_up_start"),
    path(EPISODE + "follow-up/reviews/<int:months>/", views.follow_up_review_create,
         name="follow_up_review_create"),
    path(EPISODE + "follow-up/complications/new/", views.complication_create,
         name="complication_create"),
    path(EPISODE + "follow-up/further-surgery/new/", views.further_surgery_create,
         name="further_surgery_create"),
    path(EPISODE + "follow-up/discharge/", views.discharge, name="discharge"),
]

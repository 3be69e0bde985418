"""Pages after SD, per episode, under EPISODE (collis/core/urls_prefixes.py). An entry's
own page takes its id as `pk` (a session's as `session_id`); the form that records an entry
corrects one with `?amends=<id>`."""

from django.urls import path

from collis.core.urls_prefixes import EPISODE
from collis.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path(EPISODE + "operation/", views.operation_detail, name="operation_detail"),
    path(EPISODE + "operation/record/", views.operation_create, name="operation_create"),
    path(EPISODE + "operation/<int:pk>/", views.operation_version, name="operation_version"),
    path(EPISODE + "operation/<int:pk>/entered-in-error/", views.operation_entered_in_error,
         name="operation_entered_in_error"),
    path(EPISODE + "physiotherapy/", views.physio_programme, name="physio_programme"),
    path(EPISODE + "physiotherapy/start/", views.physio_programme_start,
         name="physio_programme_start"),
    path(EPISODE + "physiotherapy/sessions/<int:session_id>/", views.physio_session_update,
         name="physio_session_update"),
    path(EPISODE + "physiotherapy/sessions/<int:pk>/entry/", views.physio_session_detail,
         name="physio_session_detail"),
    path(EPISODE + "physiotherapy/sessions/<int:pk>/entered-in-error/",
         views.physio_session_entered_in_error, name="physio_session_entered_in_error"),
    path(EPISODE + "follow-up/", views.follow_up, name="follow_up"),
    path(EPISODE + "follow-up/start/", views.follow_up_start, name="follow_up_start"),
    path(EPISODE + "follow-up/reviews/<int:months>/", views.follow_up_review_create,
         name="follow_up_review_create"),
    path(EPISODE + "follow-up/review-entries/<int:pk>/", views.follow_up_review_detail,
         name="follow_up_review_detail"),
    path(EPISODE + "follow-up/review-entries/<int:pk>/entered-in-error/",
         views.follow_up_review_entered_in_error, name="follow_up_review_entered_in_error"),
    path(EPISODE + "follow-up/complications/new/", views.complication_create,
         name="complication_create"),
    path(EPISODE + "follow-up/complications/<int:pk>/", views.complication_detail,
         name="complication_detail"),
    path(EPISODE + "follow-up/complications/<int:pk>/entered-in-error/",
         views.complication_entered_in_error, name="complication_entered_in_error"),
    path(EPISODE + "follow-up/further-surgery/new/", views.further_surgery_create,
         name="further_surgery_create"),
    path(EPISODE + "follow-up/further-surgery/<int:pk>/", views.further_surgery_detail,
         name="further_surgery_detail"),
    path(EPISODE + "follow-up/further-surgery/<int:pk>/entered-in-error/",
         views.further_surgery_entered_in_error, name="further_surgery_entered_in_error"),
    path(EPISODE + "follow-up/discharge/", views.discharge, name="discharge"),
]

"""Pages of the pathway: episodes of a patient, the waiting list and worklists."""

from django.urls import path

from collis.surgery import views

app_name = "surgery"

EPISODE = "patients/<uuid:patient_id>/episodes/<int:episode_id>/"

urlpatterns = [
    path("patients/<uuid:patient_id>/pathway/", views.episode_list, name="episode_list"),
    path("patients/<uuid:patient_id>/pathway/new/", views.episode_create,
         name="episode_create"),
    path(EPISODE, views.episode_detail, name="episode_detail"),
    path(EPISODE + "referral-letter/", views.referral_letter, name="referral_letter"),
    path(EPISODE + "move/<slug:event>/", views.episode_move, name="episode_move"),
    path(EPISODE + "listing/", views.episode_listing, name="episode_listing"),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("worklist/", views.worklist, name="worklist"),
]

"""Pages of the pathway: episodes of a patient (under PATIENT and EPISODE), the waiting list
and worklists."""

from django.urls import path

from collis.core.urls_prefixes import EPISODE, PATIENT
from collis.surgery import views

app_name = "surgery"

urlpatterns = [
    path(PATIENT + "pathway/", views.episode_list, name="episode_list"),
    path(PATIENT + "pathway/new/", views.episode_create,
         name="episode_create"),
    path(EPISODE, views.episode_detail, name="episode_detail"),
    path(EPISODE + "referral-letter/", views.referral_letter, name="referral_letter"),
    path(EPISODE + "move/<slug:event>/", views.episode_move, name="episode_move"),
    path(EPISODE + "listing/", views.episode_listing, name="episode_listing"),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("worklist/", views.worklist, name="worklist"),
    path(EPISODE + "worklist-move/", views.worklist_move, name="worklist_move"),
]

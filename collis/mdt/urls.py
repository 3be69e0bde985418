"""Pages of the MDT: meetings under mdt/, and each episode's decisions and funding under
EPISODE (collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.core.urls_prefixes import EPISODE
from collis.mdt import views

app_name = "mdt"

urlpatterns = [
    path("mdt/", views.meeting_list, name="meeting_list"),
    path("mdt/new/", views.meeting_create, name="meeting_create"),
    path("mdt/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("mdt/<int:meeting_id>/agenda/", views.agenda_add, name="agenda_add"),
    path("mdt/<int:meeting_id>/agenda/fill/", views.agenda_fill, name="agenda_fill"),
    path("mdt/<int:meeting_id>/agenda/<int:item_id>/", views.agenda_item, name="agenda_item"),
    path(EPISODE + "mdt/", views.episode_decisions, name="episode_decisions"),
    path(EPISODE + "mdt/decisions/<int:decision_id>/letter/", views.decision_letter,
         name="decision_letter"),
    path(EPISODE + "mdt/decisions/<int:decision_id>/correct/", views.decision_correct,
         name="decision_correct"),
    path(EPISODE + "funding/", views.funding, name="funding"),
    path(EPISODE + "funding/new/", views.funding_new, name="funding_new"),
    path(EPISODE + "funding/<int:request_id>/", views.funding_detail, name="funding_detail"),
    path(EPISODE + "funding/<int:request_id>/pdf/", views.funding_pdf, name="funding_pdf"),
]

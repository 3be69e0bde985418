"""Pages of clinics (unit-wide) and of a patient's appointments (under PATIENT)."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.scheduling import clinic_views, recall_views, views

app_name = "scheduling"

urlpatterns = [
    path("clinics/", views.session_list, name="session_list"),
    path("clinics/new/", views.session_new, name="session_new"),
    path("clinics/<int:session_id>/", views.session_detail, name="session_detail"),
    path("clinics/<int:session_id>/clinic-list.pdf", views.session_pdf, name="session_pdf"),
    path("clinics/recall/", recall_views.recall_list, name="recall_list"),
    path("clinics/due/", recall_views.due_list, name="due_list"),
    path(PATIENT + "due/book/", recall_views.due_book, name="due_book"),
    path(PATIENT + "recall/book/", recall_views.recall_book, name="recall_book"),
    path(PATIENT + "appointments/", views.appointment_list, name="appointment_list"),
    path(PATIENT + "appointments/find/", views.appointment_find, name="appointment_find"),
    path(PATIENT + "appointments/book/", views.appointment_book, name="appointment_book"),
    path(PATIENT + "appointments/<int:pk>/", views.appointment_detail,
         name="appointment_detail"),
    path(PATIENT + "appointments/<int:pk>/attendance/", views.appointment_attendance,
         name="appointment_attendance"),
    path(PATIENT + "appointments/<int:pk>/toxin-cycle/", clinic_views.clinic_cycle,
         name="clinic_cycle"),
    path(PATIENT + "appointments/<int:pk>/cancel/", views.appointment_cancel,
         name="appointment_cancel"),
]

"""Pages of a patient's clinic letters."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.letters import views

app_name = "letters"

urlpatterns = [
    path(PATIENT + "appointments/<int:appointment_id>/letter/", views.letter_new,
         name="letter_new"),
    path(PATIENT + "letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path(PATIENT + "letters/<int:pk>/edit/", views.letter_edit, name="letter_edit"),
    path(PATIENT + "letters/<int:pk>/send/", views.letter_send, name="letter_send"),
    path(PATIENT + "letters/<int:pk>/entered-in-error/", views.letter_error,
         name="letter_error"),
    path(PATIENT + "letters/<int:pk>/letter.pdf", views.letter_download,
         name="letter_download"),
]

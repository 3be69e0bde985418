"""Pages of counselling and consent, per pathway episode, under EPISODE
(collis/core/urls_prefixes.py)."""

from django.urls import path

from collis.consent import views
from collis.core.urls_prefixes import EPISODE

app_name = "consent"

urlpatterns = [
    path(EPISODE + "consent/", views.episode_consent, name="episode_consent"),
    path(EPISODE + "consent/decision-aid/", views.decision_aid_page, name="decision_aid"),
    path(EPISODE + "consent/decision-aid.pdf", views.decision_aid_pdf,
         name="decision_aid_pdf"),
    path(EPISODE + "consent/decision-aid/patient/", views.patient_aid_page,
         name="patient_aid"),
    path(EPISODE + "consent/decision-aid-patient.pdf", views.patient_aid_pdf,
         name="patient_aid_pdf"),
    path(EPISODE + "consent/counselling/new/", views.counselling_new, name="counselling_new"),
    path(EPISODE + "consent/counselling/<int:session_id>/", views.counselling_detail,
         name="counselling_detail"),
    path(EPISODE + "consent/counselling/<int:session_id>/entered-in-error/",
         views.counselling_entered_in_error, name="counselling_entered_in_error"),
    path(EPISODE + "consent/new/", views.consent_new, name="consent_new"),
    path(EPISODE + "consent/form.pdf", views.consent_pdf, name="consent_pdf"),
    path(EPISODE + "consent/confirm/", views.consent_confirm, name="consent_confirm"),
    path(EPISODE + "consent/confirm/<int:confirmation_id>/entered-in-error/",
         views.confirmation_entered_in_error, name="confirmation_entered_in_error"),
]

"""The patient portal's pages, under /portal/, and the staff page of a patient's portal
access (under PATIENT)."""

from django.urls import path

from collis.core.urls_prefixes import PATIENT
from collis.portal import views

app_name = "portal"

urlpatterns = [
    path(PATIENT + "portal-access/", views.portal_access, name="portal_access"),
    path(PATIENT + "portal-access/invitations/<int:pk>/withdraw/", views.invitation_revoke,
         name="invitation_revoke"),
    path(PATIENT + "portal-access/close/", views.account_withdraw, name="account_withdraw"),
    path("portal/", views.home, name="home"),
    path("portal/invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("portal/security/", views.security_set_up, name="security_set_up"),
    path("portal/security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("portal/sign-in/", views.sign_in, name="sign_in"),
    path("portal/sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("portal/sign-in/nhs-login/", views.nhs_login_start, name="nhs_login_start"),
    path("portal/sign-in/nhs-login/callback/", views.nhs_login_callback,
         name="nhs_login_callback"),
    path("portal/sign-out/", views.sign_out, name="sign_out"),
    path("portal/access/", views.access_list, name="access_list"),
    path("portal/access/<int:pk>/ask/", views.access_ask, name="access_ask"),
    path("portal/appointments/", views.appointment_list, name="appointment_list"),
    path("portal/appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("portal/appointments/<int:pk>/calendar.ics", views.appointment_calendar,
         name="appointment_calendar"),
    path("portal/appointments/<int:pk>/change/", views.appointment_change,
         name="appointment_change"),
    path("portal/documents/", views.document_list, name="document_list"),
    path("portal/documents/<int:episode_id>/decision-aid.pdf", views.decision_aid_pdf,
         name="decision_aid_pdf"),
    path("portal/documents/<int:episode_id>/consent-form.pdf", views.consent_pdf,
         name="consent_pdf"),
    path("portal/documents/<int:episode_id>/mdt-outcome.pdf", views.outcome_letter_pdf,
         name="outcome_letter_pdf"),
    path("portal/documents/letters/<int:letter_id>.pdf", views.letter_pdf,
         name="letter_pdf"),
    path("portal/my-data/", views.my_data, name="my_data"),
    path("portal/my-data/my-data.json", views.my_data_json, name="my_data_json"),
    path("portal/my-data/my-data.pdf", views.my_data_pdf, name="my_data_pdf"),
    path("portal/my-data/schema.json", views.my_data_schema, name="my_data_schema"),
    path("portal/questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("portal/questionnaires/<str:occasion>/", views.questionnaire_answer,
         name="questionnaire_answer"),
]

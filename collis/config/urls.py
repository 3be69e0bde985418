from django.contrib import admin
from django.urls import include, path

from collis.config.api import api
from collis.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.login_view, name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    # One rule (ADR 0007): every app is mounted once, here at the root; its urls.py gives
    # full paths, a patient's pages starting with PATIENT and an episode's with EPISODE
    # (collis/core/urls_prefixes.py).
    path("", include("collis.patients.urls")),
    path("", include("collis.assessments.urls")),
    path("", include("collis.treatments.urls")),
    path("", include("collis.investigations.urls")),
    path("", include("collis.candidacy.urls")),
    path("", include("collis.surgery.urls")),
    path("", include("collis.mdt.urls")),
    path("", include("collis.consent.urls")),
    path("", include("collis.outcomes.urls")),
    path("", include("collis.sites.urls")),
    path("", include("collis.policy.urls")),
    path("", include("collis.enquiries.urls")),
    path("", include("collis.public.urls")),
    path("", include("collis.scheduling.urls")),
    path("", include("collis.reminders.urls")),
    path("", include("collis.letters.urls")),
    path("", include("collis.fhir_api.urls")),
    path("", include("collis.portal.urls")),
    path("", include("collis.questionnaires.urls")),
    path("", include("collis.service_audit.urls")),
    path("", include("collis.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler403 = "collis.core.views.permission_denied"
handler404 = "collis.core.views.page_not_found"
handler500 = "collis.core.views.server_error"

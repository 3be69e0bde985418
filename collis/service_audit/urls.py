"""Pages of the service audit (unit-wide aggregates; no patient is shown)."""

from django.urls import path

from collis.service_audit import views

app_name = "service_audit"

urlpatterns = [
    path("service-audit/", views.complication_audit, name="complication_audit"),
    path("service-audit/complications.csv", views.complication_audit_csv,
         name="complication_audit_csv"),
    path("service-audit/complications.xlsx", views.complication_audit_csv,
         {"fmt": "xlsx"}, name="complication_audit_xlsx"),
    path("service-audit/outcomes/", views.outcome_audit, name="outcome_audit"),
    path("service-audit/outcomes.csv", views.outcome_audit_csv, name="outcome_audit_csv"),
    path("service-audit/outcomes.xlsx", views.outcome_audit_csv, {"fmt": "xlsx"},
         name="outcome_audit_xlsx"),
    path("service-audit/service/", views.service_audit_measures, name="service_measures"),
    path("service-audit/service.csv", views.service_measures_csv,
         name="service_measures_csv"),
    path("service-audit/service.xlsx", views.service_measures_csv, {"fmt": "xlsx"},
         name="service_measures_xlsx"),
    path("service-audit/toxin/", views.toxin_clinic, name="toxin_clinic"),
    path("service-audit/toxin.csv", views.toxin_clinic_csv, name="toxin_clinic_csv"),
    path("service-audit/toxin.xlsx", views.toxin_clinic_csv, {"fmt": "xlsx"},
         name="toxin_clinic_xlsx"),
    path("service-audit/snapshots/", views.snapshot_request, name="snapshot_request"),
    path("service-audit/snapshots/<int:pk>/", views.snapshot_detail,
         name="snapshot_detail"),
    path("service-audit/snapshots/<int:pk>.csv", views.snapshot_csv,
         name="snapshot_csv"),
    path("service-audit/snapshots/<int:pk>.xlsx", views.snapshot_csv, {"fmt": "xlsx"},
         name="snapshot_xlsx"),
    path("research-extracts/", views.research_extract_list, name="research_extract_list"),
    path("research-extracts/<int:pk>/", views.research_extract_detail,
         name="research_extract_detail"),
    path("research-extracts/<int:pk>.csv", views.research_extract_download,
         name="research_extract_download"),
    path("research-extracts/<int:pk>.ndjson", views.research_extract_download,
         {"fmt": "ndjson"}, name="research_extract_download_fhir"),
]

from django.urls import path

from collis.fhir_api import views, views_bulk, views_documents, views_groups, views_smart

app_name = "fhir_api"

# Mounted at the root like every app (ADR 0007); the FHIR base is /fhir/R4/. The bulk
# export's routes come before the generic ones that would otherwise take them.
urlpatterns = [
    path("fhir/R4/metadata", views.metadata, name="metadata"),
    # SMART Backend Services: discovery, the token endpoint, the administrators' page.
    path("fhir/R4/.well-known/smart-configuration", views_smart.smart_configuration,
         name="smart_configuration"),
    path("fhir/R4/auth/token", views_smart.token, name="smart_token"),
    path("fhir/clients/", views_smart.system_clients, name="system_clients"),
    path("fhir/clients/<int:pk>/deactivate", views_smart.system_client_deactivate,
         name="system_client_deactivate"),
    path("fhir/R4/$export", views_bulk.export_system, name="export_system"),
    path("fhir/R4/Patient/$export", views_bulk.export_patient, name="export_patient"),
    path("fhir/R4/Group/<str:group_id>/$export", views_bulk.export_group,
         name="export_group"),
    path("fhir/R4/$export/<int:pk>", views_bulk.export_status, name="export_status"),
    path("fhir/R4/$export/<int:pk>/<int:number>.ndjson", views_bulk.export_file,
         name="export_file"),
    path("fhir/R4/DocumentReference/<str:resource_id>/$binary",
         views_documents.document_binary, name="document_binary"),
    path("fhir/R4/<str:resource_type>", views.search, name="search"),
    path("fhir/R4/<str:resource_type>/<str:resource_id>", views.read, name="read"),
    path("fhir/R4/<str:resource_type>/<str:resource_id>/<str:operation>", views.operation,
         name="operation"),
    path("fhir/R4/<path:rest>", views.unknown, name="unknown"),
    # The staff page of one's own exports (signed in on the pages, not by token).
    path("fhir/exports/", views_bulk.export_list, name="export_list"),
    path("fhir/exports/<int:pk>/files/<int:number>", views_bulk.export_list_file,
         name="export_list_file"),
    # The clinical lead's pages of patient groups (Group/{id}/$export).
    path("fhir/groups/", views_groups.group_list, name="group_list"),
    path("fhir/groups/<int:pk>/", views_groups.group_edit, name="group_edit"),
    path("fhir/groups/<int:pk>/export", views_groups.group_export, name="group_export"),
]

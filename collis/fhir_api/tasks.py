"""Background tasks of the FHIR API (django-tasks; the database backend and `collis manage
db_worker` in production)."""

from django_tasks import task

from collis.fhir_api.bulk import bulk_export_run


@task()
def fhir_bulk_export_task(export_id: int) -> str:
    """Run one FHIR bulk export, recording progress as it goes."""
    return bulk_export_run(export_id=export_id)

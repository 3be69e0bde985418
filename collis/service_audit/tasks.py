"""Background tasks of the service audit (django-tasks; the database backend and
`collis manage db_worker` in production)."""

from django_tasks import task

from collis.service_audit.services import audit_snapshot_compute


@task()
def audit_snapshot_compute_task(snapshot_id: int) -> str:
    """Compute one snapshot of the service audit, recording progress as it goes."""
    return audit_snapshot_compute(snapshot_id=snapshot_id)

"""Background tasks of the service audit (django-tasks; the database backend and
`collis manage db_worker` in production)."""

from django_tasks import task

from collis.service_audit.services import (
    audit_snapshot_compute,
    research_extract_build,
    research_extract_purge_expired,
)


@task()
def audit_snapshot_compute_task(snapshot_id: int) -> str:
    """Compute one snapshot of the service audit, recording progress as it goes."""
    return audit_snapshot_compute(snapshot_id=snapshot_id)


@task()
def research_extract_build_task(extract_id: int) -> str:
    """Build one requested research extract, recording progress as it goes."""
    return research_extract_build(extract_id=extract_id)


@task()
def research_extract_expire_task(extract_id: int) -> int:
    """Run when an extract expires: delete its file, and any other past its time."""
    return research_extract_purge_expired()


@task()
def toxin_summaries_refresh_task(organisation_id: int) -> dict:
    """Refresh the unit's toxin clinic summaries, then queue the next refresh after
    COLLIS_AUDIT_SUMMARY_REFRESH_MINUTES where the backend can defer."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from collis.core.models import Organisation
    from collis.service_audit.toxin_summaries import toxin_summaries_refresh

    result = toxin_summaries_refresh(organisation=Organisation.objects.get(pk=organisation_id))
    minutes = getattr(settings, "COLLIS_AUDIT_SUMMARY_REFRESH_MINUTES", 60)
    if minutes and toxin_summaries_refresh_task.get_backend().supports_defer:
        toxin_summaries_refresh_queue(
            organisation_id, after=timezone.now() + datetime.timedelta(minutes=minutes))
    return result


def toxin_summaries_refresh_queue(organisation_id: int, *, after=None) -> bool:
    """Queue the unit's summary refresh (at `after`, or now) unless one is already waiting
    in the database backend's queue; returns whether it was queued. So starting the
    schedule again (`collis manage audit_summaries`, `collis run`) or two refreshes ending
    at once leave one chain of refreshes, not two. The unit's row is locked while the
    queue is looked at, so two callers take turns."""
    from django.db import transaction
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend

    from collis.core.models import Organisation

    task_ = toxin_summaries_refresh_task
    queued = task_.using(run_after=after) if after is not None else task_
    if not isinstance(task_.get_backend(), DatabaseBackend):
        queued.enqueue(organisation_id)
        return True
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        list(Organisation.objects.select_for_update().filter(pk=organisation_id))
        waiting = DBTaskResult.objects.filter(task_path=task_.module_path,
                                              status=TaskResultStatus.READY)
        if any(args.get("args") == [organisation_id]
               for args in waiting.values_list("args_kwargs", flat=True)):
            return False
        queued.enqueue(organisation_id)
    return True

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
    following = toxin_summaries_refresh_task
    if minutes and following.get_backend().supports_defer:
        following.using(run_after=timezone.now() + datetime.timedelta(minutes=minutes)) \
            .enqueue(organisation_id)
    return result

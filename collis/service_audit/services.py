"""Writes of the service audit: asking the task worker for a snapshot, and the worker's
computation of it step by step (so that the page can show how far it has got)."""

from __future__ import annotations

import dataclasses
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.roles import Capability, can, refusal_message
from collis.domain.outcome_audit import FurtherSurgeryEndpoint, Measure
from collis.service_audit import presenters, selectors
from collis.service_audit.models import AuditSnapshot, SnapshotKind, SnapshotStatus
from collis.service_audit.selectors import AuditFilters

logger = logging.getLogger(__name__)


@transaction.atomic
def audit_snapshot_request(*, kind: str, filters: AuditFilters, actor: Actor) -> AuditSnapshot:
    """Queue the computation of one page of the audit for the actor's unit, with these
    filters; the worker hears of it once the request is stored."""
    if not can(actor.user, Capability.SERVICE_AUDIT_VIEW):
        raise PermissionDenied(refusal_message(Capability.SERVICE_AUDIT_VIEW))
    if not getattr(actor.user, "organisation_id", None):
        raise ValidationError("Only a member of a unit's staff can ask for its audit.")
    snapshot = AuditSnapshot(
        organisation_id=actor.user.organisation_id, kind=kind, filters=filters.as_dict(),
        requested_by=actor.user, requested_at=timezone.now(),
        steps_total=len(_steps(kind)))
    snapshot.full_clean()
    snapshot.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="audit_snapshot",
                 object_id=snapshot.pk,
                 summary=f"Asked for a snapshot of the service audit: "
                         f"{snapshot.get_kind_display().lower()}",
                 details={"filters": snapshot.filters})
    transaction.on_commit(lambda: audit_snapshot_enqueue(snapshot.pk))
    return snapshot


def audit_snapshot_enqueue(snapshot_id: int) -> None:
    from collis.service_audit.tasks import audit_snapshot_compute_task

    try:
        audit_snapshot_compute_task.enqueue(snapshot_id)
    except Exception:
        logger.exception("Could not queue audit snapshot %s", snapshot_id)
        AuditSnapshot.objects.filter(pk=snapshot_id).update(
            status=SnapshotStatus.FAILED, error="The task worker could not be reached.")


def _steps(kind: str) -> list[str]:
    if kind == SnapshotKind.COMPLICATIONS:
        return ["complications"]
    return [*(f"measure:{m}" for m in Measure), *(f"survival:{e}"
                                                 for e in FurtherSurgeryEndpoint)]


def _table_dict(table: presenters.Table) -> dict:
    return {"caption": table.caption, "headers": table.headers, "rows": table.rows,
            "flags": sorted(table.flags), "slug": table.slug}


def _filters_of(snapshot: AuditSnapshot) -> AuditFilters:
    data = snapshot.filters
    return AuditFilters(surgeon_id=data.get("surgeon"), site_id=data.get("site"),
                        year=data.get("year"),
                        group_by=data.get("group_by") or selectors.GroupBy.SURGEON)


def _progress(snapshot: AuditSnapshot, done: int) -> None:
    AuditSnapshot.objects.filter(pk=snapshot.pk).update(steps_done=done)


def audit_snapshot_compute(*, snapshot_id: int) -> str:
    """Compute a queued snapshot as the user who asked (their unit, their scope), one step
    at a time, recording progress after each; a failure is kept on the snapshot."""
    snapshot = AuditSnapshot.objects.select_related("requested_by").get(pk=snapshot_id)
    if snapshot.finished:
        return snapshot.status
    AuditSnapshot.objects.filter(pk=snapshot.pk).update(status=SnapshotStatus.RUNNING)
    actor = Actor.command_line(snapshot.requested_by)
    filters = _filters_of(snapshot)
    try:
        if snapshot.kind == SnapshotKind.COMPLICATIONS:
            audit = selectors.complications_against_disclosed(actor=actor, filters=filters)
            tables = [presenters.complications_table(audit),
                      presenters.complications_by_group_table(audit)]
            _progress(snapshot, 1)
            heading_of = audit
        else:
            parts = []
            for index, measure in enumerate(Measure, start=1):
                parts.append(selectors.outcomes_paired(actor=actor, filters=filters,
                                                       measures=(measure,), audit=False))
                _progress(snapshot, index)
            first = parts[0]
            unit, groups = {}, {}
            for part in parts:
                unit.update(part.unit)
                for key, cells in part.groups.items():
                    groups.setdefault(key, {}).update(cells)
            outcomes = dataclasses.replace(first, measures=tuple(Measure), unit=unit,
                                           groups=groups)
            tables = [presenters.outcomes_table(outcomes),
                      presenters.outcomes_by_group_table(outcomes)]
            done = len(parts)
            minimum = selectors.min_group_size()
            for endpoint in FurtherSurgeryEndpoint:
                curve = selectors.further_surgery_survival(actor=actor, filters=filters,
                                                           endpoint=endpoint, audit=False)
                tables.append(presenters.survival_table(curve, minimum))
                done += 1
                _progress(snapshot, done)
            heading_of = outcomes
            selectors.audit_read(actor, "outcomes from baseline (snapshot)", filters,
                                 operations=outcomes.operations)
    except Exception as error:
        logger.exception("Audit snapshot %s failed", snapshot.pk)
        AuditSnapshot.objects.filter(pk=snapshot.pk).update(
            status=SnapshotStatus.FAILED, error=str(error)[:500], finished_at=timezone.now())
        return SnapshotStatus.FAILED
    heading = [f"Collis service audit: {snapshot.get_kind_display().lower()}",
               "Time window: " + presenters.window_text(heading_of.first_operation,
                                                        heading_of.last_operation),
               f"Filters: {snapshot.filters}",
               f"Groups smaller than {heading_of.minimum} operations are not shown (local "
               f"policy)",
               presenters.computed_text(heading_of.computed_at)]
    AuditSnapshot.objects.filter(pk=snapshot.pk).update(
        status=SnapshotStatus.DONE, tables=[_table_dict(t) for t in tables], heading=heading,
        steps_done=snapshot.steps_total, finished_at=timezone.now())
    return SnapshotStatus.DONE

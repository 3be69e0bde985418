"""Writes of the service audit: asking the task worker for a snapshot, and the worker's
computation of it step by step (so that the page can show how far it has got)."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
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


# -- Research extracts ----------------------------------------------------------------
EXTRACT_FIELDS = ("pseudonym", "year_of_birth", "sex", "site", "surgeon", "operated_on_shifted",
                  "twstrs_baseline", "twstrs_3_months", "twstrs_6_months",
                  "twstrs_12_months", "tsui_baseline", "tsui_last", "complications",
                  "days_to_reoperation", "days_to_conversion_to_dbs")
QUASI_IDENTIFIERS = ("year_of_birth", "sex", "site")


def pseudonym_key() -> bytes:
    """The key of pseudonyms and date shifts, from the settings (never in an extract)."""
    from django.conf import settings

    key = getattr(settings, "COLLIS_RESEARCH_PSEUDONYM_KEY", "")
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"collis-research-pseudonyms",
                    hashlib.sha256).digest()


def _extract_rows(operations, key: bytes) -> list[dict]:
    """One row per operation of the cohort, de-identified: a few queries for the cohort,
    whatever its size (three subqueries per score, one query for complications and one
    for further surgery)."""
    from collis.assessments.models import Scale
    from collis.domain.deidentify import date_shift_days, pseudonym, shift, year_of_birth
    from collis.domain.outcome_audit import LAST_FOLLOW_UP
    from collis.outcomes.models import Complication, FurtherSurgery

    scores = {
        "twstrs_baseline": selectors._scale_value(Scale.TWSTRS, "total", before=True),
        "twstrs_3_months": selectors._review_value("twstrs", "total", 3),
        "twstrs_6_months": selectors._review_value("twstrs", "total", 6),
        "twstrs_12_months": selectors._review_value("twstrs", "total", 12),
        "tsui_baseline": selectors._scale_value(Scale.TSUI, "total", before=True),
        "tsui_last": selectors._review_value("tsui", "total", LAST_FOLLOW_UP),
    }
    records = list(operations.annotate(**scores).values(
        "episode_id", "operated_on", "surgeon_id", "site__name", "patient__nhs_number",
        "patient__date_of_birth", "patient__sex", *scores))
    episodes = [r["episode_id"] for r in records]
    complications: dict = {}
    for episode_id, code in (Complication.objects.current().filter(episode_id__in=episodes)
                             .values_list("episode_id", "risk_code").order_by("risk_code")):
        complications.setdefault(episode_id, []).append(code)
    further: dict = {}
    for episode_id, kind, day in (FurtherSurgery.objects.current()
                                  .filter(episode_id__in=episodes)
                                  .values_list("episode_id", "kind", "performed_on")
                                  .order_by("performed_on")):
        further.setdefault((episode_id, kind), day)
    surgeons = {pk: f"Surgeon {i}" for i, pk in enumerate(
        sorted({r["surgeon_id"] for r in records}), start=1)}
    rows = []
    for r in records:
        number = r["patient__nhs_number"]
        days = date_shift_days(key, number)
        row = {
            "pseudonym": pseudonym(key, number),
            "year_of_birth": year_of_birth(r["patient__date_of_birth"], r["operated_on"]),
            "sex": r["patient__sex"], "site": r["site__name"],
            "surgeon": surgeons[r["surgeon_id"]],
            "operated_on_shifted": shift(r["operated_on"], days).isoformat(),
            **{name: "" if r[name] is None else f"{r[name]:g}" for name in scores},
            "complications": ";".join(dict.fromkeys(complications.get(r["episode_id"], []))),
        }
        for kind, field in (("reoperation", "days_to_reoperation"),
                            ("conversion_to_dbs", "days_to_conversion_to_dbs")):
            day = further.get((r["episode_id"], kind))
            row[field] = "" if day is None else str((day - r["operated_on"]).days)
        rows.append(row)
    return rows


@transaction.atomic
def research_extract_create(*, cohort: str, filters: AuditFilters, reason: str,
                            actor: Actor):
    """Make a de-identified extract of the cohort for the actor's unit, with the reason:
    pseudonyms and date shifts under the key in the settings, year of birth only (withheld
    over 89), no names, numbers, postcodes or free text; rare combinations of year of birth,
    sex and site generalised then suppressed; a uniqueness report. Logged with who, why,
    which cohort and when, and listed in each included patient's access history."""
    from collis.core.audit import audit_record_many
    from collis.domain.deidentify import decade, suppress_small_cells, uniqueness_report
    from collis.service_audit.models import ResearchCohort, ResearchExtract

    if not can(actor.user, Capability.RESEARCH_EXTRACT):
        raise PermissionDenied(refusal_message(Capability.RESEARCH_EXTRACT))
    if not reason.strip():
        raise ValidationError({"reason": "Say why the extract is needed"})
    if cohort not in ResearchCohort.values:
        raise ValidationError({"cohort": "Choose the cohort"})
    operations = selectors.operations_of_unit(actor, filters).order_by("operated_on", "id")
    key = pseudonym_key()
    minimum = selectors.min_group_size()
    rows = suppress_small_cells(_extract_rows(operations, key), QUASI_IDENTIFIERS, minimum,
                                coarsen=[("year_of_birth", decade)])
    report = uniqueness_report(rows, QUASI_IDENTIFIERS, minimum)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXTRACT_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    extract = ResearchExtract(
        organisation_id=actor.user.organisation_id, cohort=cohort, filters=filters.as_dict(),
        reason=reason.strip(), requested_by=actor.user, created_at=timezone.now(),
        patients=len({r["pseudonym"] for r in rows}), report=report.as_dict(),
        content=buffer.getvalue())
    extract.full_clean()
    extract.save()
    included = list(operations.values_list("patient_id", flat=True).distinct())
    audit_record_many(
        actor=actor, action=AuditAction.CREATE, object_type="research_extract",
        patients=[(pk, f"extract {extract.pk}") for pk in included],
        summary=f"Included in a de-identified extract (extract {extract.pk})",
        details={"extract": extract.pk, "cohort": cohort, "reason": extract.reason,
                 "filters": extract.filters, "report": extract.report})
    return extract

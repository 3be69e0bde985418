"""Writes of the service audit: asking the task worker for a snapshot, and the worker's
computation of it step by step (so that the page can show how far it has got)."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import hmac
import io
import json
import logging
import secrets
import tempfile
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.roles import Capability, can, refusal_message
from collis.domain.outcome_audit import FurtherSurgeryEndpoint, Measure
from collis.service_audit import presenters, selectors
from collis.service_audit.downloads import csv_safe
from collis.service_audit.models import (
    AuditSnapshot,
    ResearchCohort,
    ResearchExtract,
    SnapshotKind,
    SnapshotStatus,
)
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
                      presenters.outcomes_by_group_table(outcomes),
                      presenters.patient_reported_table(selectors.patient_reported_paired(
                          actor=actor, filters=filters, audit=False))]
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
    key = getattr(settings, "COLLIS_RESEARCH_PSEUDONYM_KEY", "")
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"collis-research-pseudonyms",
                    hashlib.sha256).digest()


EXTRACT_CHUNK = 500  # operations read, written and audited at a time


def _extract_chunk(operations, key: bytes, surgeons: dict) -> list[dict]:
    """The de-identified rows of a few operations (one chunk): three subqueries per score,
    one query for complications and one for further surgery, whatever the chunk."""
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
        "pk", "episode_id", "patient_id", "operated_on", "surgeon_id", "site__name",
        "patient__nhs_number", "patient__date_of_birth", "patient__sex", *scores))
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
            "_patient": r["patient_id"], "_pk": r["pk"], "_days": days,
        }
        for kind, field in (("reoperation", "days_to_reoperation"),
                            ("conversion_to_dbs", "days_to_conversion_to_dbs")):
            day = further.get((r["episode_id"], kind))
            row[field] = "" if day is None else str((day - r["operated_on"]).days)
        rows.append(row)
    return rows


def _chunks(operations, fields=("pk",)):
    """The operations a chunk at a time, by primary key (keyset paging: no long-lived
    cursor, memory flat whatever the cohort)."""
    last = 0
    while True:
        chunk = list(operations.filter(pk__gt=last).order_by("pk")
                     .values_list(*fields)[:EXTRACT_CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _quasi_identifier_counts(operations, extract_pk: int) -> Counter:
    """First pass: how many rows hold each (year of birth, sex, site), without the rows."""
    from collis.domain.deidentify import year_of_birth

    counts: Counter = Counter()
    done = 0
    for chunk in _chunks(operations, ("pk", "patient__date_of_birth", "operated_on",
                                      "patient__sex", "site__name")):
        for _pk, born, operated_on, sex, site in chunk:
            counts[(year_of_birth(born, operated_on), sex, site)] += 1
        done += len(chunk)
        ResearchExtract.objects.filter(pk=extract_pk).update(rows_done=done)
    return counts


@transaction.atomic
def research_extract_request(*, cohort: str, filters: AuditFilters, reason: str,
                             actor: Actor) -> ResearchExtract:
    """Store the actor's request for a de-identified extract of a cohort of their unit,
    with the reason, and hand it to the task worker once stored (`research_extract_build`).
    """
    if not can(actor.user, Capability.RESEARCH_EXTRACT):
        raise PermissionDenied(refusal_message(Capability.RESEARCH_EXTRACT))
    if not reason.strip():
        raise ValidationError({"reason": "Say why the extract is needed"})
    if cohort not in ResearchCohort.values:
        raise ValidationError({"cohort": "Choose the cohort"})
    if not getattr(actor.user, "organisation_id", None):
        raise ValidationError("Only a member of a unit's staff can ask for an extract.")
    extract = ResearchExtract(
        organisation_id=actor.user.organisation_id, cohort=cohort, filters=filters.as_dict(),
        reason=reason.strip(), requested_by=actor.user, created_at=timezone.now(),
        status=SnapshotStatus.QUEUED)
    extract.full_clean()
    extract.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="research_extract",
                 object_id=extract.pk,
                 summary=f"Asked for a de-identified research extract (extract {extract.pk})",
                 details={"cohort": cohort, "reason": extract.reason,
                          "filters": extract.filters})
    transaction.on_commit(lambda: research_extract_enqueue(extract.pk))
    return extract


def research_extract_enqueue(extract_id: int) -> None:
    from collis.service_audit.tasks import research_extract_build_task

    try:
        research_extract_build_task.enqueue(extract_id)
    except Exception:
        logger.exception("Could not queue research extract %s", extract_id)
        ResearchExtract.objects.filter(pk=extract_id).update(
            status=SnapshotStatus.FAILED, error="The task worker could not be reached.",
            finished_at=timezone.now())


def _filters_of_extract(extract: ResearchExtract) -> AuditFilters:
    data = extract.filters
    return AuditFilters(surgeon_id=data.get("surgeon"), site_id=data.get("site"),
                        year=data.get("year"))


def research_extract_build(*, extract_id: int) -> str:
    """Build a requested extract in the worker, as the person who asked (their unit, their
    scope), reading the cohort twice a chunk at a time so that memory stays flat whatever
    its size: first how many rows hold each combination of year of birth, sex and site
    (to coarsen then blank rare ones, and for the uniqueness report), then the rows,
    written to a file as they come. Pseudonyms and date shifts under the key in the
    settings; year of birth only (withheld over 89); no names, numbers, postcodes or free
    text. Each included patient's access history lists the extract (one entry per chunk).
    Progress is recorded on the extract; a failure is kept on it, and no file."""
    extract = ResearchExtract.objects.select_related("requested_by").get(pk=extract_id)
    if extract.finished:
        return extract.status
    research_extract_purge_expired()
    actor = Actor.command_line(extract.requested_by)
    try:
        if not can(actor.user, Capability.RESEARCH_EXTRACT):
            raise PermissionDenied(refusal_message(Capability.RESEARCH_EXTRACT))
        operations = selectors.operations_of_unit(actor, _filters_of_extract(extract))
        with tempfile.TemporaryFile("w+b") as rows, tempfile.TemporaryFile("w+b") as fhir:
            report, total = _extract_write(extract, actor, operations, rows, fhir)
            name = f"extract-{extract.pk}-{secrets.token_hex(16)}"
            rows.seek(0)
            extract.file.save(f"{name}.csv", File(rows), save=False)
            fhir.seek(0)
            extract.fhir_file.save(f"{name}.ndjson", File(fhir), save=False)
    except Exception as error:
        logger.exception("Research extract %s failed", extract.pk)
        ResearchExtract.objects.filter(pk=extract.pk).update(
            status=SnapshotStatus.FAILED, error=str(error)[:500], finished_at=timezone.now())
        return SnapshotStatus.FAILED
    finished = timezone.now()
    expires = finished + datetime.timedelta(hours=settings.COLLIS_RESEARCH_EXTRACT_EXPIRY_HOURS)
    ResearchExtract.objects.filter(pk=extract.pk).update(
        status=SnapshotStatus.DONE, file=extract.file.name,
        fhir_file=extract.fhir_file.name, report=report.as_dict(),
        patients=operations.values("patient_id").distinct().count(),
        rows_done=2 * total, finished_at=finished, expires_at=expires)
    research_extract_schedule_expiry(extract.pk, expires)
    return SnapshotStatus.DONE


def _extract_write(extract: ResearchExtract, actor: Actor, operations, binary, fhir_binary):
    """Both passes over the cohort: the rows written as CSV to `binary`, and the patients'
    FHIR resources as NDJSON to `fhir_binary` (files); returns the uniqueness report and
    the number of rows. The second pass goes a chunk of patients at a time, so that all
    of a patient's rows are at hand when their Patient resource is written."""
    from collis.core.audit import audit_record_many
    from collis.domain.deidentify import decade, suppression_map, uniqueness_report_of_counts
    from collis.service_audit.extract_fhir import resources_of

    total = operations.count()
    ResearchExtract.objects.filter(pk=extract.pk).update(
        status=SnapshotStatus.RUNNING, rows_total=2 * total, rows_done=0)
    key = pseudonym_key()
    minimum = selectors.min_group_size()
    counts = _quasi_identifier_counts(operations, extract.pk)
    mapping = suppression_map(counts, QUASI_IDENTIFIERS, minimum,
                              coarsen=[("year_of_birth", decade)])
    after: Counter = Counter()
    for combination, n in counts.items():
        after[mapping[combination]] += n
    report = uniqueness_report_of_counts(after, QUASI_IDENTIFIERS, minimum)
    surgeons = {pk: f"Surgeon {i}" for i, pk in enumerate(sorted(
        set(operations.values_list("surgeon_id", flat=True).distinct())), start=1)}
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    fhir_text = io.TextIOWrapper(fhir_binary, encoding="utf-8", newline="\n")
    writer = csv.DictWriter(text, fieldnames=EXTRACT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    done = total
    for patient_ids in _patient_chunks(operations):
        rows = _extract_chunk(operations.filter(patient_id__in=patient_ids), key, surgeons)
        patients: dict = {}
        for row in sorted(rows, key=lambda r: (str(r["_patient"]), r["_pk"])):
            original = tuple(row[q] for q in QUASI_IDENTIFIERS)
            kept = mapping[original]
            row.update(zip(QUASI_IDENTIFIERS, kept, strict=True))
            writer.writerow({k: csv_safe(v) for k, v in row.items()})
            # The Patient resource keeps sex and year of birth only where every row of the
            # patient kept them unchanged (and a year, not "withheld").
            yob, sex = original[0], original[1]
            same_year = kept[0] == yob and yob.isdigit()
            _pseudonym, _days, gender, year = patients.get(
                row["_patient"], (row["pseudonym"], row["_days"], sex, yob))
            patients[row["_patient"]] = (
                row["pseudonym"], row["_days"],
                gender if gender == sex and kept[1] == sex else None,
                year if year == yob and same_year else None)
        for resource in resources_of(actor=actor, patients=patients):
            fhir_text.write(json.dumps(resource, separators=(",", ":"), sort_keys=True)
                            + "\n")
        audit_record_many(
            actor=actor, action=AuditAction.CREATE, object_type="research_extract",
            patients=[(pk, f"extract {extract.pk}") for pk in patients],
            summary=f"Included in a de-identified extract (extract {extract.pk})",
            details={"extract": extract.pk, "cohort": extract.cohort,
                     "reason": extract.reason, "filters": extract.filters})
        done += len(rows)
        ResearchExtract.objects.filter(pk=extract.pk).update(rows_done=done)
    for wrapper in (text, fhir_text):
        wrapper.flush()
        wrapper.detach()  # the files stay open for the caller
    return report, total


def _patient_chunks(operations):
    """The cohort's patients, EXTRACT_CHUNK at a time, by id (keyset paging)."""
    last = None
    while True:
        page = operations if last is None else operations.filter(patient_id__gt=last)
        ids = list(page.order_by("patient_id").values_list("patient_id", flat=True)
                   .distinct()[:EXTRACT_CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def research_extract_schedule_expiry(extract_id: int, expires: datetime.datetime) -> None:
    """Ask the worker to delete the file when it expires, where the task backend can wait
    (the database backend can; every build also deletes whatever has expired)."""
    from collis.service_audit.tasks import research_extract_expire_task

    if not research_extract_expire_task.get_backend().supports_defer:
        return
    try:
        research_extract_expire_task.using(run_after=expires).enqueue(extract_id)
    except Exception:
        logger.exception("Could not schedule the expiry of research extract %s", extract_id)


def research_extract_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of extracts past their expiry (the record of each is kept, with who
    asked, why and when); returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    for extract in ResearchExtract.objects.filter(expires_at__lte=now).exclude(
            file="", fhir_file="", content=""):
        for stored in (extract.file, extract.fhir_file):
            if stored:
                stored.delete(save=False)
        ResearchExtract.objects.filter(pk=extract.pk).update(file="", fhir_file="",
                                                             content="")
        deleted += 1
    return deleted

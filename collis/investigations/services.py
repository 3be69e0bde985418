"""Writes to a patient's investigations. Each is atomic, validated and audited; a bad file
means nothing at all is saved."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.presenters import date_long
from collis.domain.muscles import Muscle, MuscleSide
from collis.investigations import uploads
from collis.investigations.models import (
    EmgActiveMuscle,
    Investigation,
    InvestigationFile,
    InvestigationKind,
    ResultStatus,
    muscle_label,
)
from collis.patients.models import Patient

FILE_FIELD = "file"
_MUSCLES = frozenset(m.value for m in Muscle)
_SIDES = frozenset(s.value for s in MuscleSide)


@dataclass(frozen=True, slots=True)
class InvestigationDetails:
    """Everything a member of staff enters about an investigation. `active_muscles` are
    (muscle, side) pairs from the domain's vocabulary, for an EMG only."""

    kind: str
    performed_on: date
    status: str
    report: str = ""
    gene_panel: str = ""
    requested_by: str = ""
    active_muscles: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def from_mapping(cls, data: dict) -> InvestigationDetails:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["active_muscles"] = tuple(tuple(pair) for pair in values.get("active_muscles", ()))
        return cls(**values)


class InvestigationConflict(Exception):
    """The investigation changed after the editor opened it; their save was not applied."""

    def __init__(self, current: Investigation):
        super().__init__("This investigation was changed by someone else.")
        self.current = current


def investigation_problems(details: InvestigationDetails) -> dict[str, str]:
    """What does not fit together in the details, by field. Data-entry rules (not
    clinical ones): muscles belong to an EMG with a result, a gene to a genetic test."""
    problems: dict[str, str] = {}
    is_emg = details.kind == InvestigationKind.EMG
    if details.active_muscles and not is_emg:
        problems["active_muscles"] = (
            "Active muscles are recorded only for an EMG: untick them, or choose EMG")
    elif details.active_muscles and details.status == ResultStatus.PENDING:
        problems["active_muscles"] = (
            "An EMG whose result is pending has no active muscles yet: untick them, or "
            "choose normal or abnormal")
    elif is_emg and details.status == ResultStatus.ABNORMAL and not details.active_muscles:
        problems["active_muscles"] = "Tick the muscles found active on the EMG, and their side"
    seen = set()
    for muscle, side in details.active_muscles:
        if muscle not in _MUSCLES or side not in _SIDES:
            problems["active_muscles"] = "Choose muscles and sides from the list"
        elif muscle in seen:
            problems["active_muscles"] = (
                f"{muscle_label(muscle)} is ticked twice: tick left, right or both once")
        seen.add(muscle)
    if details.kind == InvestigationKind.GENETIC_TEST and not details.gene_panel.strip():
        problems["gene_panel"] = "Enter the gene or panel tested"
    elif details.gene_panel.strip() and details.kind != InvestigationKind.GENETIC_TEST:
        problems["gene_panel"] = (
            "The gene or panel is recorded only for a genetic test: clear it, or choose "
            "genetic test")
    return problems


def _check(details: InvestigationDetails, files: Sequence) -> list:
    problems = investigation_problems(details)
    checked = []
    for upload in files:
        problem = uploads.upload_problem(upload)
        if problem:
            problems.setdefault(FILE_FIELD, problem)
        checked.append((upload, uploads.upload_type(upload)))
    if problems:
        raise ValidationError(problems)
    return checked


def _store_files(*, investigation: Investigation, checked: list, actor: Actor,
                 written: list) -> list[InvestigationFile]:
    saved = []
    for upload, file_type in checked:
        stored = uploads.store(upload)
        written.append(stored.stored_name)
        row = InvestigationFile(investigation=investigation,
                                original_name=(upload.name or "file")[:255],
                                stored_name=stored.stored_name, content_type=file_type,
                                size=stored.size, sha256=stored.sha256, uploaded_by=actor.user)
        row.full_clean()
        row.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="investigation_file",
                     object_id=row.pk, patient_id=investigation.patient_id,
                     summary=f"Attached {row.original_name} to "
                             f"{investigation.get_kind_display()}",
                     details={"investigation": investigation.pk, "file_name": row.original_name,
                              "size": row.size, "sha256": row.sha256,
                              "content_type": row.content_type})
        saved.append(row)
    return saved


@contextlib.contextmanager
def _removing_files_on_error(written: list):
    """If the transaction fails, remove the bytes already written: nothing half-saved."""
    try:
        yield
    except BaseException:
        for stored_name in written:
            uploads.remove_stored(stored_name)
        raise


def _muscle_rows(investigation: Investigation, details: InvestigationDetails) -> None:
    rows = [EmgActiveMuscle(investigation=investigation, muscle=m, side=s)
            for m, s in details.active_muscles]
    for row in rows:
        row.full_clean(exclude=["investigation"])
    EmgActiveMuscle.objects.bulk_create(rows)


def _muscles_text(pairs) -> list[str]:
    return [f"{muscle_label(m)} ({s})" for m, s in pairs]


def investigation_create(*, patient: Patient, details: InvestigationDetails,
                         files: Sequence = (), actor: Actor) -> Investigation:
    """Record an investigation with its EMG muscles and attached files, all or nothing."""
    checked = _check(details, files)
    written: list = []
    with _removing_files_on_error(written), transaction.atomic():
        investigation = Investigation(
            patient=patient, kind=details.kind, performed_on=details.performed_on,
            status=details.status, report=details.report.strip(),
            gene_panel=details.gene_panel.strip(), requested_by=details.requested_by.strip(),
            created_by=actor.user, updated_by=actor.user)
        investigation.full_clean()
        investigation.save(force_insert=True)
        _muscle_rows(investigation, details)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="investigation",
                     object_id=investigation.pk, patient_id=patient.pk,
                     summary=f"Recorded {investigation.get_kind_display()} of "
                             f"{date_long(investigation.performed_on)} "
                             f"({investigation.get_status_display().lower()})",
                     details={"kind": investigation.kind, "status": investigation.status,
                              "performed_on": str(investigation.performed_on),
                              "active_muscles": _muscles_text(details.active_muscles)})
        _store_files(investigation=investigation, checked=checked, actor=actor, written=written)
    return investigation


_COMPARED = ("kind", "performed_on", "status", "report", "gene_panel", "requested_by")


def investigation_update(*, investigation: Investigation, details: InvestigationDetails,
                         expected_version: int, files: Sequence = (),
                         actor: Actor) -> Investigation:
    """Apply the editor's changes (a result for a pending test, a corrected report) and
    attach any new files, if nobody saved since they opened the form; otherwise raise
    InvestigationConflict and change nothing."""
    checked = _check(details, files)
    written: list = []
    with _removing_files_on_error(written), transaction.atomic():
        current = (Investigation.objects.select_for_update()
                   .get(pk=investigation.pk, patient_id=investigation.patient_id))
        if current.version != expected_version:
            raise InvestigationConflict(current)
        changes = {}
        for name in _COMPARED:
            value = getattr(details, name)
            value = value.strip() if isinstance(value, str) else value
            before = getattr(current, name)
            if before != value:
                changes[name] = {"from": str(before), "to": str(value)}
                setattr(current, name, value)
        before_muscles = sorted((m.muscle, m.side) for m in current.active_muscles.all())
        after_muscles = sorted(details.active_muscles)
        if before_muscles != after_muscles:
            changes["active_muscles"] = {"from": _muscles_text(before_muscles),
                                         "to": _muscles_text(after_muscles)}
            current.active_muscles.all().delete()
            _muscle_rows(current, details)
        if changes:
            current.updated_by = actor.user
            current.full_clean()
            current.version = F("version") + 1
            current.updated_at = timezone.now()
            current.save()
            current.refresh_from_db()
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="investigation",
                         object_id=current.pk, patient_id=current.patient_id,
                         summary=f"Changed {', '.join(sorted(changes))} of "
                                 f"{current.get_kind_display()}",
                         details={"changes": changes, "version": current.version})
        _store_files(investigation=current, checked=checked, actor=actor, written=written)
    return current


def investigation_file_attach(*, investigation: Investigation, upload,
                              actor: Actor) -> InvestigationFile:
    """Attach one more file to an investigation."""
    problem = uploads.upload_problem(upload)
    if problem:
        raise ValidationError({FILE_FIELD: problem})
    checked = [(upload, uploads.upload_type(upload))]
    written: list = []
    with _removing_files_on_error(written), transaction.atomic():
        return _store_files(investigation=investigation, checked=checked, actor=actor,
                            written=written)[0]

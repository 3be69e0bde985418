"""Writes to a patient's investigations. Each is atomic, validated and audited; a bad file
means nothing at all is saved.

An investigation is never changed in place (ADR 0009). Recording the result of a pending
one, or correcting a mistake, is `investigation_create(amends=...)`: a new version that
meets every check a new entry meets, with the EMG muscles as entered on the form; the old
version keeps its content, marked amended with who, when and why. Files stay attached to
the version they were uploaded with (a new upload goes with the new version), and each
version's page lists the files of the versions before it as well."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check, not_before_check
from collis.core.corrections import (
    correction_check,
    record_mark_entered_in_error,
    record_supersede,
)
from collis.core.models import AuditAction
from collis.core.presenters import date_long
from collis.core.roles import Capability, can, refusal_message
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
    requested_on: date | None = None
    result_on: date | None = None

    @classmethod
    def from_mapping(cls, data: dict) -> InvestigationDetails:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["active_muscles"] = tuple(tuple(pair) for pair in values.get("active_muscles", ()))
        return cls(**values)


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
    if details.result_on is not None and details.status == ResultStatus.PENDING:
        problems["result_on"] = ("A result that is pending has no date yet: clear the date "
                                 "of the result, or choose normal or abnormal")
    if details.kind == InvestigationKind.GENETIC_TEST and not details.gene_panel.strip():
        problems["gene_panel"] = "Enter the gene or panel tested"
    elif details.gene_panel.strip() and details.kind != InvestigationKind.GENETIC_TEST:
        problems["gene_panel"] = (
            "The gene or panel is recorded only for a genetic test: clear it, or choose "
            "genetic test")
    return problems


def investigation_dates_check(*, patient: Patient, details: InvestigationDetails) -> None:
    """Dates of the request, the investigation and the result: none in the future or before
    the patient's date of birth, and in their order (requested, done, result)."""
    for name, label in (("requested_on", "The date requested"),
                        ("performed_on", "The date of the investigation"),
                        ("result_on", "The date of the result")):
        clinical_date_check(field=name, value=getattr(details, name), patient=patient,
                            label=label)
    not_before_check(field="performed_on", value=details.performed_on,
                     earliest=details.requested_on, label="The date of the investigation",
                     cause="the date it was requested")
    not_before_check(field="result_on", value=details.result_on,
                     earliest=details.requested_on, label="The date of the result",
                     cause="the date the investigation was requested")
    not_before_check(field="result_on", value=details.result_on,
                     earliest=details.performed_on, label="The date of the result",
                     cause="the date of the investigation")


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


def _may(actor: Actor) -> None:
    """A correction needs the capability that records investigations (pages check too)."""
    if not can(actor.user, Capability.INVESTIGATION_RECORD):
        raise PermissionDenied(refusal_message(Capability.INVESTIGATION_RECORD))


RESULT_RECORDED = "Result recorded"


def _correction_reason(amends: Investigation, details: InvestigationDetails,
                       reason: str) -> str:
    """Recording the result of a pending investigation explains itself; any other
    correction needs the reason given."""
    if (not (reason or "").strip() and amends.status == ResultStatus.PENDING
            and details.status != ResultStatus.PENDING):
        return f"{RESULT_RECORDED} ({ResultStatus(details.status).label.lower()})"
    return reason


def investigation_create(*, patient: Patient, details: InvestigationDetails,
                         files: Sequence = (), actor: Actor,
                         amends: Investigation | None = None,
                         correction_reason: str = "") -> Investigation:
    """Record an investigation with its EMG muscles and attached files, all or nothing.
    With `amends`, the new investigation is the next version of that one: its result, or a
    correction (the reason is needed unless it records the result of a pending one). The
    files uploaded now attach to the new version; earlier files stay with theirs."""
    checked = _check(details, files)
    written: list = []
    with _removing_files_on_error(written), transaction.atomic():
        reason = ""
        if amends is not None:
            _may(actor)
            if amends.patient_id != patient.pk:
                raise ValidationError("The entry to correct is not one of this patient's.")
            reason = correction_check(
                old=amends, reason=_correction_reason(amends, details, correction_reason))
        investigation_dates_check(patient=patient, details=details)
        investigation = Investigation(
            patient=patient, kind=details.kind, requested_on=details.requested_on,
            performed_on=details.performed_on, result_on=details.result_on,
            status=details.status, report=details.report.strip(),
            gene_panel=details.gene_panel.strip(), requested_by=details.requested_by.strip(),
            supersedes=amends, version=(amends.version + 1) if amends is not None else 1,
            created_by=actor.user)
        investigation.full_clean()
        investigation.save(force_insert=True)
        _muscle_rows(investigation, details)
        verb = "Recorded a correction of" if amends is not None else "Recorded"
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="investigation",
                     object_id=investigation.pk, patient_id=patient.pk,
                     summary=f"{verb} {investigation.get_kind_display()} of "
                             f"{date_long(investigation.performed_on)} "
                             f"({investigation.get_status_display().lower()})",
                     details={"kind": investigation.kind, "status": investigation.status,
                              "performed_on": str(investigation.performed_on),
                              "requested_on": str(investigation.requested_on or ""),
                              "result_on": str(investigation.result_on or ""),
                              "active_muscles": _muscles_text(details.active_muscles),
                              **({"supersedes": amends.pk} if amends is not None else {})})
        if amends is not None:
            record_supersede(old=amends, new=investigation, reason=reason, actor=actor,
                             object_type="investigation", patient_id=patient.pk)
        _store_files(investigation=investigation, checked=checked, actor=actor, written=written)
    return investigation


def investigation_mark_entered_in_error(*, investigation: Investigation, reason: str,
                                        actor: Actor) -> Investigation:
    """Mark an investigation entered in error: it leaves the list, the work-up and the
    candidacy facts, and stays (with its files) in the record's history."""
    _may(actor)
    return record_mark_entered_in_error(record=investigation, reason=reason, actor=actor,
                                        object_type="investigation",
                                        patient_id=investigation.patient_id)


def investigation_file_attach(*, investigation: Investigation, upload,
                              actor: Actor) -> InvestigationFile:
    """Attach one more file to a current investigation (a file for a corrected one goes
    with its correction)."""
    problem = uploads.upload_problem(upload)
    if problem:
        raise ValidationError({FILE_FIELD: problem})
    checked = [(upload, uploads.upload_type(upload))]
    written: list = []
    with _removing_files_on_error(written), transaction.atomic():
        locked = Investigation.objects.select_for_update().get(pk=investigation.pk)
        if not locked.is_current:
            raise ValidationError({FILE_FIELD: (
                f"This investigation was {locked.get_record_status_display().lower()}: "
                "attach the file to the current version")})
        return _store_files(investigation=locked, checked=checked, actor=actor,
                            written=written)[0]

"""Corrections that lose nothing (ADR 0009). A clinical entry is never changed in place: an
amendment is a new row that supersedes the old one, and an entry made by mistake is marked
entered in error; either way with who, when and why, and audited with before and after.
Summaries read `.current()`; histories read the whole chain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import STATUS_FIELDS, AuditAction, CorrectableRecord, RecordStatus

REASON_MAX = 500


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"correction_reason": "Give the reason for the correction"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"correction_reason": f"The reason must be {REASON_MAX} "
                                                    "characters or fewer"})
    return reason


def _locked_current(record: CorrectableRecord) -> CorrectableRecord:
    locked = type(record)._base_manager.select_for_update().get(pk=record.pk)
    if locked.record_status != RecordStatus.CURRENT:
        raise ValidationError(
            f"This entry was already {locked.get_record_status_display().lower()} on "
            f"{timezone.localtime(locked.status_changed_at):%d %B %Y at %H:%M} by "
            f"{locked.status_changed_by.display_name}; correct the current version instead.")
    return locked


def _status_change(record, status: RecordStatus, reason: str, actor: Actor):
    """The one change a correctable record allows: its status, once, with who, when, why."""
    record.record_status = status
    record.status_changed_at = timezone.now()
    record.status_changed_by = actor.user
    record.status_reason = reason
    record.save(update_fields=list(STATUS_FIELDS))
    return record


def snapshot(record) -> dict:
    """The entry's values for the audit log's before and after."""
    values = model_to_dict(record, exclude=["supersedes", "status_changed_by"])
    return {key: (str(value) if value is not None else None) for key, value in values.items()}


def correction_check(*, old: CorrectableRecord, reason: str) -> str:
    """Before an app's create service saves an amendment: the old entry must be current and
    the reason given. Returns the cleaned reason. (Call it first, so nothing is half-saved.)"""
    reason = _reason_checked(reason)
    _locked_current(old)
    return reason


def record_supersede(*, old: CorrectableRecord, new: CorrectableRecord, reason: str,
                     actor: Actor, object_type: str, patient_id) -> None:
    """Mark `old` amended by the just-saved `new` (whose `supersedes` is `old`), in the
    caller's transaction; audit with before and after."""
    if new.supersedes_id != old.pk:
        raise ValueError("The amendment must name the entry it supersedes.")
    reason = _reason_checked(reason)
    _status_change(_locked_current(old), RecordStatus.AMENDED, reason, actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type=object_type,
                 object_id=new.pk, patient_id=patient_id,
                 summary=f"Amended {object_type.replace('_', ' ')} {old.pk} "
                         f"(now {new.pk}): {reason}"[:300],
                 details={"reason": reason, "supersedes": old.pk,
                          "before": snapshot(old), "after": snapshot(new)})


@transaction.atomic
def record_mark_entered_in_error(*, record: CorrectableRecord, reason: str, actor: Actor,
                                 object_type: str, patient_id) -> CorrectableRecord:
    """Mark an entry as entered in error: it leaves every summary, stays in every history."""
    reason = _reason_checked(reason)
    locked = _status_change(_locked_current(record), RecordStatus.ENTERED_IN_ERROR, reason,
                            actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type=object_type,
                 object_id=locked.pk, patient_id=patient_id,
                 summary=f"Marked {object_type.replace('_', ' ')} {locked.pk} as entered in "
                         f"error: {reason}"[:300],
                 details={"reason": reason, "before": snapshot(locked)})
    return locked


def record_history(record: CorrectableRecord) -> list[CorrectableRecord]:
    """Every version of the entry, oldest first: what it superseded and what superseded
    it, each with its status, who changed it, when and why."""
    model = type(record)
    if not record.supersedes_id and record.record_status != RecordStatus.AMENDED:
        # Only an amended entry has a successor: an entry that neither amends another nor
        # was amended is its whole history (most entries; no query).
        return [record]
    first = record
    while first.supersedes_id:
        first = model._base_manager.get(pk=first.supersedes_id)
    chain = [first]
    while True:
        following = model._base_manager.filter(supersedes=chain[-1]).first()
        if following is None:
            return chain
        chain.append(following)

"""Writes of the local policy: a clinical lead's new version. Checked here for pages and any
other caller: only a clinical lead (Capability.POLICY_EDIT), a reason, at least one value
changed or confirmed, every value in range, and an effective date neither in the past nor
before the latest version's. Atomic and audited with the values before and after."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.presenters import date_long
from collis.core.roles import Capability, can, refusal_message
from collis.domain.policy import (
    POLICY_SETTING_BY_KEY,
    POLICY_SETTINGS,
    PolicyError,
    local_policy_flatten,
    local_policy_from_flat,
)
from collis.policy.models import PolicyVersion


@transaction.atomic
def policy_version_create(*, values: dict[str, Any],
                          confirmed: set[str] | frozenset[str] = frozenset(),
                          reason: str, effective_from: datetime.date,
                          actor: Actor) -> PolicyVersion:
    """A new version: the latest version's values with `values` over them, signed off by
    the actor (a clinical lead) for the values changed and those `confirmed` as they
    stand. Refused (PermissionDenied) for any other role; refused (ValidationError on the
    field) without a reason, with nothing changed or confirmed, with a value out of range,
    or an effective date in the past or before the latest version's."""
    if not can(actor.user, Capability.POLICY_EDIT):
        raise PermissionDenied(refusal_message(Capability.POLICY_EDIT))
    # Versions are numbered one after another: lock the latest so two leads cannot both
    # write the next number.
    PolicyVersion.objects.every()  # version 1, if the database has none
    latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Enter the reason for the change"]
    today = timezone.localdate()
    if effective_from < today:
        errors["effective_from"] = [f"The date it takes effect from must be today or later "
                                    f"(today is {date_long(today)})"]
    elif effective_from < latest.effective_from:
        errors["effective_from"] = [
            f"The date it takes effect from must be on or after "
            f"{date_long(latest.effective_from)}, when version {latest.number} takes effect"]
    unknown = (set(values) | set(confirmed)) - set(POLICY_SETTING_BY_KEY)
    if unknown:
        raise ValueError(f"Unknown policy values: {', '.join(sorted(unknown))}")
    before = dict(latest.values)
    after = {**before, **values}
    try:
        after = local_policy_flatten(local_policy_from_flat(after))
    except PolicyError as refused:
        errors.setdefault("__all__", []).extend(refused.problems)
    changed = [s.key for s in POLICY_SETTINGS if after.get(s.key) != before.get(s.key)]
    if not changed and not confirmed and "__all__" not in errors:
        errors.setdefault("__all__", []).append(
            "Change at least one value, or confirm the values you sign off as they stand")
    if errors:
        raise ValidationError(errors)
    signed_off = [s.key for s in POLICY_SETTINGS if s.key in changed or s.key in confirmed]
    version = PolicyVersion(
        number=latest.number + 1, values=after, changed=changed,
        signed_off=signed_off, reason=reason, effective_from=effective_from,
        signed_off_by=actor.user, signed_off_at=timezone.now())
    version.full_clean()
    version.save()
    labels = [POLICY_SETTING_BY_KEY[k].label for k in changed]
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="policy_version",
        object_id=version.pk,
        summary=(f"Signed off local policy version {version.number}, in force from "
                 f"{date_long(effective_from)}: "
                 + ("; ".join(labels) if labels else "values confirmed as they stood")),
        details={"number": version.number, "reason": reason,
                 "effective_from": str(effective_from),
                 "before": {k: before.get(k) for k in changed},
                 "after": {k: after[k] for k in changed},
                 "signed_off": signed_off,
                 "previous_version": latest.number})
    return version

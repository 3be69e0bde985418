"""Test data for the local policy: a version made directly (as test setup, not through the
clinical lead's service)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from collis.domain.policy import local_policy_flatten, local_policy_from_flat
from collis.policy.models import PolicyVersion


def policy_version_make(*, effective_from: datetime.date | None = None, signed_off_by=None,
                        reason: str = "Test policy", **values) -> PolicyVersion:
    """A version with `values` (setting keys, '.' written as '__') over the latest one's,
    in force from `effective_from` (today). Signed off, for every value it changes, when
    `signed_off_by` is given."""
    latest = PolicyVersion.objects.every()[-1]
    changes = {key.replace("__", "."): value for key, value in values.items()}
    after = local_policy_flatten(local_policy_from_flat({**latest.values, **changes}))
    changed = [k for k in after if after[k] != latest.values.get(k)]
    return PolicyVersion.objects.create(
        number=latest.number + 1, values=after, changed=changed,
        signed_off=changed if signed_off_by else [], reason=reason,
        effective_from=effective_from or timezone.localdate(), signed_off_by=signed_off_by,
        signed_off_at=timezone.now() if signed_off_by else None)

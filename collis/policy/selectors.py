"""Reads of the local policy: the version in force on a date, a stored version, the
history. Each gives the domain's LocalPolicy with who signed off each value."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from collis.core.prepared import PreparedQuery
from collis.domain.policy import (
    POLICY_SETTING_BY_KEY,
    POLICY_SETTINGS,
    LocalPolicy,
    Policy,
    local_policy_from_flat,
)
from collis.policy.models import PolicyVersion


@dataclass(frozen=True)
class PolicyInForce:
    """A version of the local policy: its values as the domain reads them, and for each
    value the version that last signed it off (None: local policy, not yet signed off)."""

    version: PolicyVersion
    policy: LocalPolicy
    signed_by: dict[str, PolicyVersion | None]

    @property
    def candidacy(self) -> Policy:
        return self.policy.candidacy

    @property
    def version_id(self) -> int:
        return self.version.pk

    def is_signed_off(self, key: str) -> bool:
        return self.signed_by.get(key) is not None

    def not_signed_off(self, keys) -> list[str]:
        """The keys among `keys` not yet signed off, in the catalogue's order."""
        wanted = set(keys)
        return [s.key for s in POLICY_SETTINGS if s.key in wanted
                and not self.is_signed_off(s.key)]

    def value(self, key: str):
        return self.version.values[key]

    def words(self, key: str) -> str:
        return POLICY_SETTING_BY_KEY[key].words(self.version.values[key])


def _in_force(version: PolicyVersion, earlier: list[PolicyVersion]) -> PolicyInForce:
    signed_by: dict[str, PolicyVersion | None] = {s.key: None for s in POLICY_SETTINGS}
    for v in sorted([*earlier, version], key=lambda v: v.number):
        for key in v.changed:
            signed_by[key] = None
        if v.signed_off_by_id is not None:
            for key in v.signed_off:
                signed_by[key] = v
    return PolicyInForce(version=version, policy=local_policy_from_flat(version.values),
                         signed_by=signed_by)


def policy_in_force(*, on: datetime.date | None = None) -> PolicyInForce:
    """The version in force on `on` (today by default): the latest to take effect on or
    before it; before the first version took effect, the first version."""
    on = on or timezone.localdate()
    versions = PolicyVersion.objects.every()
    current = versions[0]
    for v in versions:
        if v.effective_from <= on:
            current = v
    return _in_force(current, [v for v in versions if v.number < current.number])


# The rules of each stored version as the domain reads them, with the values they came
# from: worked out once per process and used again while the stored values are the same.
_RULES: dict[int, tuple[dict, LocalPolicy]] = {}
_VERSION_VALUES = PreparedQuery(lambda: PolicyVersion.objects.order_by("number")
                                .values_list("pk", "effective_from", "values"))


def policy_rules_in_force(*, on: datetime.date | None = None) -> LocalPolicy:
    """The rules of the version in force on `on` (today by default), without who signed
    them off: what a page that only applies the policy needs (one small query, no model
    instances, and the values parsed into rules once per process)."""
    on = on or timezone.localdate()
    versions = _VERSION_VALUES.rows()
    if not versions:
        return policy_in_force(on=on).policy
    pk, _, values = versions[0]
    for version in versions:
        if version[1] <= on:
            pk, _, values = version
    cached = _RULES.get(pk)
    if cached is None or cached[0] != values:
        cached = _RULES[pk] = (values, local_policy_from_flat(values))
    return cached[1]


def policy_version_get(*, pk: int) -> PolicyInForce:
    """A stored version (the one a record used), with its sign-off as it stood then."""
    versions = PolicyVersion.objects.every()
    version = next((v for v in versions if v.pk == pk), None)
    if version is None:
        raise PolicyVersion.DoesNotExist(f"No local policy version {pk}.")
    return _in_force(version, [v for v in versions if v.number < version.number])


def policy_used(version_id: int | None, *, on: datetime.date) -> PolicyInForce:
    """The policy a record used: its stored version, or for a record made before policy
    versions (no version stored) the version in force on `on`."""
    if version_id is not None:
        return policy_version_get(pk=version_id)
    return policy_in_force(on=on)


def policy_version_latest() -> PolicyVersion:
    return PolicyVersion.objects.every()[-1]


def policy_version_list() -> list[PolicyVersion]:
    """Every version, newest first."""
    return PolicyVersion.objects.every()[::-1]

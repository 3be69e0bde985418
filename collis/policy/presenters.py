"""How the local policy reads on pages and in documents: each value with its label and
unit, who signed it off, and the notice for values not yet signed off."""

from __future__ import annotations

from dataclasses import dataclass

from collis.core.presenters import date_long
from collis.domain.policy import POLICY_SETTINGS, policy_names
from collis.policy.selectors import PolicyInForce

NOT_SIGNED_OFF = "Local policy, not yet signed off"

# The values each page or document relies on.
CANDIDACY_KEYS = tuple(s.key for s in POLICY_SETTINGS
                       if s.key.split(".")[0] in policy_names() and s.key != "twstrs_mcic_points")
CONSENT_KEYS = ("consent_cooling_off_days",)
FOLLOW_UP_KEYS = ("follow_up_review_months", "follow_up_review_window_weeks",
                  "twstrs_mcic_points")


@dataclass(frozen=True)
class PolicyNotice:
    """"Local policy, not yet signed off" and the values it covers, for one page."""

    version_number: int | None
    items: tuple[str, ...]  # "Cooling-off period between counselling and consent: 14 days"

    @property
    def heading(self) -> str:
        return NOT_SIGNED_OFF

    @property
    def text(self) -> str:
        where = (f"local policy version {self.version_number}" if self.version_number
                 else "the local policy from before policy versions were kept")
        return (f"This relies on {where}, and a clinical lead has not yet signed off "
                + ("this value" if len(self.items) == 1 else "these values")
                + ": " + "; ".join(self.items) + ".")

    @property
    def sentence(self) -> str:
        """Heading and text together, for a document."""
        return f"{NOT_SIGNED_OFF}. {self.text}"


def policy_notice(used: PolicyInForce | None, keys, *, stored: bool = True) -> PolicyNotice | None:
    """The notice for the values among `keys` that `used` has not signed off; None when
    every one is signed off. `stored=False`: the record kept no version (made before policy
    versions), so nothing it used was signed off."""
    if used is None:
        return None
    by_key = {s.key: s for s in POLICY_SETTINGS}
    keys = [k for k in keys if k in by_key]
    pending = keys if not stored else used.not_signed_off(keys)
    if not pending:
        return None
    return PolicyNotice(version_number=used.version.number if stored else None,
                        items=tuple(f"{by_key[k].label}: {used.words(k)}" for k in pending))


@dataclass(frozen=True)
class ValueRow:
    key: str
    group: str
    label: str
    words: str
    description: str
    signed: str  # "Dr A Lead, 2 December 2026 (version 2)" or NOT_SIGNED_OFF
    is_signed_off: bool


def value_rows(in_force: PolicyInForce) -> list[ValueRow]:
    rows = []
    for s in POLICY_SETTINGS:
        by = in_force.signed_by.get(s.key)
        signed = (f"{by.signed_off_by.display_name}, {date_long(by.signed_off_at.date())} "
                  f"(version {by.number})" if by else NOT_SIGNED_OFF)
        rows.append(ValueRow(s.key, s.group, s.label, in_force.words(s.key), s.description,
                             signed, by is not None))
    return rows


def value_groups(in_force: PolicyInForce) -> list[tuple[str, list[ValueRow]]]:
    groups: dict[str, list[ValueRow]] = {}
    for row in value_rows(in_force):
        groups.setdefault(row.group, []).append(row)
    return list(groups.items())


def change_words(version) -> list[str]:
    """What a version changed, as people read it: "Cooling-off period ...: 7 days"."""
    by_key = {s.key: s for s in POLICY_SETTINGS}
    return [f"{by_key[k].label}: {by_key[k].words(version.values[k])}"
            for k in version.changed if k in by_key]


def notice_for(version_id: int | None, *, on, keys) -> PolicyNotice | None:
    """The notice for a stored record: the version it kept (or, made before policy
    versions, none: then every value it relied on counts as not signed off)."""
    from collis.policy.selectors import policy_used

    return policy_notice(policy_used(version_id, on=on), keys, stored=version_id is not None)

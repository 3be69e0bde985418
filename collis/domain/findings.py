"""What a rule returns: a finding with an effect, a plain-English reason and its sources.

Source numbers refer to the numbered sources of docs/clinical-reference.md. A finding
never stands for a bare yes/no: it says what was found, how it weighs, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

LOCAL_POLICY_LABEL = "local policy, needs clinical sign-off"



class Effect(StrEnum):
    """How a finding weighs on selective peripheral denervation (SD).

    favours   the criterion is met, or the fact points towards SD.
    cautions  weighs against SD, but not decisively (the recommendation can stay "possible").
    against   weighs decisively against SD (the recommendation becomes "unfavourable").
    excludes  a reason for which SD is not offered (also decisive).
    missing   a fact needed to judge this criterion is not known.
    """

    FAVOURS = "favours"
    CAUTIONS = "cautions"
    AGAINST = "against"
    EXCLUDES = "excludes"
    MISSING = "missing"


DECISIVE_EFFECTS = frozenset({Effect.AGAINST, Effect.EXCLUDES})

# Effects that a local-policy value may give to an adverse finding.
POLICY_EFFECTS = (Effect.CAUTIONS, Effect.AGAINST, Effect.EXCLUDES)

# Order used when a finding must take the stronger of two effects.
EFFECT_WEIGHT = {
    Effect.FAVOURS: 0,
    Effect.MISSING: 1,
    Effect.CAUTIONS: 2,
    Effect.AGAINST: 3,
    Effect.EXCLUDES: 4,
}


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """The local-policy value that decided a finding (shown as "local policy")."""

    name: str
    value: Any
    label: str = LOCAL_POLICY_LABEL

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": _jsonable(self.value), "label": self.label}


@dataclass(frozen=True, slots=True)
class Finding:
    """One criterion's result: code, effect, plain-English detail and source numbers.

    ``derived`` is true when the finding rests on something the engine inferred (a
    response pattern derived from cycles, a distribution derived from regions, muscles
    taken from the pattern table or not confirmed on EMG) rather than on a fact the
    clinician recorded; such findings never outrank missing facts.
    ``paths`` names the case-facts fields a ``missing`` finding asks for; ``core`` marks a
    missing fact without which no judgement is possible (ruleset 2 on), as opposed to a
    supporting fact that only refines one.
    """

    code: str
    effect: Effect
    detail: str
    sources: tuple[int, ...]
    paths: tuple[str, ...] = ()
    policy: PolicyRef | None = None
    derived: bool = False
    core: bool = False

    @property
    def decisive(self) -> bool:
        return self.effect in DECISIVE_EFFECTS

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": str(self.code),
            "effect": str(self.effect),
            "detail": self.detail,
            "sources": list(self.sources),
        }
        if self.paths:
            data["paths"] = list(self.paths)
        if self.policy is not None:
            data["policy"] = self.policy.as_dict()
        if self.derived:
            data["derived"] = True
        if self.core:
            data["core"] = True
        return data


def _jsonable(value: Any) -> Any:
    """Plain JSON value for a policy value (enums as strings, dataclasses as dicts)."""
    if isinstance(value, StrEnum):
        return str(value)
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return as_dict()
    return value


def long_date(day) -> str:
    """A date as people write it ("2 March 2026"), for the words of findings and warnings."""
    return f"{day.day} {day:%B %Y}"

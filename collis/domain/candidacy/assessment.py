"""What the candidacy engine returns: the assessment, its denervation plan, the muscles SD
cannot reach and the alternatives, each with reasons and sources ([20][31][34][35]).

``CandidacyAssessment.as_dict`` gives the contract's shape (``collis assess --json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from collis.domain.candidacy.codes import RULESET, Alternative, Recommendation
from collis.domain.findings import Effect, Finding, PolicyRef
from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.phenotype import SuggestedMuscle
from collis.domain.policy import DEFAULT_POLICY, Policy
from collis.domain.toxin import ToxinWarning


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """A muscle SD can reach, with its side and nerve target."""

    muscle: Muscle
    side: MuscleSide
    target: str
    sources: tuple[int, ...]
    outside_classic_operation: bool = False
    emg_confirmed: bool = True

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "muscle": str(self.muscle),
            "side": str(self.side),
            "target": self.target,
            "sources": list(self.sources),
        }
        if self.outside_classic_operation:
            data["outside_classic_operation"] = True
        if not self.emg_confirmed:
            data["emg_confirmed"] = False
        return data


@dataclass(frozen=True, slots=True)
class NotAddressable:
    """An involved muscle that SD cannot reach, and why."""

    muscle: Muscle
    side: MuscleSide | None
    reason: str
    sources: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"muscle": str(self.muscle)}
        if self.side is not None:
            data["side"] = str(self.side)
        data["reason"] = self.reason
        data["sources"] = list(self.sources)
        return data


@dataclass(frozen=True, slots=True)
class AlternativeReason:
    """An alternative to SD and why it is offered."""

    alternative: Alternative
    reason: str
    sources: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "alternative": str(self.alternative),
            "reason": self.reason,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class CandidacyAssessment:
    """Everything the engine concluded, with reasons; ``as_dict`` gives the contract's shape."""

    recommendation: Recommendation
    findings: tuple[Finding, ...]
    denervation_plan: tuple[PlanEntry, ...]
    not_addressable: tuple[NotAddressable, ...]
    alternatives: tuple[AlternativeReason, ...]
    missing: tuple[str, ...]
    suggested_muscles: tuple[SuggestedMuscle, ...] = ()
    warnings: tuple[ToxinWarning, ...] = ()
    classification: dict[str, str] = field(default_factory=dict)
    policy: Policy = DEFAULT_POLICY
    ruleset: str = RULESET

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(str(f.code) for f in self.findings)

    def findings_with(self, effect: Effect) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.effect is effect)

    def policy_refs(self) -> tuple[PolicyRef, ...]:
        """Local-policy values that decided at least one finding (each once)."""
        seen: dict[str, PolicyRef] = {}
        for finding in self.findings:
            if finding.policy is not None and finding.policy.name not in seen:
                seen[finding.policy.name] = finding.policy
        return tuple(seen.values())

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ruleset": self.ruleset,
            "recommendation": str(self.recommendation),
            "findings": [f.as_dict() for f in self.findings],
            "denervation_plan": [p.as_dict() for p in self.denervation_plan],
            "not_addressable": [n.as_dict() for n in self.not_addressable],
            "alternatives": [str(a.alternative) for a in self.alternatives],
            "missing": list(self.missing),
            "alternative_reasons": [a.as_dict() for a in self.alternatives],
        }
        if self.suggested_muscles:
            data["suggested_muscles"] = [s.as_dict() for s in self.suggested_muscles]
        if self.warnings:
            data["warnings"] = [w.as_dict() for w in self.warnings]
        if self.classification:
            data["classification"] = dict(self.classification)
        refs = self.policy_refs()
        if refs:
            data["policy_values"] = [self.policy.value(r.name).as_dict() for r in refs]
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.as_dict(), indent=indent, ensure_ascii=False)

"""How MDT meetings, decisions and funding requests read on screen and on paper."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collis.candidacy.presenters import (
    RECOMMENDATION_TEXT,
    AssessmentPresenter,
    reference_sources,
)
from collis.core.presenters import datetime_long
from collis.core.roles import Role
from collis.mdt.models import (
    MUSCLE_LABELS,
    SIDE_LABELS,
    Decision,
    FundingRequest,
    MdtDecision,
)

# The MDT that selects patients for surgery: neurologist, neurosurgeon, physiotherapist
# (reference §1, item 4). A meeting without one of them is shown with a warning.
CORE_ROLES = (Role.NEUROLOGIST, Role.NEUROSURGEON, Role.PHYSIOTHERAPIST)


def missing_core_roles(attendees) -> list[str]:
    present = {a.role for a in attendees}
    return [role.label.lower() for role in CORE_ROLES if role not in present]


def recommendation_label(recommendation: str) -> str:
    return RECOMMENDATION_TEXT.get(recommendation, (recommendation, ""))[0]


def agreement_text(decision: MdtDecision) -> str:
    if decision.agrees_with_engine is None:
        return "Decided without a stored candidacy assessment"
    recommendation = recommendation_label(decision.engine_recommendation)
    if decision.agrees_with_engine:
        return f"Agrees with the engine's recommendation ({recommendation})"
    return f"Departs from the engine's recommendation ({recommendation})"


def planned_text(row) -> str:
    side = SIDE_LABELS.get(row.side, row.side).lower()
    return f"{MUSCLE_LABELS.get(row.muscle, row.muscle)} ({side}): {row.target}"


def muscle_label(value: str) -> str:
    return MUSCLE_LABELS.get(value, value)


def side_label(value: str) -> str:
    return SIDE_LABELS.get(value, value)


def sources_text(numbers) -> str:
    return " ".join(f"[{n}]" for n in numbers)


def cited_sources(numbers) -> list[tuple[int, str]]:
    titles = reference_sources()
    # The shared parser runs a source into the next when that one starts in lower case
    # ("... page. 38 cdtorticollis.org ..."): cut at the next source number.
    return [(n, re.split(r"\.\s\d{1,2}\s", titles.get(n, ""))[0])
            for n in sorted(set(numbers))]


def agreeing_labels(recommendation: str) -> list[str]:
    """The decisions that agree with a recommendation, as words (services.AGREEING_DECISIONS)."""
    from collis.mdt.services import AGREEING_DECISIONS

    agreeing = AGREEING_DECISIONS.get(recommendation, frozenset())
    return [d.label for d in Decision if d in agreeing]


# The findings of the assessment the MDT discussed, as a commissioner reads them: what
# weighs decisively against first, then cautions, facts not recorded, and what is in favour.
FUNDING_FINDING_GROUPS = (
    (("excludes", "against"), "Weighs decisively against selective denervation",
     "Any one of these makes the engine's answer unfavourable."),
    (("cautions",), "Cautions",
     "These weigh against selective denervation, but not decisively."),
    (("missing",), "Missing facts",
     "Facts the rules look for that the record did not hold when the case was assessed."),
    (("favours",), "In favour: criteria met, with evidence",
     "Each criterion met, with its sources in the clinical reference."),
)


@dataclass(frozen=True)
class FindingRow:
    detail: str
    sources: tuple[int, ...]
    notes: tuple[str, ...]

    @property
    def uncited_sources_text(self) -> str:
        """The finding's sources that its detail does not already cite ("[26]")."""
        return sources_text(n for n in self.sources if f"[{n}]" not in self.detail)

    @property
    def text(self) -> str:
        """The finding in one line: detail, any source it does not cite, then what it
        rests on."""
        return " ".join(part for part in (self.detail, self.uncited_sources_text, *self.notes)
                        if part)


@dataclass(frozen=True)
class FindingGroup:
    label: str
    hint: str
    rows: tuple[FindingRow, ...]


def _finding_row(finding: dict) -> FindingRow:
    notes = []
    if finding.get("derived"):
        notes.append("Derived by Collis from other recorded facts, not recorded as such.")
    if finding.get("effect") == "missing":
        notes.append("A core fact: without it no judgement is possible." if finding.get("core")
                     else "A supporting fact: it refines the judgement.")
    if finding.get("policy"):
        notes.append(f"Rests on a local-policy value ({finding['policy'].get('label', '')}).")
    return FindingRow(detail=finding["detail"], sources=tuple(finding.get("sources", [])),
                      notes=tuple(notes))


@dataclass(frozen=True)
class FundingCase:
    """The whole case a funding request puts to a commissioner: the engine's recommendation
    in words, every finding that weighs against, cautions, is missing or is in favour, each
    with its detail and sources, and the MDT's decision with its reason when it departed
    from the engine. Read from the assessment the MDT discussed and from the decision, both
    append-only, so the request reads the same whenever it is opened."""

    request: FundingRequest

    @property
    def decision(self) -> MdtDecision:
        return self.request.decision

    @property
    def assessment(self) -> AssessmentPresenter | None:
        record = self.decision.assessment
        return AssessmentPresenter(record) if record is not None else None

    @property
    def recommendation(self) -> str:
        """The engine's recommendation in words ("Unfavourable: a finding weighs
        decisively against selective denervation.")."""
        if self.assessment is None:
            return "None: the MDT decided without a stored candidacy assessment."
        explanation = self.assessment.explanation
        return (f"{self.assessment.headline}: {explanation[:1].lower()}{explanation[1:]}"
                if explanation else self.assessment.headline)

    @property
    def assessed(self) -> str:
        if self.assessment is None:
            return ""
        record = self.assessment.record
        return (f"Assessed {datetime_long(record.assessed_at)} by "
                f"{record.assessed_by.display_name} with ruleset "
                f"{self.assessment.ruleset_number} ({record.ruleset})")

    def finding_groups(self) -> list[FindingGroup]:
        """Each kind of finding that the assessment holds, in the order a commissioner
        weighs them; none when the MDT decided without an assessment."""
        if self.assessment is None:
            return []
        findings = self.assessment.result.get("findings", [])
        groups = []
        for effects, label, hint in FUNDING_FINDING_GROUPS:
            rows = tuple(_finding_row(f) for effect in effects for f in findings
                         if f.get("effect") == effect)
            if rows:
                groups.append(FindingGroup(label=label, hint=hint, rows=rows))
        return groups

    @property
    def mdt_decision(self) -> str:
        return (f"{self.decision.get_decision_display()}, recorded "
                f"{datetime_long(self.decision.created_at)} by "
                f"{self.decision.created_by.display_name}")

    @property
    def agreement(self) -> str:
        return agreement_text(self.decision) + (
            f" (ruleset {self.decision.engine_ruleset})" if self.decision.engine_ruleset else "")

    @property
    def departed(self) -> bool:
        """The MDT decided otherwise than the engine recommended (or the engine could not
        judge), so its reason is part of the case."""
        return self.decision.agrees_with_engine is False

    @property
    def departure_reason(self) -> str:
        return self.decision.departure_reason if self.departed else ""

    def source_numbers(self) -> list[int]:
        numbers = {n for group in self.finding_groups() for row in group.rows
                   for n in row.sources}
        numbers |= {n for c in self.request.procedure_codes for n in c["sources"]}
        return sorted(numbers)

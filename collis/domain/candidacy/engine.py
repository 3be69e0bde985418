"""Runs every SD candidacy criterion and gives one recommendation by precedence, after the
clinical reference §5 and §6 ([20][25][26][28]). The facts that decide (core) and those that
refine (supporting) are listed in the package docstring and docs/case-facts.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collis.domain.candidacy.alternatives import alternatives
from collis.domain.candidacy.assessment import CandidacyAssessment
from collis.domain.candidacy.codes import FindingCode, Recommendation
from collis.domain.candidacy.common import Criterion
from collis.domain.candidacy.distribution import classification, distribution, neck_involvement
from collis.domain.candidacy.health import health, preference
from collis.domain.candidacy.patterns import patterns, tremor
from collis.domain.candidacy.plan import denervation_plan, not_addressable, suggested_muscles
from collis.domain.candidacy.reach import dominant_pattern_reach, muscle_groups, muscles
from collis.domain.candidacy.toxin_response import (
    resistance_test,
    response_found,
    toxin_response,
    treatment_duration,
)
from collis.domain.candidacy.work_up import work_up
from collis.domain.case_facts import CaseFacts, parse_case_facts
from collis.domain.findings import DECISIVE_EFFECTS, Effect, Finding
from collis.domain.policy import DEFAULT_POLICY, Policy
from collis.domain.toxin import injection_interval_warnings

# Every criterion, in the order its findings are listed. The reference gives no age limit,
# so age is not a criterion; course and aetiology are not either (no SD rule on them).
CRITERIA: tuple[Criterion, ...] = (
    distribution,
    neck_involvement,
    patterns,
    dominant_pattern_reach,
    muscles,
    muscle_groups,
    tremor,
    toxin_response,
    resistance_test,
    treatment_duration,
    work_up,
    health,
    preference,
)


def recommend(findings: Sequence[Finding]) -> Recommendation:
    """The recommendation: the first step of the precedence below that applies."""
    # 1. not_indicated: a recorded good toxin response; toxin still works [20][25].
    # 2. unfavourable: a decisive finding (against, excludes), whether it rests on recorded
    #    facts or on facts the engine derived (its detail says so), e.g. widespread dystonia
    #    [28] or primary non-response [26][28], whatever else is missing.
    # 3. not_indicated: a good response derived from the cycles (local-policy thresholds).
    # 4. insufficient_information: a core fact is missing (no judgement is possible).
    # 5. possible: one or more cautions, a supporting fact missing, or a finding the engine
    #    derived rather than read from the record.
    # 6. favourable: none of the above, which leaves the favourable profile on recorded facts:
    #    rotation-dominant focal CD with secondary non-response and resistance
    #    [20][26][27][37].
    # Steps 4 to 6 keep the module's monotonicity: absence only adds missing facts or
    # inferences, and both keep an answer from becoming favourable (property-tested).
    response = response_found(findings)
    good = response is not None and response.code == FindingCode.GOOD_BONT_RESPONSE
    if good and not response.derived:
        return Recommendation.NOT_INDICATED
    if any(f.effect in DECISIVE_EFFECTS and not (good and f is response) for f in findings):
        return Recommendation.UNFAVOURABLE
    if good:
        return Recommendation.NOT_INDICATED
    if any(f.effect is Effect.MISSING and f.core for f in findings):
        return Recommendation.INSUFFICIENT_INFORMATION
    if any(f.effect in (Effect.CAUTIONS, Effect.MISSING) or f.derived for f in findings):
        return Recommendation.POSSIBLE
    return Recommendation.FAVOURABLE


def assess_candidacy(
    facts: CaseFacts | Mapping[str, Any], policy: Policy = DEFAULT_POLICY
) -> CandidacyAssessment:
    """Run every SD candidacy criterion and return all findings and one recommendation.

    ``facts`` is typed CaseFacts (not validated again) or a mapping, which is parsed and
    validated against the JSON Schema first (raising CaseFactsError).
    """
    if not isinstance(facts, CaseFacts):
        facts = parse_case_facts(facts)
    findings = tuple(finding for criterion in CRITERIA for finding in criterion(facts, policy))
    return CandidacyAssessment(
        recommendation=recommend(findings),
        findings=findings,
        denervation_plan=denervation_plan(facts),
        not_addressable=not_addressable(facts),
        alternatives=alternatives(facts, findings),
        missing=tuple(dict.fromkeys(path for finding in findings for path in finding.paths)),
        suggested_muscles=suggested_muscles(facts),
        warnings=injection_interval_warnings(facts.botulinum_toxin.cycles or ()),
        classification=classification(facts),
        policy=policy,
    )

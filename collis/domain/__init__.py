"""Collis clinical knowledge: pure Python, never imports Django.

Everything that judges or scores lives here once (STYLE.md habit 1); the web app stores
and shows the results. Sources are numbered as in docs/clinical-reference.md. The main
entry points are re-exported here.
"""

from collis.domain.candidacy import (
    RULESET,
    Alternative,
    CandidacyAssessment,
    FindingCode,
    Recommendation,
    assess_candidacy,
)
from collis.domain.case_facts import (
    CaseFacts,
    CaseFactsError,
    load_case_facts,
    parse_case_facts,
    validate_case_facts,
)
from collis.domain.findings import LOCAL_POLICY_LABEL, Effect, Finding
from collis.domain.policy import DEFAULT_POLICY, Policy, PolicyError, policy_from_mapping
from collis.domain.report import render_report
from collis.domain.scales.tsui import record_tsui
from collis.domain.scales.twstrs import compare_twstrs, score_twstrs, twstrs_from_subscores

__all__ = [
    "DEFAULT_POLICY",
    "LOCAL_POLICY_LABEL",
    "RULESET",
    "Alternative",
    "CandidacyAssessment",
    "CaseFacts",
    "CaseFactsError",
    "Effect",
    "Finding",
    "FindingCode",
    "Policy",
    "PolicyError",
    "Recommendation",
    "assess_candidacy",
    "compare_twstrs",
    "load_case_facts",
    "parse_case_facts",
    "policy_from_mapping",
    "record_tsui",
    "render_report",
    "score_twstrs",
    "twstrs_from_subscores",
    "validate_case_facts",
]

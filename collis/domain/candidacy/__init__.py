"""Selective peripheral denervation (SD) candidacy, ruleset ``collis-sd-candidacy/1``: every
criterion's findings and one recommendation, after the clinical reference §2, §3, §5 and §6
(selection evidence [25]-[38], BNN pathway [20]); one module per group of criteria.
"""

from collis.domain.candidacy.assessment import (
    AlternativeReason,
    CandidacyAssessment,
    NotAddressable,
    PlanEntry,
)
from collis.domain.candidacy.codes import (
    RECOMMENDATION_TEXT,
    RULESET,
    Alternative,
    FindingCode,
    Recommendation,
)
from collis.domain.candidacy.engine import CRITERIA, assess_candidacy, recommend

__all__ = [
    "CRITERIA",
    "RECOMMENDATION_TEXT",
    "RULESET",
    "Alternative",
    "AlternativeReason",
    "CandidacyAssessment",
    "FindingCode",
    "NotAddressable",
    "PlanEntry",
    "Recommendation",
    "assess_candidacy",
    "recommend",
]

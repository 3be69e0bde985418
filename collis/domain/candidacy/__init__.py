"""Selective peripheral denervation (SD) candidacy, ruleset ``collis-sd-candidacy/2``: every
criterion's findings and one recommendation, after the clinical reference §2, §3, §5 and §6
(selection evidence [25]-[38], BNN pathway [20]); one module per group of criteria.

Core facts decide: without one no judgement is possible, and its absence gives
``insufficient_information`` (a ``missing`` finding with ``core``). They are the distribution
or the regions involved; the dominant pattern; the involved muscles, or a dominant pattern
with its side to derive them from; and a toxin response, recorded or derivable from cycles.

Supporting facts refine: the regions when the distribution is recorded, the side of a
lateralised pattern, the muscles when the pattern stands in for them, a muscle's side,
tremor, a resistance test (unless the response is good or a primary non-response), how long
toxin has been tried when the response is derived from cycles, the work-up (EMG mapping,
videofluoroscopy, CT of the cervical spine), health and the patient's preference. A missing
supporting fact is listed in ``missing`` and adds a caution: the answer can be ``possible``
but never ``favourable``, and it never hides a decisive finding.

A decisive finding gives ``unfavourable`` whether it rests on recorded facts or on facts the
engine derived under local policy; a derived finding says so in its detail. A recorded
response pattern stands on its own: it needs no dated cycles.

Monotonicity (property-tested in tests/test_properties.py): making a fact absent (the
contract's "not known") never produces ``favourable`` from any other answer, and never turns
``insufficient_information`` into ``possible`` or ``favourable``. It holds because absence
only adds missing facts or inferences (each keeps an answer from ``favourable``), and because
a core fact, once missing, stays missing when more is removed.
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

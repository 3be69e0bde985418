"""Alternatives to SD along the BNN pathway [20]: continue toxin that works, review it when
not resistant, switch toxin or consider GPi-DBS [33][39][40]; physiotherapy [25][27][45].
"""

from __future__ import annotations

from collections.abc import Sequence

from collis.domain.candidacy.assessment import AlternativeReason
from collis.domain.candidacy.codes import Alternative, FindingCode
from collis.domain.candidacy.toxin_response import response_found, response_pattern
from collis.domain.case_facts import CaseFacts
from collis.domain.findings import Finding
from collis.domain.phenotype import Pattern
from collis.domain.toxin import ResponsePattern

CONTINUE_TOXIN = AlternativeReason(
    Alternative.CONTINUE_BOTULINUM_TOXIN, "Botulinum toxin still works: continue it [20].", (20,)
)
SWITCH_TOXIN = AlternativeReason(
    Alternative.SWITCH_TOXIN,
    "Resistant: the BNN pathway considers a toxin holiday, BoNT-B or another BoNT-A [20].",
    (20,),
)
DBS_WHEN_RESISTANT = AlternativeReason(
    Alternative.GPI_DBS,
    "Resistant: the BNN pathway considers surgery or DBS [20]; GPi-DBS reduced CD severity in "
    "a randomised trial [39].",
    (20, 39),
)
REVIEW_TOXIN = AlternativeReason(
    Alternative.BOTULINUM_TOXIN_REVIEW,
    "Not shown to be resistant: review muscle selection, guidance (EMG or ultrasound) and dose "
    "[20].",
    (20,),
)
DBS_WHEN_TOXIN_FAILED = AlternativeReason(
    Alternative.GPI_DBS,
    "Toxin has failed: GPi-DBS is a surgical option for CD [39][40]; a network meta-analysis "
    "favours it over SD by about 7 TWSTRS points [33].",
    (33, 39, 40),
)
DBS_WHEN_TOXIN_FAILED_LATERAL = AlternativeReason(
    Alternative.GPI_DBS,
    "Toxin has failed: GPi-DBS is a surgical option for CD [39][40]; a network meta-analysis "
    "favours it over SD by about 7 TWSTRS points [33]; a lateral shift predicts less benefit "
    "[40].",
    (33, 39, 40),
)
PHYSIOTHERAPY = AlternativeReason(
    Alternative.PHYSIOTHERAPY,
    "Physiotherapy is part of the treatment ladder and of care after SD [25][27][45].",
    (25, 27, 45),
)
MYECTOMY = AlternativeReason(
    Alternative.MYECTOMY,
    "Levator scapulae is involved: section of its insertion is an option [35].",
    (35,),
)
TOXIN_FAILED = (ResponsePattern.SECONDARY_NON_RESPONSE, ResponsePattern.PRIMARY_NON_RESPONSE)
LISTED_ORDER = tuple(Alternative)


def alternatives(facts: CaseFacts, findings: Sequence[Finding]) -> tuple[AlternativeReason, ...]:
    """The alternatives the findings call for, each once, in ``Alternative`` order."""
    response = response_pattern(response_found(findings))
    codes = {f.code for f in findings}
    chosen: dict[Alternative, AlternativeReason] = {}
    if response is ResponsePattern.GOOD_RESPONSE:
        chosen[Alternative.CONTINUE_BOTULINUM_TOXIN] = CONTINUE_TOXIN
    elif response is not None:
        if FindingCode.RESISTANT in codes:
            chosen[Alternative.SWITCH_TOXIN] = SWITCH_TOXIN
            chosen[Alternative.GPI_DBS] = DBS_WHEN_RESISTANT
        else:
            chosen[Alternative.BOTULINUM_TOXIN_REVIEW] = REVIEW_TOXIN
        if response in TOXIN_FAILED and Alternative.GPI_DBS not in chosen:
            lateral = any(p.pattern is Pattern.LATERAL_SHIFT for p in facts.patterns or ())
            chosen[Alternative.GPI_DBS] = (
                DBS_WHEN_TOXIN_FAILED_LATERAL if lateral else DBS_WHEN_TOXIN_FAILED
            )
    chosen[Alternative.PHYSIOTHERAPY] = PHYSIOTHERAPY
    if FindingCode.LEVATOR_SCAPULAE_INVOLVED in codes:
        chosen[Alternative.MYECTOMY] = MYECTOMY
    return tuple(chosen[a] for a in LISTED_ORDER if a in chosen)

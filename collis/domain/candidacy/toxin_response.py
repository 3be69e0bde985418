"""Botulinum toxin criteria: the response pattern [20][22][23][25][26][28] (a core fact:
recorded, or derived from the cycles), the resistance test [20][21][22] and, when the
response is derived, how long toxin has been tried (after Bertrand [25]); both supporting.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from collis.domain.candidacy.codes import FindingCode
from collis.domain.candidacy.common import missing_fact, plain
from collis.domain.candidacy.wording import field_label
from collis.domain.case_facts import CaseFacts
from collis.domain.findings import Effect, Finding, long_date
from collis.domain.policy import Policy
from collis.domain.toxin import (
    ResistanceResult,
    ResponseDerivation,
    ResponsePattern,
    derive_response_pattern,
)


class ResponseRule(NamedTuple):
    code: FindingCode
    effect: Effect
    sources: tuple[int, ...]
    detail: str


RESPONSE_RULES: dict[ResponsePattern, ResponseRule] = {
    ResponsePattern.GOOD_RESPONSE: ResponseRule(
        FindingCode.GOOD_BONT_RESPONSE,
        Effect.AGAINST,
        (20, 25),
        "Good response to botulinum toxin: surgery is for a poor or unsatisfactory response "
        "[20][25]; continue toxin.",
    ),
    ResponsePattern.SECONDARY_NON_RESPONSE: ResponseRule(
        FindingCode.SECONDARY_NON_RESPONSE,
        Effect.FAVOURS,
        (20, 23, 26),
        "Secondary non-response (loss of a previously good response [20][23]) favours SD, and a "
        "prior good response predicts a good surgical outcome [26].",
    ),
    ResponsePattern.PARTIAL_RESPONSE: ResponseRule(
        FindingCode.PARTIAL_RESPONSE,
        Effect.CAUTIONS,
        (20, 22),
        "Partial response to botulinum toxin: the BNN pathway reviews muscle selection, guidance "
        "and dose [20]; partial secondary failure is reported in 14.5% over 9 years [22].",
    ),
    ResponsePattern.PRIMARY_NON_RESPONSE: ResponseRule(
        FindingCode.PRIMARY_NON_RESPONSE,
        Effect.EXCLUDES,
        (26, 28),
        "Primary non-response (never a useful response to botulinum toxin) is unfavourable for SD "
        "[26][28].",
    ),
}
_PATTERN_OF_CODE = {rule.code: pattern for pattern, rule in RESPONSE_RULES.items()}


class ResistanceRule(NamedTuple):
    code: FindingCode
    effect: Effect
    label: str
    reason: str
    sources: tuple[int, ...]


RESISTANCE_RULES: dict[ResistanceResult, ResistanceRule] = {
    ResistanceResult.RESISTANT: ResistanceRule(
        FindingCode.RESISTANT,
        Effect.FAVOURS,
        "Resistant to botulinum toxin",
        "for a resistant poor responder the BNN pathway considers a toxin holiday, BoNT-B, "
        "another BoNT-A, or surgery or DBS [20].",
        (20,),
    ),
    ResistanceResult.NOT_RESISTANT: ResistanceRule(
        FindingCode.NOT_RESISTANT,
        Effect.CAUTIONS,
        "Not resistant",
        "the BNN pathway first reviews muscle selection, guidance (EMG or ultrasound) and dose "
        "[20].",
        (20,),
    ),
    ResistanceResult.INCONCLUSIVE: ResistanceRule(
        FindingCode.RESISTANCE_INCONCLUSIVE,
        Effect.CAUTIONS,
        "Resistance test inconclusive",
        "antibody assays are positive in 1.2-40% depending on the assay and only about half of "
        "treatment failures have antibodies [20][21][22].",
        (20, 21, 22),
    ),
}
# Recorded responses for which a resistance test would not change the advice [20].
NO_RESISTANCE_TEST_NEEDED = (ResponsePattern.GOOD_RESPONSE, ResponsePattern.PRIMARY_NON_RESPONSE)


def _reason_in_words(derivation: ResponseDerivation) -> str:
    """Why the response could not be derived, naming cycle fields in words, not paths."""
    indexed = [path for path in derivation.missing_paths if "[" in path]
    if not indexed:
        return derivation.reason
    return (
        "It cannot be derived from the cycles: "
        + ", ".join(field_label(path) for path in indexed)
        + " not recorded."
    )


def toxin_response(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """The recorded response pattern, else one derived from the cycles under local-policy
    thresholds (derived): good against, secondary favours, partial cautions, primary excludes."""
    toxin = facts.botulinum_toxin
    if toxin.response_pattern is not None:
        rule = RESPONSE_RULES[toxin.response_pattern]
        return (Finding(rule.code, rule.effect, rule.detail, rule.sources),)
    derivation = derive_response_pattern(toxin.cycles, policy.bont_response_thresholds)
    if derivation.pattern is None:
        return (
            missing_fact(
                FindingCode.MISSING_RESPONSE_PATTERN,
                ("botulinum_toxin.response_pattern",),
                "Response to botulinum toxin not recorded. "
                + _reason_in_words(derivation)
                + " SD is for toxin that has failed or is failing [20][26].",
                (20, 26),
                core=True,
            ),
        )
    rule = RESPONSE_RULES[derivation.pattern]
    return (
        Finding(
            rule.code,
            rule.effect,
            f"Derived from the cycles (local-policy thresholds): {derivation.reason} {rule.detail}",
            rule.sources,
            policy=policy.ref("bont_response_thresholds"),
            derived=True,
        ),
    )


def response_found(findings: Iterable[Finding]) -> Finding | None:
    """The finding that gives the response pattern (recorded or derived), if there is one."""
    return next((f for f in findings if f.code in _PATTERN_OF_CODE), None)


def response_pattern(finding: Finding | None) -> ResponsePattern | None:
    return None if finding is None else _PATTERN_OF_CODE[finding.code]


def _response_pattern(facts: CaseFacts, policy: Policy) -> ResponsePattern | None:
    """The recorded response pattern, else the one derived from the cycles (if any)."""
    toxin = facts.botulinum_toxin
    if toxin.response_pattern is not None:
        return toxin.response_pattern
    return derive_response_pattern(toxin.cycles, policy.bont_response_thresholds).pattern


def resistance_test(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """The resistance test result, a supporting fact unless the response (recorded or
    derived) is good or a primary non-response, for which a test would not change the
    advice [20]."""
    toxin = facts.botulinum_toxin
    test = toxin.resistance_test
    if test is not None and test.result is not None:
        rule = RESISTANCE_RULES[test.result]
        which = f" ({plain(test.test)} test)" if test.test else ""
        return (
            Finding(rule.code, rule.effect, f"{rule.label}{which}: {rule.reason}", rule.sources),
        )
    if _response_pattern(facts, policy) in NO_RESISTANCE_TEST_NEEDED:
        return ()
    path = "botulinum_toxin.resistance_test" + ("" if test is None else ".result")
    return (
        missing_fact(
            FindingCode.MISSING_RESISTANCE_TEST,
            (path,),
            "Resistance test not recorded: for a poor responder the BNN pathway tests for "
            "resistance before choosing between a toxin review and surgery or DBS [20].",
            (20,),
        ),
    )


def treatment_duration(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """When the response is not recorded (so derived from the cycles), treatment documented by
    dated cycles for at least the local minimum; Bertrand operated when treatment was
    unsatisfactory after 2 years [25]. A recorded response stands on its own: the clinician
    has judged it, so undated or absent cycles are then not a missing fact, and their span
    is not weighed."""
    if facts.botulinum_toxin.response_pattern is not None:
        return ()
    cycles = facts.botulinum_toxin.cycles or ()
    dates = [c.date for c in cycles if c.date is not None]
    if not dates:
        paths = (
            tuple(f"botulinum_toxin.cycles[{i}].date" for i in range(len(cycles)))
            if cycles
            else ("botulinum_toxin.cycles",)
        )
        return (
            missing_fact(
                FindingCode.MISSING_TREATMENT_DURATION,
                paths,
                "No dated toxin cycles, so the duration of treatment is not known: Bertrand "
                "operated when treatment was unsatisfactory after 2 years [25].",
                (25,),
            ),
        )
    first, last = min(dates), max(dates)
    years = (last - first).days / 365.25
    limit = policy.min_bont_treatment_years
    if len(dates) == 1:
        span = (
            f"Only one dated cycle ({long_date(first)}), so no length of treatment is "
            "documented"
        )
    else:
        span = (
            f"{len(dates)} dated cycles from {long_date(first)} to {long_date(last)} "
            f"({years:.1f} years)"
        )
    if years >= limit:
        return (
            Finding(
                FindingCode.TREATMENT_DURATION_MET,
                Effect.FAVOURS,
                f"{span}: at least the local minimum of {limit:g} years; Bertrand operated when "
                "treatment was unsatisfactory after 2 years [25].",
                (25,),
                policy=policy.ref("min_bont_treatment_years"),
            ),
        )
    return (
        Finding(
            FindingCode.TREATMENT_DURATION_SHORT,
            Effect.CAUTIONS,
            f"{span}: less than the local minimum of {limit:g} years (Bertrand operated after 2 "
            "years of unsatisfactory treatment [25]; Dystonia UK advises early referral [37]).",
            (25, 37),
            policy=policy.ref("min_bont_treatment_years"),
        ),
    )


"""Phenotype criteria: the dominant Col-Cap pattern and its other components [3][27][37][38],
and tremor, which SD leaves unchanged [28].
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from collis.domain.candidacy.codes import FindingCode
from collis.domain.candidacy.common import missing_fact, plain
from collis.domain.case_facts import CaseFacts, Tremor
from collis.domain.findings import Effect, Finding
from collis.domain.phenotype import (
    LATERALISED_PATTERNS,
    Pattern,
    PatternObservation,
    dominant_index,
)
from collis.domain.policy import Policy


class PatternGroup(StrEnum):
    """How a pattern weighs on SD: the reference speaks of rotation, anterocollis,
    retrocollis [37][38]; caput forms [3] and lateral patterns are weighed apart."""

    ROTATION = "rotation"
    ANTEROCOLLIS = "anterocollis"
    RETROCOLLIS = "retrocollis"
    SAGITTAL_CAPUT = "sagittal_caput"
    LATERAL = "lateral"
    OTHER = "other"


PATTERN_GROUPS: dict[Pattern, PatternGroup] = {
    Pattern.TORTICAPUT: PatternGroup.ROTATION,
    Pattern.TORTICOLLIS: PatternGroup.ROTATION,
    Pattern.ANTEROCOLLIS: PatternGroup.ANTEROCOLLIS,
    Pattern.SAGITTAL_SHIFT_FORWARD: PatternGroup.ANTEROCOLLIS,
    Pattern.RETROCOLLIS: PatternGroup.RETROCOLLIS,
    Pattern.ANTECAPUT: PatternGroup.SAGITTAL_CAPUT,
    Pattern.RETROCAPUT: PatternGroup.SAGITTAL_CAPUT,
    Pattern.SAGITTAL_SHIFT_BACKWARD: PatternGroup.SAGITTAL_CAPUT,
    Pattern.LATEROCAPUT: PatternGroup.LATERAL,
    Pattern.LATEROCOLLIS: PatternGroup.LATERAL,
    Pattern.LATERAL_SHIFT: PatternGroup.LATERAL,
    Pattern.SHOULDER_ELEVATION: PatternGroup.OTHER,
}


class DominantRule(NamedTuple):
    """How a dominant pattern weighs; ``effect`` None: the local-policy value ``policy`` decides."""

    code: FindingCode
    effect: Effect | None
    reason: str
    sources: tuple[int, ...]
    policy: str | None = None


_NOT_ROTATION = DominantRule(
    FindingCode.NOT_ROTATION_DOMINANT,
    Effect.CAUTIONS,
    "not rotation; rotation-dominant cervical dystonia is the profile that favours SD [27][37].",
    (27, 37),
)
DOMINANT_RULES: dict[PatternGroup, DominantRule] = {
    PatternGroup.ROTATION: DominantRule(
        FindingCode.ROTATION_DOMINANT, Effect.FAVOURS, "", (27, 37)
    ),
    PatternGroup.ANTEROCOLLIS: DominantRule(
        FindingCode.ANTEROCOLLIS_DOMINANT,
        Effect.AGAINST,
        "anterocollis is unfavourable for SD [37][38].",
        (37, 38),
    ),
    PatternGroup.RETROCOLLIS: DominantRule(
        FindingCode.RETROCOLLIS_DOMINANT,
        Effect.AGAINST,
        "retrocollis is unfavourable for SD [37][38].",
        (37, 38),
    ),
    PatternGroup.SAGITTAL_CAPUT: DominantRule(
        FindingCode.SAGITTAL_CAPUT_DOMINANT,
        None,
        "a forward or backward head posture. The sources that call anterocollis and retrocollis "
        "unfavourable [37][38] predate the caput/collis distinction [3]; local policy",
        (3, 37, 38),
        policy="sagittal_caput_forms_as_collis",
    ),
    PatternGroup.LATERAL: _NOT_ROTATION,
    PatternGroup.OTHER: _NOT_ROTATION,
}


class ComponentRule(NamedTuple):
    """How a pattern that is present but not dominant weighs (always a caution)."""

    code: FindingCode
    label: str
    reason: str
    sources: tuple[int, ...]


# Rotation and other components weigh nothing.
COMPONENT_RULES: dict[PatternGroup, ComponentRule] = {
    PatternGroup.ANTEROCOLLIS: ComponentRule(
        FindingCode.ANTEROCOLLIS_COMPONENT,
        "Anterocollis",
        "anterocollis is unfavourable for SD [37][38].",
        (37, 38),
    ),
    PatternGroup.RETROCOLLIS: ComponentRule(
        FindingCode.RETROCOLLIS_COMPONENT,
        "Retrocollis",
        "retrocollis is unfavourable for SD [37][38].",
        (37, 38),
    ),
    PatternGroup.SAGITTAL_CAPUT: ComponentRule(
        FindingCode.SAGITTAL_CAPUT_COMPONENT,
        "Sagittal caput",
        "the sources that call anterocollis and retrocollis unfavourable [37][38] do not "
        "distinguish caput forms [3].",
        (3, 37, 38),
    ),
    PatternGroup.LATERAL: ComponentRule(
        FindingCode.LATERAL_COMPONENT,
        "Lateral",
        "outside the rotation-dominant profile that favours SD [27][37], and lateral patterns are "
        "often driven by levator scapulae, which is outside the classic operation [35].",
        (27, 35, 37),
    ),
}

FORWARD_SHIFT_NOTE = " (a forward sagittal shift is anterocollis plus retrocaput [3])"

MISSING_PATTERNS = missing_fact(
    FindingCode.MISSING_PATTERNS,
    ("patterns",),
    "No Col-Cap patterns recorded: rotation-dominant cervical dystonia favours SD [27][37] and "
    "anterocollis or retrocollis weighs against it [37][38].",
    (27, 37, 38),
    core=True,
)


def _describe(observation: PatternObservation) -> str:
    """The observation as a clinician writes it ("sagittal shift forward, severity 3")."""
    return plain(observation.describe())


def _forward_shift(pattern: Pattern, sources: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    """The note and the sources for a forward sagittal shift, which weighs as anterocollis [3]."""
    if pattern is Pattern.SAGITTAL_SHIFT_FORWARD:
        return FORWARD_SHIFT_NOTE, tuple(sorted({3, *sources}))
    return "", sources


def _dominant_finding(observation: PatternObservation, policy: Policy) -> Finding:
    rule = DOMINANT_RULES[PATTERN_GROUPS[observation.pattern]]
    note, sources = _forward_shift(observation.pattern, rule.sources)
    text = f"Dominant pattern {_describe(observation)}{note}"
    if rule.policy is None:
        return Finding(
            rule.code, rule.effect, f"{text}: {rule.reason}" if rule.reason else text, sources
        )
    as_collis = policy.sagittal_caput_forms_as_collis
    how = "treats it like anterocollis or retrocollis" if as_collis else "treats it as a caution"
    return Finding(
        rule.code,
        Effect.AGAINST if as_collis else Effect.CAUTIONS,
        f"{text}: {rule.reason} {how}.",
        sources,
        policy=policy.ref(rule.policy),
    )


def _component_finding(observation: PatternObservation, dominance_known: bool) -> Finding | None:
    rule = COMPONENT_RULES.get(PATTERN_GROUPS[observation.pattern])
    if rule is None:
        return None
    kind = "component" if dominance_known else "present (dominant pattern not known)"
    note, sources = _forward_shift(observation.pattern, rule.sources)
    return Finding(
        rule.code,
        Effect.CAUTIONS,
        f"{rule.label} {kind}: {_describe(observation)}{note}; {rule.reason}",
        sources,
    )


def patterns(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """The dominant pattern (first-listed with the highest severity) and each other pattern
    rated above 0. The dominant pattern is a core fact; a lateralised pattern's side is a
    supporting one [27] (without it the muscles cannot be derived from the pattern, which
    the muscle criterion weighs)."""
    observations = facts.patterns
    if not observations:
        return (MISSING_PATTERNS,)
    findings = []
    no_side = tuple(
        f"patterns[{i}].side"
        for i, observation in enumerate(observations)
        if observation.side is None and observation.pattern in LATERALISED_PATTERNS
    )
    if no_side:
        findings.append(
            missing_fact(
                FindingCode.MISSING_PATTERN_SIDE,
                no_side,
                "Side not recorded for a lateralised pattern: the side decides which muscles are "
                "denervated [27].",
                (27,),
            )
        )
    dominant = dominant_index(observations)
    if dominant is None:
        findings.append(
            missing_fact(
                FindingCode.MISSING_PATTERN_SEVERITY,
                tuple(
                    f"patterns[{i}].severity"
                    for i, observation in enumerate(observations)
                    if observation.severity is None
                ),
                "Severity not recorded for every pattern, so the dominant pattern is not known: "
                "rotation-dominant cervical dystonia favours SD [27][37].",
                (27, 37),
                core=True,
            )
        )
    else:
        findings.append(_dominant_finding(observations[dominant], policy))
    for i, observation in enumerate(observations):
        if i == dominant or observation.severity == 0:
            continue
        component = _component_finding(observation, dominant is not None)
        if component is not None:
            findings.append(component)
    return tuple(findings)


TREMOR_FINDINGS: dict[Tremor | None, Finding] = {
    None: missing_fact(
        FindingCode.MISSING_TREMOR,
        ("tremor",),
        "Tremor not recorded: tremor is unchanged by SD [28].",
        (28,),
    ),
    Tremor.NONE: Finding(
        FindingCode.NO_TREMOR, Effect.FAVOURS, "No tremor (tremor is unchanged by SD [28]).", (28,)
    ),
    **{
        tremor: Finding(
            FindingCode.TREMOR,
            Effect.CAUTIONS,
            f"{str(tremor).capitalize()} tremor: tremor is unchanged by SD [28].",
            (28,),
        )
        for tremor in (Tremor.MILD, Tremor.MODERATE, Tremor.SEVERE)
    },
}


def tremor(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Any tremor cautions: SD leaves it unchanged [28]."""
    return (TREMOR_FINDINGS[facts.tremor],)

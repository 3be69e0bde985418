"""Distribution criteria: focal dystonia favours SD, widespread dystonia does not [1][28],
and SD is an operation for cervical dystonia, so the neck must be involved [24].
"""

from __future__ import annotations

from typing import NamedTuple

from collis.domain.candidacy.codes import FindingCode
from collis.domain.candidacy.common import missing_fact, plain
from collis.domain.case_facts import CaseFacts
from collis.domain.classification import (
    Distribution,
    DistributionDerivation,
    Region,
    age_at_onset_band,
    derive_distribution,
    distribution_compatible,
)
from collis.domain.findings import EFFECT_WEIGHT, Effect, Finding
from collis.domain.policy import Policy


class DistributionRule(NamedTuple):
    """How a body distribution weighs; ``effect`` None: the policy value ``policy`` decides."""

    code: FindingCode
    effect: Effect | None
    sources: tuple[int, ...]
    detail: str
    policy: str | None = None


DISTRIBUTION_RULES: dict[Distribution, DistributionRule] = {
    Distribution.FOCAL: DistributionRule(
        FindingCode.FOCAL_DISTRIBUTION,
        Effect.FAVOURS,
        (24, 28),
        "Focal dystonia: SD is an operation for cervical dystonia [24], and widespread dystonia, "
        "which is unfavourable [28], is not recorded.",
    ),
    Distribution.SEGMENTAL: DistributionRule(
        FindingCode.SEGMENTAL_DISTRIBUTION,
        Effect.AGAINST,
        (1, 28),
        "Segmental dystonia (two or more contiguous regions [1]) is widespread dystonia, which is "
        "unfavourable for SD; most declined referrals were declined for widespread dystonia [28].",
    ),
    Distribution.GENERALISED: DistributionRule(
        FindingCode.GENERALISED_DISTRIBUTION,
        Effect.EXCLUDES,
        (1, 28),
        "Generalised dystonia (trunk plus at least two other sites [1]) is widespread dystonia, "
        "which is unfavourable for SD; most declined referrals were declined for widespread "
        "dystonia [28].",
    ),
    Distribution.MULTIFOCAL: DistributionRule(
        FindingCode.MULTIFOCAL_DISTRIBUTION,
        None,
        (1, 28),
        "Multifocal dystonia (two or more non-contiguous regions [1]): SD treats only the neck, "
        "and the reference names segmental and generalised, not multifocal, dystonia as "
        "unfavourable [28]; weighed by local policy.",
        policy="multifocal_effect",
    ),
    Distribution.HEMIDYSTONIA: DistributionRule(
        FindingCode.HEMIDYSTONIA,
        None,
        (1, 28),
        "Hemidystonia (one side of the body [1]): SD treats only the neck, and the reference names "
        "segmental and generalised, not hemidystonia, as unfavourable [28]; weighed by local "
        "policy.",
        policy="hemidystonia_effect",
    ),
}

MISSING_DISTRIBUTION = missing_fact(
    FindingCode.MISSING_DISTRIBUTION,
    ("dystonia.distribution",),
    "Body distribution not recorded (nor the regions involved): widespread dystonia is "
    "unfavourable for SD [28].",
    (1, 28),
    core=True,
)
# A supporting fact: with the distribution recorded, the regions confirm that the neck is
# involved [24] and that the distribution agrees with them [1].
MISSING_REGIONS = missing_fact(
    FindingCode.MISSING_REGIONS,
    ("dystonia.regions",),
    "Regions involved not recorded: they confirm that the neck is involved (SD is an operation "
    "for cervical dystonia [24]) and that they agree with the recorded distribution [1].",
    (1, 24),
)


def _derivation(facts: CaseFacts) -> DistributionDerivation | None:
    regions = facts.dystonia.regions
    return derive_distribution(regions) if regions else None


def _distribution_finding(
    distribution: Distribution, policy: Policy, *, derived: bool, prefix: str = ""
) -> Finding:
    rule = DISTRIBUTION_RULES[distribution]
    if rule.policy is None:
        return Finding(rule.code, rule.effect, prefix + rule.detail, rule.sources, derived=derived)
    ref = policy.ref(rule.policy)
    return Finding(
        rule.code, ref.value, prefix + rule.detail, rule.sources, policy=ref, derived=derived
    )


def distribution(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """The recorded distribution, else the one the regions imply; a conflict between the two
    is flagged (derived) with the stronger effect. Without either, a core fact is missing;
    the regions alone missing is a supporting fact."""
    stated = facts.dystonia.distribution
    derivation = _derivation(facts)
    implied = derivation.distribution if derivation else None
    if stated is not None:
        recorded = _distribution_finding(stated, policy, derived=False)
        if implied is None:
            return (recorded, MISSING_REGIONS)
        if distribution_compatible(stated, implied):
            return (recorded,)
        implied_finding = _distribution_finding(implied, policy, derived=True)
        stronger = EFFECT_WEIGHT[implied_finding.effect] > EFFECT_WEIGHT[recorded.effect]
        reason = derivation.reason
        conflict = Finding(
            FindingCode.DISTRIBUTION_CONFLICT,
            implied_finding.effect if stronger else Effect.CAUTIONS,
            f"Recorded as {stated}, but {reason[:1].lower()}{reason[1:]} Check the record. "
            f"{implied_finding.detail}",
            tuple(sorted({1, *implied_finding.sources})),
            policy=implied_finding.policy,
            derived=True,
        )
        return (recorded, conflict)
    if implied is not None:
        prefix = f"Derived from the regions: {derivation.reason} "
        return (_distribution_finding(implied, policy, derived=True, prefix=prefix),)
    return (MISSING_DISTRIBUTION,)


def neck_involvement(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Regions recorded without the neck weigh against SD [24]."""
    regions = facts.dystonia.regions
    if not regions or Region.NECK in regions:
        return ()
    return (
        Finding(
            FindingCode.NECK_NOT_INVOLVED,
            Effect.AGAINST,
            f"The regions recorded ({', '.join(plain(r) for r in regions)}) do not include the "
            "neck: SD is an operation for cervical dystonia [24].",
            (24,),
        ),
    )


def classification(facts: CaseFacts) -> dict[str, str]:
    """The distribution (recorded or derived from the regions) and the age-at-onset band [1]."""
    summary: dict[str, str] = {}
    stated = facts.dystonia.distribution
    derivation = _derivation(facts) if stated is None else None
    if stated is not None:
        summary["distribution"] = str(stated)
        summary["distribution_source"] = "recorded"
    elif derivation is not None and derivation.distribution is not None:
        summary["distribution"] = str(derivation.distribution)
        summary["distribution_source"] = "derived_from_regions"
    onset = facts.dystonia.onset_age
    if onset is not None:
        summary["age_at_onset"] = str(age_at_onset_band(onset))
    return summary

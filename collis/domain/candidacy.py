"""Selective peripheral denervation (SD) candidacy: ruleset ``collis-sd-candidacy/1``.

``assess_candidacy(facts)`` runs every criterion and returns all findings (the way
Django's ``validate_password`` collects every error), a denervation plan, the muscles SD
cannot reach, alternatives, the missing facts, and one recommendation. Criteria follow
the clinical reference §2, §3, §5 and §6; source numbers are that file's.

Precedence of the recommendation (first that applies):

1. ``not_indicated``: the clinician recorded a good botulinum toxin response. Toxin still
   works, so SD is not indicated whatever else is found [20][25].
2. ``unfavourable``: a decisive finding (``against`` or ``excludes``) rests on recorded
   facts, e.g. recorded widespread dystonia [28] or primary non-response [26][28]. A
   certain exclusion is worth saying even while other facts are missing; those facts are
   still listed in ``missing``.
3. ``insufficient_information``: a fact needed to judge is missing.
4. ``not_indicated``: a good response derived from cycles (local-policy thresholds).
5. ``unfavourable``: a decisive finding that rests on an inference (``derived``: a
   response pattern or distribution the engine derived, muscles taken from the pattern
   table or not confirmed on EMG).
6. ``possible``: one or more cautions.
7. ``favourable``: none of the above. Because every adverse or unknown answer to a
   criterion is a caution, decisive or missing, this leaves the favourable profile:
   rotation-dominant focal CD with secondary non-response and resistance [20][26][27][37].

Why derived findings wait behind missing facts (step 3 before 4 and 5): removing a fact
must never turn ``insufficient_information`` into a confident answer. Facts are removed
by making a field absent (not known). Absence can only add missing facts, and it cannot
create a recorded good response or a decisive finding that rests on recorded facts;
but it can change an inference (removing the recorded response pattern lets the engine
derive one from cycles; removing ``emg_active`` makes a muscle unconfirmed). Keeping
inferences behind missing facts makes the property hold; tests check it.

Effects: ``favours`` (the criterion is met or points towards SD), ``cautions`` (weighs
against, not decisively), ``against`` (decisive), ``excludes`` (decisive: a reason SD is
not offered), ``missing``. Findings decided by a local-policy value carry it, labelled
"local policy, needs clinical sign-off".

Criteria, in the order run (codes in ``FindingCode``):

- Distribution [1][28]: focal favours; segmental against and generalised excludes
  (widespread dystonia [28]); multifocal and hemidystonia as local policy says (the
  reference does not name them); regions without the neck are against [24]; regions that
  imply another distribution than the one recorded give DISTRIBUTION_CONFLICT (derived).
- Dominant pattern [27][37][38]: rotation favours; anterocollis (and a forward sagittal
  shift [3]) or retrocollis against; antecaput, retrocaput and a backward shift as local
  policy says; any other dominant pattern cautions. Anterocollis, retrocollis, caput
  sagittal and lateral components caution (contract: "a retrocollis or laterocollis
  component").
- Reach of the dominant pattern's drivers [31][34][35]: the recorded muscles that the
  pattern table places on the pattern's sides (else the table itself, derived): none
  reachable is against, some unreachable cautions.
- Muscles [28][31][34][35][37]: all inactive on EMG or none reachable is against; some not
  reachable or levator scapulae cautions; muscle groups counted per side (bilateral on
  both sides) at or above the local limit are against ("numerous muscle groups" [37]).
- Tremor cautions [28]. BoNT response [20][22][23][25][26][28] (recorded, else derived
  from cycles under local policy): good against (and not_indicated), secondary favours,
  partial cautions, primary excludes. Resistance test [20][21][22], needed unless a good
  response or primary non-response is recorded. Treatment documented by dated cycles for
  at least the local minimum (default 2 years, after Bertrand [25]), else a caution.
- Work-up [28]: EMG mapping, videofluoroscopy, CT cervical spine; not done is missing,
  abnormal as local policy says. Health (local criteria): fitness for anaesthetic,
  cervical myelopathy, prior neck surgery. Preference [43]: not wanting surgery is against.

Muscles: the plan uses every listed muscle that is involved, meaning ``emg_active`` true
or not recorded (not recorded is flagged ``emg_confirmed: false``); muscles recorded as
inactive on EMG are left out. A bilateral muscle stays one bilateral entry, mirroring the
EMG record (the surgeon decides sides and staging). A muscle without a side is listed as
missing and left out of the plan. When no muscles are listed, the muscles that typically
drive the recorded patterns are given separately as ``suggested_muscles``, never as the
plan. The reference gives no age limit, so age is not a criterion; course and aetiology
are not criteria either (the reference gives no SD rule on them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

from collis.domain.case_facts import CaseFacts, MuscleFact, StudyResult, Tremor, parse_case_facts
from collis.domain.classification import (
    Distribution,
    Region,
    age_at_onset_band,
    derive_distribution,
    distribution_compatible,
)
from collis.domain.findings import DECISIVE_EFFECTS, EFFECT_WEIGHT, Effect, Finding, PolicyRef
from collis.domain.muscles import MUSCLES, Muscle, MuscleInfo, MuscleSide, Reach
from collis.domain.phenotype import (
    LATERALISED_PATTERNS,
    PATTERN_TABLE,
    Pattern,
    PatternObservation,
    Side,
    SuggestedMuscle,
    dominant_index,
)
from collis.domain.policy import DEFAULT_POLICY, Policy
from collis.domain.toxin import (
    ResistanceResult,
    ResponsePattern,
    ToxinWarning,
    derive_response_pattern,
    injection_interval_warnings,
)

RULESET = "collis-sd-candidacy/1"


class Recommendation(StrEnum):
    NOT_INDICATED = "not_indicated"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    UNFAVOURABLE = "unfavourable"
    POSSIBLE = "possible"
    FAVOURABLE = "favourable"


RECOMMENDATION_TEXT = {
    Recommendation.NOT_INDICATED: "Not indicated: botulinum toxin still works; continue it.",
    Recommendation.INSUFFICIENT_INFORMATION: "Insufficient information: a fact needed to judge is "
    "missing.",
    Recommendation.UNFAVOURABLE: "Unfavourable: a finding weighs decisively against SD.",
    Recommendation.POSSIBLE: "Possible: indicated, with one or more cautions.",
    Recommendation.FAVOURABLE: "Favourable: indicated, with the favourable profile and no caution.",
}


class Alternative(StrEnum):
    CONTINUE_BOTULINUM_TOXIN = "continue_botulinum_toxin"
    BOTULINUM_TOXIN_REVIEW = "botulinum_toxin_review"
    SWITCH_TOXIN = "switch_toxin"
    GPI_DBS = "gpi_dbs"
    PHYSIOTHERAPY = "physiotherapy"
    MYECTOMY = "myectomy"


class FindingCode(StrEnum):
    # distribution (§2, §6)
    FOCAL_DISTRIBUTION = "FOCAL_DISTRIBUTION"
    SEGMENTAL_DISTRIBUTION = "SEGMENTAL_DISTRIBUTION"
    GENERALISED_DISTRIBUTION = "GENERALISED_DISTRIBUTION"
    MULTIFOCAL_DISTRIBUTION = "MULTIFOCAL_DISTRIBUTION"
    HEMIDYSTONIA = "HEMIDYSTONIA"
    DISTRIBUTION_CONFLICT = "DISTRIBUTION_CONFLICT"
    NECK_NOT_INVOLVED = "NECK_NOT_INVOLVED"
    MISSING_DISTRIBUTION = "MISSING_DISTRIBUTION"
    # patterns (§3, §6)
    ROTATION_DOMINANT = "ROTATION_DOMINANT"
    ANTEROCOLLIS_DOMINANT = "ANTEROCOLLIS_DOMINANT"
    RETROCOLLIS_DOMINANT = "RETROCOLLIS_DOMINANT"
    SAGITTAL_CAPUT_DOMINANT = "SAGITTAL_CAPUT_DOMINANT"
    NOT_ROTATION_DOMINANT = "NOT_ROTATION_DOMINANT"
    ANTEROCOLLIS_COMPONENT = "ANTEROCOLLIS_COMPONENT"
    RETROCOLLIS_COMPONENT = "RETROCOLLIS_COMPONENT"
    SAGITTAL_CAPUT_COMPONENT = "SAGITTAL_CAPUT_COMPONENT"
    LATERAL_COMPONENT = "LATERAL_COMPONENT"
    MISSING_PATTERNS = "MISSING_PATTERNS"
    MISSING_PATTERN_SEVERITY = "MISSING_PATTERN_SEVERITY"
    MISSING_PATTERN_SIDE = "MISSING_PATTERN_SIDE"
    # muscles (§6)
    DOMINANT_PATTERN_REACHABLE = "DOMINANT_PATTERN_REACHABLE"
    DOMINANT_PATTERN_PARTLY_UNREACHABLE = "DOMINANT_PATTERN_PARTLY_UNREACHABLE"
    DOMINANT_PATTERN_UNREACHABLE = "DOMINANT_PATTERN_UNREACHABLE"
    DOMINANT_PATTERN_DRIVERS_UNKNOWN = "DOMINANT_PATTERN_DRIVERS_UNKNOWN"
    NO_EMG_ACTIVE_MUSCLES = "NO_EMG_ACTIVE_MUSCLES"
    NO_ADDRESSABLE_MUSCLES = "NO_ADDRESSABLE_MUSCLES"
    MUSCLES_NOT_ADDRESSABLE = "MUSCLES_NOT_ADDRESSABLE"
    LEVATOR_SCAPULAE_INVOLVED = "LEVATOR_SCAPULAE_INVOLVED"
    FEW_MUSCLE_GROUPS = "FEW_MUSCLE_GROUPS"
    NUMEROUS_MUSCLE_GROUPS = "NUMEROUS_MUSCLE_GROUPS"
    MISSING_MUSCLES = "MISSING_MUSCLES"
    MISSING_MUSCLE_SIDE = "MISSING_MUSCLE_SIDE"
    # tremor (§6)
    NO_TREMOR = "NO_TREMOR"
    TREMOR = "TREMOR"
    MISSING_TREMOR = "MISSING_TREMOR"
    # botulinum toxin (§5, §6)
    GOOD_BONT_RESPONSE = "GOOD_BONT_RESPONSE"
    PARTIAL_RESPONSE = "PARTIAL_RESPONSE"
    SECONDARY_NON_RESPONSE = "SECONDARY_NON_RESPONSE"
    PRIMARY_NON_RESPONSE = "PRIMARY_NON_RESPONSE"
    MISSING_RESPONSE_PATTERN = "MISSING_RESPONSE_PATTERN"
    RESISTANT = "RESISTANT"
    NOT_RESISTANT = "NOT_RESISTANT"
    RESISTANCE_INCONCLUSIVE = "RESISTANCE_INCONCLUSIVE"
    MISSING_RESISTANCE_TEST = "MISSING_RESISTANCE_TEST"
    TREATMENT_DURATION_MET = "TREATMENT_DURATION_MET"
    TREATMENT_DURATION_SHORT = "TREATMENT_DURATION_SHORT"
    MISSING_TREATMENT_DURATION = "MISSING_TREATMENT_DURATION"
    # work-up (§6)
    EMG_MAPPING_DONE = "EMG_MAPPING_DONE"
    MISSING_EMG_MAPPING = "MISSING_EMG_MAPPING"
    VIDEOFLUOROSCOPY_NORMAL = "VIDEOFLUOROSCOPY_NORMAL"
    VIDEOFLUOROSCOPY_ABNORMAL = "VIDEOFLUOROSCOPY_ABNORMAL"
    MISSING_VIDEOFLUOROSCOPY = "MISSING_VIDEOFLUOROSCOPY"
    CT_CERVICAL_SPINE_NORMAL = "CT_CERVICAL_SPINE_NORMAL"
    CT_CERVICAL_SPINE_ABNORMAL = "CT_CERVICAL_SPINE_ABNORMAL"
    MISSING_CT_CERVICAL_SPINE = "MISSING_CT_CERVICAL_SPINE"
    # health (local criteria) and preferences
    FIT_FOR_ANAESTHETIC = "FIT_FOR_ANAESTHETIC"
    NOT_FIT_FOR_ANAESTHETIC = "NOT_FIT_FOR_ANAESTHETIC"
    MISSING_FITNESS_FOR_ANAESTHETIC = "MISSING_FITNESS_FOR_ANAESTHETIC"
    NO_CERVICAL_MYELOPATHY = "NO_CERVICAL_MYELOPATHY"
    CERVICAL_MYELOPATHY = "CERVICAL_MYELOPATHY"
    MISSING_CERVICAL_MYELOPATHY = "MISSING_CERVICAL_MYELOPATHY"
    NO_PRIOR_NECK_SURGERY = "NO_PRIOR_NECK_SURGERY"
    PRIOR_NECK_SURGERY = "PRIOR_NECK_SURGERY"
    MISSING_PRIOR_NECK_SURGERY = "MISSING_PRIOR_NECK_SURGERY"
    WANTS_SURGERY = "WANTS_SURGERY"
    DOES_NOT_WANT_SURGERY = "DOES_NOT_WANT_SURGERY"
    MISSING_PREFERENCE = "MISSING_PREFERENCE"


C = FindingCode
E = Effect


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


# ---------------------------------------------------------------------------------------
# Data used by the criteria. Findings built from small, hashable inputs (enums, pattern
# observations, muscle records) are cached: findings are immutable, so sharing is safe,
# and the engine then builds only the few findings whose text depends on dates or lists.


def _name(value: Any) -> str:
    return str(value).replace("_", " ")


_DISTRIBUTION_RULES: dict[Distribution, tuple[FindingCode, Effect | None, tuple[int, ...], str]] = {
    Distribution.FOCAL: (
        C.FOCAL_DISTRIBUTION,
        E.FAVOURS,
        (24, 28),
        "Focal dystonia: SD is an operation for cervical dystonia [24], and widespread dystonia, "
        "which is unfavourable [28], is not recorded.",
    ),
    Distribution.SEGMENTAL: (
        C.SEGMENTAL_DISTRIBUTION,
        E.AGAINST,
        (1, 28),
        "Segmental dystonia (two or more contiguous regions [1]) is widespread dystonia, which is "
        "unfavourable for SD; most declined referrals were declined for widespread dystonia [28].",
    ),
    Distribution.GENERALISED: (
        C.GENERALISED_DISTRIBUTION,
        E.EXCLUDES,
        (1, 28),
        "Generalised dystonia (trunk plus at least two other sites [1]) is widespread dystonia, "
        "which is unfavourable for SD; most declined referrals were declined for widespread "
        "dystonia [28].",
    ),
    Distribution.MULTIFOCAL: (
        C.MULTIFOCAL_DISTRIBUTION,
        None,
        (1, 28),
        "Multifocal dystonia (two or more non-contiguous regions [1]): SD treats only the neck, "
        "and the reference names segmental and generalised, not multifocal, dystonia as "
        "unfavourable [28]; weighed by local policy.",
    ),
    Distribution.HEMIDYSTONIA: (
        C.HEMIDYSTONIA,
        None,
        (1, 28),
        "Hemidystonia (one side of the body [1]): SD treats only the neck, and the reference names "
        "segmental and generalised, not hemidystonia, as unfavourable [28]; weighed by local "
        "policy.",
    ),
}
_DISTRIBUTION_POLICY = {
    Distribution.MULTIFOCAL: "multifocal_effect",
    Distribution.HEMIDYSTONIA: "hemidystonia_effect",
}

_ROTATION, _ANTERO, _RETRO, _CAPUT, _LATERAL, _OTHER = range(6)
_CATEGORY = {
    Pattern.TORTICAPUT: _ROTATION,
    Pattern.TORTICOLLIS: _ROTATION,
    Pattern.ANTEROCOLLIS: _ANTERO,
    Pattern.SAGITTAL_SHIFT_FORWARD: _ANTERO,
    Pattern.RETROCOLLIS: _RETRO,
    Pattern.ANTECAPUT: _CAPUT,
    Pattern.RETROCAPUT: _CAPUT,
    Pattern.SAGITTAL_SHIFT_BACKWARD: _CAPUT,
    Pattern.LATEROCAPUT: _LATERAL,
    Pattern.LATEROCOLLIS: _LATERAL,
    Pattern.LATERAL_SHIFT: _LATERAL,
    Pattern.SHOULDER_ELEVATION: _OTHER,
}
_FORWARD_SHIFT_NOTE = " (a forward sagittal shift is anterocollis plus retrocaput [3])"

# For each (pattern, side): muscle -> sides on which the pattern table places it.
_DRIVER_SIDES: dict[tuple[Pattern, Side | None], dict[Muscle, frozenset[str]]] = {}
for _pattern in Pattern:
    for _side in (None, *Side):
        _sides: dict[Muscle, frozenset[str]] = {}
        for _s in PATTERN_TABLE.suggest(_pattern, _side):
            _sides[_s.muscle] = _sides.get(_s.muscle, frozenset()) | _s.sides()
        _DRIVER_SIDES[(_pattern, _side)] = _sides

_BOTH = frozenset({"left", "right"})
_SIDE_SETS = {
    MuscleSide.LEFT: frozenset({"left"}),
    MuscleSide.RIGHT: frozenset({"right"}),
    MuscleSide.BILATERAL: _BOTH,
    None: _BOTH,
}
_GROUP_SIDES: dict[MuscleSide | None, tuple[str, ...]] = {
    MuscleSide.LEFT: ("left",),
    MuscleSide.RIGHT: ("right",),
    MuscleSide.BILATERAL: ("left", "right"),
    None: ("unknown",),
}
# (group, side) pairs counted for "numerous muscle groups": bilateral counts on both sides.
_GROUP_KEYS = {
    (muscle, side): tuple((MUSCLES[muscle].group, s) for s in sides)
    for muscle in Muscle
    for side, sides in _GROUP_SIDES.items()
}


def _muscle_text(m: MuscleFact) -> str:
    return f"{_name(m.muscle)} ({m.side})" if m.side else f"{_name(m.muscle)} (side not recorded)"


@lru_cache(maxsize=4096)
def _missing(
    code: FindingCode, paths: tuple[str, ...], detail: str, sources: tuple[int, ...]
) -> Finding:
    return Finding(code, E.MISSING, detail, sources, paths=paths)


# ---------------------------------------------------------------------------------------
# Criteria. Each appends its findings to ``out``.


@lru_cache(maxsize=4096)
def _distribution_finding(
    distribution: Distribution, policy_effect: Effect | None, is_derived: bool, prefix: str = ""
) -> Finding:
    code, effect, sources, detail = _DISTRIBUTION_RULES[distribution]
    ref = None
    if effect is None:
        effect, ref = policy_effect, PolicyRef(_DISTRIBUTION_POLICY[distribution], policy_effect)
    return Finding(code, effect, prefix + detail, sources, policy=ref, derived=is_derived)


@lru_cache(maxsize=1024)
def _regions_findings(
    regions: tuple[Region, ...],
) -> tuple[Distribution | None, str, Finding | None]:
    derivation = derive_distribution(regions)
    neck = None
    if Region.NECK not in regions:
        neck = Finding(
            C.NECK_NOT_INVOLVED,
            E.AGAINST,
            f"The regions recorded ({', '.join(_name(r) for r in regions)}) do not include the "
            "neck: SD is an operation for cervical dystonia [24].",
            (24,),
        )
    return derivation.distribution, derivation.reason, neck


_MISSING_DISTRIBUTION = _missing(
    C.MISSING_DISTRIBUTION,
    ("dystonia.distribution",),
    "Body distribution not recorded (nor the regions involved): widespread dystonia is "
    "unfavourable for SD [28].",
    (1, 28),
)


def _policy_effect(policy: Policy, distribution: Distribution) -> Effect | None:
    name = _DISTRIBUTION_POLICY.get(distribution)
    return getattr(policy, name) if name else None


def _distribution(
    facts: CaseFacts, policy: Policy, out: list[Finding], summary: dict[str, str]
) -> None:
    stated = facts.dystonia.distribution
    regions = facts.dystonia.regions
    derived, reason, neck = _regions_findings(regions) if regions else (None, "", None)
    if stated is not None:
        recorded = _distribution_finding(stated, _policy_effect(policy, stated), False)
        out.append(recorded)
        summary["distribution"] = str(stated)
        summary["distribution_source"] = "recorded"
        if derived is not None and not distribution_compatible(stated, derived):
            implied = _distribution_finding(derived, _policy_effect(policy, derived), True)
            stronger = EFFECT_WEIGHT[implied.effect] > EFFECT_WEIGHT[recorded.effect]
            out.append(
                Finding(
                    C.DISTRIBUTION_CONFLICT,
                    implied.effect if stronger else E.CAUTIONS,
                    f"Recorded as {stated}, but {reason[:1].lower()}{reason[1:]} Check the record. "
                    f"{implied.detail}",
                    tuple(sorted({1, *implied.sources})),
                    policy=implied.policy,
                    derived=True,
                )
            )
    elif derived is not None:
        out.append(
            _distribution_finding(
                derived,
                _policy_effect(policy, derived),
                True,
                f"Derived from the regions: {reason} ",
            )
        )
        summary["distribution"] = str(derived)
        summary["distribution_source"] = "derived_from_regions"
    else:
        out.append(_MISSING_DISTRIBUTION)
    if neck is not None:
        out.append(neck)


_MISSING_PATTERNS = _missing(
    C.MISSING_PATTERNS,
    ("patterns",),
    "No Col-Cap patterns recorded: rotation-dominant cervical dystonia favours SD [27][37] and "
    "anterocollis or retrocollis weighs against it [37][38].",
    (27, 37, 38),
)


def _patterns(facts: CaseFacts, policy: Policy, out: list[Finding]) -> int | None:
    patterns = facts.patterns
    if not patterns:
        out.append(_MISSING_PATTERNS)
        return None
    no_side = tuple(
        f"patterns[{i}].side"
        for i, p in enumerate(patterns)
        if p.side is None and p.pattern in LATERALISED_PATTERNS
    )
    if no_side:
        out.append(
            _missing(
                C.MISSING_PATTERN_SIDE,
                no_side,
                "Side not recorded for a lateralised pattern: the side decides which muscles are "
                "denervated [27].",
                (27,),
            )
        )
    index = dominant_index(patterns)
    if index is None:
        out.append(
            _missing(
                C.MISSING_PATTERN_SEVERITY,
                tuple(
                    f"patterns[{i}].severity" for i, p in enumerate(patterns) if p.severity is None
                ),
                "Severity not recorded for every pattern, so the dominant pattern is not known: "
                "rotation-dominant cervical dystonia favours SD [27][37].",
                (27, 37),
            )
        )
    else:
        out.append(_dominant_finding(patterns[index], policy.sagittal_caput_forms_as_collis))
    known = index is not None
    for i, p in enumerate(patterns):
        if i == index or p.severity == 0:
            continue
        component = _component_finding(p, known)
        if component is not None:
            out.append(component)
    return index


@cache
def _dominant_finding(p: PatternObservation, caput_as_collis: bool) -> Finding:
    category = _CATEGORY[p.pattern]
    text = f"Dominant pattern {p.describe()}"
    if category == _ROTATION:
        return Finding(C.ROTATION_DOMINANT, E.FAVOURS, text, (27, 37))
    if category == _ANTERO:
        note = _FORWARD_SHIFT_NOTE if p.pattern is Pattern.SAGITTAL_SHIFT_FORWARD else ""
        return Finding(
            C.ANTEROCOLLIS_DOMINANT,
            E.AGAINST,
            f"{text}{note}: anterocollis is unfavourable for SD [37][38].",
            (3, 37, 38) if note else (37, 38),
        )
    if category == _RETRO:
        return Finding(
            C.RETROCOLLIS_DOMINANT,
            E.AGAINST,
            f"{text}: retrocollis is unfavourable for SD [37][38].",
            (37, 38),
        )
    if category == _CAPUT:
        how = (
            "treats it like anterocollis or retrocollis"
            if caput_as_collis
            else "treats it as a caution"
        )
        return Finding(
            C.SAGITTAL_CAPUT_DOMINANT,
            E.AGAINST if caput_as_collis else E.CAUTIONS,
            f"{text}: a forward or backward head posture. The sources that call anterocollis and "
            "retrocollis unfavourable [37][38] predate the caput/collis distinction [3]; local "
            f"policy {how}.",
            (3, 37, 38),
            policy=PolicyRef("sagittal_caput_forms_as_collis", caput_as_collis),
        )
    return Finding(
        C.NOT_ROTATION_DOMINANT,
        E.CAUTIONS,
        f"{text}: not rotation; rotation-dominant cervical dystonia is the profile that favours SD "
        "[27][37].",
        (27, 37),
    )


@cache
def _component_finding(p: PatternObservation, dominance_known: bool) -> Finding | None:
    category = _CATEGORY[p.pattern]
    kind = "component" if dominance_known else "present (dominant pattern not known)"
    if category == _ANTERO:
        note = _FORWARD_SHIFT_NOTE if p.pattern is Pattern.SAGITTAL_SHIFT_FORWARD else ""
        return Finding(
            C.ANTEROCOLLIS_COMPONENT,
            E.CAUTIONS,
            f"Anterocollis {kind}: {p.describe()}{note}; anterocollis is unfavourable for SD "
            "[37][38].",
            (3, 37, 38) if note else (37, 38),
        )
    if category == _RETRO:
        return Finding(
            C.RETROCOLLIS_COMPONENT,
            E.CAUTIONS,
            f"Retrocollis {kind}: {p.describe()}; retrocollis is unfavourable for SD [37][38].",
            (37, 38),
        )
    if category == _CAPUT:
        return Finding(
            C.SAGITTAL_CAPUT_COMPONENT,
            E.CAUTIONS,
            f"Sagittal caput {kind}: {p.describe()}; the sources that call anterocollis and "
            "retrocollis unfavourable [37][38] do not distinguish caput forms [3].",
            (3, 37, 38),
        )
    if category == _LATERAL:
        return Finding(
            C.LATERAL_COMPONENT,
            E.CAUTIONS,
            f"Lateral {kind}: {p.describe()}; outside the rotation-dominant profile that favours "
            "SD [27][37], and lateral patterns are often driven by levator scapulae, which is "
            "outside the classic operation [35].",
            (27, 35, 37),
        )
    return None


def _dominant_reach(
    dominant: PatternObservation,
    involved: list[tuple[int, MuscleFact, MuscleInfo]],
    out: list[Finding],
) -> None:
    driver_sides = _DRIVER_SIDES[(dominant.pattern, dominant.side)]
    drivers = tuple(
        m
        for _, m, _ in involved
        if m.muscle in driver_sides and driver_sides[m.muscle] & _SIDE_SETS[m.side]
    )
    out.append(_reach_finding(dominant.pattern, dominant.side, drivers))


@lru_cache(maxsize=8192)
def _reach_finding(pattern: Pattern, side: Side | None, drivers: tuple[MuscleFact, ...]) -> Finding:
    what = f"the dominant pattern {pattern}" + (f" ({side})" if side else "")
    if not _DRIVER_SIDES[(pattern, side)]:
        return Finding(
            C.DOMINANT_PATTERN_DRIVERS_UNKNOWN,
            E.CAUTIONS,
            f"The pattern table gives no muscles for {what}, so Collis cannot say whether SD "
            "reaches them.",
            (2, 3, 4, 5),
            derived=True,
        )
    if drivers:
        names = [_muscle_text(m) for m in drivers]
        reach = [MUSCLES[m.muscle].reach.reachable for m in drivers]
        unconfirmed = any(m.emg_active is not True or m.side is None for m in drivers)
        derived = unconfirmed or (pattern in LATERALISED_PATTERNS and side is None)
        origin = "Recorded muscles that drive " + what
    else:
        table = PATTERN_TABLE.suggest(pattern, side)
        names = [_name(s.muscle) + (f" ({s.side})" if s.side else "") for s in table]
        reach = [MUSCLES[s.muscle].reach.reachable for s in table]
        derived = True
        origin = (
            f"No recorded muscle is a typical driver of {what}; the pattern table (version "
            f"{PATTERN_TABLE.version}, needs clinician sign-off) gives"
        )
    unreachable = [n for n, r in zip(names, reach, strict=True) if not r]
    listed = ", ".join(names)
    if not any(reach):
        return Finding(
            C.DOMINANT_PATTERN_UNREACHABLE,
            E.AGAINST,
            f"{origin}: {listed}. SD cannot reach any of them (SD reaches SCM and the posterior "
            "group [31][34], and levator scapulae by an extra procedure [35]).",
            (31, 34, 35),
            derived=derived,
        )
    if unreachable:
        return Finding(
            C.DOMINANT_PATTERN_PARTLY_UNREACHABLE,
            E.CAUTIONS,
            f"{origin}: {listed}. SD cannot reach {', '.join(unreachable)} [31][34].",
            (31, 34),
            derived=derived,
        )
    return Finding(
        C.DOMINANT_PATTERN_REACHABLE,
        E.FAVOURS,
        f"{origin}: {listed}. SD can reach all of them [31][34][35].",
        (31, 34, 35),
        derived=derived,
    )


_MISSING_MUSCLES = _missing(
    C.MISSING_MUSCLES,
    ("muscles",),
    "No muscles recorded: the plan needs the active muscles from EMG mapping [28].",
    (28,),
)
_NO_EMG_ACTIVE = Finding(
    C.NO_EMG_ACTIVE_MUSCLES,
    E.AGAINST,
    "Every recorded muscle is inactive on EMG, so SD has no muscle to denervate; the work-up maps "
    "the active muscles [28].",
    (28,),
)
_LEVATOR = Finding(
    C.LEVATOR_SCAPULAE_INVOLVED,
    E.CAUTIONS,
    "Levator scapulae is involved: it is outside the classic operation and needs an extra "
    "denervation or section of its insertion [35].",
    (35,),
)


@cache
def _plan_entry(muscle: Muscle, side: MuscleSide, emg_confirmed: bool) -> PlanEntry:
    info = MUSCLES[muscle]
    return PlanEntry(
        muscle,
        side,
        info.target or "",
        info.sources,
        outside_classic_operation=info.reach is Reach.EXTRA_PROCEDURE,
        emg_confirmed=emg_confirmed,
    )


@cache
def _not_addressable(muscle: Muscle, side: MuscleSide | None) -> NotAddressable:
    info = MUSCLES[muscle]
    return NotAddressable(muscle, side, info.note, info.sources)


@lru_cache(maxsize=4096)
def _not_addressable_finding(entries: tuple[NotAddressable, ...]) -> Finding:
    muscles = {n.muscle for n in entries}
    reasons = []
    if Muscle.TRAPEZIUS in muscles:
        reasons.append("trapezius is not denervated in SD series [31]")
    if muscles - {Muscle.TRAPEZIUS}:
        reasons.append("deep anterior and suprahyoid muscles are not among SD's targets [31][34]")
    return Finding(
        C.MUSCLES_NOT_ADDRESSABLE,
        E.CAUTIONS,
        "SD cannot reach some involved muscles: "
        + ", ".join(_name(n.muscle) + (f" ({n.side})" if n.side else "") for n in entries)
        + f" ({'; '.join(reasons)}).",
        (31, 34) if muscles - {Muscle.TRAPEZIUS} else (31,),
    )


def _muscles(
    facts: CaseFacts,
    policy: Policy,
    out: list[Finding],
    involved: list[tuple[int, MuscleFact, MuscleInfo]],
) -> tuple[tuple[PlanEntry, ...], tuple[NotAddressable, ...], bool]:
    if not facts.muscles:
        out.append(_MISSING_MUSCLES)
        return (), (), False
    if not involved:
        out.append(_NO_EMG_ACTIVE)
        return (), (), False
    plan: dict[tuple[Muscle, MuscleSide], PlanEntry] = {}
    not_addressable: list[NotAddressable] = []
    no_side: list[str] = []
    levator = False
    for index, m, info in involved:
        if m.muscle is Muscle.LEVATOR_SCAPULAE:
            levator = True
        if not info.reach.reachable:
            not_addressable.append(_not_addressable(m.muscle, m.side))
        elif m.side is None:
            no_side.append(f"muscles[{index}].side")
        elif (m.muscle, m.side) not in plan:
            plan[(m.muscle, m.side)] = _plan_entry(m.muscle, m.side, m.emg_active is True)
    if no_side:
        out.append(
            _missing(
                C.MISSING_MUSCLE_SIDE,
                tuple(no_side),
                "Side not recorded for an involved muscle that SD can reach, so it cannot be "
                "planned [31][34].",
                (31, 34),
            )
        )
    if len(not_addressable) == len(involved):
        out.append(
            Finding(
                C.NO_ADDRESSABLE_MUSCLES,
                E.AGAINST,
                "None of the involved muscles ("
                + ", ".join(_muscle_text(m) for _, m, _ in involved)
                + ") can be reached by SD, which reaches SCM and the posterior group [31][34].",
                (31, 34),
                derived=any(m.emg_active is not True for _, m, _ in involved),
            )
        )
    elif not_addressable:
        out.append(_not_addressable_finding(tuple(not_addressable)))
    if levator:
        out.append(_LEVATOR)
    every: set[tuple[str, str]] = set()
    confirmed: set[tuple[str, str]] = set()
    for _, m, _info in involved:
        keys = _GROUP_KEYS[(m.muscle, m.side)]
        every.update(keys)
        if m.emg_active is True and m.side is not None:
            confirmed.update(keys)
    limit = policy.numerous_muscle_groups
    out.append(_groups_finding(tuple(sorted(every)), len(confirmed) >= limit, limit))
    return tuple(plan.values()), tuple(not_addressable), levator


@lru_cache(maxsize=4096)
def _groups_finding(
    every: tuple[tuple[str, str], ...], confirmed_at_limit: bool, limit: int
) -> Finding:
    ref = PolicyRef("numerous_muscle_groups", limit)
    groups = ", ".join(f"{_name(g)} ({s})" for g, s in every)
    if confirmed_at_limit or len(every) >= limit:
        return Finding(
            C.NUMEROUS_MUSCLE_GROUPS,
            E.AGAINST,
            f"{len(every)} muscle groups involved, counted per side ({groups}): at or above the "
            f'local limit of {limit}. SD "might not be possible if numerous muscle groups are '
            'involved" [37].',
            (37,),
            policy=ref,
            derived=not confirmed_at_limit,
        )
    return Finding(
        C.FEW_MUSCLE_GROUPS,
        E.FAVOURS,
        f"{len(every)} muscle group(s) involved, counted per side ({groups}): below the local "
        f'limit of {limit} for "numerous muscle groups" [37].',
        (37,),
        policy=ref,
    )


_TREMOR_FINDINGS: dict[Tremor | None, Finding] = {
    None: _missing(
        C.MISSING_TREMOR, ("tremor",), "Tremor not recorded: tremor is unchanged by SD [28].", (28,)
    ),
    Tremor.NONE: Finding(
        C.NO_TREMOR, E.FAVOURS, "No tremor (tremor is unchanged by SD [28]).", (28,)
    ),
    **{
        t: Finding(
            C.TREMOR,
            E.CAUTIONS,
            f"{str(t).capitalize()} tremor: tremor is unchanged by SD [28].",
            (28,),
        )
        for t in (Tremor.MILD, Tremor.MODERATE, Tremor.SEVERE)
    },
}


def _tremor(facts: CaseFacts, out: list[Finding]) -> None:
    out.append(_TREMOR_FINDINGS[facts.tremor])


_RESPONSE_RULES: dict[ResponsePattern, tuple[FindingCode, Effect, tuple[int, ...], str]] = {
    ResponsePattern.GOOD_RESPONSE: (
        C.GOOD_BONT_RESPONSE,
        E.AGAINST,
        (20, 25),
        "Good response to botulinum toxin: surgery is for a poor or unsatisfactory response "
        "[20][25]; continue toxin.",
    ),
    ResponsePattern.SECONDARY_NON_RESPONSE: (
        C.SECONDARY_NON_RESPONSE,
        E.FAVOURS,
        (20, 23, 26),
        "Secondary non-response (loss of a previously good response [20][23]) favours SD, and a "
        "prior good response predicts a good surgical outcome [26].",
    ),
    ResponsePattern.PARTIAL_RESPONSE: (
        C.PARTIAL_RESPONSE,
        E.CAUTIONS,
        (20, 22),
        "Partial response to botulinum toxin: the BNN pathway reviews muscle selection, guidance "
        "and dose [20]; partial secondary failure is reported in 14.5% over 9 years [22].",
    ),
    ResponsePattern.PRIMARY_NON_RESPONSE: (
        C.PRIMARY_NON_RESPONSE,
        E.EXCLUDES,
        (26, 28),
        "Primary non-response (never a useful response to botulinum toxin) is unfavourable for SD "
        "[26][28].",
    ),
}
_STATED_RESPONSE = {
    pattern: Finding(code, effect, detail, sources)
    for pattern, (code, effect, sources, detail) in _RESPONSE_RULES.items()
}


def _response(
    facts: CaseFacts, policy: Policy, out: list[Finding]
) -> tuple[ResponsePattern | None, bool]:
    toxin = facts.botulinum_toxin
    stated = toxin.response_pattern
    if stated is not None:
        out.append(_STATED_RESPONSE[stated])
        return stated, False
    derivation = derive_response_pattern(toxin.cycles, policy.bont_response_thresholds)
    if derivation.pattern is None:
        out.append(
            _missing(
                C.MISSING_RESPONSE_PATTERN,
                ("botulinum_toxin.response_pattern",),
                "Response to botulinum toxin not recorded. "
                + derivation.reason
                + " SD is for toxin that has failed or is failing [20][26].",
                (20, 26),
            )
        )
        return None, False
    code, effect, sources, detail = _RESPONSE_RULES[derivation.pattern]
    out.append(
        Finding(
            code,
            effect,
            f"Derived from the cycles (local-policy thresholds): {derivation.reason} {detail}",
            sources,
            policy=policy.ref("bont_response_thresholds"),
            derived=True,
        )
    )
    return derivation.pattern, True


@cache
def _resistance_finding(result: ResistanceResult, test: Any) -> Finding:
    which = f" ({_name(test)} test)" if test else ""
    if result is ResistanceResult.RESISTANT:
        return Finding(
            C.RESISTANT,
            E.FAVOURS,
            f"Resistant to botulinum toxin{which}: for a resistant poor responder the BNN pathway "
            "considers a toxin holiday, BoNT-B, another BoNT-A, or surgery or DBS [20].",
            (20,),
        )
    if result is ResistanceResult.NOT_RESISTANT:
        return Finding(
            C.NOT_RESISTANT,
            E.CAUTIONS,
            f"Not resistant{which}: the BNN pathway first reviews muscle selection, guidance (EMG "
            "or ultrasound) and dose [20].",
            (20,),
        )
    return Finding(
        C.RESISTANCE_INCONCLUSIVE,
        E.CAUTIONS,
        f"Resistance test inconclusive{which}: antibody assays are positive in 1.2-40% depending "
        "on the assay and only about half of treatment failures have antibodies [20][21][22].",
        (20, 21, 22),
    )


_MISSING_RESISTANCE_TEXT = (
    "Resistance test not recorded: for a poor responder the BNN pathway tests for resistance "
    "before choosing between a toxin review and surgery or DBS [20]."
)
_MISSING_RESISTANCE = {
    path: _missing(C.MISSING_RESISTANCE_TEST, (path,), _MISSING_RESISTANCE_TEXT, (20,))
    for path in ("botulinum_toxin.resistance_test", "botulinum_toxin.resistance_test.result")
}


def _resistance(facts: CaseFacts, out: list[Finding]) -> ResistanceResult | None:
    toxin = facts.botulinum_toxin
    test = toxin.resistance_test
    result = test.result if test else None
    if result is not None:
        out.append(_resistance_finding(result, test.test))
    elif toxin.response_pattern not in (
        ResponsePattern.GOOD_RESPONSE,
        ResponsePattern.PRIMARY_NON_RESPONSE,
    ):
        path = (
            "botulinum_toxin.resistance_test"
            if test is None
            else "botulinum_toxin.resistance_test.result"
        )
        out.append(_MISSING_RESISTANCE[path])
    return result


def _duration(facts: CaseFacts, policy: Policy, out: list[Finding]) -> None:
    cycles = facts.botulinum_toxin.cycles
    dates = [c.date for c in cycles if c.date is not None] if cycles else []
    if not dates:
        paths = (
            ("botulinum_toxin.cycles",)
            if not cycles
            else tuple(f"botulinum_toxin.cycles[{i}].date" for i in range(len(cycles)))
        )
        out.append(
            _missing(
                C.MISSING_TREATMENT_DURATION,
                paths,
                "No dated toxin cycles, so the duration of treatment is not known: Bertrand "
                "operated when treatment was unsatisfactory after 2 years [25].",
                (25,),
            )
        )
        return
    out.append(
        _duration_finding(min(dates), max(dates), len(dates), policy.min_bont_treatment_years)
    )


@cache
def _ref(name: str, value: Any) -> PolicyRef:
    return PolicyRef(name, value)


def _duration_finding(first: Any, last: Any, count: int, limit: float) -> Finding:
    # dates rarely repeat, so this finding is built each time rather than cached
    years = (last - first).days / 365.25
    ref = _ref("min_bont_treatment_years", limit)
    if count == 1:
        span = (
            f"Only one dated cycle ({first.isoformat()}), so no length of treatment is documented"
        )
    else:
        span = (
            f"{count} dated cycles from {first.isoformat()} to {last.isoformat()} ({years:.1f} "
            "years)"
        )
    if years >= limit:
        return Finding(
            C.TREATMENT_DURATION_MET,
            E.FAVOURS,
            f"{span}: at least the local minimum of {limit:g} years; Bertrand operated when "
            "treatment was unsatisfactory after 2 years [25].",
            (25,),
            policy=ref,
        )
    return Finding(
        C.TREATMENT_DURATION_SHORT,
        E.CAUTIONS,
        f"{span}: less than the local minimum of {limit:g} years (Bertrand operated after 2 years "
        "of unsatisfactory treatment [25]; Dystonia UK advises early referral [37]).",
        (25, 37),
        policy=ref,
    )


_STUDIES = {
    # field: (name, normal code, abnormal code, missing code, policy name, risk text)
    "videofluoroscopy": (
        "Videofluoroscopic swallow",
        C.VIDEOFLUOROSCOPY_NORMAL,
        C.VIDEOFLUOROSCOPY_ABNORMAL,
        C.MISSING_VIDEOFLUOROSCOPY,
        "abnormal_videofluoroscopy_effect",
        " before surgery: SD can cause swallowing difficulty (new dysphagia on videofluoroscopy in "
        "3 of 12 [28])",
    ),
    "ct_cervical_spine": (
        "CT of the cervical spine",
        C.CT_CERVICAL_SPINE_NORMAL,
        C.CT_CERVICAL_SPINE_ABNORMAL,
        C.MISSING_CT_CERVICAL_SPINE,
        "abnormal_ct_cervical_spine_effect",
        " (work-up [28])",
    ),
}


@cache
def _study_finding(field_name: str, result: StudyResult | None, abnormal_effect: Effect) -> Finding:
    name, normal, abnormal, missing, policy_name, risk = _STUDIES[field_name]
    if result is StudyResult.NORMAL:
        return Finding(
            normal, E.FAVOURS, f"{name} normal (part of the work-up before SD [28]).", (28,)
        )
    if result is StudyResult.ABNORMAL:
        return Finding(
            abnormal,
            abnormal_effect,
            f"{name} abnormal{risk}; the reference gives no rule for an abnormal result, so local "
            "policy weighs it.",
            (28,),
            policy=PolicyRef(policy_name, abnormal_effect),
        )
    return _missing(
        missing,
        (f"work_up.{field_name}",),
        f"{name} not done or not recorded: it is part of the work-up before SD [28].",
        (28,),
    )


_EMG_DONE = Finding(
    C.EMG_MAPPING_DONE, E.FAVOURS, "EMG mapping of active muscles done (work-up [28]).", (28,)
)
_EMG_MISSING = {
    state: _missing(
        C.MISSING_EMG_MAPPING,
        ("work_up.emg_mapping",),
        f"EMG mapping of active muscles {state}: it is part of the work-up before SD [28].",
        (28,),
    )
    for state in ("not done", "not recorded")
}


def _work_up(facts: CaseFacts, policy: Policy, out: list[Finding]) -> None:
    work_up = facts.work_up
    if work_up.emg_mapping is True:
        out.append(_EMG_DONE)
    else:
        out.append(_EMG_MISSING["not done" if work_up.emg_mapping is False else "not recorded"])
    out.extend(
        _study_findings(
            work_up.videofluoroscopy,
            work_up.ct_cervical_spine,
            policy.abnormal_videofluoroscopy_effect,
            policy.abnormal_ct_cervical_spine_effect,
        )
    )


@cache
def _study_findings(
    videofluoroscopy: StudyResult | None,
    ct: StudyResult | None,
    videofluoroscopy_effect: Effect,
    ct_effect: Effect,
) -> tuple[Finding, Finding]:
    return (
        _study_finding("videofluoroscopy", videofluoroscopy, videofluoroscopy_effect),
        _study_finding("ct_cervical_spine", ct, ct_effect),
    )


_HEALTH_RULES = {
    # field: (good-when, good code, bad code, missing code, policy name, sources,
    #         good text, bad text)
    "fit_for_general_anaesthetic": (
        True,
        C.FIT_FOR_ANAESTHETIC,
        C.NOT_FIT_FOR_ANAESTHETIC,
        C.MISSING_FITNESS_FOR_ANAESTHETIC,
        "unfit_for_anaesthetic_effect",
        (27,),
        "Fit for general anaesthetic, under which SD is done (systemic events are reported after "
        "SD [27]).",
        "Not fit for general anaesthetic, under which SD is done [27]; a local criterion (the "
        "reference gives no rule).",
    ),
    "cervical_myelopathy": (
        False,
        C.NO_CERVICAL_MYELOPATHY,
        C.CERVICAL_MYELOPATHY,
        C.MISSING_CERVICAL_MYELOPATHY,
        "cervical_myelopathy_effect",
        (28,),
        "No cervical myelopathy (the work-up includes CT of the cervical spine [28]).",
        "Cervical myelopathy: a local criterion (the reference gives no rule; the work-up includes "
        "CT of the cervical spine [28]).",
    ),
    "prior_neck_surgery": (
        False,
        C.NO_PRIOR_NECK_SURGERY,
        C.PRIOR_NECK_SURGERY,
        C.MISSING_PRIOR_NECK_SURGERY,
        "prior_neck_surgery_effect",
        (25, 28),
        "No prior neck surgery.",
        "Prior neck surgery: a local criterion (the reference gives no rule; reoperation after SD "
        "is reported [25][28]).",
    ),
}


@cache
def _health_finding(field_name: str, value: bool | None, adverse_effect: Effect) -> Finding:
    good, good_code, bad_code, missing_code, policy_name, sources, good_text, bad_text = (
        _HEALTH_RULES[field_name]
    )
    if value is None:
        return _missing(
            missing_code,
            (f"health.{field_name}",),
            f"{_name(field_name).capitalize()} not recorded (a local criterion for SD).",
            sources,
        )
    if value is good:
        return Finding(good_code, E.FAVOURS, good_text, sources)
    return Finding(
        bad_code, adverse_effect, bad_text, sources, policy=PolicyRef(policy_name, adverse_effect)
    )


def _health(facts: CaseFacts, policy: Policy, out: list[Finding]) -> None:
    health = facts.health
    out.extend(
        _health_findings(
            health.fit_for_general_anaesthetic,
            health.cervical_myelopathy,
            health.prior_neck_surgery,
            policy.unfit_for_anaesthetic_effect,
            policy.cervical_myelopathy_effect,
            policy.prior_neck_surgery_effect,
        )
    )


@cache
def _health_findings(
    fit: bool | None,
    myelopathy: bool | None,
    neck_surgery: bool | None,
    unfit_effect: Effect,
    myelopathy_effect: Effect,
    neck_surgery_effect: Effect,
) -> tuple[Finding, ...]:
    return (
        _health_finding("fit_for_general_anaesthetic", fit, unfit_effect),
        _health_finding("cervical_myelopathy", myelopathy, myelopathy_effect),
        _health_finding("prior_neck_surgery", neck_surgery, neck_surgery_effect),
    )


_PREFERENCE_FINDINGS = {
    None: _missing(
        C.MISSING_PREFERENCE,
        ("preferences.wants_surgery",),
        "The patient's preference about surgery is not recorded; the MDT weighs it, and a decision "
        "aid supports the choice [43].",
        (43,),
    ),
    True: Finding(
        C.WANTS_SURGERY,
        E.FAVOURS,
        "The patient wants to consider surgery (a decision aid supports the choice [43]).",
        (43,),
    ),
    False: Finding(
        C.DOES_NOT_WANT_SURGERY,
        E.AGAINST,
        "The patient does not want surgery: SD is not recommended against the patient's "
        "preference, which the MDT weighs [43].",
        (43,),
    ),
}


def _preferences(facts: CaseFacts, out: list[Finding]) -> None:
    out.append(_PREFERENCE_FINDINGS[facts.preferences.wants_surgery])


A = Alternative
_REASONS = {
    "continue": AlternativeReason(
        A.CONTINUE_BOTULINUM_TOXIN, "Botulinum toxin still works: continue it [20].", (20,)
    ),
    "switch": AlternativeReason(
        A.SWITCH_TOXIN,
        "Resistant: the BNN pathway considers a toxin holiday, BoNT-B or another BoNT-A [20].",
        (20,),
    ),
    "dbs_resistant": AlternativeReason(
        A.GPI_DBS,
        "Resistant: the BNN pathway considers surgery or DBS [20]; GPi-DBS reduced CD severity in "
        "a randomised trial [39].",
        (20, 39),
    ),
    "review": AlternativeReason(
        A.BOTULINUM_TOXIN_REVIEW,
        "Not shown to be resistant: review muscle selection, guidance (EMG or ultrasound) and dose "
        "[20].",
        (20,),
    ),
    "dbs_failed": AlternativeReason(
        A.GPI_DBS,
        "Toxin has failed: GPi-DBS is a surgical option for CD [39][40]; a network meta-analysis "
        "favours it over SD by about 7 TWSTRS points [33].",
        (33, 39, 40),
    ),
    "dbs_failed_lateral": AlternativeReason(
        A.GPI_DBS,
        "Toxin has failed: GPi-DBS is a surgical option for CD [39][40]; a network meta-analysis "
        "favours it over SD by about 7 TWSTRS points [33]; a lateral shift predicts less benefit "
        "[40].",
        (33, 39, 40),
    ),
    "physiotherapy": AlternativeReason(
        A.PHYSIOTHERAPY,
        "Physiotherapy is part of the treatment ladder and of care after SD [25][27][45].",
        (25, 27, 45),
    ),
    "myectomy": AlternativeReason(
        A.MYECTOMY,
        "Levator scapulae is involved: section of its insertion is an option [35].",
        (35,),
    ),
}
_ALTERNATIVE_ORDER = tuple(Alternative)
_FAILED = (ResponsePattern.SECONDARY_NON_RESPONSE, ResponsePattern.PRIMARY_NON_RESPONSE)


def _alternatives(
    facts: CaseFacts,
    response: ResponsePattern | None,
    result: ResistanceResult | None,
    levator: bool,
) -> tuple[AlternativeReason, ...]:
    """BNN pathway [20]: continue a toxin that works; review if not resistant; switch or DBS if
    resistant."""
    lateral = response in _FAILED and any(
        p.pattern is Pattern.LATERAL_SHIFT for p in facts.patterns or ()
    )
    return _alternatives_for(response, result is ResistanceResult.RESISTANT, lateral, levator)


@cache
def _alternatives_for(
    response: ResponsePattern | None, resistant: bool, lateral: bool, levator: bool
) -> tuple[AlternativeReason, ...]:
    chosen: dict[Alternative, AlternativeReason] = {}
    if response is ResponsePattern.GOOD_RESPONSE:
        chosen[A.CONTINUE_BOTULINUM_TOXIN] = _REASONS["continue"]
    elif response is not None:
        if resistant:
            chosen[A.SWITCH_TOXIN] = _REASONS["switch"]
            chosen[A.GPI_DBS] = _REASONS["dbs_resistant"]
        else:
            chosen[A.BOTULINUM_TOXIN_REVIEW] = _REASONS["review"]
        if response in _FAILED and A.GPI_DBS not in chosen:
            chosen[A.GPI_DBS] = _REASONS["dbs_failed_lateral" if lateral else "dbs_failed"]
    chosen[A.PHYSIOTHERAPY] = _REASONS["physiotherapy"]
    if levator:
        chosen[A.MYECTOMY] = _REASONS["myectomy"]
    return tuple(chosen[a] for a in _ALTERNATIVE_ORDER if a in chosen)


_EFFECT_OF = attrgetter("effect")


def _recommend(
    findings: list[Finding], response: ResponsePattern | None, response_derived: bool
) -> Recommendation:
    good = response is ResponsePattern.GOOD_RESPONSE
    if good and not response_derived:
        return Recommendation.NOT_INDICATED
    effects = set(map(_EFFECT_OF, findings))
    decisive = E.AGAINST in effects or E.EXCLUDES in effects
    if decisive and any(f.effect in DECISIVE_EFFECTS and not f.derived for f in findings):
        return Recommendation.UNFAVOURABLE
    if E.MISSING in effects:
        return Recommendation.INSUFFICIENT_INFORMATION
    if good:
        return Recommendation.NOT_INDICATED
    if decisive:
        return Recommendation.UNFAVOURABLE
    if E.CAUTIONS in effects:
        return Recommendation.POSSIBLE
    return Recommendation.FAVOURABLE


def _suggested(patterns: tuple[PatternObservation, ...] | None) -> tuple[SuggestedMuscle, ...]:
    seen: dict[tuple[Muscle, MuscleSide | None], SuggestedMuscle] = {}
    for p in patterns or ():
        for s in PATTERN_TABLE.suggest(p.pattern, p.side):
            seen.setdefault((s.muscle, s.side), s)
    return tuple(seen.values())


def assess_candidacy(
    facts: CaseFacts | Mapping[str, Any], policy: Policy = DEFAULT_POLICY
) -> CandidacyAssessment:
    """Run every SD candidacy criterion and return all findings and one recommendation.

    ``facts`` is typed CaseFacts (not validated again) or a mapping, which is parsed and
    validated against the JSON Schema first (raising CaseFactsError).
    """
    if not isinstance(facts, CaseFacts):
        facts = parse_case_facts(facts)
    out: list[Finding] = []
    summary: dict[str, str] = {}
    involved = [
        (i, m, MUSCLES[m.muscle])
        for i, m in enumerate(facts.muscles or ())
        if m.emg_active is not False
    ]

    _distribution(facts, policy, out, summary)
    dominant = _patterns(facts, policy, out)
    if dominant is not None:
        _dominant_reach(facts.patterns[dominant], involved, out)
    plan, not_addressable, levator = _muscles(facts, policy, out, involved)
    _tremor(facts, out)
    response, response_derived = _response(facts, policy, out)
    result = _resistance(facts, out)
    _duration(facts, policy, out)
    _work_up(facts, policy, out)
    _health(facts, policy, out)
    _preferences(facts, out)

    missing = tuple(dict.fromkeys([path for f in out if f.paths for path in f.paths]))
    cycles = facts.botulinum_toxin.cycles
    onset = facts.dystonia.onset_age
    if onset is not None:
        summary["age_at_onset"] = (
            _ONSET_BANDS[onset] if onset < len(_ONSET_BANDS) else str(age_at_onset_band(onset))
        )
    return CandidacyAssessment(
        recommendation=_recommend(out, response, response_derived),
        findings=tuple(out),
        denervation_plan=plan,
        not_addressable=not_addressable,
        alternatives=_alternatives(facts, response, result, levator),
        missing=missing,
        suggested_muscles=() if facts.muscles else _suggested(facts.patterns),
        warnings=injection_interval_warnings(cycles) if cycles and len(cycles) > 1 else (),
        classification=summary,
        policy=policy,
    )


_ONSET_BANDS = tuple(str(age_at_onset_band(age)) for age in range(131))

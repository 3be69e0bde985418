"""Local-policy values: every threshold or judgement the clinical reference leaves open.

Each value is labelled "local policy, needs clinical sign-off". Where the reference
mentions the matter, the value names that source (for example [37] for "numerous muscle
groups", [10] for the TWSTRS minimal clinically important change), but the value itself
is a local choice, never evidence. Override values with ``policy_from_mapping``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from collis.domain.findings import LOCAL_POLICY_LABEL, POLICY_EFFECTS, Effect, PolicyRef


class PolicyError(ValueError):
    """A policy mapping that cannot be used; ``problems`` has one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class ResponseThresholds:
    """Thresholds for deriving a botulinum toxin response pattern from cycles.

    The reference gives no formal threshold for primary non-response or for a "good"
    response [20]: these are local policy.
    """

    good_min_benefit_percent: float = 50.0
    good_min_benefit_weeks: float = 10.0
    useful_min_benefit_percent: float = 25.0
    min_cycles: int = 2

    def as_dict(self) -> dict[str, Any]:
        return {
            "good_min_benefit_percent": self.good_min_benefit_percent,
            "good_min_benefit_weeks": self.good_min_benefit_weeks,
            "useful_min_benefit_percent": self.useful_min_benefit_percent,
            "min_cycles": self.min_cycles,
        }


def _meta(description: str, sources: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"description": description, "sources": sources}


@dataclass(frozen=True, slots=True)
class Policy:
    """All local-policy values in one place (defaults need clinical sign-off)."""

    numerous_muscle_groups: int = field(
        default=4,
        metadata=_meta(
            "Number of involved muscle groups, counted per side (a bilateral muscle counts on "
            "both sides), at or above which SD is judged unfavourable. The reference says SD "
            '"might not be possible if numerous muscle groups are involved" [37] but gives no '
            "number. Groups: sternocleidomastoid, posterior cervical, levator scapulae, "
            "trapezius, scalenes, prevertebral, suprahyoid.",
            (37,),
        ),
    )
    min_bont_treatment_years: float = field(
        default=2.0,
        metadata=_meta(
            "Years of botulinum toxin treatment, documented by the first and last dated cycles, "
            "that count as an adequate trial. Bertrand operated when treatment was unsatisfactory "
            "after 2 years [25]; Dystonia UK advises early referral [37].",
            (25, 37),
        ),
    )
    bont_response_thresholds: ResponseThresholds = field(
        default=ResponseThresholds(),
        metadata=_meta(
            "Thresholds for deriving the response pattern from cycles when it is not recorded: a "
            "good cycle gives at least good_min_benefit_percent benefit lasting at least "
            "good_min_benefit_weeks; a useful cycle gives at least useful_min_benefit_percent; at "
            "least min_cycles cycles with benefit figures are needed. The reference gives no "
            "formal threshold [20].",
            (20,),
        ),
    )
    multifocal_effect: Effect = field(
        default=Effect.CAUTIONS,
        metadata=_meta(
            "Effect of a multifocal distribution. The reference names segmental and generalised "
            "dystonia as unfavourable [28]; multifocal (two or more non-contiguous regions [1]) is "
            "not named.",
            (1, 28),
        ),
    )
    hemidystonia_effect: Effect = field(
        default=Effect.CAUTIONS,
        metadata=_meta(
            "Effect of hemidystonia (one side of the body [1]). The reference names segmental and "
            "generalised dystonia as unfavourable [28]; hemidystonia is not named.",
            (1, 28),
        ),
    )
    sagittal_caput_forms_as_collis: bool = field(
        default=True,
        metadata=_meta(
            "Whether a dominant antecaput, retrocaput or backward sagittal shift weighs against SD "
            "like dominant anterocollis or retrocollis [37][38]. Those sources predate the Col-Cap "
            "distinction between caput and collis forms [3]; when false these forms are only "
            "cautions.",
            (3, 37, 38),
        ),
    )
    unfit_for_anaesthetic_effect: Effect = field(
        default=Effect.EXCLUDES,
        metadata=_meta(
            "Effect of a patient not fit for general anaesthetic. SD is done under general "
            "anaesthetic and its risks include systemic events [27]; the reference leaves fitness "
            "as a local criterion.",
            (27,),
        ),
    )
    cervical_myelopathy_effect: Effect = field(
        default=Effect.AGAINST,
        metadata=_meta(
            "Effect of cervical myelopathy. The reference lists it as a local criterion without a "
            "rule; the work-up includes CT of the cervical spine [28].",
            (28,),
        ),
    )
    prior_neck_surgery_effect: Effect = field(
        default=Effect.CAUTIONS,
        metadata=_meta(
            "Effect of prior neck surgery. The reference lists it as a local criterion without a "
            "rule; reoperation after SD is reported [25][28].",
            (25, 28),
        ),
    )
    abnormal_videofluoroscopy_effect: Effect = field(
        default=Effect.CAUTIONS,
        metadata=_meta(
            "Effect of an abnormal pre-operative videofluoroscopic swallow. The work-up includes "
            "it [28] and SD can cause new dysphagia (3 of 12 on videofluoroscopy [28]); the "
            "reference gives no rule for an abnormal result.",
            (28,),
        ),
    )
    abnormal_ct_cervical_spine_effect: Effect = field(
        default=Effect.CAUTIONS,
        metadata=_meta(
            "Effect of an abnormal CT of the cervical spine. The work-up includes it [28]; the "
            "reference gives no rule for an abnormal result.",
            (28,),
        ),
    )
    twstrs_mcic_points: float = field(
        default=8.0,
        metadata=_meta(
            "Minimal clinically important change in total TWSTRS, in points. The reference gives "
            "about 8-12 points (one estimate -11.9, 95% CI -13.9 to -10.0; another >= 8) [10]; the "
            "default takes the lower figure.",
            (10,),
        ),
    )

    def __post_init__(self) -> None:
        bad = [
            f"{f.name}: {getattr(self, f.name)!r} is not allowed; allowed values: "
            + ", ".join(str(e) for e in POLICY_EFFECTS)
            for f in dataclasses.fields(self)
            if f.name.endswith("_effect") and getattr(self, f.name) not in POLICY_EFFECTS
        ]
        if bad:
            raise PolicyError(bad)

    def value(self, name: str) -> PolicyValue:
        """The named policy value with its description, sources and label."""
        for f in dataclasses.fields(self):
            if f.name == name:
                return PolicyValue(
                    name=name,
                    value=getattr(self, name),
                    description=f.metadata["description"],
                    sources=f.metadata["sources"],
                )
        raise KeyError(f"unknown policy value {name!r}; allowed: {', '.join(policy_names())}")

    def values(self) -> tuple[PolicyValue, ...]:
        return tuple(self.value(name) for name in policy_names())

    def ref(self, name: str) -> PolicyRef:
        """A compact reference to the value, for a finding that it decided."""
        return PolicyRef(name=name, value=getattr(self, name))


@dataclass(frozen=True, slots=True)
class PolicyValue:
    """A policy value described for people: name, value, description, sources, label."""

    name: str
    value: Any
    description: str
    sources: tuple[int, ...]
    label: str = LOCAL_POLICY_LABEL

    def as_dict(self) -> dict[str, Any]:
        data = PolicyRef(self.name, self.value, self.label).as_dict()
        data["description"] = self.description
        data["sources"] = list(self.sources)
        return data


DEFAULT_POLICY = Policy()


def policy_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Policy))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_number(
    name: str,
    value: Any,
    problems: list[str],
    *,
    low: float,
    high: float | None = None,
    integer: bool = False,
    exclusive_low: bool = False,
) -> None:
    kind = "an integer" if integer else "a number"
    if not _is_number(value) or (integer and not isinstance(value, int)):
        problems.append(f"{name}: expected {kind}, got {value!r}")
        return
    too_low = value <= low if exclusive_low else value < low
    if too_low or (high is not None and value > high):
        bound = f"greater than {low:g}" if exclusive_low else f"at least {low:g}"
        if high is not None:
            bound += f" and at most {high:g}"
        problems.append(f"{name}: {value!r} is out of range; must be {bound}")


_THRESHOLD_NAMES = tuple(f.name for f in dataclasses.fields(ResponseThresholds))


def _thresholds_from(
    value: Any, base: ResponseThresholds, problems: list[str]
) -> ResponseThresholds:
    prefix = "bont_response_thresholds"
    if not isinstance(value, Mapping):
        problems.append(f"{prefix}: expected an object with keys {', '.join(_THRESHOLD_NAMES)}")
        return base
    before = len(problems)
    for key in value:
        if key not in _THRESHOLD_NAMES:
            problems.append(
                f"{prefix}.{key}: unknown threshold; allowed: {', '.join(_THRESHOLD_NAMES)}"
            )
    for key in ("good_min_benefit_percent", "useful_min_benefit_percent"):
        if key in value:
            _check_number(f"{prefix}.{key}", value[key], problems, low=0, high=100)
    if "good_min_benefit_weeks" in value:
        _check_number(
            f"{prefix}.good_min_benefit_weeks",
            value["good_min_benefit_weeks"],
            problems,
            low=0,
            high=52,
        )
    if "min_cycles" in value:
        _check_number(
            f"{prefix}.min_cycles", value["min_cycles"], problems, low=1, high=100, integer=True
        )
    if len(problems) > before:
        return base
    merged = dataclasses.replace(base, **{k: value[k] for k in value})
    if merged.useful_min_benefit_percent > merged.good_min_benefit_percent:
        problems.append(
            f"{prefix}.useful_min_benefit_percent: must not exceed good_min_benefit_percent "
            f"({merged.good_min_benefit_percent:g})"
        )
    return merged


def policy_from_mapping(mapping: Mapping[str, Any], base: Policy = DEFAULT_POLICY) -> Policy:
    """Override policy values from a plain mapping, e.g. one read from POLICY.json.

    Raises PolicyError naming each bad key and what it accepts.
    """
    if not isinstance(mapping, Mapping):
        raise PolicyError(["policy: expected a JSON object of policy names and values"])
    names = policy_names()
    problems: list[str] = []
    changes: dict[str, Any] = {}
    effect_words = ", ".join(str(e) for e in POLICY_EFFECTS)
    for name, value in mapping.items():
        if name not in names:
            problems.append(f"{name}: unknown policy value; allowed: {', '.join(names)}")
            continue
        if name == "numerous_muscle_groups":
            _check_number(name, value, problems, low=1, high=50, integer=True)
        elif name == "min_bont_treatment_years":
            _check_number(name, value, problems, low=0, high=50)
        elif name == "twstrs_mcic_points":
            _check_number(name, value, problems, low=0, high=85, exclusive_low=True)
        elif name == "sagittal_caput_forms_as_collis":
            if not isinstance(value, bool):
                problems.append(f"{name}: expected true or false, got {value!r}")
        elif name == "bont_response_thresholds":
            value = _thresholds_from(value, base.bont_response_thresholds, problems)
        elif name.endswith("_effect"):
            if value not in {str(e) for e in POLICY_EFFECTS}:
                problems.append(f"{name}: {value!r} is not allowed; allowed values: {effect_words}")
            else:
                value = Effect(value)
        changes[name] = value
    if problems:
        raise PolicyError(problems)
    return dataclasses.replace(base, **changes)


# -- Follow-up review window (the outcomes app) -------------------------------------------
# Local policy, needs clinical sign-off: the reference gives no review schedule (the 3, 6,
# 12-month and yearly points are the service's own), so how far from its due date a review
# may be recorded is the unit's choice. Six weeks either side keeps the 3- and 6-month
# windows apart (7-19 and 20-32 weeks after the operation).
FOLLOW_UP_REVIEW_WINDOW_WEEKS = PolicyValue(
    name="follow_up_review_window_weeks",
    value=6,
    description=(
        "Weeks either side of a follow-up review's due date within which the review, and the "
        "TWSTRS and Tsui scale it uses, must fall. The reference gives no review schedule; "
        "the window is a local choice."
    ),
    sources=(),
)


# -- Botulinum toxin units per session and per muscle (the treatments record) -------------
# Local policy, needs clinical sign-off. The reference gives a per-session maximum only for
# abobotulinumtoxinA (1,000 U [46]) and a per-muscle figure only for the sternocleidomastoid
# with onabotulinumtoxinA (100 U or less may reduce dysphagia [13]); those live, sourced, in
# collis.domain.toxin. Every other limit is the unit's choice: the defaults are the top of
# the doses the reference reports for each product, which it does not give as limits.
@dataclass(frozen=True, slots=True)
class ToxinUnitLimits:
    """Units per session (per product) and per muscle (per product and muscle, one side)
    above which recording a cycle needs a confirmed reason, and the multiple of the
    per-session maximum above which units are refused as a typing error."""

    session_max_units: tuple[tuple[str, float], ...] = (
        ("onabotulinumtoxinA", 300.0),
        ("incobotulinumtoxinA", 240.0),
        ("rimabotulinumtoxinB", 5000.0),
        ("daxibotulinumtoxinA", 250.0),
    )
    muscle_max_units: tuple[tuple[str, str, float], ...] = ()
    implausible_factor: float = 2.0

    def session_max(self, product: str) -> float | None:
        return dict(self.session_max_units).get(product)

    def muscle_max(self, product: str, muscle: str) -> float | None:
        return {(p, m): units for p, m, units in self.muscle_max_units}.get((product, muscle))

    def as_dict(self) -> dict[str, Any]:
        muscles: dict[str, dict[str, float]] = {}
        for product, muscle, units in self.muscle_max_units:
            muscles.setdefault(product, {})[muscle] = units
        return {"session_max_units": dict(self.session_max_units),
                "muscle_max_units": muscles, "implausible_factor": self.implausible_factor}


TOXIN_UNIT_LIMITS = PolicyValue(
    name="toxin_unit_limits",
    value=ToxinUnitLimits(),
    description=(
        "Botulinum toxin units per session and per muscle above which a cycle is recorded only "
        "with a confirmed reason, and the multiple of the per-session maximum above which the "
        "units are refused as a typing error (2). The reference gives no per-session maximum "
        "for onabotulinumtoxinA, incobotulinumtoxinA, rimabotulinumtoxinB or "
        "daxibotulinumtoxinA (UNSOURCED): the defaults are the top of the doses it reports, "
        "not limits it gives: onabotulinumtoxinA 300 U (upper quartile of doses given [13]), "
        "incobotulinumtoxinA 240 U (the higher dose studied [15]), rimabotulinumtoxinB "
        "5,000 U (top of the range [16]), daxibotulinumtoxinA 250 U (the higher dose studied "
        "[17]). No per-muscle maximum is set by default: the reference gives one figure only "
        "(sternocleidomastoid, onabotulinumtoxinA [13]), kept with its source in "
        "collis.domain.toxin; abobotulinumtoxinA's licensed 1,000 U per session is there too."
    ),
    sources=(13, 15, 16, 17),
)


# -- Oral medicine doses (the treatments record) ------------------------------------------
# Local policy, needs clinical sign-off: the reference gives no doses for oral medicines.
# These ranges only catch typing errors (a dose in the wrong unit, an extra zero); they are
# not clinical limits for any medicine.
@dataclass(frozen=True, slots=True)
class MedicationDoseRanges:
    """The smallest and largest single dose that is plausible in each unit."""

    ranges: tuple[tuple[str, float, float], ...] = (
        ("mg", 0.01, 5000.0),
        ("micrograms", 0.1, 5000.0),
        ("g", 0.01, 10.0),
        ("ml", 0.1, 100.0),
        ("units", 0.5, 1000.0),
        ("tablets", 0.25, 10.0),
        ("capsules", 1.0, 10.0),
        ("drops", 1.0, 50.0),
        ("puffs", 1.0, 10.0),
        ("patches", 0.5, 4.0),
        ("sachets", 0.5, 4.0),
    )

    def range_for(self, unit: str) -> tuple[float, float] | None:
        return {u: (low, high) for u, low, high in self.ranges}.get(unit)

    def as_dict(self) -> dict[str, Any]:
        return {unit: {"min": low, "max": high} for unit, low, high in self.ranges}


MEDICATION_DOSE_RANGES = PolicyValue(
    name="medication_dose_ranges",
    value=MedicationDoseRanges(),
    description=(
        "The plausible range of a single dose of an oral medicine in each unit (mg, "
        "micrograms, g, ml, units, tablets, capsules, drops, puffs, patches, sachets); a dose "
        "outside it is refused as a likely typing error. The reference gives no medicine "
        "doses (UNSOURCED): these ranges are local choices, not clinical limits."
    ),
    sources=(),
)

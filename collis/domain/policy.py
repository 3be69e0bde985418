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


# -- Every local-policy value, as one versioned set (the policy app) ----------------------
# Local policy, needs clinical sign-off: the reference gives no cooling-off period between
# counselling and consent; 14 days is the unit's choice (and the seed of version 1).
DEFAULT_COOLING_OFF_DAYS = 14
# Local policy (UNSOURCED): months after the operation at which reviews fall, then yearly.
DEFAULT_REVIEW_MONTHS = (3, 6, 12)
# Local policy (UNSOURCED): the service audit shows no group (a surgeon, a site, a year) of
# fewer operated patients than this; small numbers identify people and mislead.
DEFAULT_AUDIT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True, slots=True)
class LocalPolicy:
    """Every local-policy value in force together: candidacy's ``Policy`` and the values
    other steps use (the cooling-off period before consent, the follow-up review schedule
    and its window, the botulinum toxin unit limits)."""

    candidacy: Policy = DEFAULT_POLICY
    consent_cooling_off_days: int = DEFAULT_COOLING_OFF_DAYS
    follow_up_review_months: tuple[int, ...] = DEFAULT_REVIEW_MONTHS
    follow_up_review_window_weeks: int = FOLLOW_UP_REVIEW_WINDOW_WEEKS.value
    toxin_unit_limits: ToxinUnitLimits = TOXIN_UNIT_LIMITS.value
    audit_min_group_size: int = DEFAULT_AUDIT_MIN_GROUP_SIZE

    def review_months(self, index: int) -> int:
        """Months after the operation of the review at ``index`` (0-based): the listed
        points, then every whole year after the last of them (3, 6, 12, 24, 36...)."""
        listed = self.follow_up_review_months
        if index < len(listed):
            return listed[index]
        return 12 * (listed[-1] // 12 + 1 + index - len(listed))

    def is_review_month(self, months: int) -> bool:
        listed = self.follow_up_review_months
        return months in listed or (months > listed[-1] and months % 12 == 0)

    def review_schedule_words(self) -> str:
        listed = ", ".join(str(m) for m in self.follow_up_review_months[:-1])
        last = self.follow_up_review_months[-1]
        points = f"{listed} and {last}" if listed else f"{last}"
        return f"Reviews at {points} months after the operation and then yearly"


DEFAULT_LOCAL_POLICY = LocalPolicy()


@dataclass(frozen=True, slots=True)
class PolicySetting:
    """One value a clinical lead can change: its key in the flat mapping of a policy
    version, what people call it, its unit, its kind and the range it must fall in."""

    key: str
    label: str
    kind: str  # "integer", "number", "effect", "boolean", "months"
    unit: str = ""
    low: float | None = None
    high: float | None = None
    exclusive_low: bool = False
    group: str = "Candidacy for selective denervation"
    description: str = ""
    sources: tuple[int, ...] = ()

    def words(self, value: Any) -> str:
        """The value as people read it: "14 days", "Cautions", "3, 6, 12 months"."""
        if self.kind == "boolean":
            return "Yes" if value else "No"
        if self.kind == "effect":
            return str(value).capitalize()
        if self.kind == "months":
            return ", ".join(str(m) for m in value) + " months, then yearly"
        number = f"{value:,g}" if isinstance(value, float) else f"{value:,}"
        return f"{number}{self.unit}" if self.unit == "%" else f"{number} {self.unit}".strip()


_THRESHOLD_LABELS = {
    "good_min_benefit_percent": ("Good response: least benefit", "number", "%", 0, 100),
    "good_min_benefit_weeks": ("Good response: least duration of benefit", "number",
                               "weeks", 0, 52),
    "useful_min_benefit_percent": ("Useful response: least benefit", "number", "%", 0, 100),
    "min_cycles": ("Cycles with benefit figures needed to derive a response", "integer",
                   "cycles", 1, 100),
}
_EFFECT_LABELS = {
    "multifocal_effect": "Effect of a multifocal distribution",
    "hemidystonia_effect": "Effect of hemidystonia",
    "unfit_for_anaesthetic_effect": "Effect of a patient unfit for general anaesthetic",
    "cervical_myelopathy_effect": "Effect of cervical myelopathy",
    "prior_neck_surgery_effect": "Effect of prior neck surgery",
    "abnormal_videofluoroscopy_effect": "Effect of an abnormal videofluoroscopic swallow",
    "abnormal_ct_cervical_spine_effect": "Effect of an abnormal CT of the cervical spine",
}
_TOXIN_GROUP = "Botulinum toxin dose warnings"
_FOLLOW_UP_GROUP = "Follow-up after selective denervation"
_AUDIT_GROUP = "Service audit"


def _candidacy_settings() -> list[PolicySetting]:
    meta = {f.name: f.metadata for f in dataclasses.fields(Policy)}
    settings = []
    for name in policy_names():
        description, sources = meta[name]["description"], meta[name]["sources"]
        if name == "numerous_muscle_groups":
            settings.append(PolicySetting(name, "Muscle groups, counted per side, at which SD "
                                          "is unfavourable", "integer", "muscle groups", 1, 50,
                                          description=description, sources=sources))
        elif name == "min_bont_treatment_years":
            settings.append(PolicySetting(name, "Botulinum toxin treatment that counts as an "
                                          "adequate trial", "number", "years", 0, 50,
                                          description=description, sources=sources))
        elif name == "bont_response_thresholds":
            for key, (label, kind, unit, low, high) in _THRESHOLD_LABELS.items():
                settings.append(PolicySetting(f"{name}.{key}", label, kind, unit, low, high,
                                              description=description, sources=sources))
        elif name == "sagittal_caput_forms_as_collis":
            settings.append(PolicySetting(name, "Dominant caput forms weigh against SD like "
                                          "collis forms", "boolean", description=description,
                                          sources=sources))
        elif name == "twstrs_mcic_points":
            settings.append(PolicySetting(name, "Minimal clinically important change in total "
                                          "TWSTRS", "number", "points", 0, 85,
                                          exclusive_low=True, group=_FOLLOW_UP_GROUP,
                                          description=description, sources=sources))
        else:
            settings.append(PolicySetting(name, _EFFECT_LABELS[name], "effect",
                                          description=description, sources=sources))
    return settings


POLICY_SETTINGS: tuple[PolicySetting, ...] = (
    *_candidacy_settings(),
    PolicySetting(
        "consent_cooling_off_days", "Cooling-off period between counselling and consent",
        "integer", "days", 0, 90, group="Counselling and consent",
        description="Days between the counselling session (from the later of the day it was "
        "held and the day it was recorded) and the earliest day the patient may sign consent. "
        "The reference gives no cooling-off period (UNSOURCED): a local choice."),
    PolicySetting(
        "follow_up_review_months", "Follow-up reviews, in months after the operation",
        "months", "months", 1, 120, group=_FOLLOW_UP_GROUP,
        description="The review points after the operation, then one every whole year after "
        "the last of them. The reference gives no review schedule (UNSOURCED): the points "
        "are the service's own."),
    PolicySetting(
        "follow_up_review_window_weeks", "Window either side of a review's due date",
        "integer", "weeks", 1, 26, group=_FOLLOW_UP_GROUP,
        description=FOLLOW_UP_REVIEW_WINDOW_WEEKS.description),
    *(PolicySetting(
        f"toxin_unit_limits.session_max_units.{product}",
        f"Units per session of {product} above which a reason is needed", "number",
        "units", 0, 100000, exclusive_low=True, group=_TOXIN_GROUP,
        description=TOXIN_UNIT_LIMITS.description, sources=TOXIN_UNIT_LIMITS.sources)
      for product, _units in ToxinUnitLimits().session_max_units),
    PolicySetting(
        "toxin_unit_limits.implausible_factor",
        "Multiple of the per-session maximum above which units are refused as a typing error",
        "number", "times", 1, 10, exclusive_low=True, group=_TOXIN_GROUP,
        description=TOXIN_UNIT_LIMITS.description, sources=TOXIN_UNIT_LIMITS.sources),
    PolicySetting(
        "audit_min_group_size", "Smallest group the service audit shows", "integer",
        "patients", 1, 100, group=_AUDIT_GROUP,
        description="The service audit does not show a group (the unit, a surgeon, a site, a "
        "year) with fewer patients than this: small numbers can identify people and a rate "
        "of a handful misleads. The reference gives no number (UNSOURCED): a local choice."),
)
POLICY_SETTING_BY_KEY = {s.key: s for s in POLICY_SETTINGS}


def local_policy_flatten(policy: LocalPolicy) -> dict[str, Any]:
    """The policy as {setting key: JSON value}, the shape a policy version stores."""
    flat: dict[str, Any] = {}
    candidacy = policy.candidacy
    for name in policy_names():
        value = getattr(candidacy, name)
        if name == "bont_response_thresholds":
            for key, item in value.as_dict().items():
                flat[f"{name}.{key}"] = item
        else:
            flat[name] = str(value) if isinstance(value, Effect) else value
    flat["consent_cooling_off_days"] = policy.consent_cooling_off_days
    flat["follow_up_review_months"] = list(policy.follow_up_review_months)
    flat["follow_up_review_window_weeks"] = policy.follow_up_review_window_weeks
    for product, units in policy.toxin_unit_limits.session_max_units:
        flat[f"toxin_unit_limits.session_max_units.{product}"] = units
    flat["toxin_unit_limits.implausible_factor"] = policy.toxin_unit_limits.implausible_factor
    flat["audit_min_group_size"] = policy.audit_min_group_size
    return flat


def _setting_check(setting: PolicySetting, value: Any, problems: list[str]) -> Any:
    name = setting.label
    if setting.kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{name}: expected yes or no, got {value!r}")
        return value
    if setting.kind == "effect":
        allowed = {str(e) for e in POLICY_EFFECTS}
        if value not in allowed:
            problems.append(f"{name}: {value!r} is not allowed; allowed: {', '.join(allowed)}")
        return value
    if setting.kind == "months":
        if (not isinstance(value, list | tuple) or not value
                or not all(isinstance(m, int) and not isinstance(m, bool) for m in value)):
            problems.append(f"{name}: expected whole numbers of months, such as 3, 6, 12")
            return value
        if list(value) != sorted(set(value)) or not 1 <= value[0] <= value[-1] <= 120:
            problems.append(f"{name}: the months must rise, each from 1 to 120, "
                            f"none repeated")
        return list(value)
    before = len(problems)
    _check_number(name, value, problems, low=setting.low or 0, high=setting.high,
                  integer=setting.kind == "integer", exclusive_low=setting.exclusive_low)
    if len(problems) > before:
        return value
    return value if setting.kind == "integer" else float(value)


def local_policy_from_flat(flat: Mapping[str, Any],
                           base: LocalPolicy = DEFAULT_LOCAL_POLICY) -> LocalPolicy:
    """The policy a flat mapping (a stored version's values) gives, over ``base`` for any
    key it lacks. Raises PolicyError naming each bad value and what it accepts."""
    problems: list[str] = []
    checked: dict[str, Any] = {}
    for key, value in flat.items():
        setting = POLICY_SETTING_BY_KEY.get(key)
        if setting is None:
            problems.append(f"{key}: unknown policy value")
            continue
        checked[key] = _setting_check(setting, value, problems)
    if problems:
        raise PolicyError(problems)
    candidacy_map: dict[str, Any] = {}
    thresholds: dict[str, Any] = {}
    for key, value in checked.items():
        if key.startswith("bont_response_thresholds."):
            thresholds[key.split(".", 1)[1]] = value
        elif key in policy_names():
            candidacy_map[key] = value
    if thresholds:
        candidacy_map["bont_response_thresholds"] = thresholds
    candidacy = policy_from_mapping(candidacy_map, base.candidacy)
    limits = base.toxin_unit_limits
    sessions = dict(limits.session_max_units)
    prefix = "toxin_unit_limits.session_max_units."
    for key, value in checked.items():
        if key.startswith(prefix):
            sessions[key.removeprefix(prefix)] = value
    limits = ToxinUnitLimits(
        session_max_units=tuple(sessions.items()), muscle_max_units=limits.muscle_max_units,
        implausible_factor=checked.get("toxin_unit_limits.implausible_factor",
                                       limits.implausible_factor))
    return LocalPolicy(
        candidacy=candidacy,
        consent_cooling_off_days=checked.get("consent_cooling_off_days",
                                             base.consent_cooling_off_days),
        follow_up_review_months=tuple(checked.get("follow_up_review_months",
                                                  base.follow_up_review_months)),
        follow_up_review_window_weeks=checked.get("follow_up_review_window_weeks",
                                                  base.follow_up_review_window_weeks),
        toxin_unit_limits=limits,
        audit_min_group_size=checked.get("audit_min_group_size", base.audit_min_group_size))

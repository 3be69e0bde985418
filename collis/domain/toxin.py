"""Botulinum toxin (BoNT) for cervical dystonia: products, intervals, units per session and
per muscle, response patterns [13]-[23][46].

Units are not interchangeable between products [18]: the approximate clinical ratios are
kept as information only and this module deliberately has no function that converts a
dose; every unit limit is per product. Response-pattern thresholds and the unit limits the
reference does not give are local policy (``Policy.bont_response_thresholds``, and
``TOXIN_UNIT_LIMITS`` in collis.domain.policy). The British Neurotoxin Network (BNN)
pathway for a poor responder [20] is kept as data.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from collis.domain.findings import long_date
from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.policy import (
    DEFAULT_POLICY,
    TOXIN_UNIT_LIMITS,
    ResponseThresholds,
    ToxinUnitLimits,
)


class Product(StrEnum):
    ONABOTULINUMTOXIN_A = "onabotulinumtoxinA"
    ABOBOTULINUMTOXIN_A = "abobotulinumtoxinA"
    INCOBOTULINUMTOXIN_A = "incobotulinumtoxinA"
    RIMABOTULINUMTOXIN_B = "rimabotulinumtoxinB"
    DAXIBOTULINUMTOXIN_A = "daxibotulinumtoxinA"


class ResponsePattern(StrEnum):
    GOOD_RESPONSE = "good_response"
    PARTIAL_RESPONSE = "partial_response"
    SECONDARY_NON_RESPONSE = "secondary_non_response"
    PRIMARY_NON_RESPONSE = "primary_non_response"


class ResistanceTestKind(StrEnum):
    FRONTALIS = "frontalis"
    EXTENSOR_DIGITORUM_BREVIS = "extensor_digitorum_brevis"
    ANTIBODY_ASSAY = "antibody_assay"


class ResistanceResult(StrEnum):
    RESISTANT = "resistant"
    NOT_RESISTANT = "not_resistant"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class ToxinCycle:
    """One injection cycle as recorded; every field may be unknown."""

    date: datetime.date | None = None
    product: Product | None = None
    units: float | None = None
    benefit_percent: float | None = None
    benefit_weeks: float | None = None


@dataclass(frozen=True, slots=True)
class ResistanceTest:
    test: ResistanceTestKind | None = None
    result: ResistanceResult | None = None


@dataclass(frozen=True, slots=True)
class ProductInfo:
    product: Product
    serotype: str
    cd_dosing_evidence: str
    sources: tuple[int, ...]


PRODUCTS: dict[Product, ProductInfo] = {
    p.product: p
    for p in (
        ProductInfo(
            Product.ONABOTULINUMTOXIN_A,
            "A",
            "Median 236 U (IQR 198-300); dysphagia 19%; SCM <= 100 U may reduce dysphagia.",
            (13,),
        ),
        ProductInfo(
            Product.ABOBOTULINUMTOXIN_A,
            "A",
            "Start 500 U, titrate in 250 U steps; licensed from 250 U up to 1,000 U per session.",
            (14, 46),
        ),
        ProductInfo(
            Product.INCOBOTULINUMTOXIN_A,
            "A",
            "120 U and 240 U both better than placebo; interval >= 10 weeks in the EU.",
            (15,),
        ),
        ProductInfo(Product.RIMABOTULINUMTOXIN_B, "B", "2,500-5,000 U; effect 12-16 weeks.", (16,)),
        ProductInfo(
            Product.DAXIBOTULINUMTOXIN_A,
            "A",
            "125 U / 250 U; median duration 24 / 20 weeks.",
            (17,),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class ApproximateRatio:
    """An approximate clinical unit ratio between two products: information only."""

    first: Product
    second: Product
    ratio: str
    sources: tuple[int, ...] = (18,)


RATIO_NOTE = (
    "Units are not interchangeable between products. These clinical ratios are approximate and "
    "shown for information only; Collis never converts a dose [18]."
)
APPROXIMATE_RATIOS: tuple[ApproximateRatio, ...] = (
    ApproximateRatio(Product.ONABOTULINUMTOXIN_A, Product.ABOBOTULINUMTOXIN_A, "1:2.5-3"),
    ApproximateRatio(Product.INCOBOTULINUMTOXIN_A, Product.ONABOTULINUMTOXIN_A, "1:1"),
    ApproximateRatio(Product.ONABOTULINUMTOXIN_A, Product.RIMABOTULINUMTOXIN_B, "about 1:40"),
)

# Re-injection interval: usually >= 12 weeks [15][19];
# incobotulinumtoxinA >= 10 weeks in the EU [15].
USUAL_MIN_INTERVAL_WEEKS = 12
USUAL_INTERVAL_SOURCES = (15, 19)
LICENSED_MIN_INTERVAL_WEEKS: dict[Product, tuple[int, tuple[int, ...]]] = {
    Product.INCOBOTULINUMTOXIN_A: (10, (15,)),
}


@dataclass(frozen=True, slots=True)
class ToxinWarning:
    """A warning about toxin treatment that does not by itself weigh on SD candidacy.
    ``policy`` names the local-policy value behind it, when no source gives the figure."""

    code: str
    detail: str
    sources: tuple[int, ...]
    path: str = ""
    policy: str = ""

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "code": self.code,
            "detail": self.detail,
            "sources": list(self.sources),
        }
        if self.path:
            data["path"] = self.path
        if self.policy:
            data["policy"] = self.policy
        return data


def _by_date_then_index(item: tuple[datetime.date, int, ToxinCycle]) -> tuple[datetime.date, int]:
    return item[0], item[1]


def injection_interval_warnings(
    cycles: Sequence[ToxinCycle], *, path: str = "botulinum_toxin.cycles"
) -> tuple[ToxinWarning, ...]:
    """Warn about re-injection intervals shorter than usual [15][19] or than licensed [15]."""
    dated = [(c.date, i, c) for i, c in enumerate(cycles) if c.date is not None]
    if len(dated) < 2:
        return ()
    dated.sort(key=_by_date_then_index)
    warnings = []
    usual_days = USUAL_MIN_INTERVAL_WEEKS * 7
    for (before, _, _), (after, index, cycle) in zip(dated, dated[1:], strict=False):
        days = (after - before).days
        licensed = LICENSED_MIN_INTERVAL_WEEKS.get(cycle.product) if cycle.product else None
        if licensed is not None and days < licensed[0] * 7:
            warnings.append(
                ToxinWarning(
                    "INTERVAL_BELOW_LICENSED_MINIMUM",
                    f"Cycle on {long_date(after)} came {days / 7:.1f} weeks after the one before: "
                    f"less than the {licensed[0]} weeks allowed for {cycle.product} in the EU "
                    "[15].",
                    licensed[1],
                    f"{path}[{index}]",
                )
            )
        elif days < usual_days:
            warnings.append(
                ToxinWarning(
                    "SHORT_INJECTION_INTERVAL",
                    f"Cycle on {long_date(after)} came {days / 7:.1f} weeks after the one before: "
                    f"the usual interval is at least {USUAL_MIN_INTERVAL_WEEKS} weeks and shorter "
                    "intervals raise the risk of antibodies [15][19].",
                    USUAL_INTERVAL_SOURCES,
                    f"{path}[{index}]",
                )
            )
    return tuple(warnings)


# Units per session and per muscle. The figures the reference gives are here, with their
# sources; every other limit is local policy (``TOXIN_UNIT_LIMITS`` in collis.domain.policy).


@dataclass(frozen=True, slots=True)
class UnitsLimit:
    """A limit on units of one product, with where it comes from: sources, or the name of
    the local-policy value (sources empty) when the reference gives no figure."""

    units: float
    what: str
    sources: tuple[int, ...] = ()
    policy: str = ""

    @property
    def origin(self) -> str:
        """The citation: "[46]", or "(local policy; the reference gives no figure)"."""
        if self.sources:
            return "".join(f"[{n}]" for n in self.sources)
        return "(local policy; the reference gives no figure)"

    @property
    def cited(self) -> str:
        """The figure with its origin: "1,000 U [46]", or "300 U (local policy; ...)"."""
        return f"{_u(self.units)} {self.origin}"


# abobotulinumtoxinA in cervical dystonia: 500 U at first; later doses from 250 U up to a
# maximum of 1,000 U per session [46].
LICENSED_MAX_UNITS_PER_SESSION: dict[Product, UnitsLimit] = {
    Product.ABOBOTULINUMTOXIN_A: UnitsLimit(
        1000, "the licensed maximum per session in cervical dystonia", (46,)
    ),
}
LICENSED_FIRST_SESSION_UNITS: dict[Product, UnitsLimit] = {
    Product.ABOBOTULINUMTOXIN_A: UnitsLimit(500, "the licensed first dose", (46,)),
}
LICENSED_MIN_LATER_SESSION_UNITS: dict[Product, UnitsLimit] = {
    Product.ABOBOTULINUMTOXIN_A: UnitsLimit(
        250, "the lowest licensed dose after the first session", (46,)
    ),
}
# Limiting the sternocleidomastoid to 100 U or less of onabotulinumtoxinA may reduce
# dysphagia [13].
MUSCLE_MAX_UNITS: dict[tuple[Product, Muscle], UnitsLimit] = {
    (Product.ONABOTULINUMTOXIN_A, Muscle.STERNOCLEIDOMASTOID): UnitsLimit(
        100, "limiting the sternocleidomastoid to 100 U or less may reduce dysphagia", (13,)
    ),
}


@dataclass(frozen=True, slots=True)
class InjectedUnits:
    """One muscle and side injected in a session, in the product's own units."""

    muscle: str
    side: str
    units: float


@dataclass(frozen=True, slots=True)
class UnitsRefusal:
    """Units that cannot be right (none, negative, or far beyond any limit): the entry is
    refused. ``index`` is the injection's position, or None for the whole session."""

    path: str
    detail: str
    index: int | None = None


@dataclass(frozen=True, slots=True)
class UnitsAssessment:
    """What the units of one session raise: refusals (the entry cannot stand) and warnings
    (it may be recorded once a clinician confirms it, with a reason)."""

    total_units: float
    warnings: tuple[ToxinWarning, ...]
    refusals: tuple[UnitsRefusal, ...]

    @property
    def acceptable(self) -> bool:
        return not self.refusals


def _u(units: float) -> str:
    return f"{units:,.0f} U" if float(units).is_integer() else f"{units:,g} U"


def _where(injected: InjectedUnits) -> str:
    return f"{injected.muscle.replace('_', ' ')} ({injected.side})"


def session_limit(product: Product, limits: ToxinUnitLimits) -> UnitsLimit | None:
    """The per-session maximum that applies: the licensed one [46] or the local-policy one,
    whichever is lower."""
    found = []
    if product in LICENSED_MAX_UNITS_PER_SESSION:
        found.append(LICENSED_MAX_UNITS_PER_SESSION[product])
    local = limits.session_max(product.value)
    if local is not None:
        found.append(
            UnitsLimit(
                local, "the maximum per session", policy="toxin_unit_limits"
            )
        )
    return min(found, key=lambda limit: limit.units) if found else None


def muscle_limit(product: Product, muscle: str, limits: ToxinUnitLimits) -> UnitsLimit | None:
    """The per-muscle maximum that applies (one side): the sourced one or the local-policy
    one, whichever is lower."""
    found = []
    try:
        sourced = MUSCLE_MAX_UNITS.get((product, Muscle(muscle)))
    except ValueError:
        sourced = None
    if sourced is not None:
        found.append(sourced)
    local = limits.muscle_max(product.value, muscle)
    if local is not None:
        found.append(
            UnitsLimit(
                local, "the maximum for this muscle", policy="toxin_unit_limits"
            )
        )
    return min(found, key=lambda limit: limit.units) if found else None


def assess_cycle_units(
    product: Product,
    injections: Sequence[InjectedUnits],
    *,
    first_with_product: bool = False,
    limits: ToxinUnitLimits = TOXIN_UNIT_LIMITS.value,
    path: str = "injections",
) -> UnitsAssessment:
    """Check the units of one session of ``product``, per muscle and per session.

    Refused: units of zero or less, and a session total above ``limits.implausible_factor``
    times its per-session maximum (a typing error, such as an extra zero). Warned: a
    session above its maximum (licensed [46] or local policy), a muscle above its maximum
    (sternocleidomastoid with onabotulinumtoxinA [13], or local policy; a bilateral row
    counts both sides), and for abobotulinumtoxinA a first session above the licensed first
    dose or a later one below the licensed range [46]. Units are never converted between
    products [18]."""
    product = Product(product)
    refusals: list[UnitsRefusal] = []
    warnings: list[ToxinWarning] = []
    for index, injected in enumerate(injections):
        if not injected.units > 0:
            refusals.append(
                UnitsRefusal(
                    f"{path}[{index}].units",
                    f"Units for {_where(injected)} must be more than 0",
                    index,
                )
            )
    total = float(sum(i.units for i in injections if i.units > 0))
    per_session = session_limit(product, limits)
    if per_session is not None and total > per_session.units * limits.implausible_factor:
        refusals.append(
            UnitsRefusal(
                path,
                f"{_u(total)} of {product} in one session is more than "
                f"{limits.implausible_factor:g} times {per_session.what}, {per_session.cited}: "
                "check the units for a typing error, such as an extra zero",
            )
        )
    if refusals:
        return UnitsAssessment(total, (), tuple(refusals))
    if per_session is not None and total > per_session.units:
        code = (
            "ABOVE_LICENSED_SESSION_MAXIMUM" if per_session.sources else "ABOVE_SESSION_MAXIMUM"
        )
        warnings.append(
            ToxinWarning(
                code,
                f"{_u(total)} of {product} in one session is more than {per_session.what}, "
                f"{per_session.cited}.",
                per_session.sources,
                path,
                per_session.policy,
            )
        )
    for index, injected in enumerate(injections):
        limit = muscle_limit(product, injected.muscle, limits)
        if limit is None:
            continue
        both = injected.side == MuscleSide.BILATERAL
        allowed = limit.units * (2 if both else 1)
        if injected.units > allowed:
            figure = f"{_u(allowed)} ({_u(limit.units)} a side)" if both else _u(allowed)
            warnings.append(
                ToxinWarning(
                    "ABOVE_MUSCLE_MAXIMUM",
                    f"{_u(injected.units)} of {product} into the {_where(injected)} is more "
                    f"than {figure}: {limit.what} {limit.origin}.",
                    limit.sources,
                    f"{path}[{index}].units",
                    limit.policy,
                )
            )
    first = LICENSED_FIRST_SESSION_UNITS.get(product)
    lowest = LICENSED_MIN_LATER_SESSION_UNITS.get(product)
    if first_with_product and first is not None and total > first.units:
        warnings.append(
            ToxinWarning(
                "ABOVE_LICENSED_FIRST_DOSE",
                f"This is the first {product} session recorded for the patient: "
                f"{_u(total)} is more than {first.what}, {first.cited}.",
                first.sources,
                path,
            )
        )
    elif not first_with_product and lowest is not None and total < lowest.units:
        warnings.append(
            ToxinWarning(
                "BELOW_LICENSED_RANGE",
                f"{_u(total)} of {product} in one session is less than {lowest.what}, "
                f"{lowest.cited}.",
                lowest.sources,
                path,
            )
        )
    return UnitsAssessment(total, tuple(warnings), ())


@dataclass(frozen=True, slots=True)
class ResponseDerivation:
    """A response pattern derived from cycles (or None), with the reason; always marked derived."""

    pattern: ResponsePattern | None
    reason: str
    derived: bool = True
    policy_name: str = "bont_response_thresholds"
    missing_paths: tuple[str, ...] = ()


def _cycle_text(cycle: ToxinCycle) -> str:
    when = long_date(cycle.date) if cycle.date else "undated"
    return f"{cycle.benefit_percent:g}% for {cycle.benefit_weeks:g} weeks ({when})"


def derive_response_pattern(
    cycles: Sequence[ToxinCycle] | None,
    thresholds: ResponseThresholds = DEFAULT_POLICY.bont_response_thresholds,
    *,
    path: str = "botulinum_toxin.cycles",
) -> ResponseDerivation:
    """Derive the response pattern from cycles using local-policy thresholds.

    Needs at least ``min_cycles`` cycles, each with benefit_percent and benefit_weeks.
    Cycles are taken in date order when all are dated, otherwise in the order listed.
    No useful benefit in any cycle: primary non-response (dose adequacy and muscle selection
    are not judged here). Latest cycle good: good response. An earlier good cycle followed by
    a latest cycle that is not good: secondary non-response (loss of a previously good
    response [20][23]). Otherwise: partial response.
    """
    t = thresholds
    if not cycles:
        return ResponseDerivation(
            None,
            "No cycles are recorded, so the response pattern cannot be derived.",
            missing_paths=(path,),
        )
    incomplete = tuple(
        f"{path}[{i}].{name}"
        for i, c in enumerate(cycles)
        for name in ("benefit_percent", "benefit_weeks")
        if getattr(c, name) is None
    )
    if incomplete:
        return ResponseDerivation(
            None,
            "The response pattern cannot be derived: " + ", ".join(incomplete) + " not recorded.",
            missing_paths=incomplete,
        )
    if len(cycles) < t.min_cycles:
        return ResponseDerivation(
            None,
            f"Only {len(cycles)} cycle(s) recorded; deriving the response pattern needs at least "
            f"{t.min_cycles} (local policy).",
            missing_paths=(path,),
        )
    ordered = list(cycles)
    order = "in the order listed (not all are dated)"
    if all(c.date is not None for c in cycles):
        ordered.sort(key=lambda c: c.date)
        order = "in date order"

    def good(c: ToxinCycle) -> bool:
        return (
            c.benefit_percent >= t.good_min_benefit_percent
            and c.benefit_weeks >= t.good_min_benefit_weeks
        )

    latest = ordered[-1]
    rule = (
        f"good = at least {t.good_min_benefit_percent:g}% benefit for at least "
        f"{t.good_min_benefit_weeks:g} weeks; useful = at least {t.useful_min_benefit_percent:g}%"
    )
    if not any(c.benefit_percent >= t.useful_min_benefit_percent for c in ordered):
        return ResponseDerivation(
            ResponsePattern.PRIMARY_NON_RESPONSE,
            f"None of {len(ordered)} cycles gave a useful benefit ({rule}); dose adequacy and "
            "muscle selection are not judged by Collis.",
        )
    if good(latest):
        return ResponseDerivation(
            ResponsePattern.GOOD_RESPONSE,
            f"The latest of {len(ordered)} cycles, taken {order}, was good: {_cycle_text(latest)} "
            f"({rule}).",
        )
    earlier_good = next((c for c in ordered[:-1] if good(c)), None)
    if earlier_good is not None:
        return ResponseDerivation(
            ResponsePattern.SECONDARY_NON_RESPONSE,
            f"An earlier cycle was good ({_cycle_text(earlier_good)}) but the latest, taken "
            f"{order}, was not: {_cycle_text(latest)} ({rule}).",
        )
    return ResponseDerivation(
        ResponsePattern.PARTIAL_RESPONSE,
        f"At least one of {len(ordered)} cycles was useful but none was good ({rule}).",
    )


@dataclass(frozen=True, slots=True)
class ResistanceTestInfo:
    test: ResistanceTestKind
    description: str
    sources: tuple[int, ...]


RESISTANCE_TESTS: dict[ResistanceTestKind, ResistanceTestInfo] = {
    i.test: i
    for i in (
        ResistanceTestInfo(
            ResistanceTestKind.FRONTALIS,
            "Frontalis test: an asymmetric brow after injection means not resistant.",
            (20,),
        ),
        ResistanceTestInfo(
            ResistanceTestKind.EXTENSOR_DIGITORUM_BREVIS, "Extensor digitorum brevis test.", (21,)
        ),
        ResistanceTestInfo(
            ResistanceTestKind.ANTIBODY_ASSAY,
            "Neutralising antibody assay: 1.2-40% positive depending on the assay; only about half "
            "of treatment failures have antibodies.",
            (20, 21, 22),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class ChecklistStep:
    """One step of the BNN pathway for a poor responder [20]."""

    code: str
    when: str
    action: str
    sources: tuple[int, ...]


POOR_RESPONDER_CHECKLIST: tuple[ChecklistStep, ...] = (
    ChecklistStep(
        "CHECK_RESISTANCE",
        "poor response",
        "Test for resistance: frontalis test, extensor digitorum brevis test or neutralising "
        "antibody assay (only about half of treatment failures have antibodies).",
        (20, 21, 22),
    ),
    ChecklistStep("REVIEW_MUSCLE_SELECTION", "not resistant", "Review muscle selection.", (20,)),
    ChecklistStep(
        "REVIEW_GUIDANCE", "not resistant", "Review guidance (EMG or ultrasound).", (20,)
    ),
    ChecklistStep("REVIEW_DOSE", "not resistant", "Review the dose.", (20,)),
    ChecklistStep("TOXIN_HOLIDAY", "resistant", "Consider a toxin holiday.", (20,)),
    ChecklistStep("BONT_B", "resistant", "Consider botulinum toxin type B.", (20,)),
    ChecklistStep("ANOTHER_BONT_A", "resistant", "Consider another botulinum toxin type A.", (20,)),
    ChecklistStep(
        "SURGERY_OR_DBS",
        "resistant",
        "Consider surgery (selective peripheral denervation) or deep brain stimulation.",
        (20,),
    ),
)

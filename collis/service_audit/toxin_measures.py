"""Reads of the service audit's toxin clinic measures (issue 15, item 3): response patterns,
intervals kept or shortened, secondary non-response over time, dose per product and side
effects, from grouped queries over the unit's current cycles, injections and reviews (no
cycle is loaded to count it), scoped to the actor's unit and audited as one read of the
unit's aggregates (ADR 0020).

Only current entries count: a cycle or review amended or entered in error is left out, as on
the patient's own toxin page (`collis.treatments.selectors.response_summary`). The response
pattern is the domain's (`collis.domain.toxin.derive_response_pattern`, local-policy
thresholds), counted through `collis.domain.toxin_audit.response_pattern_from_facts`."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import ExtractQuarter, ExtractYear, Least
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import RecordStatus
from collis.domain.policy import ResponseThresholds
from collis.domain.toxin import (
    LICENSED_MIN_INTERVAL_WEEKS,
    USUAL_MIN_INTERVAL_WEEKS,
    ResponsePattern,
)
from collis.domain.toxin_audit import ResponseFacts, response_pattern_from_facts
from collis.patients.models import Patient
from collis.policy.selectors import policy_rules_in_force
from collis.service_audit.selectors import AuditFilters, audit_read
from collis.sites.models import Site
from collis.treatments.models import ToxinCycle, ToxinInjection, ToxinReview, ToxinStop

CURRENT = RecordStatus.CURRENT


class Period:
    YEAR = "year"
    QUARTER = "quarter"


@dataclass(frozen=True)
class ProductMeasures:
    """One product in the window: cycles and patients; the total units of each cycle as
    {units: cycles} (in the product's own units, never converted [18]); reviewed cycles
    with each side effect; cycles with a previous cycle of the patient, how many came sooner
    than the usual minimum interval [15][19], and sooner than the product's licensed minimum
    where it has one [15] (None where it has none)."""

    product: str
    cycles: int
    patients: int
    doses: dict
    reviewed: int
    dysphagia: int
    neck_weakness: int
    other_side_effect: int
    any_side_effect: int
    with_previous: int
    shortened: int
    below_licensed: int | None


@dataclass(frozen=True)
class PeriodPatterns:
    """One year (or quarter): the patients treated in it, and the response pattern of each
    patient with a reviewed cycle in it, as it stood at their last reviewed cycle of it."""

    key: tuple
    label: str
    treated: int
    patterns: dict  # ResponsePattern or None -> patients

    @property
    def derived(self) -> int:
        return sum(n for pattern, n in self.patterns.items() if pattern is not None)

    @property
    def secondary(self) -> int:
        return self.patterns.get(ResponsePattern.SECONDARY_NON_RESPONSE, 0)


@dataclass(frozen=True)
class ToxinClinic:
    products: list[ProductMeasures]
    patients: int
    patterns: dict  # ResponsePattern or None -> patients (None: too few reviewed cycles)
    over_time: list[PeriodPatterns]
    period: str
    thresholds: ResponseThresholds
    minimum: int
    computed_at: datetime.datetime
    first_cycle: datetime.date | None
    last_cycle: datetime.date | None
    filters: AuditFilters = field(default_factory=AuditFilters)
    # Of the patients treated in the window: those whose toxin is stopped now (a current
    # stop with no cycle after it) as {(year of the stop, reason): patients}, and those with
    # a stop that a later cycle ended (restarted).
    stopped: dict = field(default_factory=dict)
    restarted: int = 0

    @property
    def stopped_patients(self) -> int:
        return sum(self.stopped.values())

    @property
    def cycles(self) -> int:
        return sum(p.cycles for p in self.products)

    @property
    def derived(self) -> int:
        return sum(n for pattern, n in self.patterns.items() if pattern is not None)

    @property
    def not_derived(self) -> int:
        """Patients treated in the window whose pattern cannot be derived (no reviewed cycle
        in it, or fewer reviewed cycles than the local policy needs)."""
        return self.patients - self.derived


def _windowed(cycles, filters: AuditFilters, *, of_one_patient: bool = False):
    """Cycles given at the chosen site in the chosen year (no patient scope: for checks on
    cycles of a patient already in scope)."""
    if filters.site_id and of_one_patient:
        # Compared as an expression, so that SQLite finds one patient's cycles by the index
        # on patient and date rather than reading every cycle of the site for each patient.
        cycles = cycles.annotate(at_site=ExpressionWrapper(
            F("site_id") + 0, output_field=IntegerField())).filter(at_site=filters.site_id)
    elif filters.site_id:
        cycles = cycles.filter(site_id=filters.site_id)
    if filters.year:
        cycles = cycles.filter(given_on__year=filters.year)
    return cycles.order_by()


def toxin_cycles_of_unit(actor: Actor | None, filters: AuditFilters | None = None, *,
                         organisation_id=None):
    """The current cycles of the actor's unit's patients (or of the unit named, for the
    task worker's summaries), at the chosen site and year."""
    patients = (Patient.objects.filter(organisation_id=organisation_id)
                if organisation_id is not None else Patient.objects.visible_to(actor.user))
    return _windowed(ToxinCycle.objects.current().filter(patient__in=patients),
                     filters or AuditFilters())


def toxin_choices(actor: Actor) -> dict:
    """The sites and years of the unit's cycles, for the filters (shows no patient)."""
    cycles = toxin_cycles_of_unit(actor)
    site_ids = cycles.values_list("site_id", flat=True).distinct()
    years = sorted(set(cycles.annotate(y=ExtractYear("given_on"))
                       .values_list("y", flat=True).distinct()), reverse=True)
    return {"sites": list(Site.objects.filter(pk__in=site_ids).order_by("name")),
            "years": years}


def _current_review_of_cycle():
    return ToxinReview.objects.current().filter(cycle_id=OuterRef("pk"))


def _reviewed(cycles):
    return cycles.filter(Exists(_current_review_of_cycle()))


def _with_response_facts(anchors, thresholds: ResponseThresholds):
    """Each anchor cycle with the facts of its patient's reviewed current cycles up to and
    including it (at any site: the pattern is the patient's), in the domain's order (date,
    then entry). Each subquery starts from the patient's cycles (the index on patient and
    date) and looks up each cycle's review by its cycle: started from the reviews, a
    database may scan every current review for each anchor."""
    history = ToxinCycle.objects.current().filter(patient_id=OuterRef("patient_id")).filter(
        Q(given_on__lt=OuterRef("given_on"))
        | Q(given_on=OuterRef("given_on"), pk__lte=OuterRef("pk"))).order_by()
    good = Q(peak_benefit_percent__gte=thresholds.good_min_benefit_percent,
             benefit_weeks__gte=thresholds.good_min_benefit_weeks)
    useful = Q(peak_benefit_percent__gte=thresholds.useful_min_benefit_percent)
    counted = Subquery(_reviewed(history).values("patient_id").annotate(c=Count("pk"))
                       .values("c")[:1], output_field=IntegerField())
    return anchors.annotate(
        # Capped: the rule only asks whether there are at least `min_cycles`, and the cap
        # keeps the grouped rows few.
        reviewed=Least(counted, Value(thresholds.min_cycles)),
        any_useful=Exists(history.filter(Exists(_current_review_of_cycle().filter(useful)))),
        any_good=Exists(history.filter(Exists(_current_review_of_cycle().filter(good)))),
        latest_good=Exists(_current_review_of_cycle().filter(good)))


def _last_reviewed_in(cycles, filters: AuditFilters, period=None):
    """The reviewed cycles of the window that are their patient's last reviewed one in it
    (in the same period, when `period` is an expression of the cycle's date)."""
    later = _reviewed(_windowed(ToxinCycle.objects.current(), filters,
                                of_one_patient=True)).filter(
        patient_id=OuterRef("patient_id")).filter(
        Q(given_on__gt=OuterRef("given_on"))
        | Q(given_on=OuterRef("given_on"), pk__gt=OuterRef("pk")))
    anchors = _reviewed(cycles)
    if period is not None:
        anchors = anchors.annotate(period=period)
        later = later.annotate(period=period).filter(period=OuterRef("period"))
    return anchors.exclude(Exists(later))


def _patterns(rows, thresholds: ResponseThresholds, key=None) -> dict:
    """Patients per pattern (and per `key` of the row, when given) from grouped fact rows."""
    found: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        pattern = response_pattern_from_facts(ResponseFacts(
            reviewed=row["reviewed"] or 0, any_useful=row["any_useful"],
            any_good=row["any_good"], latest_good=row["latest_good"]), thresholds)
        found[row[key] if key else None][pattern] += row["n"]
    return found


FACT_FIELDS = ("reviewed", "any_useful", "any_good", "latest_good")


def stopping_counts(cycles) -> tuple[dict, int]:
    """Of the patients with a cycle in `cycles`: those whose toxin is stopped now, as
    {(year of the stop, reason): patients}, and how many had a stop that a later current
    cycle ended (toxin restarted). One grouped query; a patient has at most one stop in
    force (`treatments.services.toxin_stop_create`)."""
    later = ToxinCycle.objects.current().filter(patient_id=OuterRef("patient_id"),
                                                given_on__gt=OuterRef("stopped_on"))
    stopped: dict = defaultdict(int)
    restarted = 0
    for row in (ToxinStop.objects.current()
                .filter(patient_id__in=cycles.values("patient_id"))
                .annotate(restarted=Exists(later), year=ExtractYear("stopped_on"))
                .values("restarted", "year", "reason")
                .annotate(n=Count("patient", distinct=True)).order_by()):
        if row["restarted"]:
            restarted += row["n"]
        else:
            stopped[(row["year"], row["reason"])] += row["n"]
    return dict(stopped), restarted


def toxin_clinic_measures(*, actor: Actor | None, filters: AuditFilters,
                          audit: bool = True, organisation_id=None) -> ToxinClinic:
    """The toxin clinic in the window (the unit's current cycles at the chosen site and in
    the chosen year), in a fixed number of grouped queries whatever the number of cycles.
    Response patterns over time are by year, or by quarter when a year is chosen."""
    rules = policy_rules_in_force()
    thresholds = rules.candidacy.bont_response_thresholds
    minimum = rules.audit_min_group_size
    cycles = toxin_cycles_of_unit(actor, filters, organisation_id=organisation_id)
    overall = cycles.aggregate(patients=Count("patient", distinct=True),
                               first=Min("given_on"), last=Max("given_on"))
    base = {row["product"]: row for row in cycles.values("product").annotate(
        cycles=Count("id"), patients=Count("patient", distinct=True))}
    # Dose: the total units of each cycle, counted per product and total (a few hundred
    # rows: doses come in round numbers), never summed across products.
    total_units = Subquery(ToxinInjection.objects.filter(cycle_id=OuterRef("pk")).order_by()
                           .values("cycle_id").annotate(s=Sum("units")).values("s")[:1],
                           output_field=IntegerField())
    doses: dict = defaultdict(dict)
    for row in (cycles.annotate(total=total_units).filter(total__isnull=False)
                .values("product", "total").annotate(n=Count("id"))):
        doses[row["product"]][row["total"]] = row["n"]
    other = ~Q(other_side_effect="")
    reviews = {row["cycle__product"]: row for row in ToxinReview.objects.current().filter(
        cycle__in=cycles.values("pk")).values("cycle__product").annotate(
        # Named apart from the fields: an annotation's name would shadow its field.
        n=Count("cycle", distinct=True),
        n_dysphagia=Count("cycle", distinct=True, filter=Q(dysphagia=True)),
        n_weakness=Count("cycle", distinct=True, filter=Q(neck_weakness=True)),
        n_other=Count("cycle", distinct=True, filter=other),
        n_any=Count("cycle", distinct=True,
                    filter=Q(dysphagia=True) | Q(neck_weakness=True) | other)).order_by()}
    # Intervals: each cycle against the patient's previous current cycle (of any product,
    # at any site, as the domain's interval warning reads them).
    previous = (ToxinCycle.objects.current().filter(
        patient_id=OuterRef("patient_id"), given_on__lt=OuterRef("given_on"))
        .order_by("-given_on").values("given_on")[:1])

    def sooner_than(weeks: int) -> Q:
        return Q(given_on__lt=ExpressionWrapper(
            F("previous") + Value(datetime.timedelta(weeks=weeks)), output_field=DateField()))

    licensed = {f"licensed_{product}": Count("id", filter=Q(product=str(product))
                                             & sooner_than(weeks))
                for product, (weeks, _sources) in LICENSED_MIN_INTERVAL_WEEKS.items()}
    intervals = {row["product"]: row for row in cycles.annotate(previous=Subquery(previous))
                 .filter(previous__isnull=False).values("product").annotate(
                     n=Count("id"), short=Count("id", filter=sooner_than(
                         USUAL_MIN_INTERVAL_WEEKS)), **licensed).order_by()}
    products = []
    for product, row in sorted(base.items()):
        review = reviews.get(product, {})
        interval = intervals.get(product, {})
        has_licensed = f"licensed_{product}" in licensed
        products.append(ProductMeasures(
            product=product, cycles=row["cycles"], patients=row["patients"],
            doses=dict(doses.get(product, {})), reviewed=review.get("n", 0),
            dysphagia=review.get("n_dysphagia", 0), neck_weakness=review.get("n_weakness", 0),
            other_side_effect=review.get("n_other", 0), any_side_effect=review.get("n_any", 0),
            with_previous=interval.get("n", 0), shortened=interval.get("short", 0),
            below_licensed=interval.get(f"licensed_{product}", 0) if has_licensed else None))
    # Response patterns: each patient at their last reviewed cycle of the window.
    anchors = _with_response_facts(_last_reviewed_in(cycles, filters), thresholds)
    patterns = dict(_patterns(anchors.values(*FACT_FIELDS).annotate(n=Count("id")),
                              thresholds).get(None, {}))
    # Over time: the same, per year (or per quarter of the chosen year).
    period = Period.QUARTER if filters.year else Period.YEAR
    expression = ExtractQuarter("given_on") if filters.year else ExtractYear("given_on")
    treated = {row["period"]: row["n"] for row in cycles.annotate(period=expression)
               .values("period").annotate(n=Count("patient", distinct=True))}
    by_period = _patterns(
        _with_response_facts(_last_reviewed_in(cycles, filters, expression), thresholds)
        .values("period", *FACT_FIELDS).annotate(n=Count("id")), thresholds, key="period")
    over_time = [
        PeriodPatterns(key=(filters.year, key) if filters.year else (key,),
                       label=f"{filters.year} Q{key}" if filters.year else str(key),
                       treated=n, patterns=dict(by_period.get(key, {})))
        for key, n in sorted(treated.items())]
    stopped, restarted = stopping_counts(cycles)
    result = ToxinClinic(
        products=products, patients=overall["patients"] or 0, patterns=patterns,
        over_time=over_time, period=period, thresholds=thresholds, minimum=minimum,
        computed_at=timezone.now(), first_cycle=overall["first"], last_cycle=overall["last"],
        filters=filters, stopped=stopped, restarted=restarted)
    if audit:
        audit_read(actor, "toxin clinic measures", filters, cycles=result.cycles,
                   patients=result.patients)
    return result

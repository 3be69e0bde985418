"""Reads of the service audit: outcomes and complications after selective denervation,
aggregated in the database (grouped queries; no record of a patient is loaded to count it),
scoped to the actor's unit and audited as one read of the unit's aggregates.

The unit of analysis is the operation: the current operation note of an episode
(collis.outcomes). A group (a surgeon, a site, a year) with fewer operations than the
local-policy minimum is not shown; the unit's figures add up every group, shown or not."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from collis.assessments.models import Scale, ScaleAssessment
from collis.consent.models import RiskDisclosure
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, RecordStatus, User
from collis.domain.audit_statistics import (
    Comparison,
    PairedChange,
    Proportion,
    SurvivalStep,
    compare_with_disclosed,
    disclosed_range,
    kaplan_meier,
    paired_change_from_sums,
    proportion_wilson,
    suppressed,
)
from collis.domain.funding import FUNDING_FINAL, FundingStatus
from collis.domain.outcome_audit import (
    AUDIT_POINTS,
    LAST_FOLLOW_UP,
    MEASURE_FIELDS,
    FurtherSurgeryEndpoint,
    Measure,
    months_between,
)
from collis.domain.risks import Intervention, risks_for
from collis.outcomes.models import (
    Complication,
    FollowUpReview,
    FurtherSurgery,
    FurtherSurgeryKind,
    Operation,
)
from collis.patients.models import Patient
from collis.policy.selectors import policy_in_force
from collis.service_audit.models import AuditSnapshot, ResearchExtract
from collis.sites.models import Site

CURRENT = RecordStatus.CURRENT
# The catalogue's risk that further surgery of the kind 'reoperation' is an instance of.
REOPERATION_RISK = "SD_REOPERATION"


class GroupBy:
    SURGEON = "surgeon"
    SITE = "site"
    YEAR = "year"
    CHOICES = ((SURGEON, "Surgeon"), (SITE, "Site"), (YEAR, "Year of the operation"))


@dataclass(frozen=True)
class AuditFilters:
    """Which operations the audit counts: all of the unit's, or one surgeon's, one site's,
    one year's; and how the rows are grouped."""

    surgeon_id: int | None = None
    site_id: int | None = None
    year: int | None = None
    group_by: str = GroupBy.SURGEON

    def as_dict(self) -> dict:
        return {"surgeon": self.surgeon_id, "site": self.site_id, "year": self.year,
                "group_by": self.group_by}


def operations_of_unit(actor: Actor, filters: AuditFilters | None = None):
    """The current operation notes of the actor's unit's patients, filtered."""
    filters = filters or AuditFilters()
    operations = Operation.objects.current().filter(
        patient__in=Patient.objects.visible_to(actor.user))
    if filters.surgeon_id:
        operations = operations.filter(surgeon_id=filters.surgeon_id)
    if filters.site_id:
        operations = operations.filter(site_id=filters.site_id)
    if filters.year:
        operations = operations.filter(operated_on__year=filters.year)
    return operations.order_by()


def _group_field(group_by: str) -> str:
    return {GroupBy.SURGEON: "surgeon_id", GroupBy.SITE: "site_id",
            GroupBy.YEAR: "year"}[group_by]


def _grouped(operations, group_by: str):
    """The operations with a `group` value to group by."""
    if group_by == GroupBy.YEAR:
        return operations.annotate(group=ExtractYear("operated_on"))
    return operations.annotate(group=F(_group_field(group_by)))


def group_labels(group_by: str, keys) -> dict:
    """What people call each group: the surgeon's name, the site's name, the year."""
    keys = [k for k in keys if k is not None]
    if group_by == GroupBy.SURGEON:
        return {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    if group_by == GroupBy.SITE:
        return {s.pk: s.name for s in Site.objects.filter(pk__in=keys)}
    return {k: str(k) for k in keys}


def audit_choices(actor: Actor) -> dict:
    """The surgeons, sites and years the unit's operations have, for the filters (grouped
    queries over the unit's operations; shows no patient)."""
    operations = operations_of_unit(actor)
    surgeon_ids = operations.values_list("surgeon_id", flat=True).distinct()
    site_ids = operations.values_list("site_id", flat=True).distinct()
    years = sorted(set(operations.annotate(y=ExtractYear("operated_on"))
                       .values_list("y", flat=True).distinct()), reverse=True)
    return {
        "surgeons": sorted(User.objects.filter(pk__in=surgeon_ids), key=lambda u:
                           u.display_name),
        "sites": list(Site.objects.filter(pk__in=site_ids).order_by("name")),
        "years": years,
    }


def min_group_size() -> int:
    """The local-policy minimum size of a group the audit shows."""
    return policy_in_force().policy.audit_min_group_size


# -- Complications against what was disclosed ------------------------------------------
@dataclass(frozen=True)
class ComplicationCell:
    """One risk in one group: told of it, had it (among those told), had it without having
    been told, the observed rate with its interval and the comparison with the disclosed
    range; or suppressed (the group is too small to show)."""

    told: int
    had: int
    had_untold: int
    suppressed: bool
    observed: Proportion | None
    comparison: Comparison | None

    @property
    def flagged(self) -> bool:
        return self.comparison in (Comparison.ABOVE, Comparison.ABOVE_CLEARLY)


@dataclass(frozen=True)
class ComplicationRow:
    """One catalogued risk: what consent forms quoted for it (each distinct set of frozen
    figures), the unit's cell and each group's."""

    code: str
    name: str
    disclosed_figures: list[dict]
    disclosed_range: tuple[float, float] | None
    disclosed_versions: int
    unit: ComplicationCell
    groups: dict = field(default_factory=dict)

    @property
    def flagged_groups(self) -> list:
        return [key for key, cell in self.groups.items() if cell.flagged]


@dataclass(frozen=True)
class ComplicationAudit:
    rows: list[ComplicationRow]
    group_by: str
    group_labels: dict
    group_sizes: dict
    operations: int
    minimum: int
    computed_at: datetime.datetime
    first_operation: datetime.date | None
    last_operation: datetime.date | None

    @property
    def flagged(self) -> list[ComplicationRow]:
        return [r for r in self.rows if r.unit.flagged or r.flagged_groups]

    def group_shown(self, key) -> bool:
        return not suppressed(self.group_sizes.get(key, 0), self.minimum)


def _disclosures_before(operations):
    """The disclosures of current counselling sessions of each operation's episode held on
    or before the day of the operation: what the patient had been told."""
    return RiskDisclosure.objects.filter(
        session__episode_id=OuterRef("episode_id"),
        session__record_status=CURRENT,
        session__held_on__lte=OuterRef("operated_on"))


def _cell(*, told: int, had: int, had_untold: int, minimum: int,
          disclosed: tuple[float, float] | None) -> ComplicationCell:
    if suppressed(told, minimum):
        return ComplicationCell(told, had, had_untold, True, None, None)
    observed = proportion_wilson(had, told)
    return ComplicationCell(told, had, had_untold, False, observed,
                            compare_with_disclosed(observed, disclosed))


def complications_against_disclosed(*, actor: Actor, filters: AuditFilters,
                                    audit: bool = True) -> ComplicationAudit:
    """For each catalogued risk of SD: operations whose patient was told of it, how many of
    them had it (a current complication recorded in follow-up, coded in the operation note,
    or for reoperation a reoperation recorded as further surgery), the rate with its Wilson
    interval against the range the consent form quoted, for the unit and for each group. A
    fixed number of grouped queries."""
    minimum = min_group_size()
    operations = _grouped(operations_of_unit(actor, filters), filters.group_by)
    sizes = {row["group"]: row["n"] for row in
             operations.values("group").annotate(n=Count("id"))}
    span = operations.aggregate(first=Min("operated_on"), last=Max("operated_on"))
    # Told: (risk, group) -> operations whose episode disclosed the risk before the operation.
    told_rows = (operations.filter(
        episode__counselling_sessions__record_status=CURRENT,
        episode__counselling_sessions__held_on__lte=F("operated_on"))
        .values("group", risk=F("episode__counselling_sessions__disclosures__risk_code"))
        .annotate(n=Count("id", distinct=True)))
    told: dict = defaultdict(int)
    for row in told_rows:
        told[(row["risk"], row["group"])] = row["n"]
    # Had: complications recorded in follow-up (current), one per operation and risk,
    # split by whether the risk had been disclosed.
    was_told = Exists(_disclosures_before(operations).filter(risk_code=OuterRef("risk")))
    had: dict = defaultdict(int)
    untold: dict = defaultdict(int)
    complication_rows = (operations.filter(episode__complications__record_status=CURRENT)
                         .annotate(risk=F("episode__complications__risk_code"))
                         .annotate(told=was_told)
                         .values("group", "risk", "told")
                         .annotate(n=Count("id", distinct=True)))
    counted: set = set()
    for row in complication_rows:
        target = had if row["told"] else untold
        target[(row["risk"], row["group"])] += row["n"]
    # A reoperation recorded as further surgery is the catalogue's "Reoperation" risk
    # (unless a complication of that code was recorded for the episode too: counted once).
    reoperated = (operations.filter(
        episode__further_surgeries__record_status=CURRENT,
        episode__further_surgeries__kind=FurtherSurgeryKind.REOPERATION)
        .exclude(Exists(Complication.objects.current().filter(
            episode_id=OuterRef("episode_id"), risk_code=REOPERATION_RISK)))
        .annotate(told=Exists(_disclosures_before(operations).filter(
            risk_code=REOPERATION_RISK)))
        .values("group", "told").annotate(n=Count("id", distinct=True)))
    for row in reoperated:
        target = had if row["told"] else untold
        target[(REOPERATION_RISK, row["group"])] += row["n"]
    # The few operations with complications coded in the note itself (intra-operative):
    # those not already counted from follow-up for the same risk.
    coded = list(operations.exclude(complication_codes=[]).values_list(
        "pk", "episode_id", "group", "complication_codes"))
    if coded:
        episodes = [episode for _pk, episode, _g, _codes in coded]
        followed = set(Complication.objects.current().filter(episode_id__in=episodes)
                       .values_list("episode_id", "risk_code"))
        disclosed = set(RiskDisclosure.objects.filter(
            session__episode_id__in=episodes, session__record_status=CURRENT)
            .values_list("session__episode_id", "risk_code"))
        for _pk, episode, group, codes in coded:
            for code in set(codes):
                if (episode, code) in followed or (episode, code) in counted:
                    continue
                counted.add((episode, code))
                target = had if (episode, code) in disclosed else untold
                target[(code, group)] += 1
    # The figures the consent forms quoted, as frozen: each distinct set per risk.
    frozen: dict[str, list] = defaultdict(list)
    for code, figures in (RiskDisclosure.objects.filter(
            session__episode__operations__in=operations.values("pk"))
            .values_list("risk_code", "figures").distinct()):
        if figures not in frozen[code]:
            frozen[code].append(figures)
    rows = []
    for risk in risks_for(Intervention.SELECTIVE_DENERVATION):
        versions = frozen.get(risk.code, [])
        figures = [f for version in versions for f in version]
        unique_figures = []
        for f in figures:
            if f not in unique_figures:
                unique_figures.append(f)
        span_disclosed = disclosed_range(unique_figures)
        groups = {}
        for key in sizes:
            groups[key] = _cell(told=told[(risk.code, key)], had=had[(risk.code, key)],
                                had_untold=untold[(risk.code, key)], minimum=minimum,
                                disclosed=span_disclosed)
        unit = _cell(told=sum(told[(risk.code, k)] for k in sizes),
                     had=sum(had[(risk.code, k)] for k in sizes),
                     had_untold=sum(untold[(risk.code, k)] for k in sizes),
                     minimum=minimum, disclosed=span_disclosed)
        rows.append(ComplicationRow(risk.code, risk.name, unique_figures, span_disclosed,
                                    len(versions), unit, groups))
    result = ComplicationAudit(
        rows=rows, group_by=filters.group_by, group_labels=group_labels(filters.group_by,
                                                                        sizes),
        group_sizes=sizes, operations=sum(sizes.values()), minimum=minimum,
        computed_at=timezone.now(), first_operation=span["first"], last_operation=span["last"])
    if audit:
        audit_read(actor, "complications against what was disclosed", filters,
                    operations=result.operations)
    return result


def audit_read(actor: Actor, what: str, filters: AuditFilters, **counts) -> None:
    """One entry for a read of the unit's aggregates: it names no patient (none is shown)."""
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="service_audit",
                 summary=f"Viewed the service audit: {what}",
                 details={"filters": filters.as_dict(), **counts})


# -- Outcomes: paired change from baseline ---------------------------------------------
@dataclass(frozen=True)
class OutcomeCell:
    """One measure at one point in one group: the paired change (None when suppressed or
    no pairs), and for TWSTRS total how many reached the minimal clinically important
    change."""

    n: int
    suppressed: bool
    change: PairedChange | None
    reached_mcic: Proportion | None = None


@dataclass(frozen=True)
class OutcomeAudit:
    measures: tuple[Measure, ...]
    points: tuple
    unit: dict  # (measure, point) -> OutcomeCell
    groups: dict  # group -> {(measure, point) -> OutcomeCell}
    group_by: str
    group_labels: dict
    group_sizes: dict
    operations: int
    minimum: int
    mcic_points: float
    computed_at: datetime.datetime
    first_operation: datetime.date | None
    last_operation: datetime.date | None

    def group_shown(self, key) -> bool:
        return not suppressed(self.group_sizes.get(key, 0), self.minimum)


def _scale_value(scale: str, value_field: str, *, before: bool):
    """A subquery of an operation's baseline score (the last current one before the day of
    the operation) for a scale and field."""
    assessments = ScaleAssessment.objects.filter(
        patient_id=OuterRef("patient_id"), record_status=CURRENT, scale=scale,
        **{f"{value_field}__isnull": False})
    if before:
        assessments = assessments.filter(assessed_on__lt=OuterRef("operated_on"))
    return Subquery(assessments.order_by("-assessed_on", "-created_at", "-id")
                    .values(value_field)[:1], output_field=FloatField())


def _review_value(scale: str, value_field: str, point):
    """A subquery of the score at a review point (the current review's scale), or at the
    last current review that has the scale for `LAST_FOLLOW_UP`."""
    reviews = FollowUpReview.objects.filter(
        episode_id=OuterRef("episode_id"), record_status=CURRENT,
        **{f"{scale}__record_status": CURRENT, f"{scale}__{value_field}__isnull": False})
    if point == LAST_FOLLOW_UP:
        reviews = reviews.order_by("-months_after", "-id")
    else:
        reviews = reviews.filter(months_after=point).order_by("-id")
    return Subquery(reviews.values(f"{scale}__{value_field}")[:1], output_field=FloatField())


def outcomes_paired(*, actor: Actor, filters: AuditFilters,
                    measures: tuple[Measure, ...] = tuple(Measure),
                    audit: bool = True) -> OutcomeAudit:
    """Change of each measure from the pre-operative baseline to each audit point, for the
    unit and each group: the number of pairs, the mean change with its 95% interval, and
    the share reaching the minimal clinically important change in TWSTRS total (local
    policy [10]). Sums come from one grouped query for every measure and point (each
    baseline and review score read once per operation); the unit adds
    the groups' sums (they are additive), so every group counts in the unit's figure even
    when it is too small to show."""
    minimum = min_group_size()
    mcic = policy_in_force().policy.candidacy.twstrs_mcic_points
    operations = _grouped(operations_of_unit(actor, filters), filters.group_by)
    # The groups' sizes and the span of dates in one grouped query.
    spans = list(operations.values("group").annotate(
        n=Count("id"), first=Min("operated_on"), last=Max("operated_on")))
    sizes = {row["group"]: row["n"] for row in spans}
    span = {"first": min((row["first"] for row in spans), default=None),
            "last": max((row["last"] for row in spans), default=None)}
    values: dict = {}
    pairs: dict = {}
    for measure in measures:
        scale, value_field = MEASURE_FIELDS[measure]
        scale_code = Scale.TWSTRS if scale == "twstrs" else Scale.TSUI
        values[f"b_{measure}"] = _scale_value(scale_code, value_field, before=True)
        for point in AUDIT_POINTS:
            values[f"a_{measure}_{point}"] = _review_value(scale, value_field, point)
            pairs[(measure, point)] = (f"b_{measure}", f"a_{measure}_{point}",
                                       mcic if measure == Measure.TWSTRS_TOTAL else None)
    unit: dict = {}
    groups: dict = defaultdict(dict)
    for key, by_group in _paired_sums(operations, values, pairs,
                                      group_by=filters.group_by).items():
        with_mcic = key[0] == Measure.TWSTRS_TOTAL
        total = {"n": 0, "sum_before": 0.0, "sum_after": 0.0, "sum_diff": 0.0,
                 "sum_diff2": 0.0, "reached": 0}
        for group, row in by_group.items():
            for name in total:
                total[name] += row.get(name) or 0
            groups[group][key] = _outcome_cell(
                row, minimum=sizes.get(group, 0) < minimum, with_mcic=with_mcic)
        unit[key] = _outcome_cell(
            total, minimum=sum(sizes.values()) < minimum, with_mcic=with_mcic)
    result = OutcomeAudit(
        measures=measures, points=AUDIT_POINTS, unit=unit, groups=dict(groups),
        group_by=filters.group_by, group_labels=group_labels(filters.group_by, sizes),
        group_sizes=sizes, operations=sum(sizes.values()), minimum=minimum, mcic_points=mcic,
        computed_at=timezone.now(), first_operation=span["first"], last_operation=span["last"])
    if audit:
        audit_read(actor, "outcomes from baseline", filters, operations=result.operations)
    return result


def _paired_sums(operations, values: dict, pairs: dict, *, group_by: str) -> dict:
    """The paired sums of many (before, after) pairs in one grouped query. `values` names
    the per-operation subqueries, each run once per operation (a baseline is shared by the
    points paired with it); `pairs` maps each key to (before name, after name, and the
    minimal clinically important change to count, or None). Returns {key: {group: sums}},
    a group only where it has a pair, as a grouped query per pair would. The inner query is
    the ORM's; the outer one adds up over it as a derived table (which the ORM does not
    write), with CASE rather than FILTER so that it reads the same on every database."""
    inner = operations.annotate(**values).values("group", *values)
    sql, params = inner.query.sql_with_params()
    q = connection.ops.quote_name
    columns, outer_params = [], []
    for before, after, mcic in pairs.values():
        both = f"{q(before)} IS NOT NULL AND {q(after)} IS NOT NULL"
        diff = f"({q(after)} - {q(before)})"
        columns += [f"COUNT(CASE WHEN {both} THEN 1 END)",
                    f"SUM(CASE WHEN {both} THEN {q(before)} END)",
                    f"SUM(CASE WHEN {both} THEN {q(after)} END)",
                    f"SUM(CASE WHEN {both} THEN {diff} END)",
                    f"SUM(CASE WHEN {both} THEN {diff} * {diff} END)"]
        if mcic is not None:
            columns.append(f"COUNT(CASE WHEN {both} AND {diff} <= %s THEN 1 END)")
            outer_params.append(-mcic)
    # Only names quoted by the database's own quoting and the ORM's compiled SQL are
    # written into the statement; every value is a parameter.
    statement = (f"SELECT {q('group')}, {', '.join(columns)} FROM ({sql}) pairs "  # noqa: S608
                 f"GROUP BY {q('group')}")
    with connection.cursor() as cursor:
        cursor.execute(statement, [*outer_params, *params])  # in the order they are written
        rows = cursor.fetchall()
    result: dict = {key: {} for key in pairs}
    for row in rows:
        group = row[0]
        if group is not None and group_by == GroupBy.YEAR:
            group = int(group)
        at = 1
        for key, (_before, _after, mcic) in pairs.items():
            n, sum_before, sum_after, sum_diff, sum_diff2 = row[at:at + 5]
            at += 5
            sums = {"n": n, "sum_before": _float(sum_before), "sum_after": _float(sum_after),
                    "sum_diff": _float(sum_diff), "sum_diff2": _float(sum_diff2)}
            if mcic is not None:
                sums["reached"] = row[at]
                at += 1
            if n:
                result[key][group] = sums
    return result


def _float(value):
    return None if value is None else float(value)


def _outcome_cell(sums: dict, *, minimum: bool, with_mcic: bool) -> OutcomeCell:
    """A cell from its sums; `minimum`: the group is smaller than the minimum to show."""
    n = sums["n"]
    if minimum or n == 0:
        return OutcomeCell(n, minimum, None)
    change = paired_change_from_sums(
        n=n, sum_before=sums["sum_before"], sum_after=sums["sum_after"],
        sum_difference=sums["sum_diff"], sum_difference_squared=sums["sum_diff2"])
    reached = proportion_wilson(sums["reached"], n) if with_mcic else None
    return OutcomeCell(n, False, change, reached)


# -- Time to reoperation or conversion to DBS -----------------------------------------
@dataclass(frozen=True)
class SurvivalCurve:
    endpoint: FurtherSurgeryEndpoint
    operations: int
    events: int
    steps: tuple[SurvivalStep, ...]
    suppressed: bool
    computed_at: datetime.datetime


def further_surgery_survival(*, actor: Actor, filters: AuditFilters,
                             endpoint: FurtherSurgeryEndpoint,
                             audit: bool = True) -> SurvivalCurve:
    """Kaplan-Meier time from the operation to the first reoperation (or conversion to DBS):
    an operation without one is censored at its last follow-up review (the last day it is
    known to have had none), or at the operation if it has no review yet. One row per
    operation (three dates): SD operations are counted in hundreds a year, not millions."""
    minimum = min_group_size()
    operations = operations_of_unit(actor, filters)
    first_event = FurtherSurgery.objects.filter(
        episode_id=OuterRef("episode_id"), record_status=CURRENT, kind=str(endpoint),
    ).order_by("performed_on").values("performed_on")[:1]
    last_review = FollowUpReview.objects.filter(
        episode_id=OuterRef("episode_id"), record_status=CURRENT,
    ).order_by("-reviewed_on").values("reviewed_on")[:1]
    rows = operations.annotate(event_on=Subquery(first_event),
                               seen_on=Subquery(last_review)).values_list(
        "operated_on", "event_on", "seen_on")
    observations = []
    for operated_on, event_on, seen_on in rows:
        if event_on is not None:
            observations.append((months_between(operated_on, event_on), True))
        else:
            observations.append((months_between(operated_on, seen_on or operated_on), False))
    n = len(observations)
    hidden = suppressed(n, minimum)
    steps = () if hidden or not observations else kaplan_meier(observations)
    if audit:
        audit_read(actor, f"time to {endpoint.replace('_', ' ')}", filters, operations=n)
    return SurvivalCurve(endpoint, n, sum(1 for _, e in observations if e), steps, hidden,
                         timezone.now())


# -- Snapshots computed by the worker ---------------------------------------------------
def audit_snapshot_get(*, actor: Actor, snapshot_id) -> AuditSnapshot:
    """A snapshot of the actor's unit (404 for another unit's or none). Shows no patient."""
    try:
        return AuditSnapshot.objects.select_related("requested_by").get(
            pk=snapshot_id, organisation_id=getattr(actor.user, "organisation_id", None))
    except (AuditSnapshot.DoesNotExist, ValueError, TypeError):
        raise Http404("No snapshot has this id.") from None


def audit_snapshot_list(*, actor: Actor, kind: str, limit: int = 5) -> list[AuditSnapshot]:
    """The unit's latest snapshots of a page, newest first."""
    return list(AuditSnapshot.objects.filter(
        organisation_id=getattr(actor.user, "organisation_id", None), kind=kind)
        .select_related("requested_by").defer("tables")[:limit])


# -- Service measures -----------------------------------------------------------------
@dataclass(frozen=True)
class ServiceMeasures:
    """Waits (referral to MDT decision, MDT decision to operation, referral to operation)
    as distributions; operations by site and year; did-not-attend rates by site and type."""

    referral_to_mdt: object
    mdt_to_operation: object
    referral_to_operation: object
    operations: int
    activity: list  # (site name, year, operations)
    attendance: list  # (site name, appointment type, attended or not, did not attend)
    computed_at: datetime.datetime
    first_operation: datetime.date | None
    last_operation: datetime.date | None
    minimum: int
    funding_wait: object = None  # days from submission to decision
    funding_decided: int = 0
    funding_declined: int = 0
    enquiry_reply_hours: object = None
    enquiries_unanswered: int = 0


def service_measures(*, actor: Actor, filters: AuditFilters, today: datetime.date | None = None,
                     audit: bool = True) -> ServiceMeasures:
    """The service's measures for the operations the filters choose. Waits read three dates
    per operation (the referral, the first MDT decision, the operation: hundreds a year);
    activity and attendance are grouped queries."""
    from collis.domain.audit_statistics import distribution_of
    from collis.domain.outcome_audit import RTT_STANDARD_DAYS
    from collis.mdt.models import MdtDecision
    from collis.scheduling.models import Appointment

    today = today or timezone.localdate()
    operations = operations_of_unit(actor, filters)
    first_decision = (MdtDecision.objects.filter(episode_id=OuterRef("episode_id"))
                      .order_by("created_at").values("created_at")[:1])
    rows = list(operations.annotate(decided_at=Subquery(first_decision)).values_list(
        "episode__referral_received_on", "decided_at", "operated_on"))
    to_mdt, mdt_to_op, to_op = [], [], []
    for received, decided_at, operated_on in rows:
        to_op.append((operated_on - received).days)
        if decided_at is not None:
            decided = timezone.localtime(decided_at).date()
            to_mdt.append((decided - received).days)
            mdt_to_op.append((operated_on - decided).days)
    span = operations.aggregate(first=Min("operated_on"), last=Max("operated_on"))
    activity = [(row["site__name"], row["year"], row["n"]) for row in
                operations.annotate(year=ExtractYear("operated_on"))
                .values("site__name", "year").annotate(n=Count("id"))
                .order_by("site__name", "year")]
    kept = Appointment.objects.filter(
        patient__in=Patient.objects.visible_to(actor.user),
        starts_at__date__lt=today,
        status__in=["arrived", "seen", "did_not_attend"])
    if filters.site_id:
        kept = kept.filter(session__room__site_id=filters.site_id)
    if filters.year:
        kept = kept.filter(starts_at__year=filters.year)
    attendance = [(row["session__room__site__name"], row["appointment_type"], row["n"],
                   row["dna"]) for row in
                  kept.values("session__room__site__name", "appointment_type")
                  .annotate(n=Count("id"), dna=Count("id", filter=Q(status="did_not_attend")))
                  .order_by("session__room__site__name", "appointment_type")]
    funding = _funding_measures(actor, filters)
    enquiries = _enquiry_measures(actor, filters)
    result = ServiceMeasures(
        **funding, **enquiries,
        referral_to_mdt=distribution_of(to_mdt),
        mdt_to_operation=distribution_of(mdt_to_op),
        referral_to_operation=distribution_of(to_op, standard_days=RTT_STANDARD_DAYS),
        operations=len(rows), activity=activity, attendance=attendance,
        computed_at=timezone.now(), first_operation=span["first"], last_operation=span["last"],
        minimum=min_group_size())
    if audit:
        audit_read(actor, "service measures", filters, operations=len(rows))
    return result


# -- Research extracts ------------------------------------------------------------------
def research_extract_list(*, actor: Actor, limit: int = 20) -> list[ResearchExtract]:
    """The unit's extracts, newest first (the log of who asked, why and when)."""
    return list(ResearchExtract.objects.filter(
        organisation_id=getattr(actor.user, "organisation_id", None))
        .select_related("requested_by").defer("content", "report")[:limit])


def research_extract_get(*, actor: Actor, extract_id) -> ResearchExtract:
    try:
        return ResearchExtract.objects.select_related("requested_by").get(
            pk=extract_id, organisation_id=getattr(actor.user, "organisation_id", None))
    except (ResearchExtract.DoesNotExist, ValueError, TypeError):
        raise Http404("No extract has this id.") from None


def research_extract_download(*, actor: Actor, extract_id, fmt: str = "csv"
                              ) -> ResearchExtract:
    """The extract (its CSV, or with `fmt` "ndjson" its FHIR resources), to be downloaded by
    the person who asked for it and no one else, once the worker has built it and until it
    expires; each download is in the audit log."""
    extract = research_extract_get(actor=actor, extract_id=extract_id)
    if extract.requested_by_id != actor.user.pk:
        raise PermissionDenied("Only the person who asked for this extract can download it.")
    if not extract.downloadable or (fmt == "ndjson" and not extract.fhir_file):
        raise Http404("This extract cannot be downloaded: it is not ready, it failed, or it "
                      "has expired and its file was deleted.")
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="research_extract",
                 object_id=extract.pk,
                 summary=f"Downloaded research extract {extract.pk} ({fmt.upper()})")
    return extract


def _funding_measures(actor: Actor, filters: AuditFilters) -> dict:
    """Funding requests of the unit's patients decided (in the year, if chosen): the days
    from submission to decision, and how many were declined."""
    from collis.domain.audit_statistics import distribution_of
    from collis.mdt.models import FundingRequest

    decided = FundingRequest.objects.filter(
        patient__in=Patient.objects.visible_to(actor.user),
        status__in=sorted(FUNDING_FINAL),
        submitted_on__isnull=False, decided_on__isnull=False)
    if filters.year:
        decided = decided.filter(decided_on__year=filters.year)
    rows = list(decided.values_list("submitted_on", "decided_on", "status"))
    return {"funding_wait": distribution_of([(d - s).days for s, d, _ in rows]),
            "funding_decided": len(rows),
            "funding_declined": sum(1 for *_, status in rows if status == FundingStatus.DECLINED)}


def _enquiry_measures(actor: Actor, filters: AuditFilters) -> dict:
    """Enquiries from the public to the unit (in the year, if chosen): hours from arrival
    to the first reply, and how many have none yet."""
    from collis.domain.audit_statistics import distribution_of
    from collis.enquiries.models import Enquiry, EnquiryEvent

    enquiries = Enquiry.objects.filter(
        organisation_id=getattr(actor.user, "organisation_id", None))
    if filters.site_id:
        enquiries = enquiries.filter(site_id=filters.site_id)
    if filters.year:
        enquiries = enquiries.filter(submitted_at__year=filters.year)
    first_reply = (EnquiryEvent.objects.filter(enquiry_id=OuterRef("pk"), kind="reply")
                   .order_by("at").values("at")[:1])
    rows = list(enquiries.annotate(replied=Subquery(first_reply))
                .values_list("submitted_at", "replied"))
    hours = [(replied - sent).total_seconds() / 3600 for sent, replied in rows if replied]
    return {"enquiry_reply_hours": distribution_of(hours),
            "enquiries_unanswered": sum(1 for _, replied in rows if replied is None)}


# -- Toxin clinic measures ------------------------------------------------------------


# -- Patient-reported outcomes: the portal's questionnaires ----------------------------------
# The TWSTRS sections the portal asks the patient (collis.domain.questionnaires), each scored
# on the response when it is sent; the occasion after the operation for each audit point.
PATIENT_REPORTED = (("disability", "TWSTRS disability (0-30), answered by the patient"),
                    ("pain", "TWSTRS pain (0-20), answered by the patient"))
PATIENT_REPORTED_POINTS = {3: "after_surgery_3", 6: "after_surgery_6",
                           12: "after_surgery_12"}


@dataclass(frozen=True)
class PatientReportedAudit:
    """Paired change of each patient-reported score from the surgical baseline questionnaire
    to the 3, 6 and 12-month ones: for the unit and each group, {(score, point): cell}."""

    unit: dict
    groups: dict
    group_by: str
    group_labels: dict
    group_sizes: dict
    operations: int
    minimum: int


def _response_score(score: str, *, reason: str, after: bool):
    """A subquery of the operation's patient's submitted questionnaire score: the baseline
    (the latest sent on or before the day of the operation) or the one due `reason` after
    it (the latest due after the operation)."""
    from collis.questionnaires.models import QuestionnaireResponse

    responses = QuestionnaireResponse.objects.filter(
        patient_id=OuterRef("patient_id"), reason=reason, submitted_at__isnull=False,
        **{f"{score}__isnull": False})
    if after:
        responses = responses.filter(due_on__gt=OuterRef("operated_on"))
        order = ("-due_on", "-pk")
    else:
        responses = responses.filter(submitted_at__date__lte=OuterRef("operated_on"))
        order = ("-submitted_at", "-pk")
    return Subquery(responses.order_by(*order).values(score)[:1], output_field=FloatField())


def patient_reported_paired(*, actor: Actor, filters: AuditFilters,
                            audit: bool = True) -> PatientReportedAudit:
    """The portal's TWSTRS disability and pain sections, answered by the patient, as paired
    change from the surgical baseline questionnaire, per operation, in the same grouped sums
    as the clinicians' scores (one grouped query for them all). A group with fewer operations
    than the minimum is not shown, nor a cell with fewer pairs than it."""
    minimum = min_group_size()
    operations = _grouped(operations_of_unit(actor, filters), filters.group_by)
    sizes = {row["group"]: row["n"] for row in
             operations.values("group").annotate(n=Count("id"))}
    values: dict = {}
    pairs: dict = {}
    for score, _label in PATIENT_REPORTED:
        values[f"b_{score}"] = _response_score(score, reason="surgical_baseline", after=False)
        for point, reason in PATIENT_REPORTED_POINTS.items():
            values[f"a_{score}_{point}"] = _response_score(score, reason=reason, after=True)
            pairs[(score, point)] = (f"b_{score}", f"a_{score}_{point}", None)
    unit: dict = {}
    groups: dict = defaultdict(dict)
    for key, by_group in _paired_sums(operations, values, pairs,
                                      group_by=filters.group_by).items():
        total = {"n": 0, "sum_before": 0.0, "sum_after": 0.0, "sum_diff": 0.0,
                 "sum_diff2": 0.0}
        for group, row in by_group.items():
            for name in total:
                total[name] += row[name] or 0
            groups[group][key] = _outcome_cell(
                row, minimum=sizes.get(group, 0) < minimum or row["n"] < minimum,
                with_mcic=False)
        unit[key] = _outcome_cell(
            total, minimum=sum(sizes.values()) < minimum or total["n"] < minimum,
            with_mcic=False)
    result = PatientReportedAudit(
        unit=unit, groups=dict(groups), group_by=filters.group_by,
        group_labels=group_labels(filters.group_by, sizes), group_sizes=sizes,
        operations=sum(sizes.values()), minimum=minimum)
    if audit:
        audit_read(actor, "patient-reported outcomes from baseline", filters,
                   operations=result.operations)
    return result

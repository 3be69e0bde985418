"""Waiting list size over time (issue 15, item 4): how many pathway episodes were waiting,
open and not yet operated on, at the end of each week or month, from grouped queries over
the episodes (no episode is loaded to count it).

An episode joins the list on the day its referral was received (`referral_received_on`) and
leaves it on the day of its operation (its current operation note's date) or, if it ended
without one, on the day of its first status row in a state that ends the wait: withdrawn,
declined, discharged, or a state after the operation recorded without a note
(`collis.domain.pathway`: TERMINAL and AFTER_OPERATION). These are clinical dates, not the
times the rows were written, so a bulk load of past episodes shows no spike on the day it
ran; only an episode that ended without an operation still takes its date from the status
row. The number waiting at the end of a period is the number that joined by then less the
number that left by then: two grouped counts, added up in order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.charts import Series, line_chart
from collis.core.presenters import date_long
from collis.domain.pathway import AFTER_OPERATION, TERMINAL
from collis.outcomes.models import Operation
from collis.service_audit import selectors
from collis.service_audit.presenters import SUPPRESSED, Table
from collis.service_audit.selectors import AuditFilters
from collis.surgery.models import Episode, EpisodeStatus

# States in which an episode is no longer waiting (derived from the pathway's table).
ENDS_THE_WAIT = sorted(str(s) for s in TERMINAL | AFTER_OPERATION)
WEEK, MONTH = "week", "month"


@dataclass(frozen=True)
class WaitingListPoint:
    """One period: its first and last day, how many joined and left during it, and how many
    were waiting at its end (or now, for the period not yet over)."""

    starts_on: datetime.date
    ends_on: datetime.date
    joined: int
    left: int
    waiting: int
    so_far: bool


@dataclass(frozen=True)
class WaitingListOverTime:
    every: str  # WEEK or MONTH
    points: list[WaitingListPoint]
    minimum: int
    computed_at: datetime.datetime
    first_day: datetime.date | None
    last_day: datetime.date | None


def _next(day: datetime.date, every: str) -> datetime.date:
    if every == WEEK:
        return day + datetime.timedelta(days=7)
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _start_of(day: datetime.date, every: str) -> datetime.date:
    if every == WEEK:
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def _as_day(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def waiting_list_over_time(*, actor: Actor, filters: AuditFilters,
                           today: datetime.date | None = None,
                           audit: bool = True) -> WaitingListOverTime:
    """The waiting list at the end of each week of the chosen year, or of each month from
    the first referral when no year is chosen; for the actor's unit, and the surgeon and
    site the episode was listed with when one is chosen. Five grouped queries over the
    episodes, by their referral and operation dates."""
    today = today or timezone.localdate()
    every = WEEK if filters.year else MONTH
    episodes = Episode.objects.visible_to(actor.user).order_by()
    if filters.surgeon_id:
        episodes = episodes.filter(surgeon_id=filters.surgeon_id)
    if filters.site_id:
        episodes = episodes.filter(listing_site_id=filters.site_id)
    operated_on = (Operation.objects.current().filter(episode_id=OuterRef("pk"))
                   .order_by("operated_on").values("operated_on")[:1])
    ended_on = (EpisodeStatus.objects.filter(episode_id=OuterRef("pk"),
                                             state__in=ENDS_THE_WAIT)
                .order_by("at", "id").annotate(day=TruncDate("at")).values("day")[:1])
    dated = episodes.annotate(
        joined_on=F("referral_received_on"),
        left_on=Coalesce(Subquery(operated_on, output_field=DateField()),
                         Subquery(ended_on, output_field=DateField())))
    joined = dated
    left = dated.filter(left_on__isnull=False)
    if filters.year:
        first = _start_of(datetime.date(filters.year, 1, 1), every)
        last = min(datetime.date(filters.year, 12, 31), today)
    else:
        earliest = episodes.aggregate(first=Min("referral_received_on"))["first"]
        first = _start_of(earliest, every) if earliest else None
        last = today
    minimum = selectors.min_group_size()
    points: list[WaitingListPoint] = []
    if first is not None and first <= last:
        trunc = TruncWeek if every == WEEK else TruncMonth
        before = {name: rows.filter(**{f"{name}_on__lt": first}).count()
                  for name, rows in (("joined", joined), ("left", left))}
        counts = {}
        for name, rows in (("joined", joined), ("left", left)):
            counts[name] = {_as_day(row["period"]): row["n"] for row in
                            rows.filter(**{f"{name}_on__gte": first})
                            .annotate(period=trunc(f"{name}_on", output_field=DateField()))
                            .values("period").annotate(n=Count("pk")).order_by()}
        waiting = before["joined"] - before["left"]
        period = first
        while period <= last:
            following = _next(period, every)
            came, went = counts["joined"].get(period, 0), counts["left"].get(period, 0)
            waiting += came - went
            points.append(WaitingListPoint(
                starts_on=period, ends_on=following - datetime.timedelta(days=1),
                joined=came, left=went, waiting=waiting, so_far=following > today))
            period = following
    result = WaitingListOverTime(every=every, points=points, minimum=minimum,
                                 computed_at=timezone.now(),
                                 first_day=points[0].starts_on if points else None,
                                 last_day=min(points[-1].ends_on, today) if points else None)
    if audit:
        selectors.audit_read(actor, "waiting list over time", filters, periods=len(points))
    return result


# -- Presenting it ----------------------------------------------------------------------
def _count(value: int, minimum: int) -> str:
    return SUPPRESSED.format(minimum=minimum) if 0 < value < minimum else str(value)


def _period_label(point: WaitingListPoint, every: str) -> str:
    if every == WEEK:
        text = f"Week ending {date_long(point.ends_on)}"
    else:
        text = f"{point.starts_on:%B %Y}"
    return text + " (so far)" if point.so_far else text


def window_text(result: WaitingListOverTime) -> str:
    if not result.points:
        return "No episode on the pathway yet"
    return (f"{result.every}s from {date_long(result.first_day)} to "
            f"{date_long(result.last_day)}")


def waiting_list_table(result: WaitingListOverTime) -> Table:
    """One row per period: joined, left and waiting at its end; counts smaller than the
    minimum are not shown (local policy)."""
    rows = [[_period_label(p, result.every), _count(p.joined, result.minimum),
             _count(p.left, result.minimum), _count(p.waiting, result.minimum)]
            for p in result.points]
    if not rows:
        rows.append(["No episode on the pathway yet", "", "", ""])
    return Table(
        caption=f"Waiting list at the end of each {result.every}: pathway episodes open and "
                f"not yet operated on",
        headers=["Period", "Joined (referrals received)",
                 "Left (operated, withdrawn, declined or discharged)",
                 "Waiting at the end of the period"],
        rows=rows, slug="waiting-list")


def waiting_list_chart(result: WaitingListOverTime):
    """The number waiting at the end of each period as a line; a period whose count is
    smaller than the minimum is left out, as in the table."""
    points = [(min(p.ends_on, result.last_day), p.waiting) for p in result.points
              if not 0 < p.waiting < result.minimum]
    return line_chart(
        title=f"Waiting list size at the end of each {result.every}",
        description=(f"Pathway episodes open and not yet operated on at the end of each "
                     f"{result.every}, from {date_long(result.first_day)} to "
                     f"{date_long(result.last_day)}. The table below gives the numbers, "
                     f"with those who joined and left in each {result.every}."
                     if result.points else "No episode on the pathway yet."),
        series=[Series(label="Episodes waiting", points=points)],
        y_label="Episodes waiting")

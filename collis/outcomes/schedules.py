"""Schedules after SD: the physiotherapy sessions and the follow-up reviews.

Both are local policy, not clinical facts from the reference: physiotherapy after SD is
"early and structured" [25][27][45] but its length is UNSOURCED (decided locally), and the
review points (3, 6 and 12 months, then yearly) come from the service's pathway (issue 5),
not from a numbered source. The review points and their window are versioned local policy
(collis.policy): an operation keeps the version in force when it was recorded, and its
schedule follows that version."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from collis.domain.policy import DEFAULT_LOCAL_POLICY, LocalPolicy

PHYSIO_SOURCES = (25, 27, 45)


def review_policy_label(policy: LocalPolicy = DEFAULT_LOCAL_POLICY) -> str:
    """"Reviews at 3, 6 and 12 months after the operation and then yearly: local policy"."""
    return f"{policy.review_schedule_words()}: local policy (the reference gives no schedule)."


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def physio_schedule(*, starts_on: datetime.date, count: int,
                    interval_days: int) -> list[datetime.date]:
    """`count` session dates from `starts_on`, `interval_days` apart."""
    return [starts_on + datetime.timedelta(days=interval_days * i) for i in range(count)]


@dataclass(frozen=True, slots=True)
class ReviewPoint:
    months_after: int
    due_on: datetime.date

    @property
    def label(self) -> str:
        if self.months_after % 12 == 0 and self.months_after > 12:
            return f"{self.months_after // 12}-year review"
        return f"{self.months_after}-month review"


def review_months(index: int, policy: LocalPolicy = DEFAULT_LOCAL_POLICY) -> int:
    """Months after the operation of the review at `index` (0-based): 3, 6, 12, 24, 36..."""
    return policy.review_months(index)


def is_review_month(months: int, policy: LocalPolicy = DEFAULT_LOCAL_POLICY) -> bool:
    return policy.is_review_month(months)


def review_schedule(*, operated_on: datetime.date, today: datetime.date, extra: int = 1,
                    policy: LocalPolicy = DEFAULT_LOCAL_POLICY) -> list[ReviewPoint]:
    """Every review point due by `today`, then the next `extra` ones (at least every listed
    point: 3, 6, 12 by default)."""
    points: list[ReviewPoint] = []
    upcoming = 0
    index = 0
    while True:
        months = policy.review_months(index)
        point = ReviewPoint(months, add_months(operated_on, months))
        if point.due_on > today:
            if upcoming >= extra and index >= len(policy.follow_up_review_months):
                break
            upcoming += 1
        points.append(point)
        index += 1
    return points

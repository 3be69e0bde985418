"""Schedules after SD: the physiotherapy sessions and the follow-up reviews.

Both are local policy, not clinical facts from the reference: physiotherapy after SD is
"early and structured" [25][27][45] but its length is UNSOURCED (decided locally), and the
review points (3, 6 and 12 months, then yearly) come from the service's pathway (issue 5),
not from a numbered source."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

PHYSIO_SOURCES = (25, 27, 45)
# Local policy (UNSOURCED): months after the operation at which reviews fall, then yearly.
REVIEW_MONTHS = (3, 6, 12)
REVIEW_POLICY_LABEL = ("Reviews at 3, 6 and 12 months after the operation and then yearly: "
                       "local policy (the reference gives no schedule).")


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


def review_months(index: int) -> int:
    """Months after the operation of the review at `index` (0-based): 3, 6, 12, 24, 36..."""
    if index < len(REVIEW_MONTHS):
        return REVIEW_MONTHS[index]
    return 12 * (index - len(REVIEW_MONTHS) + 2)


def is_review_month(months: int) -> bool:
    return months in REVIEW_MONTHS or (months > 12 and months % 12 == 0)


def review_schedule(*, operated_on: datetime.date, today: datetime.date,
                    extra: int = 1) -> list[ReviewPoint]:
    """Every review point due by `today`, then the next `extra` ones (at least 3, 6, 12)."""
    points: list[ReviewPoint] = []
    upcoming = 0
    index = 0
    while True:
        months = review_months(index)
        point = ReviewPoint(months, add_months(operated_on, months))
        if point.due_on > today:
            if upcoming >= extra and index >= len(REVIEW_MONTHS):
                break
            upcoming += 1
        points.append(point)
        index += 1
    return points

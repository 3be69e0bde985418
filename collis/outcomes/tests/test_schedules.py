import datetime

from collis.outcomes.schedules import add_months, physio_schedule, review_schedule


def test_reviews_fall_at_3_6_and_12_months_then_yearly():
    points = review_schedule(operated_on=datetime.date(2020, 1, 31),
                             today=datetime.date(2023, 6, 1))
    assert [p.months_after for p in points] == [3, 6, 12, 24, 36, 48]
    assert points[0].due_on == datetime.date(2020, 4, 30)  # April has 30 days
    assert points[3].label == "2-year review"


def test_a_recent_operation_shows_the_first_three_reviews():
    points = review_schedule(operated_on=datetime.date(2026, 10, 1),
                             today=datetime.date(2026, 11, 21))
    assert [(p.months_after, p.due_on) for p in points] == [
        (3, datetime.date(2027, 1, 1)), (6, datetime.date(2027, 4, 1)),
        (12, datetime.date(2027, 10, 1))]


def test_adding_months_keeps_the_day_or_uses_the_last_day_of_the_month():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 11, 21), 3) == datetime.date(2027, 2, 21)


def test_physiotherapy_sessions_are_scheduled_at_the_interval():
    assert physio_schedule(starts_on=datetime.date(2026, 3, 9), count=3, interval_days=7) == [
        datetime.date(2026, 3, 9), datetime.date(2026, 3, 16), datetime.date(2026, 3, 23)]

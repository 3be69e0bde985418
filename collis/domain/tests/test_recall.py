"""The toxin recall's dates: never earlier than the shortest usual interval [15][19]; the
database's cutoff agrees with the due date; how overdue, in words."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from collis.domain.recall import (
    RECALL_LOOKAHEAD,
    TOXIN_RECALL_INTERVAL,
    RecallState,
    recall_cutoff,
    recall_status,
    toxin_next_due,
)
from collis.domain.toxin import USUAL_MIN_INTERVAL_WEEKS

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
weeks = st.integers(min_value=-5, max_value=60)
lookaheads = st.integers(min_value=-10, max_value=90)


def test_a_patient_injected_on_2_march_is_due_twelve_weeks_later():
    assert toxin_next_due(dt.date(2026, 3, 2)) == dt.date(2026, 5, 25)


def test_a_longer_local_interval_is_kept():
    assert toxin_next_due(dt.date(2026, 3, 2), weeks=16) == dt.date(2026, 6, 22)


@given(last=dates, policy_weeks=weeks)
def test_the_next_due_date_is_never_earlier_than_the_shortest_usual_interval(last,
                                                                             policy_weeks):
    due = toxin_next_due(last, policy_weeks)
    assert (due - last).days >= USUAL_MIN_INTERVAL_WEEKS * 7
    assert (due - last).days >= policy_weeks * 7


@given(last=dates, today=dates, policy_weeks=weeks, lookahead=lookaheads)
def test_the_cutoff_lists_a_patient_exactly_when_they_are_due_within_the_lookahead(
        last, today, policy_weeks, lookahead):
    listed = last <= recall_cutoff(today, weeks=policy_weeks, lookahead_days=lookahead)
    due = toxin_next_due(last, policy_weeks)
    assert listed == (due <= today + dt.timedelta(days=max(lookahead, 0)))


@given(last=dates, today=dates)
def test_an_earlier_last_cycle_is_never_less_overdue(last, today):
    earlier = last - dt.timedelta(days=1)
    assert (recall_status(earlier, today).days_overdue
            == recall_status(last, today).days_overdue + 1)


def test_overdue_due_and_due_soon_are_said_in_words():
    last = dt.date(2026, 3, 2)  # due 25 May 2026
    overdue = recall_status(last, dt.date(2026, 6, 15))
    assert overdue.state == RecallState.OVERDUE and overdue.text == "Overdue by 3 weeks"
    assert recall_status(last, dt.date(2026, 5, 26)).text == "Overdue by 1 day"
    assert recall_status(last, dt.date(2026, 5, 25)).text == "Due today"
    soon = recall_status(last, dt.date(2026, 5, 20))
    assert soon.state == RecallState.DUE_SOON
    assert soon.text == "Due in 5 days (25 May 2026)"


def test_the_recall_values_are_labelled_local_policy_and_the_interval_cites_its_floor():
    assert TOXIN_RECALL_INTERVAL.label.startswith("local policy")
    assert RECALL_LOOKAHEAD.label.startswith("local policy")
    assert TOXIN_RECALL_INTERVAL.sources == (15, 19)
    assert TOXIN_RECALL_INTERVAL.value >= USUAL_MIN_INTERVAL_WEEKS

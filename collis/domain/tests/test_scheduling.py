"""Clinic recurrence across the clock changes, slots, and the appointment status table."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collis.domain.scheduling import (
    ATTENDANCE,
    DNA_POLICY,
    STATUS_MOVES,
    UNIT_TIME_ZONE,
    AppointmentStatus,
    AppointmentType,
    Recurrence,
    ScheduleError,
    StatusMoveRefused,
    appointment_length,
    session_occurrences,
    slot_times,
    status_move_check,
)

UTC = dt.UTC


def test_a_weekly_nine_oclock_clinic_stays_at_nine_across_the_october_change():
    sittings = session_occurrences(first_day=dt.date(2026, 10, 19), starts=dt.time(9),
                                   ends=dt.time(12), recurrence=Recurrence.WEEKLY,
                                   until=dt.date(2026, 11, 2))
    assert [s.starts_at for s in sittings] == [
        dt.datetime(2026, 10, 19, 8, tzinfo=UTC),   # BST: 09:00 is 08:00 UTC
        dt.datetime(2026, 10, 26, 9, tzinfo=UTC),   # GMT from 25 October
        dt.datetime(2026, 11, 2, 9, tzinfo=UTC)]


def test_a_fortnightly_clinic_stays_at_nine_across_the_march_change():
    sittings = session_occurrences(first_day=dt.date(2027, 3, 15), starts=dt.time(9),
                                   ends=dt.time(12, 30), recurrence=Recurrence.FORTNIGHTLY,
                                   until=dt.date(2027, 4, 12))
    assert [s.starts_at.hour for s in sittings] == [9, 8, 8]  # BST from 28 March 2027
    assert [s.day for s in sittings] == [dt.date(2027, 3, 15), dt.date(2027, 3, 29),
                                         dt.date(2027, 4, 12)]
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=3, minutes=30) for s in sittings)


@given(first=st.dates(dt.date(2025, 1, 1), dt.date(2035, 12, 31)),
       start_minutes=st.integers(7 * 60, 19 * 60), length=st.integers(15, 120),
       weeks=st.integers(0, 60), fortnightly=st.booleans())
def test_every_sitting_is_at_the_same_wall_clock_time(first, start_minutes, length, weeks,
                                                      fortnightly):
    starts = dt.time(*divmod(start_minutes, 60))
    ends = dt.time(*divmod(start_minutes + length, 60))
    recurrence = Recurrence.FORTNIGHTLY if fortnightly else Recurrence.WEEKLY
    sittings = session_occurrences(first_day=first, starts=starts, ends=ends,
                                   recurrence=recurrence,
                                   until=first + dt.timedelta(weeks=weeks))
    step = 14 if fortnightly else 7
    assert len(sittings) == weeks // (step // 7) + 1
    for sitting in sittings:
        local_start = sitting.starts_at.astimezone(UNIT_TIME_ZONE)
        local_end = sitting.ends_at.astimezone(UNIT_TIME_ZONE)
        assert (local_start.date(), local_start.time(), local_end.time()) == (
            sitting.day, starts, ends)
        assert sitting.starts_at.tzinfo == UTC
        assert (sitting.day - first).days % step == 0


def test_a_session_outside_the_working_day_or_ending_before_it_starts_is_refused():
    with pytest.raises(ScheduleError) as refused:
        session_occurrences(first_day=dt.date(2026, 3, 29), starts=dt.time(1, 30),
                            ends=dt.time(3), recurrence=Recurrence.ONCE)
    assert refused.value.field == "starts"
    with pytest.raises(ScheduleError) as refused:
        session_occurrences(first_day=dt.date(2026, 3, 29), starts=dt.time(12),
                            ends=dt.time(9), recurrence=Recurrence.ONCE)
    assert refused.value.field == "ends"
    with pytest.raises(ScheduleError) as refused:
        session_occurrences(first_day=dt.date(2026, 3, 29), starts=dt.time(9),
                            ends=dt.time(12), recurrence=Recurrence.WEEKLY)
    assert refused.value.field == "until"


def test_slots_fill_the_session_and_leave_a_part_slot_free():
    start = dt.datetime(2026, 12, 3, 9, tzinfo=UTC)
    slots = slot_times(start, start + dt.timedelta(minutes=70),
                       appointment_length(AppointmentType.TOXIN))
    assert [(s - start).seconds // 60 for s, _ in slots] == [0, 20, 40]
    assert slots[-1][1] == start + dt.timedelta(minutes=60)


def test_the_status_table_allows_only_its_moves():
    now = dt.datetime(2026, 12, 3, 10, tzinfo=UTC)
    earlier = now - dt.timedelta(hours=1)
    status_move_check("booked", "arrived", now=now, starts_at=earlier)
    status_move_check("arrived", "seen", now=now, starts_at=earlier)
    for final in set(AppointmentStatus) - set(STATUS_MOVES):
        for new in AppointmentStatus:
            with pytest.raises(StatusMoveRefused):
                status_move_check(final, new, now=now, starts_at=earlier, reason="why")
    with pytest.raises(StatusMoveRefused, match="cannot be marked seen"):
        status_move_check("booked", "seen", now=now, starts_at=earlier)


@pytest.mark.parametrize("status", sorted(ATTENDANCE - {AppointmentStatus.SEEN}))
def test_attendance_is_refused_before_the_appointment_starts(status):
    now = dt.datetime(2026, 12, 3, 10, tzinfo=UTC)
    with pytest.raises(StatusMoveRefused, match="before the appointment starts"):
        status_move_check("booked", status, now=now, starts_at=now + dt.timedelta(minutes=1))


def test_a_cancellation_needs_a_reason():
    now = dt.datetime(2026, 12, 3, 10, tzinfo=UTC)
    with pytest.raises(StatusMoveRefused, match="reason"):
        status_move_check("booked", "cancelled_by_patient", now=now, starts_at=now, reason=" ")


def test_the_missed_appointment_policy_escalates_at_the_second():
    policy = DNA_POLICY.value
    assert policy.next_step(0) == ""
    assert policy.next_step(1) == policy.first_step
    assert policy.next_step(2) == policy.review_step
    assert DNA_POLICY.label.startswith("local policy")

"""Waiting list size over time: hand-counted episodes joining and leaving, by month and by
week, in the unit's local time, scoped to the unit, with small counts not shown."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.outcomes.models import Operation
from collis.patients.tests.factories import PatientFactory, other_unit_site
from collis.service_audit import waiting_list
from collis.service_audit.selectors import AuditFilters
from collis.surgery.models import Episode, EpisodeStatus

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(day: str, time: str = "12:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LONDON)


def episode(moves, *, home_site=None, surgeon=None, site=None, referred=None,
            operated=None, loaded=None):
    """An episode with status rows [(state, 'YYYY-MM-DD' or (day, time))...]. The referral
    is received on the day of the first row (or `referred`); an "operated" row brings an
    operation note of its day (or of `operated`). `loaded`: every status row is written at
    that instant instead, as a bulk load of past episodes would."""
    user = surgeon or UserFactory(role=Role.NEUROSURGEON)
    patient = PatientFactory(**({"home_site": home_site} if home_site else {}))
    days = [(_at(*when) if isinstance(when, tuple) else _at(when)) for _state, when in moves]
    made = Episode.objects.create(
        patient=patient, state=moves[-1][0], opened_by=user, referrer_name="Dr Ash",
        referrer_gmc_number="1234567", referrer_organisation="General Hospital",
        referral_reason="Cervical dystonia",
        referral_received_on=referred or days[0].date(), surgeon=surgeon, listing_site=site)
    for (state, _when), at in zip(moves, days, strict=True):
        EpisodeStatus.objects.create(episode=made, state=state, at=loaded or at, by=user)
        if state == "operated":
            Operation.objects.create(
                patient=patient, episode=made, operated_on=operated or at.date(),
                site=patient.home_site, surgeon=user, anaesthetic="general",
                anaesthetist="Dr Gas", created_by=user)
    return made


@pytest.fixture
def auditor(sites):
    return Actor.command_line(UserFactory(role=Role.AUDITOR))


@pytest.fixture
def history(sites):
    """E1 joins 10 Jan, operated 5 Mar; E2 joins 3 Feb, withdrawn 20 Feb; E3 joins 15 Feb
    and is still waiting (listed); E4 joins at 23:30 on 31 March, London time (22:30 UTC:
    still March); E5 is another unit's."""
    episode([("referral_received", "2025-01-10"), ("triage", "2025-01-20"),
             ("consented", "2025-02-25"), ("operated", "2025-03-05"),
             ("post_operative_physiotherapy", "2025-03-12")])
    episode([("referral_received", "2025-02-03"), ("withdrawn", "2025-02-20")])
    episode([("referral_received", "2025-02-15"), ("listed", "2025-02-28")])
    episode([("referral_received", ("2025-03-31", "23:30"))])
    episode([("referral_received", "2025-01-05")], home_site=other_unit_site())


def _numbers(result):
    return [(p.starts_on.isoformat(), p.joined, p.left, p.waiting, p.so_far)
            for p in result.points]


def test_the_waiting_list_at_the_end_of_each_month(history, auditor):
    result = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(), today=datetime.date(2025, 4, 15))
    assert result.every == "month"
    assert _numbers(result) == [("2025-01-01", 1, 0, 1, False),
                                ("2025-02-01", 2, 1, 2, False),
                                ("2025-03-01", 1, 1, 2, False),
                                ("2025-04-01", 0, 0, 2, True)]


def test_the_waiting_list_at_the_end_of_each_week_of_the_chosen_year(history, auditor):
    result = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(year=2025), today=datetime.date(2025, 2, 20))
    assert result.every == "week"
    numbers = _numbers(result)
    assert numbers[0] == ("2024-12-30", 0, 0, 0, False)  # the week holding 1 January
    assert numbers[1] == ("2025-01-06", 1, 0, 1, False)  # E1 on Friday 10 January
    assert numbers[-3:] == [("2025-02-03", 1, 0, 2, False), ("2025-02-10", 1, 0, 3, False),
                            ("2025-02-17", 0, 1, 2, True)]


def test_a_year_before_the_chosen_one_is_carried_in(history, auditor):
    episode([("referral_received", "2024-11-01")])
    result = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(year=2025), today=datetime.date(2025, 1, 3))
    assert _numbers(result) == [("2024-12-30", 0, 0, 1, True)]


def test_the_surgeon_and_site_are_those_of_the_listing(history, auditor, sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    episode([("referral_received", "2025-01-02"), ("listed", "2025-01-15")],
            surgeon=surgeon, site=sites[0])
    mine = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(surgeon_id=surgeon.pk),
        today=datetime.date(2025, 2, 1))
    assert _numbers(mine) == [("2025-01-01", 1, 0, 1, False), ("2025-02-01", 0, 0, 1, True)]
    at_site = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(site_id=sites[1].pk),
        today=datetime.date(2025, 2, 1))
    assert at_site.points == []


def test_a_bulk_load_shows_no_spike_the_clinical_dates_count(auditor, sites):
    """Five past episodes loaded on 1 June 2025 (every status row written then): E1 referred
    10 Jan, operated 5 Mar; E2 referred 3 Feb, withdrawn (its status row, loaded 1 June:
    the only date it has); E3 referred 15 Feb, listed; E4 referred 20 Mar, operated 2 Apr;
    E5 referred 7 Apr, listed. By hand, months January to June: joined 1, 2, 1, 1, 0, 0;
    left 0, 0, 1, 1, 0, 1 (E2 in June); waiting 1, 3, 3, 3, 3, 2."""
    loaded = _at("2025-06-01", "09:00")
    episode([("referral_received", "2025-01-10"), ("listed", "2025-02-01"),
             ("operated", "2025-03-05")], loaded=loaded)
    episode([("referral_received", "2025-02-03"), ("withdrawn", "2025-02-20")], loaded=loaded)
    episode([("referral_received", "2025-02-15"), ("listed", "2025-02-28")], loaded=loaded)
    episode([("referral_received", "2025-03-20"), ("operated", "2025-04-02")], loaded=loaded)
    episode([("referral_received", "2025-04-07"), ("listed", "2025-04-20")], loaded=loaded)
    result = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(), today=datetime.date(2025, 6, 15))
    assert _numbers(result) == [("2025-01-01", 1, 0, 1, False),
                                ("2025-02-01", 2, 0, 3, False),
                                ("2025-03-01", 1, 1, 3, False),
                                ("2025-04-01", 1, 1, 3, False),
                                ("2025-05-01", 0, 0, 3, False),
                                ("2025-06-01", 0, 1, 2, True)]


def test_the_table_hides_counts_below_the_minimum_and_the_chart_leaves_them_out(
        history, auditor):
    for index in range(5):
        episode([("referral_received", f"2025-04-0{index + 1}")])
    result = waiting_list.waiting_list_over_time(
        actor=auditor, filters=AuditFilters(), today=datetime.date(2025, 4, 15))
    table = waiting_list.waiting_list_table(result)
    assert table.rows[0] == ["January 2025", "Not shown (fewer than 5)",
                             "0", "Not shown (fewer than 5)"]
    assert table.rows[-1] == ["April 2025 (so far)", "5", "0", "7"]
    chart = str(waiting_list.waiting_list_chart(result))
    assert "<svg" in chart and "Waiting list size at the end of each month" in chart


def test_it_reads_in_a_fixed_number_of_queries(history, auditor,
                                               django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        waiting_list.waiting_list_over_time(actor=auditor, filters=AuditFilters(),
                                            today=datetime.date(2025, 12, 31))


def test_the_service_measures_page_shows_it_with_its_table(client_as, history):
    page = client_as(Role.AUDITOR).get("/service-audit/service/").content.decode()
    assert "Waiting list size over time" in page and 'id="waiting-list"' in page
    csv_text = b"".join(client_as(Role.AUDITOR).get("/service-audit/service.csv")
                        .streaming_content).decode()
    assert "Waiting list at the end of each month" in csv_text

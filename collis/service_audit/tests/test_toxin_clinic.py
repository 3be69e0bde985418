"""The toxin clinic page of the service audit (issue 15, item 3): response patterns,
intervals, secondary non-response over time, dose per product and side effects, against
values counted by hand on a small clinic; only current entries count; small groups are not
shown; the page and its CSV agree; the read is audited."""

import csv
import datetime
import io

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditEvent, RecordStatus
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.toxin import ResponsePattern
from collis.patients.tests.factories import PatientFactory
from collis.service_audit import toxin_presenters
from collis.service_audit.selectors import AuditFilters
from collis.service_audit.toxin_measures import toxin_clinic_measures
from collis.treatments.models import ToxinCycle, ToxinReview, ToxinStop
from collis.treatments.tests.factories import cycle_with

pytestmark = pytest.mark.django_db

# The policy in force (1), the window, products, doses, reviews, intervals, patterns,
# patients per period and patterns per period (8), the stops of toxin (1), the audit entry
# (1 or 2): 13 at most.
QUERY_BOUND = 13
# The page: the user, session and menu, the look-ups of the worker's summaries (the choices
# and the measures, 2, none stored here), the filters' choices (2), the measures with the
# stops of toxin: 17 here.
PAGE_QUERY_BOUND = 17
JAN, APR, MAR17 = datetime.date(2025, 1, 6), datetime.date(2025, 4, 7), datetime.date(2025, 3, 17)


@pytest.fixture
def auditor(sites):
    return Actor.command_line(UserFactory(role=Role.AUDITOR))


@pytest.fixture
def clinic(sites):
    """Seven patients on onabotulinumtoxinA in 2025 (thresholds of the default local policy:
    good is at least 50% for at least 10 weeks, useful at least 25%, two reviewed cycles):

    - A: 80% for 12 weeks, then 80% for 12 weeks (13 weeks apart): good response;
      250 U and 250 U; dysphagia after the first.
    - B: 80% for 12 weeks, then 30% for 6 weeks, 10 weeks later (shortened): secondary
      non-response; neck weakness after the second.
    - C: 10% for 2 weeks twice: primary non-response; "headache" after the first.
    - D: 30% for 6 weeks, then 40% for 8 weeks: partial response.
    - E: one reviewed cycle (80% for 12 weeks) and one not reviewed: no pattern yet.
    - F: a cycle entered in error and a review amended: neither counts as it was.
    - G: 70% for 11 weeks twice: good response.
    Every other cycle has 200 U (100 + 60 + 40)."""
    a, b, c, d, e, f, g = (PatientFactory() for _ in range(7))
    first = cycle_with(a, JAN, units=(150, 50, 50), benefit=80, weeks=12)
    ToxinReview.objects.filter(cycle=first).update(dysphagia=True)
    cycle_with(a, APR, units=(150, 50, 50), benefit=80, weeks=12)
    cycle_with(b, JAN, benefit=80, weeks=12)
    second = cycle_with(b, MAR17, benefit=30, weeks=6)
    ToxinReview.objects.filter(cycle=second).update(neck_weakness=True)
    first = cycle_with(c, JAN, benefit=10, weeks=2)
    ToxinReview.objects.filter(cycle=first).update(other_side_effect="Headache")
    cycle_with(c, APR, benefit=10, weeks=2)
    cycle_with(d, JAN, benefit=30, weeks=6)
    cycle_with(d, APR, benefit=40, weeks=8)
    cycle_with(e, JAN, benefit=80, weeks=12)
    cycle_with(e, APR)
    # F: a good-looking cycle entered in error, and one whose first review (dysphagia) was
    # amended to a review without it: F counts one cycle, reviewed, no side effect.
    mistaken = cycle_with(f, JAN, units=(900,), benefit=90, weeks=12)
    ToxinCycle.objects.filter(pk=mistaken.pk).update(
        record_status=RecordStatus.ENTERED_IN_ERROR)
    kept = cycle_with(f, APR, benefit=20, weeks=4)
    old = ToxinReview.objects.get(cycle=kept)
    ToxinReview.objects.filter(pk=old.pk).update(record_status=RecordStatus.AMENDED,
                                                 dysphagia=True)
    ToxinReview.objects.create(cycle=kept, supersedes=old, reviewed_on=old.reviewed_on,
                               peak_benefit_percent=20, benefit_weeks=4,
                               created_by=old.created_by)
    cycle_with(g, JAN, benefit=70, weeks=11)
    cycle_with(g, APR, benefit=70, weeks=11)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g}


def test_response_patterns_are_the_domains_for_each_patient(auditor, clinic):
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    assert measures.patients == 7
    assert measures.patterns == {
        ResponsePattern.GOOD_RESPONSE: 2, ResponsePattern.SECONDARY_NON_RESPONSE: 1,
        ResponsePattern.PRIMARY_NON_RESPONSE: 1, ResponsePattern.PARTIAL_RESPONSE: 1,
        None: 2}  # E (one reviewed cycle) and F (one current cycle)
    assert (measures.derived, measures.not_derived) == (5, 2)


def test_dose_intervals_and_side_effects_by_product_match_the_hand_count(auditor, clinic):
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    [ona] = measures.products
    # Cycles: A2, B2, C2, D2, E2, F1 (the mistaken one left out), G2 = 13 of 7 patients.
    assert (ona.product, ona.cycles, ona.patients) == ("onabotulinumtoxinA", 13, 7)
    assert ona.doses == {250: 2, 200: 11}
    # Reviewed: A2 B2 C2 D2 E1 F1 G2 = 12; dysphagia A, neck weakness B, other C; F's
    # amended review (with dysphagia) does not count.
    assert (ona.reviewed, ona.dysphagia, ona.neck_weakness, ona.other_side_effect,
            ona.any_side_effect) == (12, 1, 1, 1, 3)
    # With a previous current cycle: A, B, C, D, E, G (F's earlier cycle was a mistake) =
    # 6; B's came after 10 weeks: shortened.
    assert (ona.with_previous, ona.shortened, ona.below_licensed) == (6, 1, None)


def test_the_tables_show_quartiles_rates_and_the_published_figures(auditor, clinic):
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    dose = toxin_presenters.dose_table(measures)
    # Thirteen cycles: 200 x11, 250 x2. Quartiles (type 7): positions 3, 6, 9 -> 200.
    assert dose.rows[0][:6] == ["onabotulinumtoxinA", "13", "7", "200 U", "200 to 200 U",
                                "200 to 250 U"]
    assert "236 U (IQR 198-300)" in dose.rows[0][6] and "[13]" in dose.rows[0][6]
    effects = toxin_presenters.side_effects_table(measures)
    assert effects.rows[0][2].startswith("1 of 12 (8.3%; 95% CI 1.5% to 35%)")
    assert "19%" in effects.rows[0][2] and "[13]" in effects.rows[0][2]
    assert effects.rows[0][5].startswith("3 of 12 (25%")
    patterns = toxin_presenters.patterns_table(measures)
    secondary = next(r for r in patterns.rows if r[0] == "Secondary non-response")
    assert secondary[1] == "1 of 5 (20%; 95% CI 3.6% to 62%)"
    intervals = toxin_presenters.intervals_table(measures)
    assert intervals.rows[0][2].startswith("1 of 6 (17%")


def test_secondary_non_response_over_time_is_counted_per_quarter_of_a_chosen_year(auditor,
                                                                                 clinic):
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters(year=2025))
    assert measures.period == "quarter"
    by_label = {p.label: p for p in measures.over_time}
    # Q1: A, B, C, D, E, G treated (F's mistaken cycle does not count, so F is not) -> 6;
    # each has one reviewed cycle by then except B (two: good then not): B secondary.
    q1, q2 = by_label["2025 Q1"], by_label["2025 Q2"]
    assert (q1.treated, q1.derived, q1.secondary) == (6, 1, 1)
    # Q2: A, C, D, E, F, G treated; A and G good, C primary, D partial; E's April cycle
    # has no review and F has one reviewed cycle.
    assert (q2.treated, q2.derived, q2.secondary) == (6, 4, 0)


def test_secondary_non_response_by_year_across_years(auditor, sites):
    # Five patients: good in 2024 (two cycles), then a poor cycle in 2025: secondary
    # non-response in 2025, good response in 2024.
    for _ in range(5):
        patient = PatientFactory()
        cycle_with(patient, datetime.date(2024, 3, 4), benefit=70, weeks=12)
        cycle_with(patient, datetime.date(2024, 6, 3), benefit=70, weeks=12)
        cycle_with(patient, datetime.date(2025, 3, 3), benefit=20, weeks=4)
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    assert [(p.label, p.derived, p.secondary) for p in measures.over_time] == [
        ("2024", 5, 0), ("2025", 5, 5)]
    table = toxin_presenters.over_time_table(measures)
    assert table.rows[1][:3] == ["2025", "5", "5"]
    assert table.rows[1][3].startswith("5 of 5 (100%")


def test_small_groups_are_not_shown(auditor, sites):
    for _ in range(3):
        patient = PatientFactory()
        cycle_with(patient, JAN, benefit=70, weeks=12)
        cycle_with(patient, APR, benefit=20, weeks=4)
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    assert measures.minimum == 5
    for table in toxin_presenters.tables(measures)[:-1]:  # the last: stopping, no figures
        text = " ".join(" ".join(row) for row in table.rows)
        assert "Not shown (fewer than 5" in text, table.caption
        assert "of 3 (" not in text, table.caption


def test_the_filters_choose_the_site_and_the_year(auditor, sites):
    cycle_with(PatientFactory(), datetime.date(2024, 5, 1), site=sites[0])
    cycle_with(PatientFactory(), datetime.date(2025, 5, 1), site=sites[0])
    cycle_with(PatientFactory(), datetime.date(2025, 5, 1), site=sites[1])
    assert toxin_clinic_measures(actor=auditor, filters=AuditFilters(year=2025)).cycles == 2
    assert toxin_clinic_measures(actor=auditor,
                                 filters=AuditFilters(year=2025, site_id=sites[1].pk)
                                 ).cycles == 1


def test_the_measures_take_a_fixed_number_of_queries(auditor, clinic,
                                                     django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERY_BOUND):
        toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    for _ in range(10):
        patient = PatientFactory()
        cycle_with(patient, JAN, benefit=70, weeks=12)
        cycle_with(patient, APR, benefit=20, weeks=4)
    with django_assert_max_num_queries(QUERY_BOUND):
        toxin_clinic_measures(actor=auditor, filters=AuditFilters())


def test_the_page_and_its_csv_agree_and_the_read_is_audited(client_as, clinic):
    client = client_as(Role.AUDITOR)
    response = client.get("/service-audit/toxin/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "Computed" in page and "cycles from 6 January 2025" in page
    assert "Patients who stopped botulinum toxin, and why: 0 of the 7" in page
    assert AuditEvent.objects.filter(summary="Viewed the service audit: toxin clinic measures",
                                     actor=client.user).exists()
    body = b"".join(client.get("/service-audit/toxin.csv").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Collis service audit: toxin clinic measures"]
    secondary = next(r for r in rows if r and r[0] == "Secondary non-response")
    assert secondary[1] == "1 of 5 (20%; 95% CI 3.6% to 62%)"
    dose = next(r for r in rows if r[:3] == ["onabotulinumtoxinA", "13", "7"])
    assert dose[3:6] == ["200 U", "200 to 200 U", "200 to 250 U"]
    assert "1 of 5 (20%" in page


@pytest.mark.parametrize("role", [Role.NEUROLOGIST, Role.NURSE_SPECIALIST])
def test_roles_without_the_capability_are_refused(client_as, role):
    assert client_as(role).get("/service-audit/toxin/").status_code == 403
    assert client_as(role).get("/service-audit/toxin.csv").status_code == 403


def test_an_unknown_filter_value_is_named_not_a_500(client_as, clinic):
    response = client_as(Role.AUDITOR).get("/service-audit/toxin/?site=nowhere&year=1066")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_page_takes_as_many_queries_for_a_larger_clinic(client_as, clinic,
                                                            django_assert_max_num_queries):
    client = client_as(Role.AUDITOR)
    client.get("/service-audit/toxin/")  # the session and the policy are read once
    with django_assert_max_num_queries(PAGE_QUERY_BOUND):
        assert client.get("/service-audit/toxin/?year=2025").status_code == 200
    for _ in range(10):
        patient = PatientFactory()
        cycle_with(patient, JAN, benefit=70, weeks=12, product="incobotulinumtoxinA")
        cycle_with(patient, MAR17, benefit=20, weeks=4, product="incobotulinumtoxinA")
    with django_assert_max_num_queries(PAGE_QUERY_BOUND):
        page = client.get("/service-audit/toxin/?year=2025").content.decode()
    # Ten weeks apart: sooner than the usual 12, not sooner than the licensed 10 [15].
    assert "Under 10 weeks [15]: 0 of 10" in page


def _stop(patient, day, reason, **kwargs):
    user = UserFactory()
    return ToxinStop.objects.create(patient=patient, stopped_on=day, reason=reason,
                                    decided_by=user, created_by=user, **kwargs)


def test_patients_who_stopped_are_counted_by_reason_and_year(auditor, clinic):
    """Of the 7 patients treated: A and B stopped as it stopped working, D for side effects,
    E by choice, G for surgery (5 in 2025); C stopped and restarted (a cycle after the stop);
    F's stop was entered in error. Stopped: 5 of 7; by reason 2, 0, 1, 1, 1, 0."""
    day = datetime.date(2025, 5, 1)
    for name, reason in (("A", "stopped_working"), ("B", "stopped_working"),
                         ("D", "side_effects"), ("E", "patient_choice"),
                         ("G", "surgery_or_dbs")):
        _stop(clinic[name], day, reason)
    _stop(clinic["C"], day, "side_effects")
    cycle_with(clinic["C"], datetime.date(2025, 8, 4))
    _stop(clinic["F"], day, "other", reason_other="x",
          record_status=RecordStatus.ENTERED_IN_ERROR)
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    assert measures.stopped == {(2025, "stopped_working"): 2, (2025, "side_effects"): 1,
                                (2025, "patient_choice"): 1, (2025, "surgery_or_dbs"): 1}
    assert measures.restarted == 1 and measures.patients == 7
    table = toxin_presenters.stopping_table(measures)
    rows = {row[0]: row for row in table.rows}
    assert rows["All reasons"][1] == "5" and rows["All reasons"][3].startswith("5 of 7 (71%")
    assert "About 20% of patients eventually stop" in rows["All reasons"][4]
    working = rows["It stopped working (secondary non-response)"]
    assert working[1:3] == ["2", toxin_presenters._rate(2, 5)]
    assert working[3].startswith("2 of 7")
    assert rows["Another reason"][1] == "0"
    assert next(r for r in table.rows if r[0].startswith("Stopped and later restarted"))[1] \
        == "1"
    by_year = toxin_presenters.stopping_by_year_table(measures)
    assert by_year.rows == [["2025", "5", "2", "0", "1", "1", "1", "0"]]


def test_a_year_with_few_stops_is_not_shown(auditor, clinic):
    _stop(clinic["A"], datetime.date(2025, 5, 1), "stopped_working")
    measures = toxin_clinic_measures(actor=auditor, filters=AuditFilters())
    row = toxin_presenters.stopping_by_year_table(measures).rows[0]
    assert row[0] == "2025" and "not shown" in row[1].lower()
    # The clinic (7 patients) is shown: the count of 1 is inside it.
    rows = {r[0]: r for r in toxin_presenters.stopping_table(measures).rows}
    assert rows["All reasons"][1] == "1"


def test_the_worker_summaries_give_the_live_measures_and_the_page_reads_them(
        client_as, auditor, clinic, django_assert_max_num_queries):
    from collis.core.models import Organisation
    from collis.service_audit.toxin_summaries import (
        clinic_as_json,
        clinic_from_json,
        toxin_summaries_refresh,
    )

    _stop(clinic["A"], datetime.date(2025, 5, 1), "stopped_working")
    result = toxin_summaries_refresh(organisation=Organisation.objects.default())
    # All, the one site, the one year, the site in that year; and the filters' choices.
    assert result["summaries"] == 4
    live = toxin_clinic_measures(actor=auditor, filters=AuditFilters(year=2025))
    stored = clinic_from_json(clinic_as_json(live), live.filters)
    assert [t.rows for t in toxin_presenters.tables(stored)] == [
        t.rows for t in toxin_presenters.tables(live)]
    client = client_as(Role.AUDITOR)
    client.get("/service-audit/toxin/")
    # A new cycle is not counted until the next refresh; ?live=1 counts it now.
    cycle_with(PatientFactory(), datetime.date(2025, 6, 2), benefit=70, weeks=10)
    with django_assert_max_num_queries(8):
        page = client.get("/service-audit/toxin/?year=2025").content.decode()
    assert "by the task worker" in page and "13 cycles of 7 patients" in page
    assert "Viewed the service audit: toxin clinic measures" in set(
        AuditEvent.objects.filter(actor=client.user).values_list("summary", flat=True))
    page = client.get("/service-audit/toxin/?year=2025&live=1").content.decode()
    assert "14 cycles of 8 patients" in page and "by the task worker" not in page


def test_the_command_computes_the_summaries_now(auditor, clinic):
    from io import StringIO

    from django.core.management import call_command

    from collis.service_audit.models import ToxinClinicSummary

    out = StringIO()
    call_command("audit_summaries", "--now", stdout=out)
    assert "4 summaries in" in out.getvalue()
    assert ToxinClinicSummary.objects.filter(key="-:-").exists()


def test_the_summary_refresh_is_queued_once_however_often_it_is_started(settings):
    """Starting the schedule again (`audit_summaries`, `collis run`) leaves one refresh
    waiting in the database queue, not a second chain of them."""
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from collis.core.models import Organisation

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    unit = Organisation.objects.default()
    out = StringIO()
    call_command("audit_summaries", stdout=out)
    call_command("audit_summaries", stdout=out)
    waiting = DBTaskResult.objects.filter(task_path__endswith="toxin_summaries_refresh_task")
    assert [row["args"] for row in waiting.values_list("args_kwargs", flat=True)] == [[unit.pk]]
    assert "already queued" in out.getvalue()

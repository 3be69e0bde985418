"""The service audit's reads against small cohorts whose figures are worked by hand."""

import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.audit_statistics import Comparison
from collis.domain.outcome_audit import LAST_FOLLOW_UP, FurtherSurgeryEndpoint, Measure
from collis.outcomes import services
from collis.patients.tests.factories import other_unit_site
from collis.service_audit import selectors
from collis.service_audit.selectors import AuditFilters, GroupBy
from collis.service_audit.tests.factories import OPERATED_ON, operated

pytestmark = pytest.mark.django_db


@pytest.fixture
def surgeon(sites):
    return UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Cutter")


@pytest.fixture
def auditor(sites):
    return Actor.command_line(UserFactory(role=Role.AUDITOR))


def _row(audit, code):
    return next(r for r in audit.rows if r.code == code)


def test_swallowing_difficulty_in_4_of_10_told_is_flagged_above_the_disclosed_25_percent(
        surgeon, auditor):
    # Disclosed: 3 of 12 (25%) [28]. Observed: 4 of 10 = 40%, Wilson 16.8% to 68.7%: above
    # the range, the interval reaching into it.
    for index in range(10):
        operated(surgeon, complications=["SD_SWALLOWING_DIFFICULTY"] if index < 4 else [])
    audit = selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters())
    row = _row(audit, "SD_SWALLOWING_DIFFICULTY")
    assert (row.unit.told, row.unit.had) == (10, 4)
    assert row.disclosed_range == (25, 25)
    assert row.unit.observed.percent_low == pytest.approx(16.82, abs=0.01)
    assert row.unit.comparison is Comparison.ABOVE
    assert row.unit.flagged and row in audit.flagged
    assert row.groups[surgeon.pk].flagged  # and for the surgeon, whose group is the unit


def test_a_rate_within_the_disclosed_range_is_not_flagged(surgeon, auditor):
    # Reoperation coded as a complication is not used here; occipital numbness is disclosed
    # at 100%: 5 of 5 is within it.
    for _ in range(5):
        operated(surgeon, complications=["SD_OCCIPITAL_NUMBNESS"])
    audit = selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters())
    row = _row(audit, "SD_OCCIPITAL_NUMBNESS")
    assert row.unit.comparison is Comparison.WITHIN and not audit.flagged


def test_a_complication_the_patient_was_not_told_of_is_counted_apart(surgeon, auditor):
    codes = [c for c in selectors.risks_for("selective_denervation")
             if c.code != "SD_HAEMATOMA"]
    for index in range(5):
        operated(surgeon, disclosed=[c.code for c in codes],
                 complications=["SD_HAEMATOMA"] if index == 0 else [])
    row = _row(selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters()),
               "SD_HAEMATOMA")
    assert (row.unit.told, row.unit.had, row.unit.had_untold) == (0, 0, 1)


def test_a_reoperation_recorded_as_further_surgery_counts_for_the_reoperation_risk(
        surgeon, auditor):
    # 2 of 5 reoperated (40%) against a disclosed 2% to 63% by series: within the range.
    for index in range(5):
        operated(surgeon, further=("reoperation", 200) if index < 2 else None,
                 complications=["SD_REOPERATION"] if index == 0 else [])
    row = _row(selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters()),
               "SD_REOPERATION")
    assert (row.unit.told, row.unit.had) == (5, 2)
    assert row.disclosed_range == (2, 63) and row.unit.comparison is Comparison.WITHIN


def test_a_group_smaller_than_the_local_policy_minimum_is_not_shown(surgeon, auditor):
    other = UserFactory(role=Role.NEUROSURGEON)
    for _ in range(5):
        operated(surgeon, complications=["SD_INFECTION"])
    for _ in range(2):
        operated(other, complications=["SD_INFECTION"])
    audit = selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters())
    row = _row(audit, "SD_INFECTION")
    assert not row.groups[surgeon.pk].suppressed
    assert row.groups[other.pk].suppressed and row.groups[other.pk].observed is None
    assert not audit.group_shown(other.pk)
    # The unit counts every operation, shown or not.
    assert (row.unit.told, row.unit.had) == (7, 7)


def test_filters_narrow_to_one_surgeon_and_one_year(surgeon, auditor):
    other = UserFactory(role=Role.NEUROSURGEON)
    for _ in range(5):
        operated(surgeon, complications=["SD_INFECTION"])
    operated(surgeon, operated_on=datetime.date(2024, 9, 2))
    operated(other)
    audit = selectors.complications_against_disclosed(
        actor=auditor, filters=AuditFilters(surgeon_id=surgeon.pk, year=2025))
    assert audit.operations == 5
    assert _row(audit, "SD_INFECTION").unit.told == 5


def test_another_units_operations_are_not_counted(surgeon, auditor):
    for _ in range(5):
        operated(surgeon)
    operated(surgeon, home_site=other_unit_site())
    audit = selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters())
    assert audit.operations == 5


def test_an_entered_in_error_complication_is_not_counted(surgeon, auditor):
    for _ in range(5):
        operated(surgeon)
    operation = operated(surgeon, complications=["SD_INFECTION"])
    complication = operation.episode.complications.get()
    services.complication_mark_entered_in_error(complication=complication, reason="Wrong "
                                                "patient", actor=Actor.command_line(surgeon))
    row = _row(selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters()),
               "SD_INFECTION")
    assert row.unit.had == 0


def test_reading_the_audit_is_audited_without_naming_patients(surgeon, auditor):
    operated(surgeon)
    selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters(year=2025))
    event = AuditEvent.objects.get(object_type="service_audit")
    assert event.patient_id is None and event.details["filters"]["year"] == 2025


def test_the_complications_audit_runs_in_a_fixed_number_of_queries(
        surgeon, auditor, django_assert_max_num_queries):
    for index in range(6):
        operated(surgeon, complications=["SD_INFECTION"] if index % 2 else [])
    with django_assert_max_num_queries(12):
        selectors.complications_against_disclosed(actor=auditor, filters=AuditFilters())


def test_paired_change_in_twstrs_matches_the_hand_computation(surgeon, auditor):
    # Baselines (severity, disability, pain) and 6-month reviews: totals 40 -> 30, 35 -> 30,
    # 50 -> 38, 45 -> 41, 40 -> 40: changes -10, -5, -12, -4, 0; mean -6.2; two of five
    # improved by at least 8 points (the local-policy MCIC).
    pairs = [((20, 15, 5), (15, 10, 5)), ((20, 10, 5), (15, 10, 5)),
             ((25, 15, 10), (20, 10, 8)), ((20, 15, 10), (18, 13, 10)),
             ((20, 10, 10), (20, 10, 10))]
    for before, after in pairs:
        operated(surgeon, baseline=before, reviews=[(3, *before), (6, *after)])
    audit = selectors.outcomes_paired(actor=auditor, filters=AuditFilters(),
                                      measures=(Measure.TWSTRS_TOTAL,))
    cell = audit.unit[(Measure.TWSTRS_TOTAL, 6)]
    assert cell.n == 5
    assert cell.change.mean_change == pytest.approx(-6.2)
    # Squared deviations from -6.2: 14.44 + 1.44 + 33.64 + 4.84 + 38.44 = 92.8; sd =
    # sqrt(92.8 / 4) = 4.816638; t(0.975, 4) = 2.776445; half width = 2.776445 * 4.816638 /
    # sqrt(5) = 5.980645.
    assert cell.change.low == pytest.approx(-12.180645, abs=1e-4)
    assert cell.change.high == pytest.approx(-0.219355, abs=1e-4)
    assert (cell.reached_mcic.numerator, cell.reached_mcic.denominator) == (2, 5)
    # The last follow-up is the 6-month review for each; at 3 months no change.
    assert audit.unit[(Measure.TWSTRS_TOTAL, LAST_FOLLOW_UP)].change.mean_change == \
        pytest.approx(-6.2)
    assert audit.unit[(Measure.TWSTRS_TOTAL, 3)].change.mean_change == 0
    assert audit.unit[(Measure.TWSTRS_TOTAL, 12)].n == 0


def test_tsui_change_is_paired_from_its_own_baseline(surgeon, auditor):
    for before, after in ((10, 4), (12, 6), (8, 5), (10, 5), (9, 4)):
        operated(surgeon, baseline=(20, 10, 5, before), reviews=[(3, 18, 8, 4, after)])
    cell = selectors.outcomes_paired(actor=auditor, filters=AuditFilters(),
                                     measures=(Measure.TSUI_TOTAL,)).unit[
        (Measure.TSUI_TOTAL, 3)]
    # Changes -6, -6, -3, -5, -5: mean -5.
    assert cell.n == 5 and cell.change.mean_change == pytest.approx(-5)


def test_outcomes_of_a_small_group_are_not_shown_but_count_for_the_unit(surgeon, auditor):
    other = UserFactory(role=Role.NEUROSURGEON)
    for _ in range(5):
        operated(surgeon, baseline=(20, 10, 5), reviews=[(3, 15, 10, 5)])
    operated(other, baseline=(20, 10, 5), reviews=[(3, 10, 10, 5)])
    audit = selectors.outcomes_paired(actor=auditor, filters=AuditFilters(),
                                      measures=(Measure.TWSTRS_TOTAL,))
    assert audit.groups[other.pk][(Measure.TWSTRS_TOTAL, 3)].suppressed
    assert audit.groups[other.pk][(Measure.TWSTRS_TOTAL, 3)].change is None
    assert audit.unit[(Measure.TWSTRS_TOTAL, 3)].n == 6
    assert audit.unit[(Measure.TWSTRS_TOTAL, 3)].change.mean_change == pytest.approx(-35 / 6)


def test_grouping_by_year_uses_the_year_of_the_operation(surgeon, auditor):
    for _ in range(5):
        operated(surgeon)
    operated(surgeon, operated_on=datetime.date(2024, 9, 2))
    audit = selectors.outcomes_paired(actor=auditor,
                                      filters=AuditFilters(group_by=GroupBy.YEAR),
                                      measures=(Measure.TWSTRS_TOTAL,))
    assert audit.group_sizes == {2025: 5, 2024: 1}


def test_time_to_reoperation_censors_at_the_last_review(surgeon, auditor):
    # Five operations: one reoperated at 61 days (2.0 months); four censored at their
    # 3-month review (3.0 months): S(2.0) = 4/5.
    operated(surgeon, reviews=[], further=("reoperation", 61))
    for _ in range(4):
        operated(surgeon, reviews=[(3, 15, 10, 5)])
    curve = selectors.further_surgery_survival(
        actor=auditor, filters=AuditFilters(), endpoint=FurtherSurgeryEndpoint.REOPERATION)
    assert (curve.operations, curve.events) == (5, 1)
    first = curve.steps[0]
    assert first.time == pytest.approx(61 / (365.25 / 12))
    assert (first.at_risk, first.events, first.survival) == (5, 1, pytest.approx(0.8))
    assert curve.steps[-1].censored == 4


def test_time_to_conversion_of_a_small_cohort_is_not_shown(surgeon, auditor):
    operated(surgeon, further=("conversion_to_dbs", 200))
    curve = selectors.further_surgery_survival(
        actor=auditor, filters=AuditFilters(),
        endpoint=FurtherSurgeryEndpoint.CONVERSION_TO_DBS)
    assert curve.suppressed and curve.steps == ()


def test_the_outcomes_audit_runs_in_a_fixed_number_of_queries(
        surgeon, auditor, django_assert_max_num_queries):
    for _ in range(3):
        operated(surgeon, baseline=(20, 10, 5), reviews=[(3, 15, 10, 5)])
    # One for the groups and the window, one grouped query for every measure and point,
    # the policy, the labels and the audit entry: independent of the number of operations
    # and of measures and points.
    with django_assert_max_num_queries(8):
        selectors.outcomes_paired(actor=auditor, filters=AuditFilters())


def test_operated_on_is_the_window_of_the_audit(surgeon, auditor):
    operated(surgeon)
    audit = selectors.outcomes_paired(actor=auditor, filters=AuditFilters(),
                                      measures=(Measure.TWSTRS_TOTAL,))
    assert audit.first_operation == audit.last_operation == OPERATED_ON

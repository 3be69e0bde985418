"""The service audit's statistics against values computed by hand (worked in the comments)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collis.domain.audit_statistics import (
    Comparison,
    at_risk_at,
    compare_with_disclosed,
    disclosed_range,
    distribution_of,
    is_flagged,
    kaplan_meier,
    paired_change,
    paired_change_from_sums,
    proportion_wilson,
    suppressed,
    survival_at,
    t_quantile,
)


def test_wilson_interval_of_3_in_12_matches_the_hand_computation():
    # z = 1.959964, z^2 = 3.841459; centre = (0.25 + z^2/24) / (1 + z^2/12) = 0.310624;
    # half = z / (1 + z^2/12) * sqrt(0.25*0.75/12 + z^2/576) = 0.221682.
    p = proportion_wilson(3, 12)
    assert p.percent == pytest.approx(25.0)
    assert p.low == pytest.approx(0.088942, abs=1e-5)
    assert p.high == pytest.approx(0.532306, abs=1e-5)


def test_wilson_interval_of_none_reaches_z_squared_over_n_plus_z_squared():
    # 0 of 10: low 0, high = z^2 / (10 + z^2) = 3.841459 / 13.841459 = 0.277533.
    p = proportion_wilson(0, 10)
    assert p.low == 0.0
    assert p.high == pytest.approx(0.277533, abs=1e-5)


def test_wilson_interval_of_all_reaches_one():
    p = proportion_wilson(10, 10)
    assert p.high == 1.0
    assert p.low == pytest.approx(1 - 0.277533, abs=1e-5)


@pytest.mark.parametrize(("numerator", "denominator"), [(1, 0), (-1, 5), (6, 5)])
def test_wilson_refuses_an_impossible_proportion(numerator, denominator):
    with pytest.raises(ValueError):
        proportion_wilson(numerator, denominator)


@given(st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_wilson_interval_holds_the_observed_rate_inside_zero_to_one(pair):
    p = proportion_wilson(*pair)
    assert 0 <= p.low <= p.rate <= p.high <= 1


@pytest.mark.parametrize(("df", "expected"), [(1, 12.706205), (3, 3.182446), (9, 2.262157),
                                              (30, 2.042272), (200, 1.971896)])
def test_t_quantile_matches_published_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-5)


def test_paired_change_with_its_t_interval_matches_the_hand_computation():
    # Differences -10, -5, -12, -4: mean -7.75; squared deviations 5.0625 + 7.5625 +
    # 18.0625 + 14.0625 = 44.75; sd = sqrt(44.75/3) = 3.862210; se = 1.931105;
    # t(0.975, 3) = 3.182446; half width 6.145638.
    change = paired_change([(40, 30), (35, 30), (50, 38), (45, 41)])
    assert change.n == 4
    assert change.mean_change == pytest.approx(-7.75)
    assert change.low == pytest.approx(-13.895638, abs=1e-5)
    assert change.high == pytest.approx(-1.604362, abs=1e-5)
    assert change.mean_before == pytest.approx(42.5)
    assert change.percent_change == pytest.approx(-7.75 / 42.5 * 100)


def test_paired_change_from_sums_agrees_with_the_pairs():
    pairs = [(40, 30), (35, 30), (50, 38), (45, 41)]
    diffs = [a - b for b, a in pairs]
    from_sums = paired_change_from_sums(
        n=4, sum_before=sum(b for b, _ in pairs), sum_after=sum(a for _, a in pairs),
        sum_difference=sum(diffs), sum_difference_squared=sum(d * d for d in diffs))
    direct = paired_change(pairs)
    assert from_sums.mean_change == pytest.approx(direct.mean_change)
    assert from_sums.low == pytest.approx(direct.low)
    assert from_sums.high == pytest.approx(direct.high)


def test_one_pair_has_a_change_but_no_interval():
    change = paired_change([(40, 30)])
    assert change.mean_change == -10
    assert change.low is None and change.high is None


# Months to reoperation: events at 2, 5 and 8; censored at 3, 5 and 10.
OBSERVATIONS = [(2, True), (3, False), (5, True), (5, False), (8, True), (10, False)]


def test_kaplan_meier_matches_the_hand_computation():
    # S(2) = 5/6; S(5) = 5/6 * 3/4 = 0.625 (the censoring at 5 is at risk for the event at
    # 5); S(8) = 0.625 * 1/2 = 0.3125.
    steps = kaplan_meier(OBSERVATIONS)
    assert [(s.time, s.at_risk, s.events, s.censored) for s in steps] == [
        (2, 6, 1, 0), (3, 5, 0, 1), (5, 4, 1, 1), (8, 2, 1, 0), (10, 1, 0, 1)]
    assert [s.survival for s in steps] == pytest.approx([5 / 6, 5 / 6, 0.625, 0.3125, 0.3125])
    assert survival_at(steps, 1) == 1.0
    assert survival_at(steps, 6) == pytest.approx(0.625)
    assert at_risk_at(steps, 4) == 4
    assert at_risk_at(steps, 12) == 0


def test_kaplan_meier_interval_uses_greenwood_on_the_log_minus_log_scale():
    # At 2 months: Greenwood sum 1/(6*5) = 0.033333; se of log(-log S) =
    # sqrt(0.033333) / |log(5/6)| = 1.001383; the interval is S^exp(+-1.959964 * se):
    # 0.273 to 0.975.
    first = kaplan_meier(OBSERVATIONS)[0]
    spread = 1.959964 * math.sqrt(1 / 30) / abs(math.log(5 / 6))
    assert first.low == pytest.approx((5 / 6) ** math.exp(spread), abs=1e-5)
    assert first.high == pytest.approx((5 / 6) ** math.exp(-spread), abs=1e-5)
    assert first.low == pytest.approx(0.2732, abs=1e-3)
    assert first.high == pytest.approx(0.9747, abs=1e-3)


def test_kaplan_meier_without_events_stays_at_one_without_an_interval():
    steps = kaplan_meier([(3, False), (6, False)])
    assert all(s.survival == 1.0 and s.low is None for s in steps)


def test_disclosed_range_spans_every_figure_and_uses_counts_where_no_percentages():
    assert disclosed_range([{"percent_low": 2, "percent_high": 2},
                            {"percent_low": 38, "percent_high": 63}]) == (2, 63)
    low, high = disclosed_range([{"numerator": 1, "denominator": 168}])
    assert low == high == pytest.approx(100 / 168)
    assert disclosed_range([]) is None


def test_an_observed_rate_above_the_disclosed_range_is_flagged():
    # 4 of 12 = 33% against a disclosed 25% (3 of 12): above, interval reaching into range.
    comparison = compare_with_disclosed(proportion_wilson(4, 12), (25, 25))
    assert comparison is Comparison.ABOVE and is_flagged(comparison)


def test_an_observed_rate_whose_whole_interval_is_above_is_clearly_above():
    # 30 of 50 = 60%, Wilson 46.2% to 72.4%, against a disclosed 25%.
    assert compare_with_disclosed(proportion_wilson(30, 50), (25, 25)) \
        is Comparison.ABOVE_CLEARLY


def test_an_observed_rate_within_the_range_is_not_flagged():
    comparison = compare_with_disclosed(proportion_wilson(3, 12), (25, 25))
    assert comparison is Comparison.WITHIN and not is_flagged(comparison)


def test_a_risk_disclosed_without_a_figure_cannot_be_compared():
    assert compare_with_disclosed(proportion_wilson(3, 12), None) is Comparison.NO_FIGURE


def test_a_group_smaller_than_the_minimum_is_suppressed():
    assert suppressed(4, 5) and not suppressed(5, 5)


def test_the_distribution_of_waits_gives_quartiles_by_interpolation():
    # Sorted 10, 20, 30, 40, 200: median 30; lower quartile at position 1 = 20; upper at
    # position 3 = 40; 90th centile at position 3.6 = 40 + 0.6 * 160 = 136.
    waits = distribution_of([200, 10, 30, 40, 20], standard_days=126)
    assert (waits.n, waits.median, waits.lower_quartile, waits.upper_quartile) == \
        (5, 30, 20, 40)
    assert waits.centile_90 == pytest.approx(136)
    assert (waits.within.numerator, waits.within.denominator) == (4, 5)
    assert waits.longest == 200


def test_no_waits_have_no_distribution():
    assert distribution_of([]) is None

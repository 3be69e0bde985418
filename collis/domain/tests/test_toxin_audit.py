"""The toxin audit's pure parts: the response pattern from counted facts agrees with the
domain's own derivation from cycles, and quartiles from counts agree with quartiles of the
listed values (and with hand computation)."""

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collis.domain.audit_statistics import quantile
from collis.domain.policy import ResponseThresholds
from collis.domain.toxin import ResponsePattern, ToxinCycle, derive_response_pattern
from collis.domain.toxin_audit import (
    ResponseFacts,
    quantile_of_counts,
    quartiles_of_counts,
    response_pattern_from_facts,
)

DEFAULT = ResponseThresholds()
# Benefit (percent, weeks) chosen to straddle the default thresholds: good is at least 50%
# for at least 10 weeks, useful at least 25% (local policy).
BENEFITS = [(10, 4), (25, 8), (49, 12), (50, 9), (50, 10), (80, 16)]


def facts_of(cycles, t=DEFAULT) -> ResponseFacts:
    """The facts a grouped query counts, here counted by hand from dated cycles."""
    def good(c):
        return (c.benefit_percent >= t.good_min_benefit_percent
                and c.benefit_weeks >= t.good_min_benefit_weeks)
    latest = max(cycles, key=lambda c: c.date)
    return ResponseFacts(
        reviewed=len(cycles),
        any_useful=any(c.benefit_percent >= t.useful_min_benefit_percent for c in cycles),
        any_good=any(good(c) for c in cycles), latest_good=good(latest))


def _cycles(benefits):
    start = datetime.date(2024, 1, 1)
    return [ToxinCycle(date=start + datetime.timedelta(weeks=13 * i), benefit_percent=p,
                       benefit_weeks=w) for i, (p, w) in enumerate(benefits)]


@pytest.mark.parametrize("length", [1, 2, 3])
def test_the_pattern_from_facts_is_the_domains_pattern_for_every_short_sequence(length):
    for benefits in itertools.product(BENEFITS, repeat=length):
        cycles = _cycles(benefits)
        expected = derive_response_pattern(cycles).pattern
        assert response_pattern_from_facts(facts_of(cycles)) == expected, benefits


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 52)), min_size=1, max_size=6),
       st.integers(1, 4), st.integers(0, 100), st.integers(0, 52), st.integers(0, 100))
def test_the_pattern_from_facts_agrees_under_any_thresholds(benefits, min_cycles, good_pct,
                                                            good_weeks, useful_pct):
    t = ResponseThresholds(good_min_benefit_percent=good_pct, good_min_benefit_weeks=good_weeks,
                           useful_min_benefit_percent=useful_pct, min_cycles=min_cycles)
    cycles = _cycles(benefits)
    assert (response_pattern_from_facts(facts_of(cycles, t), t)
            == derive_response_pattern(cycles, t).pattern)


def test_a_good_response_lost_is_secondary_non_response():
    facts = ResponseFacts(reviewed=3, any_useful=True, any_good=True, latest_good=False)
    assert response_pattern_from_facts(facts) is ResponsePattern.SECONDARY_NON_RESPONSE


def test_too_few_reviewed_cycles_give_no_pattern():
    assert response_pattern_from_facts(ResponseFacts(1, True, True, True)) is None
    assert response_pattern_from_facts(ResponseFacts(0, False, False, False)) is None


def test_quartiles_of_counts_by_hand():
    # 100 U x1, 200 U x2, 300 U x1: values 100, 200, 200, 300. Median 200; lower quartile
    # at position 0.75 between 100 and 200: 175; upper at 2.25 between 200 and 300: 225.
    q = quartiles_of_counts({200: 2, 100: 1, 300: 1})
    assert (q.n, q.lower_quartile, q.median, q.upper_quartile) == (4, 175, 200, 225)
    assert (q.lowest, q.highest) == (100, 300)


def test_quartiles_of_nothing_is_none():
    assert quartiles_of_counts({}) is None
    assert quartiles_of_counts({100: 0}) is None
    with pytest.raises(ValueError):
        quantile_of_counts({}, 0.5)


@given(st.dictionaries(st.integers(1, 2000), st.integers(0, 6), min_size=1),
       st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]))
def test_quantile_of_counts_is_the_quantile_of_the_listed_values(counts, q):
    values = sorted(v for v, n in counts.items() for _ in range(n))
    if not values:
        return
    assert quantile_of_counts(counts, q) == pytest.approx(quantile(values, q))

"""TWSTRS [9]: every item at min, max, min-1 and max+1; subscores; MCIC [10]."""

from __future__ import annotations

import pytest

from collis.domain.policy import policy_from_mapping
from collis.domain.scales.twstrs import (
    ITEMS,
    ITEMS_BY_NAME,
    SUBSCALE_RANGES,
    ChangeDirection,
    Subscale,
    TwstrsError,
    TwstrsItemOutOfRange,
    compare_twstrs,
    score_twstrs,
    twstrs_from_subscores,
)

BOUNDED = [item for item in ITEMS if item.high is not None]
PAIN = [item for item in ITEMS if item.subscale is Subscale.PAIN]


def all_items(value_for=lambda item: item.low) -> dict[str, float]:
    return {item.name: value_for(item) for item in ITEMS}


def test_item_ranges_are_those_of_the_reference():
    ranges = {item.name: (item.low, item.high, item.weight) for item in ITEMS}
    assert ranges == {
        "rotation": (0, 4, 1),
        "laterocollis": (0, 3, 1),
        "anterocollis_retrocollis": (0, 3, 1),
        "lateral_shift": (0, 1, 1),
        "sagittal_shift": (0, 1, 1),
        "duration": (0, 5, 2),
        "sensory_trick": (0, 2, 1),
        "shoulder_elevation": (0, 3, 1),
        "range_of_motion": (0, 4, 1),
        "time_held_neutral": (0, 4, 1),
        "work": (0, 5, 1),
        "activities_of_daily_living": (0, 5, 1),
        "driving": (0, 5, 1),
        "reading": (0, 5, 1),
        "television": (0, 5, 1),
        "activities_outside_home": (0, 5, 1),
        "pain_severity": (0, None, 1),
        "pain_duration": (0, None, 1),
        "pain_disability": (0, None, 1),
    }
    assert not ITEMS_BY_NAME["range_of_motion"].range_sourced
    assert not ITEMS_BY_NAME["time_held_neutral"].range_sourced


def test_maximum_items_give_the_maximum_subscores():
    score = score_twstrs(all_items(lambda i: i.high if i.high is not None else 20 / 3))
    assert score.severity == 35
    assert score.disability == 30
    assert score.pain == pytest.approx(20)
    assert score.total == pytest.approx(85)


def test_minimum_items_give_zero():
    score = score_twstrs(all_items())
    assert (score.severity, score.disability, score.pain, score.total) == (0, 0, 0, 0)


@pytest.mark.parametrize("item", BOUNDED, ids=lambda i: i.name)
@pytest.mark.parametrize("edge", ["min", "max"])
def test_item_at_its_bounds_is_accepted(item, edge):
    value = item.low if edge == "min" else item.high
    score = score_twstrs({item.name: value})
    assert dict(score.items) == {item.name: value}


@pytest.mark.parametrize("item", BOUNDED, ids=lambda i: i.name)
@pytest.mark.parametrize("edge", ["min-1", "max+1"])
def test_item_outside_its_range_is_refused_naming_item_and_range(item, edge):
    value = item.low - 1 if edge == "min-1" else item.high + 1
    with pytest.raises(TwstrsItemOutOfRange) as error:
        score_twstrs({item.name: value})
    assert error.value.name == item.name
    assert item.name in str(error.value)
    assert f"allowed {item.low}-{item.high}" in str(error.value)


@pytest.mark.parametrize("item", PAIN, ids=lambda i: i.name)
def test_pain_item_below_zero_is_refused(item):
    with pytest.raises(TwstrsItemOutOfRange) as error:
        score_twstrs({item.name: -1})
    assert item.name in str(error.value)


@pytest.mark.parametrize("item", PAIN, ids=lambda i: i.name)
def test_pain_item_at_zero_and_at_the_subscale_maximum_is_accepted(item):
    others = {p.name: 0 for p in PAIN if p is not item}
    assert score_twstrs({**others, item.name: 0}).pain == 0
    assert score_twstrs({**others, item.name: 20}).pain == 20


def test_pain_items_are_summed_as_entered_without_weighting():
    score = score_twstrs({"pain_severity": 4.5, "pain_duration": 3, "pain_disability": 2})
    assert score.pain == pytest.approx(9.5)


def test_pain_sum_above_twenty_is_refused():
    with pytest.raises(TwstrsItemOutOfRange) as error:
        score_twstrs({"pain_severity": 10, "pain_duration": 10, "pain_disability": 0.5})
    assert "pain" in str(error.value)
    assert "0-20" in str(error.value)


def test_duration_is_weighted_twice():
    items = all_items()
    items["duration"] = 5
    assert score_twstrs(items).severity == 10


def test_subscore_is_none_until_all_its_items_are_given():
    score = score_twstrs({"rotation": 2, "work": 3})
    assert score.severity is None
    assert score.disability is None
    assert score.total is None


def test_unknown_item_is_refused_listing_the_allowed_items():
    with pytest.raises(TwstrsError) as error:
        score_twstrs({"tilt": 1})
    assert "'tilt'" in str(error.value)
    assert "rotation" in str(error.value)


@pytest.mark.parametrize("value", [1.5, "2", True, None, float("nan")])
def test_severity_item_must_be_a_whole_number(value):
    with pytest.raises(TwstrsError):
        score_twstrs({"rotation": value})


@pytest.mark.parametrize(
    ("subscale", "low", "high"),
    [(s, *SUBSCALE_RANGES[s]) for s in Subscale],
)
def test_subscores_at_and_outside_their_ranges(subscale, low, high):
    name = str(subscale)
    assert getattr(twstrs_from_subscores(**{name: low}), name) == low
    assert getattr(twstrs_from_subscores(**{name: high}), name) == high
    for bad in (low - 1, high + 1):
        with pytest.raises(TwstrsItemOutOfRange) as error:
            twstrs_from_subscores(**{name: bad})
        assert name in str(error.value)
        assert f"{low}-{high}" in str(error.value)


def test_total_from_subscores():
    assert twstrs_from_subscores(22, 14, 9).total == 45


def test_change_at_least_the_mcic_is_clinically_important():
    before, after = twstrs_from_subscores(22, 14, 9), twstrs_from_subscores(16, 12, 9)
    change = compare_twstrs(before, after)
    assert change.change == -8
    assert change.mcic == 8
    assert change.direction is ChangeDirection.IMPROVED
    assert change.clinically_important
    assert change.sources == (10,)
    assert "local policy" in change.detail


def test_change_below_the_mcic_is_not_important_and_threshold_is_configurable():
    before, after = twstrs_from_subscores(22, 14, 9), twstrs_from_subscores(16, 12, 9)
    strict = policy_from_mapping({"twstrs_mcic_points": 12})
    assert compare_twstrs(before, after, strict).direction is ChangeDirection.NO_IMPORTANT_CHANGE


def test_worsening_is_flagged():
    change = compare_twstrs(twstrs_from_subscores(10, 5, 0), twstrs_from_subscores(20, 5, 0))
    assert change.direction is ChangeDirection.WORSENED


def test_change_needs_both_totals():
    with pytest.raises(TwstrsError):
        compare_twstrs(twstrs_from_subscores(severity=10), twstrs_from_subscores(10, 5, 0))

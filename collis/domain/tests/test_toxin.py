"""Botulinum toxin [13]-[23]: products, ratios as information only, intervals, response patterns."""

from __future__ import annotations

import datetime
import inspect

import pytest

from collis.domain import toxin
from collis.domain.policy import DEFAULT_POLICY, ResponseThresholds
from collis.domain.toxin import (
    APPROXIMATE_RATIOS,
    POOR_RESPONDER_CHECKLIST,
    PRODUCTS,
    Product,
    ResponsePattern,
    ToxinCycle,
    derive_response_pattern,
    injection_interval_warnings,
)


def cycle(
    day: str | None, percent=None, weeks=None, product=Product.ONABOTULINUMTOXIN_A
) -> ToxinCycle:
    date = datetime.date.fromisoformat(day) if day else None
    return ToxinCycle(date=date, product=product, benefit_percent=percent, benefit_weeks=weeks)


def test_every_product_has_dosing_evidence_with_a_source():
    assert set(PRODUCTS) == set(Product)
    assert all(info.sources for info in PRODUCTS.values())
    assert PRODUCTS[Product.RIMABOTULINUMTOXIN_B].serotype == "B"


def test_ratios_are_information_only_with_source_18():
    assert {r.ratio for r in APPROXIMATE_RATIOS} == {"1:2.5-3", "1:1", "about 1:40"}
    assert all(r.sources == (18,) for r in APPROXIMATE_RATIOS)
    assert "never converts" in toxin.RATIO_NOTE


def test_there_is_no_function_that_converts_units():
    functions = [name for name, _ in inspect.getmembers(toxin, inspect.isfunction)]
    assert not [
        name for name in functions if "convert" in name or "equivalent" in name or "dose" in name
    ]


def test_interval_shorter_than_twelve_weeks_is_warned():
    warnings = injection_interval_warnings([cycle("2024-01-01"), cycle("2024-03-11")])
    assert [w.code for w in warnings] == ["SHORT_INJECTION_INTERVAL"]
    assert warnings[0].sources == (15, 19)
    assert warnings[0].path == "botulinum_toxin.cycles[1]"


def test_interval_of_twelve_weeks_is_not_warned():
    assert injection_interval_warnings([cycle("2024-01-01"), cycle("2024-03-25")]) == ()


def test_incobotulinumtoxin_below_ten_weeks_is_below_the_eu_minimum():
    inco = Product.INCOBOTULINUMTOXIN_A
    warnings = injection_interval_warnings([cycle("2024-01-01"), cycle("2024-02-26", product=inco)])
    assert [w.code for w in warnings] == ["INTERVAL_BELOW_LICENSED_MINIMUM"]
    assert warnings[0].sources == (15,)
    ten_weeks = injection_interval_warnings(
        [cycle("2024-01-01"), cycle("2024-03-11", product=inco)]
    )
    assert [w.code for w in ten_weeks] == ["SHORT_INJECTION_INTERVAL"]


def test_intervals_use_date_order_and_ignore_undated_cycles():
    cycles = [cycle("2024-06-01"), cycle(None), cycle("2024-01-01")]
    assert injection_interval_warnings(cycles) == ()


@pytest.mark.parametrize(
    ("benefits", "expected"),
    [
        ([(70, 12), (60, 11)], ResponsePattern.GOOD_RESPONSE),
        ([(70, 12), (30, 6)], ResponsePattern.SECONDARY_NON_RESPONSE),
        (
            [(70, 12), (60, 6)],
            ResponsePattern.SECONDARY_NON_RESPONSE,
        ),  # shortening duration [20][23]
        ([(30, 6), (40, 8)], ResponsePattern.PARTIAL_RESPONSE),
        ([(10, 2), (0, 0)], ResponsePattern.PRIMARY_NON_RESPONSE),
        ([(50, 10), (50, 10)], ResponsePattern.GOOD_RESPONSE),  # thresholds are inclusive
        ([(24, 10), (24.9, 10)], ResponsePattern.PRIMARY_NON_RESPONSE),
        ([(25, 1), (20, 1)], ResponsePattern.PARTIAL_RESPONSE),
    ],
)
def test_response_pattern_is_derived_from_cycles(benefits, expected):
    cycles = [cycle(f"202{i}-01-01", p, w) for i, (p, w) in enumerate(benefits)]
    derivation = derive_response_pattern(cycles)
    assert derivation.pattern is expected
    assert derivation.derived is True
    assert derivation.reason
    assert derivation.policy_name == "bont_response_thresholds"


def test_derivation_uses_date_order_when_all_cycles_are_dated():
    cycles = [cycle("2024-01-01", 20, 4), cycle("2022-01-01", 70, 12)]
    assert derive_response_pattern(cycles).pattern is ResponsePattern.SECONDARY_NON_RESPONSE


def test_derivation_uses_listed_order_when_some_are_undated():
    cycles = [cycle("2024-01-01", 20, 4), cycle(None, 70, 12)]
    derivation = derive_response_pattern(cycles)
    assert derivation.pattern is ResponsePattern.GOOD_RESPONSE
    assert "order listed" in derivation.reason


def test_derivation_thresholds_are_policy():
    cycles = [cycle("2022-01-01", 60, 12), cycle("2023-01-01", 60, 12)]
    strict = ResponseThresholds(good_min_benefit_percent=80)
    assert derive_response_pattern(cycles, strict).pattern is ResponsePattern.PARTIAL_RESPONSE
    assert DEFAULT_POLICY.bont_response_thresholds == ResponseThresholds()


@pytest.mark.parametrize(
    ("cycles", "paths"),
    [
        (None, ("botulinum_toxin.cycles",)),
        ([], ("botulinum_toxin.cycles",)),
        ([cycle("2022-01-01", 60, 12)], ("botulinum_toxin.cycles",)),
        (
            [cycle("2022-01-01", 60, 12), cycle("2023-01-01", 60)],
            ("botulinum_toxin.cycles[1].benefit_weeks",),
        ),
    ],
)
def test_derivation_needs_enough_complete_cycles(cycles, paths):
    derivation = derive_response_pattern(cycles)
    assert derivation.pattern is None
    assert derivation.missing_paths == paths


def test_bnn_checklist_is_data_with_source_20():
    whens = {step.when for step in POOR_RESPONDER_CHECKLIST}
    assert whens == {"poor response", "not resistant", "resistant"}
    assert all(20 in step.sources for step in POOR_RESPONDER_CHECKLIST)
    codes = [step.code for step in POOR_RESPONDER_CHECKLIST if step.when == "resistant"]
    assert codes == ["TOXIN_HOLIDAY", "BONT_B", "ANOTHER_BONT_A", "SURGERY_OR_DBS"]

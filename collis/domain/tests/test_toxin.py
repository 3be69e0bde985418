"""Botulinum toxin [13]-[23][46]: products, ratios as information only, intervals, units per
session and per muscle, response patterns."""

from __future__ import annotations

import datetime
import inspect

import pytest

from collis.domain import toxin
from collis.domain.findings import LOCAL_POLICY_LABEL
from collis.domain.policy import (
    DEFAULT_POLICY,
    MEDICATION_DOSE_RANGES,
    TOXIN_UNIT_LIMITS,
    ResponseThresholds,
    ToxinUnitLimits,
)
from collis.domain.toxin import (
    APPROXIMATE_RATIOS,
    LICENSED_MAX_UNITS_PER_SESSION,
    MUSCLE_MAX_UNITS,
    POOR_RESPONDER_CHECKLIST,
    PRODUCTS,
    InjectedUnits,
    Product,
    ResponsePattern,
    ToxinCycle,
    assess_cycle_units,
    derive_response_pattern,
    injection_interval_warnings,
    session_limit,
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


# Units per session and per muscle [13][46], and the local-policy limits ------------------

ABO, ONA = Product.ABOBOTULINUMTOXIN_A, Product.ONABOTULINUMTOXIN_A


def units(*rows, product=ABO, **options):
    injected = [InjectedUnits(m, s, u) for m, s, u in rows]
    return assess_cycle_units(product, injected, **options)


def codes(assessment):
    return [w.code for w in assessment.warnings]


def test_the_sourced_limits_are_the_references_figures():
    assert LICENSED_MAX_UNITS_PER_SESSION[ABO].units == 1000
    assert LICENSED_MAX_UNITS_PER_SESSION[ABO].sources == (46,)
    scm = MUSCLE_MAX_UNITS[(ONA, "sternocleidomastoid")]
    assert (scm.units, scm.sources) == (100, (13,))
    assert 46 in PRODUCTS[ABO].sources and "1,000 U per session" in PRODUCTS[ABO].cd_dosing_evidence


def test_abobotulinumtoxin_above_1000_units_a_session_is_warned_with_source_46():
    at_limit = units(("sternocleidomastoid", "left", 400), ("splenius_capitis", "right", 600))
    assert at_limit.warnings == () and at_limit.acceptable
    above = units(("sternocleidomastoid", "left", 400), ("splenius_capitis", "right", 850))
    assert codes(above) == ["ABOVE_LICENSED_SESSION_MAXIMUM"]
    warning = above.warnings[0]
    assert warning.sources == (46,) and warning.path == "injections" and not warning.policy
    assert "1,250 U of abobotulinumtoxinA" in warning.detail and "1,000 U [46]" in warning.detail
    assert above.total_units == 1250


def test_far_beyond_the_session_maximum_is_refused_as_a_typing_error():
    found = units(("splenius_capitis", "right", 2500))
    assert not found.acceptable and found.warnings == ()
    assert found.refusals[0].path == "injections" and found.refusals[0].index is None
    assert "typing error" in found.refusals[0].detail
    assert units(("splenius_capitis", "right", 2000)).acceptable  # twice the maximum: a warning


@pytest.mark.parametrize("bad", [0, -5, float("nan")])
def test_no_units_or_negative_units_are_refused_naming_the_row(bad):
    found = units(("trapezius", "left", 100), ("sternocleidomastoid", "right", bad), product=ONA)
    assert [(r.path, r.index) for r in found.refusals] == [("injections[1].units", 1)]
    assert found.refusals[0].detail == "Units for sternocleidomastoid (right) must be more than 0"


def test_onabotulinumtoxin_above_100_units_in_one_sternocleidomastoid_is_warned_with_source_13():
    assert units(("sternocleidomastoid", "left", 100), product=ONA).warnings == ()
    found = units(("trapezius", "right", 50), ("sternocleidomastoid", "left", 120), product=ONA)
    assert codes(found) == ["ABOVE_MUSCLE_MAXIMUM"]
    assert found.warnings[0].sources == (13,) and found.warnings[0].path == "injections[1].units"
    assert "may reduce dysphagia [13]" in found.warnings[0].detail


def test_a_bilateral_row_counts_both_sides():
    assert units(("sternocleidomastoid", "bilateral", 200), product=ONA).warnings == ()
    found = units(("sternocleidomastoid", "bilateral", 240), product=ONA)
    assert codes(found) == ["ABOVE_MUSCLE_MAXIMUM"]
    assert "200 U (100 U a side)" in found.warnings[0].detail


def test_units_are_never_compared_across_products():
    # 150 U of abobotulinumtoxinA in the SCM: the onabotulinumtoxinA figure does not apply.
    assert units(("sternocleidomastoid", "left", 150), ("splenius_capitis", "right", 350)
                 ).warnings == ()


def test_other_products_per_session_maxima_are_local_policy():
    found = units(("splenius_capitis", "right", 200), ("trapezius", "left", 150), product=ONA)
    assert codes(found) == ["ABOVE_SESSION_MAXIMUM"]
    warning = found.warnings[0]
    assert warning.sources == () and warning.policy == "toxin_unit_limits"
    assert "local policy; the reference gives no figure" in warning.detail
    for product in Product:
        assert session_limit(product, TOXIN_UNIT_LIMITS.value) is not None


def test_a_local_per_muscle_maximum_warns_as_local_policy():
    limits = ToxinUnitLimits(muscle_max_units=((ABO.value, "sternocleidomastoid", 250.0),))
    found = units(("sternocleidomastoid", "left", 300), ("trapezius", "left", 200),
                  limits=limits)
    assert codes(found) == ["ABOVE_MUSCLE_MAXIMUM"]
    assert found.warnings[0].policy == "toxin_unit_limits" and found.warnings[0].sources == ()


def test_the_first_abobotulinumtoxin_session_and_later_ones_keep_to_the_licence():
    first = units(("splenius_capitis", "right", 750), first_with_product=True)
    assert codes(first) == ["ABOVE_LICENSED_FIRST_DOSE"]
    assert units(("splenius_capitis", "right", 500), first_with_product=True).warnings == ()
    later = units(("splenius_capitis", "right", 150))
    assert codes(later) == ["BELOW_LICENSED_RANGE"] and later.warnings[0].sources == (46,)


def test_unit_limits_and_medicine_ranges_are_labelled_local_policy_and_unsourced():
    for value in (TOXIN_UNIT_LIMITS, MEDICATION_DOSE_RANGES):
        assert value.label == LOCAL_POLICY_LABEL
        assert "UNSOURCED" in value.description
        assert value.as_dict()["value"]
    assert TOXIN_UNIT_LIMITS.value.session_max(ABO.value) is None  # the licence [46] applies
    assert MEDICATION_DOSE_RANGES.value.range_for("mg") == (0.01, 5000.0)

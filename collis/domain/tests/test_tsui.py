"""Tsui scale [9]: items and total stored as entered; total 0-25; no invented formula."""

from __future__ import annotations

import pytest

from collis.domain.scales import tsui
from collis.domain.scales.tsui import ITEM_NAMES, ITEM_RANGES, TsuiError, record_tsui


def test_items_are_those_of_the_reference_and_have_no_invented_ranges():
    assert ITEM_NAMES == (
        "rotation",
        "tilt",
        "antero_retrocollis",
        "shoulder_elevation",
        "tremor",
        "continuity",
    )
    assert all(value is None for value in ITEM_RANGES.values())


def test_items_and_total_are_kept_as_entered_and_no_total_is_computed():
    score = record_tsui({"rotation": 2, "tilt": 1})
    assert dict(score.items) == {"rotation": 2, "tilt": 1}
    assert score.total is None
    assert record_tsui({"rotation": 2}, total=10).total == 10


@pytest.mark.parametrize("total", [0, 25])
def test_total_at_its_bounds_is_accepted(total):
    assert record_tsui({}, total=total).total == total


@pytest.mark.parametrize("total", [-1, 26])
def test_total_outside_0_to_25_is_refused(total):
    with pytest.raises(TsuiError) as error:
        record_tsui({}, total=total)
    assert "total" in str(error.value)


@pytest.mark.parametrize("name", ITEM_NAMES)
def test_item_at_zero_is_accepted_and_below_zero_refused(name):
    assert dict(record_tsui({name: 0}).items) == {name: 0}
    with pytest.raises(TsuiError) as error:
        record_tsui({name: -1})
    assert name in str(error.value)


@pytest.mark.parametrize("name", ITEM_NAMES)
def test_item_above_the_scale_total_is_refused(name):
    assert dict(record_tsui({name: 25}).items) == {name: 25}
    with pytest.raises(TsuiError):
        record_tsui({name: 26})


def test_unknown_item_and_wrong_type_are_refused():
    with pytest.raises(TsuiError, match="allowed"):
        record_tsui({"laterocollis": 1})
    with pytest.raises(TsuiError, match="number"):
        record_tsui({"rotation": "2"})


def test_module_has_no_function_that_computes_a_total():
    public = [
        name for name in dir(tsui) if callable(getattr(tsui, name)) and not name.startswith("_")
    ]
    assert not [name for name in public if "total" in name.lower() or "compute" in name.lower()]

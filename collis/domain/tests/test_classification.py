"""Albanese 2013 classification [1]: onset bands and body distribution."""

from __future__ import annotations

import pytest

from collis.domain.classification import (
    CONTIGUOUS_REGIONS,
    AgeAtOnset,
    Distribution,
    Region,
    age_at_onset_band,
    derive_distribution,
    distribution_compatible,
    regions_contiguous,
)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, AgeAtOnset.INFANCY),
        (2, AgeAtOnset.INFANCY),
        (3, AgeAtOnset.CHILDHOOD),
        (12, AgeAtOnset.CHILDHOOD),
        (13, AgeAtOnset.ADOLESCENCE),
        (20, AgeAtOnset.ADOLESCENCE),
        (21, AgeAtOnset.EARLY_ADULTHOOD),
        (40, AgeAtOnset.EARLY_ADULTHOOD),
        (41, AgeAtOnset.LATE_ADULTHOOD),
        (90, AgeAtOnset.LATE_ADULTHOOD),
        (2.5, AgeAtOnset.INFANCY),  # completed years
    ],
)
def test_age_at_onset_bands(age, band):
    assert age_at_onset_band(age) is band


@pytest.mark.parametrize("age", [-1, "40", None, True])
def test_age_at_onset_refuses_bad_values(age):
    with pytest.raises(ValueError):
        age_at_onset_band(age)


@pytest.mark.parametrize(
    ("regions", "distribution"),
    [
        (["neck"], Distribution.FOCAL),
        (["neck", "neck"], Distribution.FOCAL),
        (["neck", "cranial"], Distribution.SEGMENTAL),
        (["neck", "upper_limb"], Distribution.SEGMENTAL),
        (["cranial", "larynx", "neck"], Distribution.SEGMENTAL),
        (["neck", "lower_limb"], Distribution.MULTIFOCAL),
        (["cranial", "upper_limb"], Distribution.MULTIFOCAL),
        (["neck", "trunk"], Distribution.SEGMENTAL),
        (["trunk", "neck", "upper_limb"], Distribution.GENERALISED),
        (["trunk", "cranial", "lower_limb"], Distribution.GENERALISED),
    ],
)
def test_distribution_from_regions(regions, distribution):
    derivation = derive_distribution(regions)
    assert derivation.distribution is distribution
    assert derivation.sources == (1,)
    assert "[1]" in derivation.reason


def test_hemidystonia_needs_the_caller_to_say_one_side():
    assert derive_distribution(["upper_limb", "lower_limb"]).distribution is Distribution.MULTIFOCAL
    hemi = derive_distribution(["upper_limb", "lower_limb"], one_side_of_body=True)
    assert hemi.distribution is Distribution.HEMIDYSTONIA


def test_no_regions_gives_no_distribution():
    assert derive_distribution([]).distribution is None


def test_contiguity_is_symmetric_data():
    assert all(len(pair) == 2 for pair in CONTIGUOUS_REGIONS)
    for a in Region:
        for b in Region:
            assert regions_contiguous(a, b) == regions_contiguous(b, a)
    assert regions_contiguous(Region.NECK, Region.CRANIAL)
    assert not regions_contiguous(Region.NECK, Region.LOWER_LIMB)


def test_recorded_hemidystonia_agrees_with_multi_region_derivations():
    assert distribution_compatible(Distribution.HEMIDYSTONIA, Distribution.MULTIFOCAL)
    assert not distribution_compatible(Distribution.FOCAL, Distribution.SEGMENTAL)
    assert distribution_compatible(Distribution.FOCAL, Distribution.FOCAL)

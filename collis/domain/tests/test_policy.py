"""Local-policy values: one frozen dataclass, labelled, overridable with validation."""

from __future__ import annotations

import dataclasses

import pytest

from collis.domain.findings import LOCAL_POLICY_LABEL, Effect
from collis.domain.policy import (
    DEFAULT_POLICY,
    Policy,
    PolicyError,
    ResponseThresholds,
    policy_from_mapping,
    policy_names,
)

DEFAULTS = {
    "numerous_muscle_groups": 4,
    "min_bont_treatment_years": 2.0,
    "bont_response_thresholds": ResponseThresholds(50.0, 10.0, 25.0, 2),
    "multifocal_effect": Effect.CAUTIONS,
    "hemidystonia_effect": Effect.CAUTIONS,
    "sagittal_caput_forms_as_collis": True,
    "unfit_for_anaesthetic_effect": Effect.EXCLUDES,
    "cervical_myelopathy_effect": Effect.AGAINST,
    "prior_neck_surgery_effect": Effect.CAUTIONS,
    "abnormal_videofluoroscopy_effect": Effect.CAUTIONS,
    "abnormal_ct_cervical_spine_effect": Effect.CAUTIONS,
    "twstrs_mcic_points": 8.0,
}


def test_defaults():
    assert {name: getattr(DEFAULT_POLICY, name) for name in policy_names()} == DEFAULTS


def test_policy_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.numerous_muscle_groups = 3  # type: ignore[misc]


def test_every_value_is_described_and_labelled():
    for value in DEFAULT_POLICY.values():
        assert value.label == LOCAL_POLICY_LABEL == "local policy, needs clinical sign-off"
        assert len(value.description) > 40
        assert all(1 <= n <= 45 for n in value.sources)
        assert value.as_dict()["label"] == LOCAL_POLICY_LABEL


def test_mcic_cites_source_10_and_numerous_groups_cites_37():
    assert DEFAULT_POLICY.value("twstrs_mcic_points").sources == (10,)
    assert DEFAULT_POLICY.value("numerous_muscle_groups").sources == (37,)


def test_overrides_return_a_new_policy():
    policy = policy_from_mapping(
        {
            "numerous_muscle_groups": 3,
            "multifocal_effect": "against",
            "bont_response_thresholds": {"min_cycles": 3},
            "twstrs_mcic_points": 11.9,
        }
    )
    assert policy.numerous_muscle_groups == 3
    assert policy.multifocal_effect is Effect.AGAINST
    assert policy.bont_response_thresholds.min_cycles == 3
    assert policy.bont_response_thresholds.good_min_benefit_percent == 50
    assert policy.twstrs_mcic_points == 11.9
    assert Policy() == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"numerous": 3}, "numerous: unknown policy value; allowed: numerous_muscle_groups"),
        ({"numerous_muscle_groups": 2.5}, "numerous_muscle_groups: expected an integer"),
        ({"numerous_muscle_groups": True}, "numerous_muscle_groups: expected an integer"),
        ({"numerous_muscle_groups": 0}, "numerous_muscle_groups: 0 is out of range"),
        (
            {"multifocal_effect": "favours"},
            "multifocal_effect: 'favours' is not allowed; allowed values: cautions, against, "
            "excludes",
        ),
        (
            {"sagittal_caput_forms_as_collis": "yes"},
            "sagittal_caput_forms_as_collis: expected true or false",
        ),
        (
            {"twstrs_mcic_points": 0},
            "twstrs_mcic_points: 0 is out of range; must be greater than 0",
        ),
        (
            {"bont_response_thresholds": {"min_cycle": 2}},
            "bont_response_thresholds.min_cycle: unknown threshold",
        ),
        (
            {"bont_response_thresholds": {"good_min_benefit_percent": 120}},
            "bont_response_thresholds.good_min_benefit_percent: 120 is out of range",
        ),
        (
            {"bont_response_thresholds": {"useful_min_benefit_percent": 60}},
            "bont_response_thresholds.useful_min_benefit_percent: must not exceed "
            "good_min_benefit_percent",
        ),
        ({"bont_response_thresholds": 3}, "bont_response_thresholds: expected an object"),
    ],
)
def test_bad_overrides_name_the_key(mapping, message):
    with pytest.raises(PolicyError) as error:
        policy_from_mapping(mapping)
    assert str(error.value).startswith(message)


def test_all_problems_are_reported():
    with pytest.raises(PolicyError) as error:
        policy_from_mapping({"a": 1, "b": 2})
    assert len(error.value.problems) == 2


def test_non_mapping_is_refused():
    with pytest.raises(PolicyError):
        policy_from_mapping([1, 2])  # type: ignore[arg-type]


def test_unknown_name_lookup_lists_names():
    with pytest.raises(KeyError, match="numerous_muscle_groups"):
        DEFAULT_POLICY.value("nothing")


def test_a_policy_built_directly_is_checked_too():
    with pytest.raises(PolicyError, match="multifocal_effect"):
        Policy(multifocal_effect=Effect.MISSING)

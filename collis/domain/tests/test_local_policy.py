"""Every local-policy value as one versioned set: the flat mapping a version stores, its
checks, and the review schedule it gives."""

import pytest

from collis.domain.findings import Effect
from collis.domain.policy import (
    DEFAULT_LOCAL_POLICY,
    POLICY_SETTING_BY_KEY,
    POLICY_SETTINGS,
    LocalPolicy,
    PolicyError,
    local_policy_flatten,
    local_policy_from_flat,
    policy_names,
)


def test_the_flat_mapping_round_trips_to_the_same_policy():
    flat = local_policy_flatten(DEFAULT_LOCAL_POLICY)
    assert local_policy_from_flat(flat) == DEFAULT_LOCAL_POLICY
    assert set(flat) == set(POLICY_SETTING_BY_KEY)


def test_every_candidacy_value_is_a_setting_a_lead_can_change():
    keys = {s.key.split(".")[0] for s in POLICY_SETTINGS}
    assert set(policy_names()) <= keys
    assert {"consent_cooling_off_days", "follow_up_review_months",
            "follow_up_review_window_weeks", "toxin_unit_limits"} <= keys


def test_a_changed_value_reaches_the_domain_objects():
    policy = local_policy_from_flat({
        "numerous_muscle_groups": 3, "multifocal_effect": "against",
        "bont_response_thresholds.min_cycles": 3, "consent_cooling_off_days": 7,
        "toxin_unit_limits.session_max_units.onabotulinumtoxinA": 350.0})
    assert policy.candidacy.numerous_muscle_groups == 3
    assert policy.candidacy.multifocal_effect is Effect.AGAINST
    assert policy.candidacy.bont_response_thresholds.min_cycles == 3
    assert policy.consent_cooling_off_days == 7
    assert policy.toxin_unit_limits.session_max("onabotulinumtoxinA") == 350.0
    assert policy.toxin_unit_limits.session_max("incobotulinumtoxinA") == 240.0


@pytest.mark.parametrize("flat, message", [
    ({"consent_cooling_off_days": -1}, "Cooling-off period between counselling and consent: "
                                       "-1 is out of range; must be at least 0 and at most 90"),
    ({"consent_cooling_off_days": 1.5}, "expected an integer"),
    ({"follow_up_review_months": [6, 3]}, "the months must rise"),
    ({"follow_up_review_months": []}, "expected whole numbers of months"),
    ({"multifocal_effect": "favours"}, "is not allowed"),
    ({"sagittal_caput_forms_as_collis": "yes"}, "expected yes or no"),
    ({"toxin_unit_limits.implausible_factor": 1}, "must be greater than 1"),
    ({"no_such_value": 1}, "no_such_value: unknown policy value"),
])
def test_a_bad_value_is_refused_naming_it(flat, message):
    with pytest.raises(PolicyError) as refused:
        local_policy_from_flat(flat)
    assert any(message in problem for problem in refused.value.problems)


def test_the_default_review_schedule_is_3_6_12_months_then_yearly():
    policy = DEFAULT_LOCAL_POLICY
    assert [policy.review_months(i) for i in range(6)] == [3, 6, 12, 24, 36, 48]
    assert policy.is_review_month(24) and not policy.is_review_month(18)
    assert policy.review_schedule_words() == (
        "Reviews at 3, 6 and 12 months after the operation and then yearly")


def test_a_changed_schedule_goes_yearly_after_its_last_point():
    policy = LocalPolicy(follow_up_review_months=(1, 6))
    assert [policy.review_months(i) for i in range(5)] == [1, 6, 12, 24, 36]
    assert policy.is_review_month(1) and not policy.is_review_month(3)
    longer = LocalPolicy(follow_up_review_months=(3, 18))
    assert [longer.review_months(i) for i in range(4)] == [3, 18, 24, 36]


def test_values_read_with_their_units():
    flat = local_policy_flatten(DEFAULT_LOCAL_POLICY)
    words = {s.key: s.words(flat[s.key]) for s in POLICY_SETTINGS}
    assert words["consent_cooling_off_days"] == "14 days"
    assert words["bont_response_thresholds.good_min_benefit_percent"] == "50%"
    assert words["toxin_unit_limits.session_max_units.rimabotulinumtoxinB"] == "5,000 units"
    assert words["follow_up_review_months"] == "3, 6, 12 months, then yearly"
    assert words["multifocal_effect"] == "Cautions"

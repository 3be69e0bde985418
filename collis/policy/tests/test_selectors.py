"""Reading the policy in force: the rules a page applies are those of the version in force
on the day, and follow the values stored whatever a process read before."""

import datetime

import pytest
from django.utils import timezone

from collis.policy import selectors
from collis.policy.selectors import policy_in_force, policy_rules_in_force
from collis.policy.tests.factories import policy_version_make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_rules_in_force_are_those_of_the_version_in_force_that_day():
    assert policy_rules_in_force() == policy_in_force().policy
    assert policy_rules_in_force().consent_cooling_off_days == 14
    later = TODAY + datetime.timedelta(days=10)
    policy_version_make(consent_cooling_off_days=7, effective_from=later)
    assert policy_rules_in_force().consent_cooling_off_days == 14
    assert policy_rules_in_force(on=later).consent_cooling_off_days == 7
    assert policy_rules_in_force(on=later) == policy_in_force(on=later).policy


def test_rules_are_read_in_one_query_and_follow_the_values_stored(django_assert_num_queries):
    version = policy_version_make(consent_cooling_off_days=9)
    assert policy_rules_in_force().consent_cooling_off_days == 9
    with django_assert_num_queries(1):
        assert policy_rules_in_force().consent_cooling_off_days == 9
    # Rules a process worked out from other values under the same key (a database emptied
    # or restored since, as between tests) are not used again.
    stale = dict(version.values, consent_cooling_off_days=21)
    selectors._RULES[version.pk] = (stale, selectors.local_policy_from_flat(stale))
    assert policy_rules_in_force().consent_cooling_off_days == 9

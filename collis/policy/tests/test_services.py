"""The clinical lead's change of local policy: one rule per test."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.policy import services
from collis.policy.models import PolicyVersion
from collis.policy.selectors import policy_in_force
from collis.policy.tests.factories import policy_version_make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _lead():
    return UserFactory(role=Role.CLINICAL_LEAD, first_name="Alex", last_name="Lead")


def _change(actor_user=None, *, values=None, confirmed=frozenset(), reason="Governance "
            "meeting of 1 December", effective_from=TODAY):
    return services.policy_version_create(
        values={"consent_cooling_off_days": 7} if values is None else values,
        confirmed=confirmed, reason=reason, effective_from=effective_from,
        actor=Actor.command_line(actor_user or _lead()))


def test_version_one_is_seeded_from_the_defaults_and_not_signed_off():
    version = PolicyVersion.objects.get()
    assert version.number == 1 and version.signed_off_by is None and version.signed_off == []
    assert version.values["consent_cooling_off_days"] == 14
    assert version.values["follow_up_review_months"] == [3, 6, 12]
    assert version.values["numerous_muscle_groups"] == 4


def test_a_change_is_a_new_version_and_the_earlier_one_is_kept_unchanged():
    lead = _lead()
    version = _change(lead)
    first = PolicyVersion.objects.get(number=1)
    assert version.number == 2 and version.changed == ["consent_cooling_off_days"]
    assert version.signed_off == ["consent_cooling_off_days"]
    assert version.signed_off_by == lead and version.signed_off_at is not None
    assert version.values["consent_cooling_off_days"] == 7
    assert first.values["consent_cooling_off_days"] == 14
    # Only the values changed differ; the rest are carried over.
    assert {k for k in first.values if first.values[k] != version.values[k]} == {
        "consent_cooling_off_days"}


def test_versions_are_append_only():
    version = PolicyVersion.objects.get()
    version.reason = "rewritten"
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        version.delete()
    with pytest.raises(PermissionError):
        PolicyVersion.objects.update(reason="rewritten")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(reason):
    with pytest.raises(ValidationError) as refused:
        _change(reason=reason)
    assert refused.value.message_dict["reason"] == ["Enter the reason for the change"]
    assert PolicyVersion.objects.count() == 1


def test_the_effective_date_cannot_be_in_the_past():
    with pytest.raises(ValidationError) as refused:
        _change(effective_from=TODAY - datetime.timedelta(days=1))
    assert refused.value.message_dict["effective_from"][0].startswith(
        "The date it takes effect from must be today or later")


def test_the_effective_date_cannot_be_before_the_latest_versions():
    later = TODAY + datetime.timedelta(days=30)
    _change(effective_from=later)
    with pytest.raises(ValidationError) as refused:
        _change(values={"consent_cooling_off_days": 10}, effective_from=TODAY)
    assert "when version 2 takes effect" in refused.value.message_dict["effective_from"][0]


def test_a_change_in_the_future_leaves_todays_policy_in_force_until_then():
    later = TODAY + datetime.timedelta(days=30)
    _change(effective_from=later)
    assert policy_in_force().policy.consent_cooling_off_days == 14
    assert policy_in_force(on=later).policy.consent_cooling_off_days == 7
    assert policy_in_force(on=later).version.number == 2


@pytest.mark.parametrize("role", [r for r in Role if r != Role.CLINICAL_LEAD])
def test_only_a_clinical_lead_may_change_the_policy(role):
    with pytest.raises(PermissionDenied, match="Your role cannot change the local policy"):
        _change(UserFactory(role=role))
    assert PolicyVersion.objects.count() == 1


def test_a_value_out_of_range_is_refused_naming_it():
    with pytest.raises(ValidationError) as refused:
        _change(values={"consent_cooling_off_days": 400})
    assert refused.value.messages == [
        "Cooling-off period between counselling and consent: 400 is out of range; must be "
        "at least 0 and at most 90"]


def test_thresholds_that_contradict_each_other_are_refused():
    with pytest.raises(ValidationError, match="must not exceed good_min_benefit_percent"):
        _change(values={"bont_response_thresholds.useful_min_benefit_percent": 60.0})


def test_nothing_changed_or_confirmed_is_refused():
    with pytest.raises(ValidationError, match="Change at least one value"):
        _change(values={"consent_cooling_off_days": 14})


def test_values_can_be_signed_off_as_they_stand():
    version = _change(values={}, confirmed={"numerous_muscle_groups"})
    assert version.changed == [] and version.signed_off == ["numerous_muscle_groups"]
    in_force = policy_in_force()
    assert in_force.is_signed_off("numerous_muscle_groups")
    assert not in_force.is_signed_off("consent_cooling_off_days")


def test_a_change_is_audited_with_the_values_before_and_after():
    version = _change(reason="Governance meeting of 1 December")
    event = AuditEvent.objects.get(object_type="policy_version")
    assert event.action == AuditAction.CREATE and event.object_id == str(version.pk)
    assert event.details["before"] == {"consent_cooling_off_days": 14}
    assert event.details["after"] == {"consent_cooling_off_days": 7}
    assert event.details["reason"] == "Governance meeting of 1 December"
    assert event.details["previous_version"] == 1
    assert "Cooling-off period between counselling and consent" in event.summary


def test_a_signed_off_value_changed_later_by_setup_without_sign_off_is_not_signed_off():
    _change(values={"consent_cooling_off_days": 10})
    assert policy_in_force().is_signed_off("consent_cooling_off_days")
    policy_version_make(consent_cooling_off_days=3)  # a version without a signer
    assert not policy_in_force().is_signed_off("consent_cooling_off_days")


def test_a_database_emptied_since_the_migration_gets_version_one_back_on_first_use():
    PolicyVersion._base_manager.all().delete()  # as a flush between tests does
    in_force = policy_in_force()
    assert in_force.version.number == 1 and in_force.version.signed_off_by is None
    assert in_force.policy.consent_cooling_off_days == 14

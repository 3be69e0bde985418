"""The local-policy page: every member of staff reads it, a clinical lead changes it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.roles import Role
from collis.policy.models import PolicyVersion

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _post(client, **changes):
    latest = PolicyVersion.objects.order_by("-number").first()
    data = {}
    for key, value in latest.values.items():
        name = key.replace(".", "__")
        if isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif isinstance(value, list):
            data[name] = ", ".join(str(m) for m in value)
        else:
            data[name] = str(value)
    data.update({"reason": "Governance meeting", "effective_from-day": str(TODAY.day),
                 "effective_from-month": str(TODAY.month),
                 "effective_from-year": str(TODAY.year)})
    data.update(changes)
    return client.post(reverse("policy:policy_change"), data)


@pytest.mark.parametrize("role", [Role.NURSE_SPECIALIST, Role.AUDITOR, Role.ADMINISTRATOR,
                                  Role.CLINICAL_LEAD])
def test_staff_read_the_values_in_force_with_their_units_and_sign_off(client_as, role):
    page = client_as(role).get(reverse("policy:policy_detail")).content.decode()
    assert "Cooling-off period between counselling and consent" in page
    assert "14 days" in page and "3, 6, 12 months, then yearly" in page
    assert "Local policy, not yet signed off" in page
    assert "version <strong>1</strong>" in page or "version 1</strong>" in page


def test_only_the_lead_is_offered_the_change(client_as):
    assert "Change local policy" not in client_as(Role.NEUROSURGEON).get(
        reverse("policy:policy_detail")).content.decode()
    assert "Change local policy" in client_as(Role.CLINICAL_LEAD).get(
        reverse("policy:policy_detail")).content.decode()


@pytest.mark.parametrize("role", [Role.NEUROSURGEON, Role.NEUROLOGIST, Role.ADMINISTRATOR])
def test_other_roles_cannot_open_or_post_the_change(client_as, role):
    client = client_as(role)
    assert client.get(reverse("policy:policy_change")).status_code == 403
    assert _post(client, consent_cooling_off_days="7").status_code == 403
    assert PolicyVersion.objects.count() == 1


def test_the_lead_changes_a_value_and_the_page_shows_who_signed_it_off(client_as):
    client = client_as(Role.CLINICAL_LEAD)
    response = _post(client, consent_cooling_off_days="7")
    assert response.status_code == 302
    page = client.get(reverse("policy:policy_detail")).content.decode()
    assert "Local policy version 2 is signed off." in page
    assert "7 days" in page and client.user.display_name in page
    assert "Governance meeting" in page  # the history keeps the reason


def test_a_missing_reason_is_shown_on_its_field(client_as):
    response = _post(client_as(Role.CLINICAL_LEAD), consent_cooling_off_days="7", reason="")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#reason"' in page and "Enter the reason for the change" in page
    assert PolicyVersion.objects.count() == 1


def test_a_value_out_of_range_is_shown_on_its_field_naming_it(client_as):
    page = _post(client_as(Role.CLINICAL_LEAD),
                 consent_cooling_off_days="400").content.decode()
    assert 'href="#consent_cooling_off_days"' in page
    assert ("Cooling-off period between counselling and consent must be a whole number "
            "of days from 0 to 90") in page


def test_a_date_in_the_past_is_shown_on_its_field(client_as):
    past = TODAY - datetime.timedelta(days=3)
    page = _post(client_as(Role.CLINICAL_LEAD), consent_cooling_off_days="7", **{
        "effective_from-day": str(past.day), "effective_from-month": str(past.month),
        "effective_from-year": str(past.year)}).content.decode()
    assert "The date it takes effect from must be today or later" in page
    assert PolicyVersion.objects.count() == 1

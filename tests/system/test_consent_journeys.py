"""Given/when/then journeys through counselling and consent, in a real browser."""

import io
import re
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collis.consent.models import Consent
from collis.consent.tests.factories import episode_at
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.domain.pathway import State
from collis.domain.risks import Intervention, risks_for
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_counselling_with_the_decision_aid_then_consent_and_the_form(page, settings):
    # Given an episode listed for surgery, and no cooling-off period (local policy)
    settings.COLLIS_CONSENT_COOLING_OFF_DAYS = 0
    episode = episode_at(State.LISTED)
    overview = f"/patients/{episode.patient_id}/episodes/{episode.pk}/consent/"
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    sign_in(page, nurse.username, PASSWORD)
    # When the nurse specialist opens counselling and consent, and the decision aid
    page.goto(overview)
    expect(page.get_by_role("heading", name="Counselling and consent")).to_be_visible()
    check_accessibility(page, "consent-overview")
    page.get_by_role("link", name="Decision aid for this patient").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("decision aid")
    expect(page.get_by_text("new dysphagia on videofluoroscopy in 3 of 12").first).to_be_visible()
    check_accessibility(page, "consent-decision-aid")
    # And records counselling, forgetting to tick one risk
    page.goto(overview)
    page.get_by_role("button", name="Record counselling").click()
    check_accessibility(page, "consent-counselling-form")
    page.get_by_label("What matters most to you about your treatment?").fill(
        "Being able to drive and look over my shoulder")
    risks = risks_for(Intervention.SELECTIVE_DENERVATION)
    for risk in risks[:-1]:
        page.get_by_label(f"{risk.name}: discussed and understood").check()
    page.get_by_role("button", name="Save counselling").click()
    # Then they are told which risk is not acknowledged, and what they typed is kept
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(f"Confirm that '{risks[-1].name}' was discussed")
    expect(page.get_by_label("What matters most to you about your treatment?")).to_have_value(
        "Being able to drive and look over my shoulder")
    check_accessibility(page, "consent-counselling-error")
    # When they tick it and save
    page.get_by_label(f"{risks[-1].name}: discussed and understood").check()
    page.get_by_role("button", name="Save counselling").click()
    # Then the session shows every risk acknowledged and the episode is in counselling
    expect(page.get_by_role("heading", level=1)).to_contain_text("Counselling on")
    expect(page.get_by_role("table")).to_contain_text(risks[-1].name)
    check_accessibility(page, "consent-counselling-detail")
    episode.refresh_from_db()
    assert episode.state == State.COUNSELLING
    page.get_by_role("button", name="Sign out").click()

    # Given the neurosurgeon
    surgeon = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Surgeon")
    sign_in(page, surgeon.username, PASSWORD)
    page.goto(overview)
    # When they record consent with a typed signature
    page.get_by_role("button", name="Record consent").click()  # the link styled as a button
    check_accessibility(page, "consent-form")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_role("alert")).to_contain_text("Select how the patient signed")
    check_accessibility(page, "consent-form-error")
    page.get_by_label("The patient typed their name as a signature").check()
    page.get_by_label("Patient's name, typed by them as a signature").fill(
        f"{episode.patient.given_name} {episode.patient.family_name}")
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record consent").click()
    # Then the consent is shown and the episode is consented
    expect(page.get_by_text("The consent is recorded")).to_be_visible()
    expect(page.get_by_text("Sam Surgeon").first).to_be_visible()
    check_accessibility(page, "consent-recorded")
    episode.refresh_from_db()
    assert episode.state == State.CONSENTED
    assert Consent.objects.get().surgeon == surgeon
    # And the consent form downloads, listing the risks disclosed
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the consent form (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages))
    assert all(r.name in text for r in risks)
    assert AuditEvent.objects.filter(object_type="consent", action=AuditAction.DOWNLOAD,
                                     actor=surgeon).exists()

"""Given/when/then journeys through the MDT: a meeting, its agenda, a decision that departs
from the candidacy engine, the outcome letter, and funding, in a real browser."""

import io
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import expect

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.domain.pathway import State
from collis.mdt.models import FundingRequest, MdtDecision
from collis.mdt.tests.factories import assessment_for, episode_at
from collis.patients.tests.factories import PatientFactory
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_runs_the_mdt_records_a_departing_decision_and_obtains_funding(page):
    # Given an episode awaiting the MDT, with a favourable candidacy assessment, and staff
    patient = PatientFactory(given_name="Rowan", family_name="Rushmore")
    episode = episode_at(State.AWAITING_MDT, patient=patient)
    assessment_for(patient, "favourable")
    coordinator = UserFactory(role=Role.MDT_COORDINATOR, first_name="Cass", last_name="Coord")
    neurologist = UserFactory(role=Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")
    UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Surgeon")
    sign_in(page, coordinator.username, PASSWORD)

    # When the coordinator creates a meeting with a neurologist and a neurosurgeon
    page.goto("/mdt/")
    check_accessibility(page, "mdt-meeting-list")
    page.get_by_role("link", name="Create a meeting").click()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Site").select_option(index=1)
    page.get_by_label("Nia Neuro (Neurologist)").check()
    page.get_by_label("Sam Surgeon (Neurosurgeon)").check()
    check_accessibility(page, "mdt-meeting-form")
    page.get_by_role("button", name="Create the meeting").click()
    # Then the meeting warns that no physiotherapist attends
    expect(page.get_by_role("heading", name="MDT meeting, 20 November 2026")).to_be_visible()
    expect(page.get_by_text("No physiotherapist is attending")).to_be_visible()

    # When they add the episode awaiting the MDT to the agenda
    page.get_by_label("Episode awaiting the MDT").select_option(str(episode.pk))
    page.get_by_role("button", name="Add to the agenda").click()
    check_accessibility(page, "mdt-meeting-detail")
    page.get_by_role("link", name="RUSHMORE, Rowan").click()
    # Then the item shows the engine's recommendation and the plan is filled in
    expect(page.get_by_text("collis-sd-candidacy/1").first).to_be_visible()
    expect(page.locator("#target_1")).to_have_value("spinal accessory nerve branches")
    check_accessibility(page, "mdt-agenda-item")

    # When they record "continue botulinum toxin" without a reason
    page.get_by_label("Discussion").fill("Discussed options; the patient prefers toxin.")
    page.get_by_label("Continue botulinum toxin").check()
    page.get_by_label("Action", exact=True).first.fill("Review at the toxin clinic")
    page.locator("#owner_1").select_option(str(neurologist.pk))
    page.locator("#due_1-day").fill("15")
    page.locator("#due_1-month").fill("1")
    page.locator("#due_1-year").fill("2027")
    page.get_by_role("button", name="Record the decision").click()
    # Then they are asked for the reason, and what they typed is kept
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Give the reason the decision departs from the engine")
    expect(page.get_by_label("Discussion")).to_have_value(
        "Discussed options; the patient prefers toxin.")
    check_accessibility(page, "mdt-agenda-item-error")
    # When they give it
    page.get_by_label("Reason for departing from the engine's recommendation").fill(
        "The patient does not want surgery this year.")
    page.get_by_role("button", name="Record the decision").click()
    # Then the decision is kept with the engine's recommendation
    expect(page.get_by_text("Departs from the engine's recommendation (Favourable)")
           ).to_be_visible()
    check_accessibility(page, "mdt-episode-decisions")
    decision = MdtDecision.objects.get()
    assert decision.agrees_with_engine is False and decision.engine_recommendation == "favourable"

    # When they download the outcome letter
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the outcome letter (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    # Then it names the decision, the reason and the action
    assert "Continue botulinum toxin" in text
    assert "does not want surgery" in text and "Review at the toxin clinic" in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, patient_id=patient.pk).exists()


def test_coordinator_requests_funding_after_a_decision_for_sd_and_records_approval(page):
    # Given an episode the MDT decided for selective denervation
    from collis.core.audit import Actor
    from collis.mdt import services

    patient = PatientFactory(given_name="Ash", family_name="Alder")
    episode = episode_at(State.AWAITING_MDT, patient=patient)
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    services.mdt_decision_record(
        episode=episode, decision="sd", discussion="Rotation-dominant; toxin failing",
        assessment=assessment_for(patient, "favourable"),
        planned=[services.PlannedRow("sternocleidomastoid", "left", "spinal accessory")],
        actor=Actor.command_line(coordinator))
    sign_in(page, coordinator.username, PASSWORD)
    # When the coordinator requests funding by prior approval
    page.goto(f"/patients/{patient.pk}/episodes/{episode.pk}/funding/")
    check_accessibility(page, "mdt-funding")
    page.get_by_role("link", name="Request funding").click()
    page.get_by_label("Prior approval").check()
    page.get_by_label("Commissioner").fill("NHS England specialised commissioning (demo)")
    check_accessibility(page, "mdt-funding-new")
    page.get_by_role("button", name="Draw up the request").click()
    # Then the request lists the criteria met with their sources and the OPCS-4 codes
    expect(page.get_by_text("Rotation-dominant cervical dystonia")).to_be_visible()
    expect(page.get_by_text("A60.6 + Z92.3")).to_be_visible()
    check_accessibility(page, "mdt-funding-detail")
    # When they record that it was submitted
    page.get_by_label("Submitted").check()
    page.get_by_label("Reference number").fill("PA-2026-0042")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_role("heading", name="Funding request: submitted")).to_be_visible()
    # And then approved, first with an expiry before the decision
    page.get_by_label("Approved").check()
    page.locator("#decided_on-day").fill("10")
    page.locator("#decided_on-month").fill("11")
    page.locator("#decided_on-year").fill("2026")
    page.locator("#expires_on-day").fill("1")
    page.locator("#expires_on-month").fill("11")
    page.locator("#expires_on-year").fill("2026")
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_role("alert")).to_contain_text("must expire after the date of the decision")
    check_accessibility(page, "mdt-funding-error")
    page.locator("#expires_on-month").fill("5")
    page.locator("#expires_on-year").fill("2027")
    page.get_by_role("button", name="Save the status").click()
    # Then the request is approved and the episode moved on
    expect(page.get_by_role("heading", name="Funding request: approved")).to_be_visible()
    episode.refresh_from_db()
    assert episode.state == State.FUNDING_APPROVED
    assert FundingRequest.objects.get().reference == "PA-2026-0042"

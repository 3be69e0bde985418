"""Given/when/then journeys through the treatments record, in a real browser."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.treatments.models import TherapySession, ToxinCycle, ToxinReview
from collis.treatments.tests.factories import cycle_with
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_record_a_toxin_cycle_with_three_muscles_and_its_review(page):
    # Given a neurologist and a patient with one earlier, reviewed cycle
    neurologist = UserFactory(role=Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")
    patient = PatientFactory(given_name="Wren", family_name="Willowherb")
    cycle_with(patient, datetime.date(2026, 5, 4), benefit=70, weeks=11)
    sign_in(page, neurologist.username, PASSWORD)
    # When they open the toxin section of the record
    page.goto(f"/patients/{patient.pk}/toxin/")
    expect(page.get_by_role("heading", name="Botulinum toxin", exact=True)).to_be_visible()
    check_accessibility(page, "toxin-list-before")
    page.get_by_role("link", name="Record a toxin cycle").click()
    expect(page.get_by_role("heading", name="Record a toxin cycle")).to_be_visible()
    check_accessibility(page, "toxin-create")
    # And enter a cycle with three muscles, forgetting the units of the second
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Product").select_option("onabotulinumtoxinA")
    page.get_by_label("Batch number").fill("C4411")
    page.get_by_label("Electromyography (EMG)").check()
    page.get_by_label("Muscle 1", exact=True).select_option("sternocleidomastoid")
    page.get_by_label("Side 1", exact=True).select_option("left")
    page.get_by_label("Units 1", exact=True).fill("50")
    page.get_by_label("Muscle 2", exact=True).select_option("splenius_capitis")
    page.get_by_label("Side 2", exact=True).select_option("right")
    page.get_by_label("Muscle 3", exact=True).select_option("levator_scapulae")
    page.get_by_label("Side 3", exact=True).select_option("right")
    page.get_by_label("Units 3", exact=True).fill("60")
    page.get_by_role("button", name="Save the cycle").click()
    # Then the error summary names the row's muscle and side, and nothing is saved
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter the units for splenius capitis (right)")
    check_accessibility(page, "toxin-create-error")
    assert ToxinCycle.objects.count() == 1
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Units 2", exact=True)).to_be_focused()
    expect(page.get_by_label("Units 3", exact=True)).to_have_value("60")
    # When they correct it and save
    page.get_by_label("Units 2", exact=True).fill("90")
    page.get_by_role("button", name="Save the cycle").click()
    # Then the cycle shows with its total units
    expect(page.get_by_role("heading", name="Toxin cycle of 2 November 2026")).to_be_visible()
    expect(page.get_by_text("200 units of onabotulinumtoxinA")).to_be_visible()
    check_accessibility(page, "toxin-detail")
    page.get_by_role("link", name="All botulinum toxin cycles").click()
    cycles = page.get_by_role("table", name="Botulinum toxin cycles")
    expect(cycles).to_contain_text("200 U")
    # When they record the review of the new cycle
    page.get_by_role("link", name="Record the review of the cycle of 2 November 2026").click()
    expect(page.get_by_role("heading", name="Review the cycle of 2 November 2026")).to_be_visible()
    check_accessibility(page, "toxin-review")
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Peak benefit (%)").fill("65")
    page.get_by_label("Weeks of benefit").fill("2")
    page.get_by_label("Neck weakness").check()
    page.get_by_label("Mild").check()
    page.get_by_role("button", name="Save the review").click()
    # Then the toxin page shows the benefit chart and its table
    expect(page.get_by_text("The review of the cycle of 2 November 2026 is recorded.")
           ).to_be_visible()
    expect(page.get_by_role("img", name="Peak benefit of each botulinum toxin cycle")
           ).to_be_visible()
    table = page.get_by_role("table", name="Peak benefit and weeks of benefit per cycle")
    expect(table).to_contain_text("65%")
    expect(table).to_contain_text("70%")
    expect(page.get_by_text("neck weakness")).to_be_visible()
    check_accessibility(page, "toxin-list-after")
    assert ToxinReview.objects.get(cycle__given_on=datetime.date(2026, 11, 2)).neck_weakness


def test_a_physiotherapist_records_therapy_but_not_toxin(page):
    # Given a physiotherapist and a patient
    physio = UserFactory(role=Role.PHYSIOTHERAPIST, first_name="Pat", last_name="Physio")
    patient = PatientFactory(given_name="Kit", family_name="Kettleby")
    sign_in(page, physio.username, PASSWORD)
    # When they open the toxin section, there is no way to record a cycle
    page.goto(f"/patients/{patient.pk}/toxin/")
    expect(page.get_by_role("heading", name="Botulinum toxin", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Record a toxin cycle")).to_have_count(0)
    check_accessibility(page, "toxin-list-physio")
    # And the form's address is refused
    response = page.goto(f"/patients/{patient.pk}/toxin/new/")
    assert response.status == 403
    check_accessibility(page, "toxin-create-403")
    # When they record a physiotherapy session
    page.goto(f"/patients/{patient.pk}/therapy/")
    page.get_by_role("link", name="Record a therapy session").click()
    expect(page.get_by_role("heading", name="Record a therapy session")).to_be_visible()
    check_accessibility(page, "therapy-create")
    page.get_by_label("Physiotherapy").check()
    page.get_by_label("Day").fill("18")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Therapist").select_option(label="Pat Physio (Physiotherapist)")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Goals (optional)").fill("Strengthen the deep neck flexors")
    page.get_by_role("button", name="Save the session").click()
    # Then it is listed on the therapy page
    expect(page.get_by_role("table")).to_contain_text("Strengthen the deep neck flexors")
    expect(page.get_by_role("table")).to_contain_text("18 November 2026")
    check_accessibility(page, "therapy-list")
    assert TherapySession.objects.get().therapist == physio


def test_a_short_interval_warns_and_a_medicine_is_started_and_stopped(page):
    # Given a nurse specialist and a patient injected 7 weeks ago
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    patient = PatientFactory()
    cycle_with(patient, datetime.date(2026, 10, 1), benefit=60, weeks=10)
    sign_in(page, nurse.username, PASSWORD)
    # When they record a new cycle today, they are warned but may go on
    page.goto(f"/patients/{patient.pk}/toxin/new/")
    page.get_by_label("Day").fill("19")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Product").select_option("onabotulinumtoxinA")
    page.get_by_label("Batch number").fill("C9")
    page.get_by_label("Ultrasound", exact=True).check()
    page.get_by_label("Muscle 1", exact=True).select_option("trapezius")
    page.get_by_label("Side 1", exact=True).select_option("bilateral")
    page.get_by_label("Units 1", exact=True).fill("80")
    page.get_by_role("button", name="Save the cycle").click()
    expect(page.get_by_text("Check the interval before you go on")).to_be_visible()
    check_accessibility(page, "toxin-create-warning")
    page.get_by_role("button", name="Record the cycle anyway").click()
    expect(page.get_by_role("heading", name="Toxin cycle of 19 November 2026")).to_be_visible()
    page.goto(f"/patients/{patient.pk}/toxin/")
    expect(page.get_by_text("Short intervals between cycles")).to_be_visible()
    check_accessibility(page, "toxin-list-warning")
    # When they record a medicine and later stop it
    page.goto(f"/patients/{patient.pk}/medication/")
    check_accessibility(page, "medication-list-empty")
    page.get_by_role("link", name="Record a medicine").click()
    expect(page.get_by_role("heading", name="Record a medicine")).to_be_visible()
    page.get_by_role("button", name="Save the medicine").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the name of the medicine")
    check_accessibility(page, "medication-create-error")
    page.get_by_label("Medicine").fill("Baclofen")
    page.get_by_label("Dose").fill("10")
    page.get_by_label("Unit").fill("mg")
    page.get_by_label("How often").fill("three times a day")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save the medicine").click()
    expect(page.get_by_role("table", name="Medicines the patient takes now")).to_contain_text(
        "10 mg three times a day")
    page.get_by_role("link", name="Stop Baclofen").click()
    expect(page.get_by_role("heading", name="Stop Baclofen")).to_be_visible()
    check_accessibility(page, "medication-stop")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Reason for stopping").fill("Drowsiness")
    page.get_by_role("button", name="Record that it stopped").click()
    # Then it is listed among the stopped medicines, with the reason
    expect(page.get_by_role("table", name=re.compile("stopped"))).to_contain_text(
        "1 November 2026: Drowsiness")
    check_accessibility(page, "medication-list")

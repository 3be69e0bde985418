"""Given/when/then journeys through diagnosis, neck examination and rating scales, in a
real browser."""

import datetime
import random

import pytest
from playwright.sync_api import expect

from collis.assessments.demo import demo_history
from collis.assessments.models import Examination, ScaleAssessment
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.patients.tests.factories import PatientFactory
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TWSTRS = {
    "Rotation": "3", "Laterocollis": "1", "Anterocollis or retrocollis": "0",
    "Lateral shift": "0", "Sagittal shift": "0", "Duration factor (weighted x2)": "4",
    "Effect of sensory tricks": "1", "Shoulder elevation": "1", "Range of motion": "2",
    "Time the head can be held within 10 degrees of neutral": "1", "Work": "2",
    "Activities of daily living": "2", "Driving": "2", "Reading": "1", "Television": "1",
    "Activities outside the home": "2", "Pain severity": "4", "Pain duration": "2",
    "Disability due to pain": "2",
}


def test_entering_a_twstrs_shows_the_score_and_the_chart(page):
    # Given a patient with a demo-like history, and a neurologist
    patient = PatientFactory(given_name="Wren", family_name="Willowherb")
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    demo_history(patient, random.Random(3), datetime.date.today(), neurologist)
    before = ScaleAssessment.objects.filter(patient=patient).count()
    sign_in(page, neurologist.username, PASSWORD)
    # When they open the patient's rating scales
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Rating scales").click()
    expect(page.get_by_role("heading", name="Rating scales", exact=True)).to_be_visible()
    check_accessibility(page, "assessments-scales")
    # And enter a TWSTRS item by item, with rotation out of its range
    page.get_by_role("link", name="Enter a TWSTRS item by item").click()
    expect(page.get_by_role("heading", name="Enter a TWSTRS item by item")).to_be_visible()
    check_accessibility(page, "assessments-twstrs-new")
    today = datetime.date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    for label, value in TWSTRS.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Rotation", exact=True).fill("7")
    page.get_by_role("button", name="Save").click()
    # Then they read the error, which names the item and its range
    expect(page.get_by_role("alert")).to_contain_text(
        "Rotation must be a whole number from 0 to 4 (you entered 7)")
    expect(page.get_by_label("Disability due to pain", exact=True)).to_have_value("2")
    check_accessibility(page, "assessments-twstrs-error")
    assert ScaleAssessment.objects.filter(patient=patient).count() == before
    # When they correct it and save
    page.get_by_role("link", name="Rotation must be a whole number").click()
    page.get_by_label("Rotation", exact=True).fill("3")
    page.get_by_role("button", name="Save").click()
    # Then they see the computed total, the chart and its table
    expect(page.get_by_text("is saved: total 35")).to_be_visible()
    expect(page.get_by_role("img", name="TWSTRS over time")).to_be_visible()
    table = page.get_by_role("table").filter(has_text="TWSTRS assessments")
    last_row = table.locator("tbody tr").last
    expect(last_row).to_contain_text("35")
    expect(last_row).to_contain_text("17")
    expect(page.get_by_text("local policy, needs clinical sign-off")).to_be_visible()
    check_accessibility(page, "assessments-scales-after")


def test_recording_a_neck_examination_and_confirming_the_suggested_muscles(page):
    # Given a patient and a physiotherapist
    patient = PatientFactory(given_name="Kit", family_name="Kettleby")
    physio = UserFactory(role=Role.PHYSIOTHERAPIST)
    sign_in(page, physio.username, PASSWORD)
    # When they record a neck examination with right torticaput
    page.goto(f"/patients/{patient.pk}/examinations/")
    check_accessibility(page, "assessments-examinations-empty")
    page.get_by_role("button", name="Record a neck examination").click()
    expect(page.get_by_role("heading", name="Record a neck examination")).to_be_visible()
    check_accessibility(page, "assessments-examination-new")
    page.get_by_label("Severity of torticaput").select_option("3")
    page.get_by_role("button", name="Save the examination").click()
    # Then the missing answers are named
    expect(page.get_by_role("alert")).to_contain_text("Choose the side of torticaput")
    expect(page.get_by_role("alert")).to_contain_text("Enter the date of the examination")
    check_accessibility(page, "assessments-examination-error")
    today = datetime.date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Right (torticaput)").check()
    page.get_by_role("group", name="Tremor").get_by_label("None").check()
    page.get_by_role("group", name="Sensory trick", exact=True).get_by_label("Absent").check()
    page.get_by_role("button", name="Save the examination").click()
    # Then they see the dominant pattern and the suggested muscles, to confirm with EMG
    expect(page.get_by_text("Torticaput to the right, severity 3")).to_be_visible()
    expect(page.get_by_text("A suggestion for the clinician to confirm with EMG")).to_be_visible()
    suggestions = page.get_by_role("table").filter(has_text="Suggested muscles")
    expect(suggestions).to_contain_text("Splenius capitis")
    check_accessibility(page, "assessments-examination-detail")
    # When they untick one suggestion and confirm
    right = page.get_by_role("group", name="Right side")
    expect(right.get_by_label("Splenius capitis")).to_be_checked()
    right.get_by_label("Longissimus capitis").uncheck()
    page.get_by_role("button", name="Save the involved muscles").click()
    # Then the confirmed muscles are stored on the examination
    expect(page.get_by_text("The involved muscles are confirmed.")).to_be_visible()
    examination = Examination.objects.get(patient=patient)
    confirmed = set(examination.muscles.values_list("muscle", "side"))
    assert ("splenius_capitis", "right") in confirmed
    assert ("longissimus_capitis", "right") not in confirmed
    assert ("sternocleidomastoid", "left") in confirmed
    check_accessibility(page, "assessments-examination-confirmed")


def test_recording_and_changing_the_diagnosis_keeps_its_history(page):
    # Given a patient and a neurologist
    patient = PatientFactory(given_name="Ola", family_name="Oakapple")
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    sign_in(page, neurologist.username, PASSWORD)
    page.goto(f"/patients/{patient.pk}/diagnosis/")
    check_accessibility(page, "assessments-diagnosis-empty")
    # When they record a focal idiopathic cervical dystonia
    page.get_by_role("link", name="Record the diagnosis").click()
    expect(page.get_by_role("heading", name="Record the diagnosis")).to_be_visible()
    page.get_by_label("Age at onset (years)").fill("44")
    page.get_by_label("Neck").check()
    page.get_by_label("Static").check()
    page.get_by_label("Idiopathic", exact=True).check()
    page.get_by_label("If idiopathic: form").select_option("sporadic")
    check_accessibility(page, "assessments-diagnosis-form")
    page.get_by_role("button", name="Save as a new version").click()
    # Then the domain's band and derived distribution are shown
    expect(page.get_by_text("Late adulthood (over 40 years)")).to_be_visible()
    expect(page.get_by_text("Focal (one region) (derived from the regions [1])")).to_be_visible()
    # When they change the course
    page.get_by_role("link", name="Change the diagnosis").click()
    page.get_by_label("Progressive").check()
    page.get_by_role("button", name="Save as a new version").click()
    # Then both versions are listed with what changed
    history = page.get_by_role("table").filter(has_text="Every version")
    expect(history).to_contain_text("Course: Static changed to Progressive")
    expect(history).to_contain_text("First version")
    check_accessibility(page, "assessments-diagnosis")

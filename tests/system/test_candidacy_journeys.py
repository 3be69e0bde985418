"""Given/when/then: a neurologist runs a candidacy assessment from the record and reads
its findings; the timeline shows the whole history."""

import datetime
import random

import pytest
from playwright.sync_api import expect

from collis.assessments.demo import demo_history as assessments_demo
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.investigations.demo import demo_history as investigations_demo
from collis.patients.tests.factories import PatientFactory
from collis.treatments.demo import demo_history as treatments_demo
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_running_a_candidacy_assessment_and_reading_its_findings(page):
    # Given a patient whose record holds a diagnosis, examinations, scales, toxin cycles
    # and investigations
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    patient = PatientFactory(given_name="Pip", family_name="Peppercorn")
    for demo in (assessments_demo, treatments_demo, investigations_demo):
        demo(patient, random.Random(4), datetime.date(2026, 11, 1), neurologist)
    sign_in(page, neurologist.username, PASSWORD)
    # When the neurologist opens the candidacy section of the record
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("navigation", name="Sections of the record").get_by_role(
        "link", name="Candidacy").click()
    expect(page.get_by_role("heading", name="Selective denervation candidacy")).to_be_visible()
    check_accessibility(page, "candidacy-list")
    page.get_by_role("button", name="Assess candidacy").click()
    # Then they see the facts Collis will use and where each came from
    facts = page.get_by_role("table").first
    expect(facts).to_contain_text("dystonia.distribution")
    expect(facts).to_contain_text("Neck examination of")
    expect(facts).to_contain_text("reviewed toxin cycles")
    check_accessibility(page, "candidacy-new")
    # When they answer what the record does not hold and run the assessment
    page.get_by_role("group", name="Is the patient fit for a general anaesthetic?") \
        .get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Does the patient have cervical myelopathy?") \
        .get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Has the patient had neck surgery before?") \
        .get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Does the patient want to consider surgery?") \
        .get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Run the assessment").click()
    # Then the recommendation, its findings with sources, and the plan are shown
    expect(page.get_by_role("heading", level=1)).to_contain_text("Candidacy assessment:")
    expect(page.get_by_role("heading", name="Findings")).to_be_visible()
    expect(page.get_by_text("collis-sd-candidacy/1").first).to_be_visible()
    expect(page.get_by_role("heading", name="Sources cited")).to_be_visible()
    check_accessibility(page, "candidacy-detail")
    record = CandidacyAssessmentRecord.objects.get(patient=patient)
    assert record.facts["health"]["fit_for_general_anaesthetic"] is True
    # And the stored assessment is listed for the MDT
    page.goto(f"/patients/{patient.pk}/candidacy/")
    expect(page.get_by_role("table")).to_contain_text("collis-sd-candidacy/1")
    # And the timeline shows the whole history in one place
    page.goto(f"/patients/{patient.pk}/timeline/")
    expect(page.get_by_role("table")).to_contain_text("TWSTRS")
    check_accessibility(page, "timeline")

"""Given/when/then journeys through the patient registry, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.patients.models import Patient
from collis.patients.tests.factories import PatientFactory
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_signing_in_shows_the_home_page_for_the_role(page):
    # Given a neurologist's account
    user = UserFactory(role=Role.NEUROLOGIST, first_name="Nia", last_name="Neuro")
    # When they open Collis, they are asked to sign in
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in to Collis")).to_be_visible()
    check_accessibility(page, "login")
    # When they sign in with a wrong password, they are told so
    sign_in(page, user.username, "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    check_accessibility(page, "login-error")
    # And with the right one, they reach their home page
    sign_in(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Nia Neuro")).to_be_visible()
    expect(page.get_by_role("link", name="Find a patient")).to_be_visible()
    check_accessibility(page, "home")


def test_finding_and_opening_a_patient_is_seen_by_the_auditor(page):
    # Given a patient and a neurologist
    patient = PatientFactory(given_name="Wren", family_name="Willowherb")
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    sign_in(page, neurologist.username, PASSWORD)
    # When the neurologist searches by name and opens the record
    page.get_by_role("link", name="Patients").first.click()
    check_accessibility(page, "patient-search")
    page.get_by_label("NHS number or name").fill("willow")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 patient found")).to_be_visible()
    check_accessibility(page, "patient-search-results")
    page.get_by_role("link", name="WILLOWHERB, Wren").click()
    expect(page.get_by_role("heading", name="WILLOWHERB, Wren")).to_be_visible()
    check_accessibility(page, "patient-detail")
    page.get_by_role("button", name="Sign out").click()
    # Then an auditor sees that access in the patient's access history
    auditor = UserFactory(role=Role.AUDITOR)
    sign_in(page, auditor.username, PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name=re.compile("access history")).click()
    history = page.get_by_role("table")
    expect(history).to_contain_text(neurologist.username)
    expect(history).to_contain_text("Viewed the record")
    expect(history).to_contain_text("Patient appeared in search results")
    check_accessibility(page, "access-history")
    page.goto("/audit/")
    check_accessibility(page, "audit-log")


def test_registering_a_patient_with_an_invalid_nhs_number_then_correcting_it(page):
    # Given an MDT coordinator on the registration form
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    sign_in(page, coordinator.username, PASSWORD)
    page.goto("/patients/new/")
    check_accessibility(page, "patient-create")
    # When they enter an NHS number whose check digit is wrong
    page.get_by_label("NHS number").fill("943 476 5918")
    page.get_by_label("Given name").fill("Robin")
    page.get_by_label("Family name").fill("Quillon")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("1970")
    page.get_by_label("Female").check()
    page.get_by_label("Address line 1").fill("2 Sample Street")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("SE1 2PR")
    page.get_by_label("Home site").select_option(label="London Bridge Hospital")
    page.get_by_role("button", name="Register patient").click()
    # Then the error summary names the problem and links to the field
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("check digit")
    check_accessibility(page, "patient-create-error")
    assert Patient.objects.count() == 0
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("NHS number")).to_be_focused()
    # When they correct it, the patient is registered with what they typed kept
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name="QUILLON, Robin")).to_be_visible()
    expect(page.get_by_text("943 476 5919", exact=True)).to_be_visible()
    assert Patient.objects.get().home_site.name == "London Bridge Hospital"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


def test_public_sites_page_needs_no_sign_in(page):
    page.goto("/sites/")
    expect(page.get_by_role("heading", name="The Portland Hospital")).to_be_visible()
    check_accessibility(page, "sites")
    page.goto("/accessibility/")
    check_accessibility(page, "accessibility")

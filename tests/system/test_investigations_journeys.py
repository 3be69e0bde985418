"""Given/when/then journeys through a patient's investigations, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.investigations.demo import minimal_pdf
from collis.investigations.models import Investigation
from collis.patients.tests.factories import PatientFactory
from tests.system.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_coordinator_records_an_emg_attaches_its_report_and_downloads_it(page, tmp_path):
    # Given an MDT coordinator, a patient, the EMG report as a PDF, and a text file that
    # has been renamed to look like a PDF
    patient = PatientFactory(given_name="Wren", family_name="Willowherb")
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    report = tmp_path / "emg-report.pdf"
    report.write_bytes(minimal_pdf(["EMG report: SCM left, splenius capitis right"]))
    fake = tmp_path / "notes.pdf"
    fake.write_text("These are typed notes, not a PDF.")
    sign_in(page, coordinator.username, PASSWORD)

    # When they open the patient's investigations, the work-up is all outstanding
    page.goto(f"/patients/{patient.pk}/investigations/")
    expect(page.get_by_role("heading", name="Investigations", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Work-up for selective denervation")).to_be_visible()
    expect(page.get_by_text("Outstanding")).to_have_count(3)
    check_accessibility(page, "investigations-empty")

    # When they record an EMG with two active muscles and attach the renamed text file
    page.get_by_role("button", name="Record an investigation").click()
    expect(page.get_by_role("heading", name="Record an investigation")).to_be_visible()
    check_accessibility(page, "investigation-create")
    page.get_by_label("Electromyography (EMG)").check()
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Abnormal").check()
    page.get_by_label("Sternocleidomastoid, left").check()
    page.get_by_label("Splenius capitis, right").check()
    page.get_by_label("Report (optional)").fill("Dystonic activity in left SCM and right "
                                                "splenius capitis.")
    page.locator("input[type=file]").set_input_files(str(fake))
    page.get_by_role("button", name="Save investigation").click()

    # Then the file is refused by its content, and what they entered is kept
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The attached file (notes.pdf) must be a PDF, PNG or JPEG")
    expect(page.get_by_label("Sternocleidomastoid, left")).to_be_checked()
    expect(page.get_by_label("Splenius capitis, right")).to_be_checked()
    expect(page.get_by_label("Report (optional)")).to_have_value(re.compile("Dystonic"))
    assert not Investigation.objects.exists()
    check_accessibility(page, "investigation-create-error")

    # When they choose the real PDF and save again
    page.locator("input[type=file]").set_input_files(str(report))
    page.get_by_role("button", name="Save investigation").click()

    # Then the investigation shows its muscles and the attached file
    expect(page.get_by_role("heading", name="Electromyography (EMG), 2 March 2026")).to_be_visible()
    muscles = page.get_by_role("table", name="Muscles found active on this EMG")
    expect(muscles).to_contain_text("Sternocleidomastoid")
    expect(muscles).to_contain_text("Splenius capitis")
    check_accessibility(page, "investigation-detail")

    # And downloading the file gives the same bytes, and the download is audited
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download emg-report.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "emg-report.pdf"
    assert download.path().read_bytes() == report.read_bytes()
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.patient_id == patient.pk and event.actor_username == coordinator.username

    # And the change form opens with the muscles ticked and the file listed
    page.get_by_role("link", name=re.compile("Change this investigation")).click()
    expect(page.get_by_label("Sternocleidomastoid, left")).to_be_checked()
    expect(page.get_by_text("emg-report.pdf")).to_be_visible()
    check_accessibility(page, "investigation-edit")
    page.go_back()

    # And the list shows the EMG mapping as done
    page.get_by_role("link", name="Back to all investigations").click()
    expect(page.get_by_role("table", name="Work-up for selective denervation")).to_contain_text(
        "Abnormal, 2 March 2026")
    check_accessibility(page, "investigations-list")

"""Given/when/then: a member of staff opens the page of their FHIR bulk exports, sees one
still running with its progress bar and a finished one with its files, downloads a file;
the page is accessible at full width and at 320 px, and without script. Another member of
staff sees none of it."""

import json
from pathlib import Path

import pytest

from collis.core.roles import Role
from collis.fhir_api import bulk
from collis.fhir_api.models import BulkExport, ExportState
from collis.patients.tests.factories import PatientFactory
from tests.system.steps import Journey

pytestmark = pytest.mark.browser


class TestTheBulkExportsPage(Journey):
    def given_my_exports(self, user):
        PatientFactory.create_batch(2)
        done = BulkExport.objects.create(requested_by=user, level="system",
                                         request_url="https://collis.example/fhir/R4/$export",
                                         types=["Patient", "Organization"])
        assert bulk.bulk_export_run(export_id=done.pk) == ExportState.DONE
        BulkExport.objects.create(requested_by=user, level="patient",
                                  request_url="https://collis.example/fhir/R4/Patient/$export",
                                  types=["Patient", "Observation", "Condition"],
                                  state=ExportState.RUNNING, types_done=1,
                                  counts={"Patient": 2})

    def test_i_see_my_exports_progress_and_download_a_file(self):
        self.settings.MEDIA_ROOT = self.tmp_path
        user = self.given_i_am_signed_in_as(Role.NEUROLOGIST)
        self.given_my_exports(user)

        self.when_i_visit("/fhir/exports/")
        self.then_i_see_the_heading("Your FHIR bulk exports")
        self.then_i_see("1 of 3 resource types done, 2 resources written")
        progress = self.page.get_by_role("progressbar", name="Progress")
        assert progress.get_attribute("value") == "1" and progress.get_attribute("max") == "3"
        self.then_i_see_the_link("Refresh now")
        self.then_the_page_is_accessible("fhir-bulk-exports")

        download = self.when_i_download("Patient, file 1 (2 resources, NDJSON)")
        lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["resourceType"] for line in lines] == ["Patient", "Patient"]

        self.page.set_viewport_size({"width": 320, "height": 800})
        self.when_i_visit("/fhir/exports/")
        self.then_the_page_is_accessible("fhir-bulk-exports-320")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320

    def test_another_member_of_staff_sees_none_of_mine(self):
        self.settings.MEDIA_ROOT = self.tmp_path
        owner = self.given_a_user(Role.NEUROLOGIST)
        self.given_my_exports(owner)
        self.given_i_am_signed_in_as(Role.NEUROLOGIST)
        self.when_i_visit("/fhir/exports/")
        self.then_i_see("You have no bulk exports.", first=True)
        done = BulkExport.objects.get(state=ExportState.DONE)
        response = self.page.request.get(f"/fhir/exports/{done.pk}/files/1")
        assert response.status == 404

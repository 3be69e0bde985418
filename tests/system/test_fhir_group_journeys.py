"""Given/when/then: the clinical lead defines a group of patients (operated on since a
date) on the pages without script, is told what is missing when no criterion is given, sees
how many patients meet it, starts its export and finds it, done, with its files, on the
page of their FHIR bulk exports; the pages are accessible at full width and at 320 px."""

import datetime as dt

import pytest

from collis.core.roles import Role
from collis.outcomes.tests.factories import make_episode, operate
from collis.patients.tests.factories import PatientFactory
from tests.system.steps import Journey

pytestmark = pytest.mark.browser


class TestAGroupDefinedAndExported(Journey):
    def test_i_define_a_group_and_export_its_records(self):
        self.settings.MEDIA_ROOT = self.tmp_path
        operate(make_episode(PatientFactory(), state="consented"))  # operated 2026-03-02
        PatientFactory()  # never operated: not in the group
        self.given_i_am_signed_in_as(Role.CLINICAL_LEAD)

        self.when_i_visit("/fhir/groups/")
        self.then_i_see_the_heading("Patient groups for FHIR export")
        self.then_i_see("The unit has no patient groups yet.")
        self.then_the_page_is_accessible("fhir-groups")

        self.when_i_fill_in({"Name": "Operated on since 2026"})
        self.when_i_press("Define the group")
        self.then_the_error_summary_says("Give at least one criterion: an operation date, "
                                         "a toxin date or a pathway state.")
        self.then_the_page_is_accessible("fhir-groups-error")

        self.when_i_fill_in_the_date(dt.date(2026, 1, 1), field="operated_since")
        self.when_i_press("Define the group")
        self.then_i_see_the_success_banner("The group Operated on since 2026 is defined.")
        self.then_i_see_the_heading("Patient group: Operated on since 2026")
        assert self.page.locator(".nhsuk-summary-list__value").first.inner_text() == "1"
        self.then_the_page_is_accessible("fhir-group")

        self.when_i_press("Export this group's records")
        self.then_i_see_the_heading("Your FHIR bulk exports")
        self.then_i_see("The export of the group Operated on since 2026 has started.")
        self.then_i_see("group “Operated on since 2026”", first=True)
        self.then_i_see_the_link("Patient, file 1 (1 resources, NDJSON)")
        self.then_the_page_is_accessible("fhir-group-export")

        self.page.set_viewport_size({"width": 320, "height": 800})
        self.when_i_visit("/fhir/groups/")
        self.then_the_page_is_accessible("fhir-groups-320")
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 320

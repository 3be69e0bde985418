"""Given/when/then: a service manager opens the outcomes audit, filters it to one surgeon and
one year and downloads the CSV; the clinical lead sees a complication above the range the
consent form disclosed."""

import csv
import datetime
import io
from pathlib import Path

from collis.core.roles import Role
from collis.service_audit.tests.factories import operated
from tests.system.steps import Journey


class TestTheServiceAudit(Journey):
    def test_a_service_manager_filters_the_outcomes_to_one_surgeon_and_year_and_downloads(
            self):
        self.given_two_surgeons_operations()
        self.given_i_am_signed_in_as(Role.AUDITOR)

        self.when_i_visit("/service-audit/outcomes/")
        self.then_i_see_the_heading("Outcomes after selective denervation")
        self.then_i_see("11 operations", first=True)
        self.then_the_page_is_accessible("service-audit-outcomes")

        self.when_i_select("Surgeon", option="Sam Cutter")
        self.when_i_select("Year of the operation", option="2025")
        self.when_i_press("Show")
        self.then_i_see("5 operations", first=True)
        self.then_the_table_shows("TWSTRS total (0-85)", "-12.0", "Munchau",
                                  name="Change from the pre-operative baseline: the unit, "
                                       "5 operations")
        self.then_the_page_is_accessible()

        download = self.when_i_download("Download these tables (CSV)")
        text = Path(download.path()).read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["Collis service audit: outcomes after selective denervation"]
        three_months = next(r for r in rows if r[:2] == ["TWSTRS total (0-85)", "3 months"])
        # A text a spreadsheet would take for a formula is marked as text (').
        assert three_months[2] == "5" and three_months[3].startswith("'-12.0")

        self.when_i_press("Compute a snapshot in the background")
        self.then_i_see_the_heading("Snapshot: Outcomes after selective denervation")
        self.then_the_table_shows("-12.0", name="Change from the pre-operative baseline: the "
                                                 "unit, 5 operations")
        self.then_the_page_is_accessible("service-audit-snapshot")

        self.when_i_visit("/service-audit/service/")
        self.then_i_see_the_heading("Service measures")
        self.then_the_table_shows("Referral to operation", "92 days",
                                  name="Waits of the 11 operations (distributions, not "
                                       "means)")
        self.then_i_see_the_heading("Waiting list size over time")
        self.then_the_page_is_accessible("service-audit-service-measures")

    def test_the_clinical_lead_sees_a_complication_above_its_disclosed_range(self):
        self.given_two_surgeons_operations()
        self.given_i_am_signed_in_as(Role.CLINICAL_LEAD)

        self.when_i_visit("/")
        self.when_i_follow("Service audit")
        self.then_i_see_the_heading("Complications against what was disclosed")
        self.then_i_see("Above the disclosed range", first=True)
        self.then_i_see("Swallowing difficulty (dysphagia), the unit: 4 of 11", first=True)
        self.then_the_table_shows("Above disclosed range", "new dysphagia on videofluoroscopy",
                                  containing="What the consent form quoted")
        self.then_the_page_is_accessible("service-audit-complications")

    def given_two_surgeons_operations(self):
        """Sam Cutter: five operations in 2025 (TWSTRS 38 -> 26 at 3 months) and one in
        2024; Ola Other: five in 2025. Four of the eleven had swallowing difficulty,
        disclosed at 25%."""
        sam = self.given_a_user(Role.NEUROSURGEON, first_name="Sam", last_name="Cutter")
        ola = self.given_a_user(Role.NEUROSURGEON, first_name="Ola", last_name="Other")
        for index in range(5):
            operated(sam, baseline=(20, 12, 6), reviews=[(3, 14, 8, 4)],
                     complications=["SD_SWALLOWING_DIFFICULTY"] if index < 2 else [])
            operated(ola, complications=["SD_SWALLOWING_DIFFICULTY"] if index < 2 else [])
        operated(sam, operated_on=datetime.date(2024, 9, 2))


class TestAResearchExtract(Journey):
    def test_a_researcher_asks_for_an_extract_and_downloads_it_after_the_worker(self):
        surgeon = self.given_a_user(Role.NEUROSURGEON)
        for _ in range(5):
            operated(surgeon, baseline=(20, 12, 6), reviews=[(3, 14, 8, 4)])
        self.given_i_am_signed_in_as(Role.AUDITOR)

        self.when_i_visit("/research-extracts/")
        self.then_i_see_the_heading("Research extracts")
        self.when_i_press("Ask for the extract")
        self.then_the_error_summary_says("Say why the extract is needed")
        self.then_the_page_is_accessible()
        self.when_i_fill_in({"Why the extract is needed": "Yearly audit meeting 2026"})
        self.when_i_press("Ask for the extract")
        # The test settings' task backend runs the worker's build as soon as the request
        # is stored; in production the page shows its progress and refreshes itself.
        self.then_i_see_the_success_banner("Your extract has been asked for")
        self.then_i_see_the_heading("Research extract")
        self.then_i_see("Motivated-intruder check")
        self.then_the_page_is_accessible("service-audit-research-extract")

        download = self.when_i_download("Download the extract (CSV)")
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
        assert len(rows) == 5 and all(r["pseudonym"].startswith("P") for r in rows)
        assert all(r["twstrs_3_months"] == "26" for r in rows)

        fhir = self.when_i_download("the patients as FHIR resources (NDJSON)")
        lines = Path(fhir.path()).read_text().splitlines()
        assert sum('"resourceType":"Patient"' in line for line in lines) == 5
        assert {r["pseudonym"] for r in rows} <= {
            line.split('"id":"')[1].split('"')[0] for line in lines}

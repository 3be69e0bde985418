"""Given/when/then: a service manager opens the toxin clinic's measures in the service audit,
chooses a year and downloads the tables as CSV."""

import csv
import datetime
import io
import re
from pathlib import Path

from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.treatments.tests.factories import cycle_with
from tests.system.steps import Journey

JAN, APR = datetime.date(2025, 1, 6), datetime.date(2025, 4, 7)


class TestTheToxinClinicAudit(Journey):
    def test_a_service_manager_reads_the_toxin_clinic_for_a_year_and_downloads_it(self):
        for _ in range(6):  # enough patients for the groups to be shown (local policy: 5)
            patient = PatientFactory()
            cycle_with(patient, JAN, benefit=80, weeks=12)
            cycle_with(patient, APR, benefit=70, weeks=11)
        self.given_i_am_signed_in_as(Role.AUDITOR)

        self.when_i_visit("/service-audit/toxin/")
        self.then_i_see_the_heading("Botulinum toxin clinic")
        self.then_i_see_the_heading("Response patterns")
        self.then_the_page_is_accessible("service-audit-toxin-clinic")

        self.when_i_select("Year of the injections", option="2025")
        self.when_i_press("Show")
        self.then_i_see_the_heading("Secondary non-response over time")
        self.then_i_see_the_heading("Patients who stopped toxin, and why")
        self.then_the_page_is_accessible()

        download = self.when_i_download("Download these tables (CSV)")
        rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        assert rows[0] and "toxin" in rows[0][0].lower()


class TestPatientsWhoStopped(Journey):
    def test_the_clinic_shows_who_stopped_and_why_from_the_workers_summary(self):
        from collis.core.models import Organisation
        from collis.core.tests.factories import UserFactory
        from collis.service_audit.toxin_summaries import toxin_summaries_refresh
        from collis.treatments.models import ToxinStop

        user = UserFactory()
        for index in range(6):
            patient = PatientFactory()
            cycle_with(patient, JAN, benefit=80, weeks=12)
            cycle_with(patient, APR, benefit=20, weeks=4)
            if index < 5:
                ToxinStop.objects.create(patient=patient, stopped_on=APR + datetime.timedelta(
                    days=20), reason="stopped_working", decided_by=user, created_by=user)
        toxin_summaries_refresh(organisation=Organisation.objects.default())
        self.given_i_am_signed_in_as(Role.AUDITOR)

        self.when_i_visit("/service-audit/toxin/")
        self.then_i_see("by the task worker")
        self.then_i_see_the_heading("Patients who stopped toxin, and why")
        self.then_the_table_shows("5 of 6", name=re.compile(
            "Patients who stopped botulinum toxin, and why"))
        self.then_the_page_is_accessible("service-audit-toxin-stopped")

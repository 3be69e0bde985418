"""The service audit's pages and CSV downloads: who may open them, the flag, filters, bad
input and the CSV matching the page."""

import csv
import io

import pytest

from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.service_audit.tests.factories import operated

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(sites):
    """Ten operations by one surgeon, four with swallowing difficulty (disclosed 25%)."""
    surgeon = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Cutter")
    for index in range(10):
        operated(surgeon, complications=["SD_SWALLOWING_DIFFICULTY"] if index < 4 else [],
                 baseline=(20, 12, 6), reviews=[(3, 14, 8, 4)] if index < 6 else [])
    return surgeon


@pytest.mark.parametrize("role", [Role.NEUROLOGIST, Role.NURSE_SPECIALIST,
                                  Role.PHYSIOTHERAPIST, Role.CONTENT_EDITOR])
@pytest.mark.parametrize("url", ["/service-audit/", "/service-audit/outcomes/",
                                 "/service-audit/complications.csv",
                                 "/service-audit/outcomes.csv", "/service-audit/service/",
                                 "/service-audit/service.csv", "/research-extracts/"])
def test_roles_without_the_capability_are_refused(client_as, role, url):
    assert client_as(role).get(url).status_code == 403


def test_the_clinical_lead_sees_the_complication_flagged_above_its_disclosed_range(
        client_as, cohort):
    response = client_as(Role.CLINICAL_LEAD).get("/service-audit/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Above the disclosed range" in page
    assert "Swallowing difficulty (dysphagia), the unit: 4 of 10 (40%" in page
    assert "new dysphagia on videofluoroscopy in 3 of 12" in page
    assert "<svg" in page and "Computed" in page


def test_the_service_manager_filters_to_one_surgeon_and_one_year(client_as, cohort):
    other = UserFactory(role=Role.NEUROSURGEON, first_name="Ola", last_name="Other")
    for _ in range(5):
        operated(other)
    client = client_as(Role.AUDITOR)
    page = client.get(f"/service-audit/?surgeon={other.pk}&year=2025").content.decode()
    assert "5 operations" in page and "Above the disclosed range" not in page
    page = client.get(f"/service-audit/?surgeon={cohort.pk}&year=2025").content.decode()
    assert "10 operations" in page and "Above the disclosed range" in page


def test_an_unknown_filter_value_is_named_not_a_500(client_as, cohort):
    response = client_as(Role.AUDITOR).get("/service-audit/?surgeon=nobody&year=1066")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Surgeon" in page


def test_the_complications_csv_holds_the_same_rows_as_the_page(client_as, cohort):
    response = client_as(Role.AUDITOR).get("/service-audit/complications.csv?year=2025")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Collis service audit: complications against what was disclosed"]
    swallowing = next(r for r in rows if r and r[0] == "Swallowing difficulty (dysphagia)")
    assert swallowing[1] == "4 of 10 (40%; 95% CI 17% to 69%)"
    assert swallowing[3] == "25%"
    assert any("Computed" in r[0] for r in rows if r)


def test_the_outcomes_page_shows_the_paired_change_and_the_published_series(client_as,
                                                                           cohort):
    page = client_as(Role.AUDITOR).get("/service-audit/outcomes/").content.decode()
    # Six pairs: 38 -> 26 at 3 months, a change of -12 each.
    assert "-12.0" in page
    assert "Munchau" in page and "[28]" in page and "Bergenheim" in page
    assert "Time to reoperation" in page


def test_the_outcomes_csv_streams_every_table(client_as, cohort):
    response = client_as(Role.AUDITOR).get("/service-audit/outcomes.csv")
    text = b"".join(response.streaming_content).decode()
    assert "Change from the pre-operative baseline" in text
    assert "Time to reoperation" in text and "Time to conversion to deep brain stimulation" in text


def test_the_audit_page_runs_in_a_bounded_number_of_queries(client_as, cohort,
                                                            django_assert_max_num_queries):
    client = client_as(Role.AUDITOR)
    with django_assert_max_num_queries(25):
        client.get("/service-audit/")


def test_the_service_measures_page_runs_in_a_bounded_number_of_queries(
        client_as, cohort, django_assert_max_num_queries):
    client = client_as(Role.AUDITOR)
    with django_assert_max_num_queries(30):
        client.get("/service-audit/service/")

"""The audit's tables as CSV and XLSX: the same rows as the page, values not formulas, and
a text a spreadsheet would take for a formula written as text in both."""

import csv
import io

import pytest
from openpyxl import load_workbook

from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.service_audit.downloads import csv_lines, csv_safe, xlsx_bytes
from collis.service_audit.presenters import Table
from collis.service_audit.tests.factories import operated

pytestmark = pytest.mark.django_db

HOSTILE = Table(caption="=cmd|' /C calc'!A0", headers=["Name", "Value"],
                rows=[["=1+2", "-3"], ["@SUM(A1:A2)", "+1.5 (95% CI -1 to +4)"],
                      ["-2+3", "12"], ["\tTab", "0.5"], ["Plain", ""]])


@pytest.fixture
def cohort(sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    for index in range(10):
        operated(surgeon, complications=["SD_SWALLOWING_DIFFICULTY"] if index < 4 else [],
                 baseline=(20, 12, 6), reviews=[(3, 14, 8, 4)] if index < 6 else [])
    return surgeon


def test_a_would_be_formula_is_text_in_the_csv_and_a_number_stays_a_number():
    assert csv_safe("=1+2") == "'=1+2"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("+1.5 (95% CI)") == "'+1.5 (95% CI)"
    assert csv_safe("-3") == "-3" and csv_safe("12") == "12" and csv_safe(None) == ""
    rows = list(csv.reader(io.StringIO("".join(csv_lines([HOSTILE], ["=heading"])))))
    assert rows[0] == ["'=heading"]
    assert rows[2] == ["'=cmd|' /C calc'!A0"]
    assert rows[4] == ["'=1+2", "-3"]
    assert rows[6] == ["'-2+3", "12"]


def test_the_workbook_holds_values_and_never_a_formula():
    book = load_workbook(io.BytesIO(xlsx_bytes([HOSTILE], heading=["=heading"])))
    assert book.sheetnames[0] == "About"
    assert book["About"]["A1"].value == "=heading"
    sheet = book.worksheets[1]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type in ("s", "n") for c in cells)  # no "f" (formula)
    assert sheet["A3"].value == "=1+2" and sheet["A3"].data_type == "s"
    assert sheet["A3"].quotePrefix
    assert sheet["B3"].value == -3 and sheet["B3"].data_type == "n"
    assert sheet["A4"].value == "@SUM(A1:A2)" and sheet["A4"].quotePrefix
    assert sheet["B6"].value == 0.5


@pytest.mark.parametrize("url", ["/service-audit/complications.xlsx?year=2025",
                                 "/service-audit/outcomes.xlsx",
                                 "/service-audit/service.xlsx",
                                 "/service-audit/toxin.xlsx"])
def test_each_audit_page_downloads_as_a_workbook_with_the_csv_rows(client_as, cohort, url):
    client = client_as(Role.AUDITOR)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].rstrip('"').endswith(".xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book["About"]["A1"].value.startswith("Collis service audit")
    csv_text = b"".join(client.get(url.replace(".xlsx", ".csv")).streaming_content).decode()
    captions = [r[0] for r in csv.reader(io.StringIO(csv_text)) if r][5:]
    for sheet in book.worksheets[1:]:
        assert sheet["A1"].value in captions


def test_the_complication_workbook_gives_the_same_figure_as_the_page(client_as, cohort):
    response = client_as(Role.AUDITOR).get("/service-audit/complications.xlsx?year=2025")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]
    row = next(r for r in sheet.iter_rows(values_only=True)
               if r[0] == "Swallowing difficulty (dysphagia)")
    assert row[1] == "4 of 10 (40%; 95% CI 17% to 69%)" and row[3] == "25%"


def test_a_role_without_the_capability_cannot_download_a_workbook(client_as, cohort):
    assert client_as(Role.PHYSIOTHERAPIST).get("/service-audit/service.xlsx") \
        .status_code == 403


def test_a_snapshot_downloads_as_a_workbook_too(client_as, cohort,
                                                django_capture_on_commit_callbacks):
    client = client_as(Role.CLINICAL_LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/service-audit/snapshots/", {"kind": "complications"})
    page = client.get(response["Location"]).content.decode()
    assert "as a spreadsheet (XLSX)" in page
    workbook = client.get(response["Location"].rstrip("/") + ".xlsx")
    book = load_workbook(io.BytesIO(workbook.content))
    assert book["About"]["A1"].value.startswith("Collis service audit")
    assert book.worksheets[1]["A1"].value.startswith("Complications against what was")

"""Research extracts: nothing identifying survives, intervals are kept, rare combinations
are suppressed, and each included patient's access history lists the extract."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collis.core.audit import Actor
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.deidentify import date_shift_days, pseudonym
from collis.patients.models import Patient
from collis.service_audit import services
from collis.service_audit.models import ResearchCohort
from collis.service_audit.selectors import AuditFilters
from collis.service_audit.tests.factories import OPERATED_ON, operated

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(sites):
    return Actor.command_line(UserFactory(role=Role.CLINICAL_LEAD))


@pytest.fixture
def cohort(sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Cutter")
    operations = [operated(surgeon, baseline=(20, 12, 6), reviews=[(3, 14, 8, 4)],
                           further=("reoperation", 100) if i == 0 else None,
                           complications=["SD_INFECTION"] if i == 0 else [])
                  for i in range(6)]
    # One patient older than 89 at the operation.
    Patient.objects.filter(pk=operations[5].patient_id).update(
        date_of_birth=datetime.date(1930, 1, 1))
    complication = operations[0].episode.complications.get()
    assert complication.notes == ""  # free text would be left out anyway
    return operations


def _extract(lead, **kwargs):
    extract = services.research_extract_create(
        cohort=ResearchCohort.OPERATED, filters=AuditFilters(), reason="Unit audit 2026",
        actor=lead, **kwargs)
    return extract, list(csv.DictReader(io.StringIO(extract.content)))


def test_no_identifier_survives_in_the_extract(cohort, lead):
    extract, rows = _extract(lead)
    text = extract.content
    for operation in cohort:
        patient = Patient.objects.get(pk=operation.patient_id)
        assert patient.nhs_number not in text
        assert patient.family_name not in text and patient.given_name not in text
        assert patient.date_of_birth.isoformat() not in text
        assert patient.postcode not in text and patient.address_line_1 not in text
        assert str(patient.pk) not in text
    assert "Sam" not in text and "Cutter" not in text  # surgeons are "Surgeon 1"
    assert "Recurrent pulling" not in text  # the further surgery's reason is free text
    assert OPERATED_ON.isoformat() not in text  # every date is shifted
    assert set(rows[0]) == set(services.EXTRACT_FIELDS)


def test_pseudonyms_and_shifts_come_from_the_key_and_keep_intervals(cohort, lead):
    _extract_record, rows = _extract(lead)
    key = services.pseudonym_key()
    first = Patient.objects.get(pk=cohort[0].patient_id)
    row = next(r for r in rows if r["pseudonym"] == pseudonym(key, first.nhs_number))
    shifted = datetime.date.fromisoformat(row["operated_on_shifted"])
    assert (shifted - OPERATED_ON).days == date_shift_days(key, first.nhs_number) != 0
    assert row["days_to_reoperation"] == "100"  # the interval, not a date
    assert row["complications"] == "SD_INFECTION"
    assert row["twstrs_baseline"] == "38" and row["twstrs_3_months"] == "26"


def test_ages_over_89_are_grouped_and_rare_combinations_suppressed(cohort, lead):
    extract, rows = _extract(lead)
    years = sorted(r["year_of_birth"] for r in rows)
    # Five patients born 1974 share (1974, female, site); the one over 89 is alone, so
    # even "withheld (90 or over)" is a rare combination and is blanked.
    assert years.count("1974") == 5 and "1930" not in years
    assert "suppressed" in {r["year_of_birth"] for r in rows} | {r["sex"] for r in rows}
    assert extract.report["unique"] == 1 and extract.report["k"] == 5


def test_each_included_patient_has_the_extract_in_their_access_history(cohort, lead):
    extract, _rows = _extract(lead)
    event = AuditEvent.objects.get(object_type="research_extract")
    assert event.summary.startswith(f"Included in a de-identified extract (extract "
                                    f"{extract.pk})")
    assert event.details["reason"] == "Unit audit 2026"
    for operation in cohort:
        assert AuditEvent.objects.for_patient(operation.patient_id).filter(
            pk=event.pk).exists()


def test_an_extract_needs_a_reason_and_the_capability(cohort, lead):
    with pytest.raises(ValidationError):
        services.research_extract_create(cohort=ResearchCohort.OPERATED,
                                         filters=AuditFilters(), reason=" ", actor=lead)
    with pytest.raises(PermissionDenied):
        services.research_extract_create(
            cohort=ResearchCohort.OPERATED, filters=AuditFilters(), reason="Study",
            actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))


def test_the_researcher_makes_an_extract_and_downloads_it(client_as, cohort):
    client = client_as(Role.AUDITOR)
    assert client.post("/research-extracts/", {"cohort": "operated", "reason": ""}) \
        .status_code == 200  # shown again with the error
    response = client.post("/research-extracts/", {"cohort": "operated",
                                                   "reason": "Audit meeting"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Motivated-intruder check" in page and "6 rows" in page
    download = client.get(response["Location"].rstrip("/") + ".csv")
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(object_type="research_extract",
                                     action="download").count() == 1

"""Research extracts: the request is stored and the task worker (the test settings' backend)
builds the file a chunk at a time; nothing identifying survives, intervals are kept, rare
combinations are suppressed, each included patient's access history lists the extract, only
the person who asked can download it, and the file expires."""

import csv
import datetime
import io
import json
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from collis.assessments.models import ScaleAssessment
from collis.assessments.tests.factories import make_diagnosis
from collis.core.audit import Actor
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.deidentify import date_shift_days, pseudonym
from collis.fhir_api.validation import invariant_problems, parse_problems
from collis.patients.models import Patient
from collis.service_audit import services
from collis.service_audit.models import ResearchCohort, ResearchExtract, SnapshotStatus
from collis.service_audit.selectors import AuditFilters
from collis.service_audit.tests.factories import OPERATED_ON, operated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
    """Ask for an extract and let the worker build it (the request hands it to the task
    backend once stored); the extract and its rows, read back from its file."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        extract = services.research_extract_request(
            cohort=ResearchCohort.OPERATED, filters=AuditFilters(), reason="Unit audit 2026",
            actor=lead, **kwargs)
    extract.refresh_from_db()
    assert extract.status == SnapshotStatus.DONE, extract.error
    with extract.file.open("rb") as handle:
        extract.content = handle.read().decode()
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
    event = AuditEvent.objects.get(object_type="research_extract",
                                   summary__startswith="Included")
    assert event.summary.startswith(f"Included in a de-identified extract (extract "
                                    f"{extract.pk})")
    assert event.details["reason"] == "Unit audit 2026"
    for operation in cohort:
        assert AuditEvent.objects.for_patient(operation.patient_id).filter(
            pk=event.pk).exists()


def test_an_extract_needs_a_reason_and_the_capability(cohort, lead):
    with pytest.raises(ValidationError):
        services.research_extract_request(cohort=ResearchCohort.OPERATED,
                                          filters=AuditFilters(), reason=" ", actor=lead)
    with pytest.raises(PermissionDenied):
        services.research_extract_request(
            cohort=ResearchCohort.OPERATED, filters=AuditFilters(), reason="Study",
            actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))


def test_the_researcher_asks_for_an_extract_and_downloads_it_once_built(client_as, cohort):
    client = client_as(Role.AUDITOR)
    assert client.post("/research-extracts/", {"cohort": "operated", "reason": ""}) \
        .status_code == 200  # shown again with the error
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/research-extracts/", {"cohort": "operated",
                                                       "reason": "Audit meeting"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Motivated-intruder check" in page and "6 rows" in page
    assert "Download the extract (CSV)" in page and "Expires" in page
    download = client.get(response["Location"].rstrip("/") + ".csv")
    assert download["Content-Disposition"].startswith("attachment")
    text = b"".join(download.streaming_content).decode()
    assert text.splitlines()[0].startswith("pseudonym,year_of_birth")
    assert len(text.splitlines()) == 7
    assert AuditEvent.objects.filter(object_type="research_extract",
                                     action="download").count() == 1


def test_while_the_worker_builds_it_the_page_shows_a_progress_bar_that_refreshes(
        client_as, cohort):
    client = client_as(Role.AUDITOR)
    response = client.post("/research-extracts/", {"cohort": "operated",
                                                   "reason": "Audit meeting"})
    extract = ResearchExtract.objects.get()  # the worker has not run: on_commit not run
    assert extract.status == SnapshotStatus.QUEUED
    ResearchExtract.objects.filter(pk=extract.pk).update(
        status=SnapshotStatus.RUNNING, rows_done=3, rows_total=12)
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="extract-progress" max="100" value="25">' in page
    assert 'http-equiv="refresh"' in page and "Refresh now" in page
    assert "Download the extract" not in page
    assert client.get(response["Location"].rstrip("/") + ".csv").status_code == 404


def test_only_the_person_who_asked_can_download_it(client_as, cohort, lead):
    extract, _rows = _extract(lead)
    colleague = client_as(Role.AUDITOR)
    page = colleague.get(f"/research-extracts/{extract.pk}/").content.decode()
    assert "Only" in page and "who asked for it, can download" in page
    assert colleague.get(f"/research-extracts/{extract.pk}.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="download").exists()


def test_the_file_expires_and_is_deleted_but_the_record_stays(cohort, lead, settings):
    extract, _rows = _extract(lead)
    expected = extract.finished_at + datetime.timedelta(
        hours=settings.COLLIS_RESEARCH_EXTRACT_EXPIRY_HOURS)
    assert extract.expires_at == expected and extract.downloadable
    path = extract.file.path
    assert services.research_extract_purge_expired(now=expected - datetime.timedelta(
        seconds=1)) == 0
    assert services.research_extract_purge_expired(now=expected) == 1
    extract.refresh_from_db()
    assert not extract.file and not extract.fhir_file and not extract.downloadable
    assert extract.reason and extract.report["rows"] == 6
    assert not os.path.exists(path)


def test_an_expired_extract_cannot_be_downloaded(client_as, cohort):
    client = client_as(Role.AUDITOR)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/research-extracts/", {"cohort": "operated",
                                                       "reason": "Audit meeting"})
    ResearchExtract.objects.update(expires_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert client.get(response["Location"].rstrip("/") + ".csv").status_code == 404
    assert "Expired" in client.get(response["Location"]).content.decode()


def test_the_worker_reads_the_cohort_a_chunk_at_a_time_with_the_same_result(
        cohort, lead, monkeypatch):
    whole, whole_rows = _extract(lead)
    monkeypatch.setattr(services, "EXTRACT_CHUNK", 4)
    chunked, chunked_rows = _extract(lead)
    assert chunked_rows == whole_rows and chunked.report == whole.report
    assert chunked.rows_done == chunked.rows_total == 12  # two passes of six
    events = AuditEvent.objects.filter(summary__startswith="Included in a de-identified "
                                                           f"extract (extract {chunked.pk})")
    assert events.count() == 2  # one per chunk of four
    for operation in cohort:
        assert AuditEvent.objects.for_patient(operation.patient_id).filter(
            pk__in=events).exists()


def test_an_extract_the_worker_cannot_build_fails_and_keeps_no_file(cohort, lead):
    with TestCase.captureOnCommitCallbacks(execute=True):
        extract = services.research_extract_request(
            cohort=ResearchCohort.OPERATED, filters=AuditFilters(), reason="Study",
            actor=lead)
        # The requester's role changes before the worker starts.
        type(lead.user).objects.filter(pk=lead.user.pk).update(role=Role.NEUROSURGEON)
    extract.refresh_from_db()
    assert extract.status == SnapshotStatus.FAILED and not extract.file
    assert not extract.downloadable


def _fhir(extract) -> list[dict]:
    with extract.fhir_file.open("rb") as handle:
        text = handle.read().decode()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_the_fhir_form_holds_each_patients_resources_de_identified(cohort, lead):
    first = Patient.objects.get(pk=cohort[0].patient_id)
    make_diagnosis(first, notes="Lives at the old mill")
    extract, rows = _extract(lead)
    resources = _fhir(extract)
    text = json.dumps(resources)
    for operation in cohort:
        patient = Patient.objects.get(pk=operation.patient_id)
        assert patient.nhs_number not in text
        assert patient.family_name not in text and patient.given_name not in text
        assert patient.date_of_birth.isoformat() not in text
        assert patient.postcode not in text and str(patient.pk) not in text
    assert "Sam" not in text and "Cutter" not in text and "old mill" not in text
    assert "Practitioner" not in text and "Organization" not in text
    assert '"meta"' not in text and "identifier" not in text
    for resource in resources:
        assert parse_problems(resource) == [] and invariant_problems(resource) == []
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("Patient") == 6 and kinds.count("Condition") == 1
    key = services.pseudonym_key()
    alias = pseudonym(key, first.nhs_number)
    assert {r["pseudonym"] for r in rows} == {r["id"] for r in resources
                                              if r["resourceType"] == "Patient"}
    condition = next(r for r in resources if r["resourceType"] == "Condition")
    assert condition["subject"] == {"reference": f"Patient/{alias}"}
    assert condition["onsetAge"]["value"] == 44
    # The baseline TWSTRS, its date shifted by the patient's own days.
    observation = next(r for r in resources if r["resourceType"] == "Observation"
                       and r["subject"]["reference"] == f"Patient/{alias}")
    assessed_on = ScaleAssessment.objects.filter(patient=first).order_by(
        "assessed_on", "pk").first().assessed_on
    assert observation["effectiveDateTime"] == (assessed_on + datetime.timedelta(
        days=date_shift_days(key, first.nhs_number))).isoformat()
    assert observation["valueQuantity"]["value"] == 38


def test_the_fhir_patient_keeps_sex_and_year_only_where_the_csv_did(cohort, lead):
    extract, rows = _extract(lead)
    patients = {r["id"]: r for r in _fhir(extract) if r["resourceType"] == "Patient"}
    for row in rows:
        patient = patients[row["pseudonym"]]
        if row["year_of_birth"] == "1974":
            assert patient["birthDate"] == "1974"
        else:  # the one over 89: withheld, and then blanked in the CSV
            assert "birthDate" not in patient
        if row["sex"] == "suppressed":
            assert "gender" not in patient


def test_the_requester_downloads_the_fhir_form(client_as, cohort):
    client = client_as(Role.AUDITOR)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/research-extracts/", {"cohort": "operated",
                                                       "reason": "Audit meeting"})
    page = client.get(response["Location"]).content.decode()
    assert "the patients as FHIR resources (NDJSON)" in page
    download = client.get(response["Location"].rstrip("/") + ".ndjson")
    assert download["Content-Type"] == "application/fhir+ndjson"
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert json.loads(lines[0])["resourceType"] == "Patient"
    assert client_as(Role.AUDITOR).get(response["Location"].rstrip("/") + ".ndjson") \
        .status_code == 403


def test_the_database_backend_is_asked_to_delete_the_file_when_it_expires(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    expires = datetime.datetime(2027, 1, 8, 9, 0, tzinfo=datetime.UTC)
    services.research_extract_schedule_expiry(41, expires)
    queued = DBTaskResult.objects.get()
    assert queued.run_after == expires and queued.args_kwargs["args"] == [41]
    assert queued.task_path.endswith("research_extract_expire_task")

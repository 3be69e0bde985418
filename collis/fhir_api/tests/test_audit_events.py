"""The audit log over FHIR: only for those who may read it on the pages, newest first by
keyset from an (at, id) cursor, search by patient (their access history, scoped), date and
action, and reading it is itself recorded."""

import pytest

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.fhir_api.tests.test_records import ids
from collis.patients.tests.factories import PatientFactory, other_unit_patient

pytestmark = pytest.mark.django_db


def test_only_those_who_may_read_the_log_may_search_it(client, bearer, sites):
    response = client.get("/fhir/R4/AuditEvent", **bearer(Role.NEUROLOGIST))
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert client.get("/fhir/R4/AuditEvent").status_code == 401


def test_a_patients_access_history_newest_first_in_keyset_pages(client, bearer, sites):
    patient, other = PatientFactory(), PatientFactory()
    neurologist = bearer(Role.NEUROLOGIST)
    for _ in range(3):
        assert client.get(f"/fhir/R4/Patient/{patient.pk}", **neurologist).status_code == 200
    client.get(f"/fhir/R4/Patient/{other.pk}", **neurologist)
    client.get("/fhir/R4/Patient", **neurologist)  # a search page showing both
    auditor = bearer(Role.AUDITOR)
    reads = list(AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW)
                 .order_by("-at", "-id").values_list("pk", flat=True))
    search = AuditEvent.objects.get(action=AuditAction.SEARCH, object_type="patient")
    history = ids(client, auditor, "AuditEvent", patient=f"Patient/{patient.pk}")
    assert history == [str(search.pk)] + [str(pk) for pk in reads]
    assert ids(client, auditor, "AuditEvent", patient=f"Patient/{patient.pk}",
               action="R") == [str(pk) for pk in reads]
    assert ids(client, auditor, "AuditEvent", patient=f"Patient/{patient.pk}",
               action="E") == [str(search.pk)]
    # Two to a page: the next link's cursor walks on down the same index.
    page = client.get("/fhir/R4/AuditEvent", {"patient": f"Patient/{patient.pk}",
                                              "_count": 2}, **auditor).json()
    assert [e["resource"]["id"] for e in page["entry"]] == history[:2]
    [next_url] = [link["url"] for link in page["link"] if link["relation"] == "next"]
    rest = client.get(next_url, **auditor).json()
    assert [e["resource"]["id"] for e in rest["entry"]] == history[2:]
    read = client.get(f"/fhir/R4/AuditEvent/{reads[0]}", **auditor).json()
    assert read["entity"][0]["what"] == {"reference": f"Patient/{patient.pk}"}
    assert read["action"] == "R" and read["agent"][0]["requestor"] is True
    # Reading the log is recorded in it.
    assert AuditEvent.objects.filter(object_type="audit_log", actor_username__isnull=False,
                                     summary__contains="(FHIR)").count() >= 6


def test_dates_another_units_patient_and_bad_cursors(client, bearer, sites):
    patient = PatientFactory()
    client.get(f"/fhir/R4/Patient/{patient.pk}", **bearer(Role.NEUROLOGIST))
    auditor = bearer(Role.AUDITOR)
    event = AuditEvent.objects.get(patient_id=patient.pk, action=AuditAction.VIEW)
    day = event.at.date().isoformat()
    assert str(event.pk) in ids(client, auditor, "AuditEvent", date=day, action="R")
    assert ids(client, auditor, "AuditEvent", date="lt2000") == []
    elsewhere = other_unit_patient()
    assert ids(client, auditor, "AuditEvent", patient=f"Patient/{elsewhere.pk}") == []
    bad = client.get("/fhir/R4/AuditEvent", {"_cursor": "nonsense"}, **auditor)
    assert bad.status_code == 400 and "_cursor" in bad.json()["issue"][0]["diagnostics"]
    assert client.get("/fhir/R4/AuditEvent/x", **auditor).status_code == 404

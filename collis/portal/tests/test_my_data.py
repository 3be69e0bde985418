"""A copy of my data: the documented JSON (valid against its own schema), the PDF summary,
and the audit of each delivery."""

import hashlib
import io
import json

import jsonschema
import pytest
from pypdf import PdfReader

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import portal_client
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(sites, user_with_role):
    patient = PatientFactory(given_name="Rhiannon", family_name="Pryce")
    slot = clinic().slots.order_by("starts_at").first()
    scheduling.appointment_book(patient=patient, slot=slot, actor=coordinator_actor())
    return portal_client(patient, by=user_with_role(Role.NURSE_SPECIALIST))


def test_the_json_copy_follows_its_documented_schema_and_its_delivery_is_audited(client):
    response = client.get("/portal/my-data/my-data.json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    schema = client.get("/portal/my-data/schema.json").json()
    jsonschema.validate(data, schema)
    assert data["format"] == "collis.patient-data"
    assert data["patient"]["nhs_number"] == client.patient.nhs_number
    assert len(data["appointments"]) == 1
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD, object_type="data_export")
    assert event.patient_id == client.patient.pk
    assert event.details["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_the_pdf_summary_reads_the_same_data(client):
    response = client.get("/portal/my-data/my-data.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rhiannon Pryce" in text and "Appointments" in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_type="data_export",
                                     details__format="pdf").exists()

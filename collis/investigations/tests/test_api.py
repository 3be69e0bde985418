import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.investigations import services
from collis.investigations.tests.factories import (
    PDF_BYTES,
    EmgActiveMuscleFactory,
    InvestigationFactory,
    pdf_upload,
)
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(db):
    def make(role):
        user = UserFactory(role=role)
        return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
            user=user, actor=Actor.command_line())}

    return make


@pytest.fixture
def emg_with_file(sites):
    row = EmgActiveMuscleFactory(muscle="splenius_capitis", side="right")
    attached = services.investigation_file_attach(
        investigation=row.investigation, upload=pdf_upload("emg.pdf"),
        actor=Actor.command_line(row.investigation.created_by))
    return row.investigation, attached


def test_api_lists_investigations_with_muscles_and_file_metadata_and_audits(client, bearer,
                                                                          emg_with_file):
    investigation, attached = emg_with_file
    patient_id = investigation.patient_id
    response = client.get(f"/api/v1/patients/{patient_id}/investigations",
                          **bearer(Role.PHYSIOTHERAPIST))
    assert response.status_code == 200
    [item] = response.json()
    assert item["kind"] == "emg" and item["status"] == "abnormal"
    assert item["active_muscles"] == [{"muscle": "splenius_capitis", "side": "right"}]
    [meta] = item["files"]
    assert meta["original_name"] == "emg.pdf" and meta["size"] == len(PDF_BYTES)
    assert meta["download"] == (f"/api/v1/patients/{patient_id}/investigations/"
                                f"{investigation.pk}/files/{attached.pk}")
    assert "stored_name" not in meta
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="investigation_list")
    assert event.channel == AuditChannel.API and event.patient_id == patient_id


def test_api_downloads_a_file_and_audits_the_download(client, bearer, emg_with_file):
    investigation, attached = emg_with_file
    url = (f"/api/v1/patients/{investigation.patient_id}/investigations/{investigation.pk}"
           f"/files/{attached.pk}")
    response = client.get(url, **bearer(Role.NEUROLOGIST))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.channel == AuditChannel.API and event.patient_id == investigation.patient_id


def test_api_refuses_roles_without_record_view_and_audits_nothing(client, bearer,
                                                                  emg_with_file):
    investigation, attached = emg_with_file
    headers = bearer(Role.ADMINISTRATOR)
    base = f"/api/v1/patients/{investigation.patient_id}/investigations"
    assert client.get(base, **headers).status_code == 403
    response = client.get(f"{base}/{investigation.pk}/files/{attached.pk}", **headers)
    assert response.status_code == 403 and "role" in response.json()["detail"]
    assert not AuditEvent.objects.filter(patient_id=investigation.patient_id,
                                         action__in=[AuditAction.VIEW,
                                                     AuditAction.DOWNLOAD]).exists()


def test_api_needs_a_token(client, emg_with_file):
    investigation, _ = emg_with_file
    response = client.get(f"/api/v1/patients/{investigation.patient_id}/investigations")
    assert response.status_code == 401


def test_api_answers_404_for_an_unknown_patient_or_file(client, bearer, emg_with_file):
    investigation, attached = emg_with_file
    headers = bearer(Role.NEUROLOGIST)
    other = PatientFactory()
    assert client.get(f"/api/v1/patients/{other.pk}/investigations/{investigation.pk}"
                      f"/files/{attached.pk}", **headers).status_code == 404
    assert client.get("/api/v1/patients/00000000-0000-0000-0000-000000000000/investigations",
                      **headers).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_api_answers_404_for_another_units_patient_and_audits_nothing(client, bearer, theirs):
    investigation = InvestigationFactory(patient=theirs)
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    headers = bearer(Role.NEUROLOGIST)
    base = f"/api/v1/patients/{theirs.pk}/investigations"
    for path in (base, f"{base}/{investigation.pk}/files/{attached.pk}"):
        response = client.get(path, **headers)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No patient has this id."}
    assert not AuditEvent.objects.filter(patient_id=theirs.pk,
                                         action__in=[AuditAction.VIEW,
                                                     AuditAction.DOWNLOAD]).exists()


def test_api_lists_current_versions_only_with_their_status_and_earlier_files(client, bearer,
                                                                             emg_with_file):
    import datetime

    from collis.investigations.models import Investigation

    investigation, attached = emg_with_file
    actor = Actor.command_line(investigation.created_by)
    corrected = services.investigation_create(
        patient=investigation.patient, amends=investigation, actor=actor,
        correction_reason="Side was wrong",
        details=services.InvestigationDetails(
            kind="emg", performed_on=investigation.performed_on, status="abnormal",
            active_muscles=(("splenius_capitis", "left"),),
            requested_on=investigation.performed_on - datetime.timedelta(days=7),
            result_on=investigation.performed_on))
    wrong = InvestigationFactory(patient=investigation.patient)
    services.investigation_mark_entered_in_error(investigation=wrong, reason="Duplicate",
                                                 actor=actor)
    assert Investigation.objects.count() == 3
    response = client.get(f"/api/v1/patients/{investigation.patient_id}/investigations",
                          **bearer(Role.NEUROLOGIST))
    [item] = response.json()
    assert item["id"] == corrected.pk and item["version"] == 2
    assert item["record_status"] == "current"
    assert item["requested_on"] == str(corrected.requested_on)
    assert item["result_on"] == str(corrected.result_on)
    assert item["active_muscles"] == [{"muscle": "splenius_capitis", "side": "left"}]
    [meta] = item["files"]  # the file stays with the version it was uploaded with
    assert meta["investigation_id"] == investigation.pk
    assert meta["download"].endswith(f"/investigations/{investigation.pk}/files/{attached.pk}")
    assert client.get(meta["download"], **bearer(Role.NEUROLOGIST)).status_code == 200

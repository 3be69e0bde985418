"""The investigations app's part of the JSON API (/api/v1/): a patient's investigations with
their EMG muscles and file metadata, and each attached file, with the pages' role checks
and audit."""

from datetime import date, datetime
from uuid import UUID

from ninja import Router, Schema
from ninja.errors import HttpError

from collis.core.api import ErrorOut, api_actor, api_patient
from collis.core.roles import Capability
from collis.investigations import selectors
from collis.investigations.models import Investigation, InvestigationFile
from collis.investigations.views import file_response

router = Router(tags=["investigations"])


class ActiveMuscleOut(Schema):
    muscle: str
    side: str


class FileOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download: str
    # The version the file was uploaded with: an earlier one when the investigation was
    # corrected since (files stay with their version).
    investigation_id: int | None = None


class InvestigationOut(Schema):
    id: int
    kind: str
    performed_on: date
    status: str
    report: str
    gene_panel: str
    requested_by: str
    recorded_at: datetime
    version: int
    active_muscles: list[ActiveMuscleOut]
    files: list[FileOut]
    requested_on: date | None = None
    result_on: date | None = None
    record_status: str | None = None


def _out(patient_id: UUID, investigation: Investigation) -> dict:
    base = f"/api/v1/patients/{patient_id}/investigations"
    return {
        "id": investigation.pk, "kind": investigation.kind,
        "performed_on": investigation.performed_on, "status": investigation.status,
        "report": investigation.report, "gene_panel": investigation.gene_panel,
        "requested_by": investigation.requested_by, "recorded_at": investigation.created_at,
        "version": investigation.version,
        "active_muscles": [{"muscle": m.muscle, "side": m.side}
                           for m in investigation.active_muscles.all()],
        "files": [{"id": f.pk, "original_name": f.original_name,
                   "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
                   "uploaded_at": f.uploaded_at, "investigation_id": f.investigation_id,
                   "download": f"{base}/{f.investigation_id}/files/{f.pk}"}
                  for f in investigation.all_files],
        "requested_on": investigation.requested_on, "result_on": investigation.result_on,
        "record_status": investigation.record_status,
    }


@router.get("/patients/{patient_id}/investigations",
            response={200: list[InvestigationOut], 403: ErrorOut, 404: ErrorOut},
            summary="A patient's current investigations, newest first")
def investigation_list(request, patient_id: UUID):
    """Each current investigation (corrected and entered-in-error versions are left out)
    with its EMG active muscles (the domain's muscle and side values) and the metadata of
    its attached files, those of its earlier versions included (not their bytes). The
    read is audited."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    investigations = selectors.investigation_list(patient=patient, actor=api_actor(request))
    return [_out(patient_id, i) for i in investigations]


@router.get("/patients/{patient_id}/investigations/{investigation_id}/files/{file_id}",
            response={403: ErrorOut, 404: ErrorOut},
            summary="Download a file attached to an investigation",
            openapi_extra={"responses": {"200": {
                "description": "The file's bytes (PDF, PNG or JPEG), as an attachment",
                "content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}}})
def investigation_file_download(request, patient_id: UUID, investigation_id: int,
                                file_id: int):
    """The download is recorded in the audit log."""
    patient = api_patient(request, patient_id, Capability.RECORD_VIEW)
    try:
        attached, handle = selectors.investigation_file_open(
            patient=patient, investigation_id=investigation_id, file_id=file_id,
            actor=api_actor(request))
    except InvestigationFile.DoesNotExist:
        raise HttpError(404, "This investigation has no file with this id.") from None
    except FileNotFoundError:
        raise HttpError(404, "The file's content is missing from storage.") from None
    return file_response(attached, handle)

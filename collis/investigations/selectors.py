"""Reads of a patient's investigations, for a patient already fetched (and scoped to who
asks) by collis.patients.selectors.patient_get. Reads that show them to a person are
audited; `emg_active_muscles`, `latest_result` and `work_up_facts` are building blocks for
other apps, whose own page or API call audits the read. Lists, the work-up and the
candidacy facts read current versions only (ADR 0009); one investigation's page reads it
whatever its status, with its history and the files of its earlier versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.files import File

from collis.core.audit import Actor, audit_record
from collis.core.corrections import record_history
from collis.core.models import AuditAction, RecordStatus
from collis.core.prepared import attach_prefetched, patient_rows
from collis.domain.case_facts import StudyResult, WorkUp
from collis.investigations import uploads
from collis.investigations.models import (
    SD_WORK_UP,
    EmgActiveMuscle,
    Investigation,
    InvestigationFile,
    InvestigationKind,
)
from collis.patients.models import Patient

# The current investigations of a patient with their details (`with_details()`), as three
# prepared queries: the investigations, their EMG's active muscles, their files.
_CURRENT = patient_rows(lambda patient_id: (
    Investigation.objects.filter(patient_id=patient_id).current()
    .select_related("created_by", "updated_by", "status_changed_by").newest_first()))
_CURRENT_MUSCLES = patient_rows(lambda patient_id: EmgActiveMuscle.objects.filter(
    investigation__patient_id=patient_id,
    investigation__record_status=RecordStatus.CURRENT).order_by("id"))
_CURRENT_FILES = patient_rows(lambda patient_id: (
    InvestigationFile.objects.filter(investigation__patient_id=patient_id,
                                     investigation__record_status=RecordStatus.CURRENT)
    .select_related("uploaded_by").order_by("uploaded_at", "id")))


def investigation_list(*, patient: Patient, actor: Actor) -> list[Investigation]:
    """The patient's current investigations, newest first, with muscles and files (3
    queries); each version's `all_files` holds its own files and those of the versions it
    superseded (one more query when any was corrected)."""
    investigations = _CURRENT.instances(patient_id=patient.pk)
    if investigations:
        attach_prefetched(investigations, "active_muscles",
                          _CURRENT_MUSCLES.instances(patient_id=patient.pk))
        attach_prefetched(investigations, "files", _CURRENT_FILES.instances(patient_id=patient.pk))
    _files_of_chains(investigations)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="investigation_list",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the investigations of {patient.nhs_number} "
                         f"({len(investigations)})")
    return investigations


def investigation_get(*, patient: Patient, investigation_id: int, actor: Actor) -> Investigation:
    """One investigation of this patient, whatever its status (Investigation.DoesNotExist
    for another patient's), with `all_files`; the view is audited."""
    investigation = (Investigation.objects.for_patient(patient).with_details()
                     .get(pk=investigation_id))
    _files_of_chains([investigation])
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="investigation",
                 object_id=investigation.pk, patient_id=patient.pk,
                 summary=f"Viewed {investigation.get_kind_display()} of "
                         f"{investigation.performed_on:%d/%m/%Y}")
    return investigation


def _files_of_chains(investigations: list[Investigation]) -> None:
    """Set `all_files` on each: the files of the versions up to it, oldest first (a file
    stays attached to the version it was uploaded with). Two more queries when any of them
    is a correction, whatever their number."""
    corrected = [i for i in investigations if i.supersedes_id]
    earlier: dict[int, list[int]] = {}
    by_version: dict[int, list[InvestigationFile]] = {}
    if corrected:
        links = dict(Investigation.objects.filter(
            patient_id__in={i.patient_id for i in corrected}).values_list("pk", "supersedes_id"))
        for investigation in corrected:
            chain, pk = [], investigation.supersedes_id
            while pk:
                chain.append(pk)
                pk = links.get(pk)
            earlier[investigation.pk] = chain[::-1]
        for attached in (InvestigationFile.objects
                         .filter(investigation_id__in={pk for c in earlier.values() for pk in c})
                         .select_related("uploaded_by", "investigation")):
            by_version.setdefault(attached.investigation_id, []).append(attached)
    for investigation in investigations:
        files = [f for pk in earlier.get(investigation.pk, ()) for f in by_version.get(pk, ())]
        investigation.all_files = files + list(investigation.files.all())


def investigation_history(investigation: Investigation) -> list[Investigation]:
    """Every version of the investigation, oldest first (part of the page that shows it,
    so not audited again)."""
    return record_history(investigation)


def investigation_file_open(*, patient: Patient, investigation_id: int, file_id: int,
                            actor: Actor) -> tuple[InvestigationFile, File]:
    """An attached file and its bytes, opened for download; the download is audited.
    Raises InvestigationFile.DoesNotExist for another patient's file and FileNotFoundError
    if the bytes are missing from storage (then nothing is audited as downloaded)."""
    attached = InvestigationFile.objects.select_related("investigation").get(
        pk=file_id, investigation_id=investigation_id, investigation__patient=patient)
    handle = uploads.open_stored(attached.stored_name)
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="investigation_file",
                 object_id=attached.pk, patient_id=patient.pk,
                 summary=f"Downloaded {attached.original_name} "
                         f"({attached.investigation.get_kind_display()})",
                 details={"investigation": investigation_id, "sha256": attached.sha256,
                          "size": attached.size})
    return attached, File(handle, name=attached.original_name)


def latest_result(patient: Patient, kind: str) -> Investigation | None:
    """The most recent investigation of this kind that has a result (normal or abnormal),
    for the work-up checklist. Not audited: the caller's page audits its read."""
    return (Investigation.objects.for_patient(patient).current().filter(kind=kind)
            .with_result().newest_first().first())


def emg_active_muscles(patient: Patient) -> list[tuple[str, str, date]]:
    """(muscle, side, date of the EMG) from the most recent EMG with a result; muscle and
    side are the domain's Muscle and MuscleSide values. Empty if there is none. Not
    audited: the caller (the candidacy assessment) audits its read."""
    emg = (Investigation.objects.for_patient(patient).current()
           .filter(kind=InvestigationKind.EMG).with_result().newest_first()
           .prefetch_related("active_muscles").first())
    if emg is None:
        return []
    return [(m.muscle, m.side, emg.performed_on) for m in emg.active_muscles.all()]


@dataclass(frozen=True, slots=True)
class WorkUpItem:
    """One study of the work-up before selective denervation [28]: done (its latest
    result), pending (requested, no result yet) or outstanding (none recorded)."""

    kind: InvestigationKind
    result: Investigation | None
    pending: Investigation | None

    @property
    def state(self) -> str:
        if self.result is not None:
            return "done"
        return "pending" if self.pending is not None else "outstanding"


def work_up_summary(investigations: list[Investigation]) -> list[WorkUpItem]:
    """The SD work-up from investigations already loaded newest first (no query); a
    corrected or entered-in-error version among them is left out."""
    items = []
    for kind in SD_WORK_UP:
        of_kind = [i for i in investigations if i.kind == kind and i.is_current]
        result = next((i for i in of_kind if i.has_result), None)
        pending = next((i for i in of_kind if not i.has_result), None)
        items.append(WorkUpItem(kind=kind, result=result, pending=pending))
    return items


def work_up_facts(patient: Patient) -> WorkUp:
    """The work-up as the domain's candidacy facts: EMG mapping True when an EMG has a
    result, else None (not recorded); the two studies' latest result, else None."""
    latest = {}
    for investigation in (Investigation.objects.for_patient(patient).current()
                          .filter(kind__in=SD_WORK_UP).with_result().newest_first()):
        latest.setdefault(investigation.kind, investigation)

    def study(kind) -> StudyResult | None:
        found = latest.get(kind)
        return StudyResult(found.status) if found else None

    return WorkUp(emg_mapping=True if InvestigationKind.EMG in latest else None,
                  videofluoroscopy=study(InvestigationKind.VIDEOFLUOROSCOPY),
                  ct_cervical_spine=study(InvestigationKind.CT_CERVICAL_SPINE))


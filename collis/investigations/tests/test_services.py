import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.tests.factories import UserFactory
from collis.investigations import services, uploads
from collis.investigations.models import (
    EmgActiveMuscle,
    Investigation,
    InvestigationFile,
    InvestigationKind,
    ResultStatus,
)
from collis.investigations.tests.factories import (
    EXE_BYTES,
    HTML_BYTES,
    PDF_BYTES,
    EmgActiveMuscleFactory,
    InvestigationFactory,
    pdf_upload,
    png_upload,
)
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return Actor.command_line(UserFactory())


def stored_files():
    folder = uploads.storage_dir()
    return list(folder.iterdir()) if folder.exists() else []


def emg(**changes):
    return services.InvestigationDetails(**{
        "kind": InvestigationKind.EMG, "performed_on": datetime.date(2026, 3, 2),
        "status": ResultStatus.ABNORMAL,
        "active_muscles": (("sternocleidomastoid", "left"), ("splenius_capitis", "right")),
        "report": "Dystonic activity.",
    } | changes)


def test_creating_an_emg_saves_its_muscles_and_audits_the_write(sites, actor):
    patient = PatientFactory()
    investigation = services.investigation_create(patient=patient, details=emg(), actor=actor)
    assert investigation.created_by == actor.user
    assert sorted(investigation.active_muscles.values_list("muscle", "side")) == [
        ("splenius_capitis", "right"), ("sternocleidomastoid", "left")]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="investigation")
    assert event.patient_id == patient.pk and event.object_id == str(investigation.pk)
    assert "Sternocleidomastoid (left)" in event.details["active_muscles"]


def test_an_attached_pdf_is_stored_outside_the_web_root_under_a_random_name(sites, actor,
                                                                              media_root,
                                                                              settings):
    investigation = services.investigation_create(
        patient=PatientFactory(), details=emg(), files=[pdf_upload("EMG report.pdf")],
        actor=actor)
    attached = investigation.files.get()
    path = uploads.stored_path(attached.stored_name)
    assert path.read_bytes() == PDF_BYTES
    assert path.is_relative_to(media_root)
    assert not path.is_relative_to(settings.STATIC_ROOT)
    assert attached.original_name == "EMG report.pdf"
    assert "report" not in attached.stored_name and len(attached.stored_name) == 32
    assert attached.size == len(PDF_BYTES)
    assert attached.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attached.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="investigation_file",
                                     patient_id=investigation.patient_id).exists()


@pytest.mark.parametrize(("name", "data"), [("setup.pdf", EXE_BYTES), ("page.pdf", HTML_BYTES),
                                            ("notes.png", b"just some text")])
def test_a_file_whose_content_is_not_pdf_png_or_jpeg_is_refused_and_nothing_is_saved(
        sites, actor, media_root, name, data):
    with pytest.raises(ValidationError) as error:
        services.investigation_create(patient=PatientFactory(), details=emg(),
                                      files=[pdf_upload(name, data)], actor=actor)
    assert "must be a PDF, PNG or JPEG" in error.value.message_dict["file"][0]
    assert not Investigation.objects.exists() and not EmgActiveMuscle.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()
    assert stored_files() == []


def test_an_over_size_file_is_refused(sites, actor, settings):
    settings.COLLIS_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.investigation_create(patient=PatientFactory(), details=emg(),
                                      files=[pdf_upload(data=PDF_BYTES + b" " * 200)],
                                      actor=actor)
    assert "must be smaller than 100 bytes" in error.value.message_dict["file"][0]
    assert not Investigation.objects.exists()


def test_an_empty_file_is_refused(sites, actor):
    with pytest.raises(ValidationError) as error:
        services.investigation_create(patient=PatientFactory(), details=emg(),
                                      files=[pdf_upload(data=b"")], actor=actor)
    assert "is empty" in error.value.message_dict["file"][0]


def test_a_failure_after_the_file_is_written_removes_the_file(sites, actor, media_root,
                                                            monkeypatch):
    real_audit_record = services.audit_record

    def fail_on_the_file(**kwargs):
        if kwargs["object_type"] == "investigation_file":  # after the bytes are written
            raise RuntimeError("database went away")
        return real_audit_record(**kwargs)

    monkeypatch.setattr(services, "audit_record", fail_on_the_file)
    with pytest.raises(RuntimeError):
        services.investigation_create(patient=PatientFactory(),
                                      details=emg(kind=InvestigationKind.MRI_BRAIN,
                                                  active_muscles=(), status="normal"),
                                      files=[pdf_upload()], actor=actor)
    assert not Investigation.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"kind": InvestigationKind.MRI_BRAIN}, "active_muscles", "only for an EMG"),
    ({"status": ResultStatus.PENDING}, "active_muscles", "result is pending"),
    ({"active_muscles": ()}, "active_muscles", "Tick the muscles found active"),
    ({"active_muscles": (("biceps", "left"),)}, "active_muscles", "from the list"),
    ({"kind": InvestigationKind.GENETIC_TEST, "active_muscles": (), "status": "normal"},
     "gene_panel", "Enter the gene or panel tested"),
    ({"gene_panel": "DYT-TOR1A"}, "gene_panel", "only for a genetic test"),
])
def test_details_that_do_not_fit_together_are_refused_naming_the_field(sites, actor, changes,
                                                                       field, message):
    with pytest.raises(ValidationError) as error:
        services.investigation_create(patient=PatientFactory(), details=emg(**changes),
                                      actor=actor)
    assert message in error.value.message_dict[field][0]
    assert not Investigation.objects.exists()


def test_a_genetic_test_keeps_its_gene_panel(sites, actor):
    investigation = services.investigation_create(
        patient=PatientFactory(), actor=actor,
        details=emg(kind=InvestigationKind.GENETIC_TEST, active_muscles=(), status="pending",
                    gene_panel=" Dystonia gene panel "))
    assert investigation.gene_panel == "Dystonia gene panel"


def test_adding_a_result_to_a_pending_investigation_is_audited_with_the_change(sites, actor):
    pending = InvestigationFactory(kind=InvestigationKind.CT_CERVICAL_SPINE,
                                   status=ResultStatus.PENDING, report="")
    updated = services.investigation_update(
        investigation=pending, expected_version=1, actor=actor,
        details=emg(kind=InvestigationKind.CT_CERVICAL_SPINE, status="normal",
                    active_muscles=(), report="No abnormality.",
                    performed_on=pending.performed_on))
    assert updated.status == "normal" and updated.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.details["changes"]["status"] == {"from": "pending", "to": "normal"}
    assert event.patient_id == pending.patient_id


def test_updating_muscles_replaces_them(sites, actor):
    row = EmgActiveMuscleFactory()
    services.investigation_update(
        investigation=row.investigation, expected_version=1, actor=actor,
        details=emg(performed_on=row.investigation.performed_on,
                    active_muscles=(("trapezius", "bilateral"),)))
    assert list(EmgActiveMuscle.objects.values_list("muscle", "side")) == [
        ("trapezius", "bilateral")]


def test_a_stale_update_is_refused_and_changes_nothing(sites, actor):
    investigation = InvestigationFactory(status=ResultStatus.PENDING)
    investigation.version = 2
    investigation.save()
    with pytest.raises(services.InvestigationConflict):
        services.investigation_update(
            investigation=investigation, expected_version=1, actor=actor,
            details=emg(kind=investigation.kind, status="abnormal", active_muscles=()))
    investigation.refresh_from_db()
    assert investigation.status == ResultStatus.PENDING
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_unchanged_save_with_a_new_file_attaches_it_without_an_update_entry(sites, actor):
    investigation = InvestigationFactory()
    services.investigation_update(
        investigation=investigation, expected_version=1, actor=actor, files=[png_upload()],
        details=services.InvestigationDetails(
            kind=investigation.kind, performed_on=investigation.performed_on,
            status=investigation.status, report=investigation.report))
    assert investigation.files.get().content_type == "image/png"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_attaching_a_file_later_is_audited(sites, actor):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(investigation=investigation,
                                                  upload=pdf_upload(), actor=actor)
    assert InvestigationFile.objects.get() == attached
    assert AuditEvent.objects.get(object_type="investigation_file").object_id == str(attached.pk)


def test_attaching_a_bad_file_later_is_refused(sites, actor):
    with pytest.raises(ValidationError):
        services.investigation_file_attach(investigation=InvestigationFactory(),
                                           upload=pdf_upload(data=EXE_BYTES), actor=actor)
    assert not InvestigationFile.objects.exists()

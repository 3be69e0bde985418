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


# ------------------------------------------------------------------- corrections (ADR 0009)

def test_recording_the_result_of_a_pending_investigation_saves_a_new_version(sites, actor):
    pending = InvestigationFactory(kind=InvestigationKind.CT_CERVICAL_SPINE,
                                   status=ResultStatus.PENDING, report="")
    result = services.investigation_create(
        patient=pending.patient, amends=pending, actor=actor,
        details=emg(kind=InvestigationKind.CT_CERVICAL_SPINE, status="normal",
                    active_muscles=(), report="No abnormality.",
                    performed_on=pending.performed_on,
                    result_on=pending.performed_on + datetime.timedelta(days=3)))
    assert result.status == "normal" and result.version == 2 and result.supersedes == pending
    pending.refresh_from_db()
    # The pending version keeps its content; only its status moved, with who and why.
    assert pending.status == ResultStatus.PENDING and pending.report == ""
    assert pending.record_status == "amended" and pending.status_changed_by == actor.user
    assert pending.status_reason == "Result recorded (normal)"
    assert pending.status_changed_at is not None
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="investigation")
    assert update.details["before"]["status"] == "pending"
    assert update.details["after"]["status"] == "normal"
    assert update.patient_id == pending.patient_id


def test_a_correction_copies_the_muscles_as_entered_and_keeps_the_old_ones(sites, actor):
    row = EmgActiveMuscleFactory()
    old = row.investigation
    new = services.investigation_create(
        patient=old.patient, amends=old, actor=actor, correction_reason="Wrong side",
        details=emg(performed_on=old.performed_on,
                    active_muscles=(("trapezius", "bilateral"),)))
    assert list(new.active_muscles.values_list("muscle", "side")) == [
        ("trapezius", "bilateral")]
    assert list(old.active_muscles.values_list("muscle", "side")) == [
        ("sternocleidomastoid", "left")]


def test_a_correction_needs_a_reason_unless_it_records_the_result(sites, actor):
    old = InvestigationFactory(status=ResultStatus.NORMAL)
    with pytest.raises(ValidationError) as refused:
        services.investigation_create(
            patient=old.patient, amends=old, actor=actor,
            details=services.InvestigationDetails(
                kind=old.kind, performed_on=old.performed_on, status="abnormal"))
    assert "correction_reason" in refused.value.error_dict
    assert Investigation.objects.count() == 1


def test_correcting_an_already_corrected_investigation_is_refused(sites, actor):
    old = InvestigationFactory(status=ResultStatus.PENDING)
    details = services.InvestigationDetails(kind=old.kind, performed_on=old.performed_on,
                                            status="normal")
    services.investigation_create(patient=old.patient, amends=old, details=details,
                                  actor=actor)
    with pytest.raises(ValidationError, match="already amended"):
        services.investigation_create(patient=old.patient, amends=old, details=details,
                                      actor=actor, correction_reason="Second try")
    assert Investigation.objects.count() == 2


def test_a_role_that_cannot_record_investigations_cannot_correct_them(sites):
    from django.core.exceptions import PermissionDenied

    from collis.core.roles import Role

    old = InvestigationFactory()
    physio = Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST))
    with pytest.raises(PermissionDenied):
        services.investigation_create(
            patient=old.patient, amends=old, actor=physio, correction_reason="x",
            details=services.InvestigationDetails(kind=old.kind, performed_on=old.performed_on,
                                                  status="normal"))
    with pytest.raises(PermissionDenied):
        services.investigation_mark_entered_in_error(investigation=old, reason="x",
                                                     actor=physio)
    old.refresh_from_db()
    assert old.is_current and Investigation.objects.count() == 1


def test_an_investigation_of_another_patient_cannot_be_corrected_here(sites, actor):
    old = InvestigationFactory()
    with pytest.raises(ValidationError, match="not one of this patient's"):
        services.investigation_create(
            patient=PatientFactory(), amends=old, actor=actor, correction_reason="x",
            details=services.InvestigationDetails(kind=old.kind, performed_on=old.performed_on,
                                                  status="normal"))


def test_files_stay_with_the_version_they_were_uploaded_with(sites, actor):
    from collis.investigations.selectors import investigation_get, investigation_list

    first = services.investigation_create(patient=PatientFactory(), actor=actor,
                                          details=emg(), files=[pdf_upload("first.pdf")])
    second = services.investigation_create(
        patient=first.patient, amends=first, actor=actor, correction_reason="Report added",
        details=emg(), files=[png_upload("second.png")])
    assert list(first.files.values_list("original_name", flat=True)) == ["first.pdf"]
    assert list(second.files.values_list("original_name", flat=True)) == ["second.png"]
    shown = investigation_get(patient=first.patient, investigation_id=second.pk, actor=actor)
    assert [f.original_name for f in shown.all_files] == ["first.pdf", "second.png"]
    [listed] = investigation_list(patient=first.patient, actor=actor)
    assert listed.pk == second.pk and len(listed.all_files) == 2
    old = investigation_get(patient=first.patient, investigation_id=first.pk, actor=actor)
    assert [f.original_name for f in old.all_files] == ["first.pdf"]


def test_entered_in_error_leaves_the_work_up_and_facts_but_not_the_history(sites, actor):
    from collis.investigations.selectors import (
        emg_active_muscles,
        investigation_history,
        investigation_list,
        latest_result,
        work_up_facts,
    )

    investigation = services.investigation_create(patient=PatientFactory(), actor=actor,
                                                  details=emg())
    patient = investigation.patient
    assert work_up_facts(patient).emg_mapping is True and emg_active_muscles(patient)
    services.investigation_mark_entered_in_error(investigation=investigation,
                                                 reason="Wrong patient", actor=actor)
    investigation.refresh_from_db()
    assert investigation.record_status == "entered_in_error"
    assert investigation.status_reason == "Wrong patient"
    assert work_up_facts(patient).emg_mapping is None and not emg_active_muscles(patient)
    assert latest_result(patient, InvestigationKind.EMG) is None
    assert investigation_list(patient=patient, actor=actor) == []
    assert investigation_history(investigation) == [investigation]
    with pytest.raises(ValidationError, match="already entered in error"):
        services.investigation_mark_entered_in_error(investigation=investigation,
                                                     reason="again", actor=actor)


def test_a_file_cannot_be_attached_to_a_corrected_version(sites, actor):
    old = InvestigationFactory()
    services.investigation_mark_entered_in_error(investigation=old, reason="Duplicate",
                                                 actor=actor)
    with pytest.raises(ValidationError, match="attach the file to the current version"):
        services.investigation_file_attach(investigation=old, upload=pdf_upload(),
                                           actor=actor)
    assert not InvestigationFile.objects.exists()


# ------------------------------------------------------------------------------ chronology

def test_dates_are_refused_in_the_future_or_before_birth_naming_the_field(sites, actor):
    patient = PatientFactory(date_of_birth=datetime.date(1980, 1, 1))
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    cases = [
        ({"performed_on": tomorrow}, "performed_on", "must be today or in the past"),
        ({"requested_on": tomorrow}, "requested_on", "must be today or in the past"),
        ({"result_on": tomorrow}, "result_on", "must be today or in the past"),
        ({"performed_on": datetime.date(1979, 12, 31)}, "performed_on",
         "cannot be before the patient's date of birth"),
        ({"requested_on": datetime.date(1979, 12, 31)}, "requested_on",
         "cannot be before the patient's date of birth"),
    ]
    for changes, field, words in cases:
        with pytest.raises(ValidationError) as refused:
            services.investigation_create(patient=patient, actor=actor, details=emg(**changes))
        assert field in refused.value.error_dict, changes
        assert words in refused.value.error_dict[field][0].message, changes
    assert not Investigation.objects.exists()


def test_a_result_is_not_before_the_request_nor_the_investigation(sites, actor):
    patient = PatientFactory()
    march = datetime.date(2026, 3, 2)
    for changes, words in [
        ({"requested_on": march, "performed_on": march, "result_on": march.replace(day=1)},
         "The date of the result cannot be before the date the investigation was requested"),
        ({"performed_on": march, "result_on": march.replace(day=1)},
         "The date of the result cannot be before the date of the investigation"),
        ({"requested_on": march, "performed_on": march.replace(day=1)},
         "The date of the investigation cannot be before the date it was requested"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.investigation_create(patient=patient, actor=actor, details=emg(**changes))
        assert words in str(refused.value), changes
    done = services.investigation_create(
        patient=patient, actor=actor,
        details=emg(requested_on=march.replace(day=1), performed_on=march, result_on=march))
    assert done.requested_on < done.performed_on == done.result_on


def test_a_pending_result_has_no_result_date(sites, actor):
    with pytest.raises(ValidationError) as refused:
        services.investigation_create(
            patient=PatientFactory(), actor=actor,
            details=emg(status="pending", active_muscles=(),
                        result_on=datetime.date(2026, 3, 2)))
    assert "result_on" in refused.value.error_dict


def test_a_correction_meets_the_same_date_checks(sites, actor):
    old = InvestigationFactory()
    with pytest.raises(ValidationError) as refused:
        services.investigation_create(
            patient=old.patient, amends=old, actor=actor, correction_reason="Date",
            details=services.InvestigationDetails(
                kind=old.kind, status="normal",
                performed_on=datetime.date.today() + datetime.timedelta(days=2)))
    assert "performed_on" in refused.value.error_dict
    old.refresh_from_db()
    assert old.is_current


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

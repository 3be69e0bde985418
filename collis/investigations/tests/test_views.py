import pytest
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.investigations import services, uploads
from collis.investigations.models import (
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
)
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

EMG = {"kind": "emg", "performed_on-day": "2", "performed_on-month": "3",
       "performed_on-year": "2026", "status": "abnormal",
       "active_muscles": ["sternocleidomastoid:left", "splenius_capitis:right"],
       "report": "Dystonic activity", "requested_by": "Dr Demo", "gene_panel": ""}


def list_url(patient):
    return reverse("investigations:investigation_list", args=[patient.pk])


def new_url(patient):
    return reverse("investigations:investigation_create", args=[patient.pk])


def file_url(attached):
    investigation = attached.investigation
    return reverse("investigations:investigation_file_download",
                   args=[investigation.patient_id, investigation.pk, attached.pk])


def test_list_shows_investigations_and_audits_the_read(client_as, sites):
    row = EmgActiveMuscleFactory(muscle="splenius_capitis", side="right")
    patient = row.investigation.patient
    client = client_as(Role.PHYSIOTHERAPIST)
    body = client.get(list_url(patient)).content.decode()
    assert "Electromyography (EMG)" in body and "Splenius capitis (right)" in body
    assert "Record an investigation" not in body  # physiotherapists read only
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="investigation_list")
    assert event.patient_id == patient.pk and event.actor == client.user


def test_list_shows_the_work_up_for_selective_denervation(client_as, sites):
    emg = InvestigationFactory(kind=InvestigationKind.EMG, status=ResultStatus.ABNORMAL)
    InvestigationFactory(patient=emg.patient, kind=InvestigationKind.VIDEOFLUOROSCOPY,
                         status=ResultStatus.PENDING)
    body = client_as(Role.NEUROSURGEON).get(list_url(emg.patient)).content.decode()
    assert "Work-up for selective denervation" in body and "[28]" in body
    assert "Abnormal, 2 March 2026" in body  # EMG mapping done
    assert "result not yet recorded" in body  # videofluoroscopy pending
    assert "Outstanding" in body  # CT cervical spine


def test_list_page_queries_stay_bounded_with_many_investigations(client_as, sites,
                                                                django_assert_max_num_queries):
    patient = PatientFactory()
    for _ in range(30):
        row = EmgActiveMuscleFactory(investigation__patient=patient)
        InvestigationFactory(patient=patient)
        InvestigationFile.objects.create(
            investigation=row.investigation, original_name="a.pdf",
            stored_name=f"{row.pk:032d}", content_type="application/pdf", size=1,
            sha256="0" * 64, uploaded_by=row.investigation.created_by)
    client = client_as(Role.NEUROLOGIST)
    # Independent of the number of rows (10, and the audit of showing the patient).
    with django_assert_max_num_queries(11):
        response = client.get(list_url(patient))
    assert response.status_code == 200
    assert response.content.decode().count("Electromyography (EMG)</a>") == 30


def test_administrator_cannot_open_investigations(client_as, sites):
    patient = PatientFactory()
    assert client_as(Role.ADMINISTRATOR).get(list_url(patient)).status_code == 403


def test_physiotherapist_cannot_record_an_investigation(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    assert client.get(new_url(patient)).status_code == 403
    assert client.post(new_url(patient), EMG).status_code == 403
    assert not Investigation.objects.exists()


def test_coordinator_records_an_emg_with_a_pdf(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.MDT_COORDINATOR)
    response = client.post(new_url(patient), EMG | {"file": pdf_upload("emg.pdf")})
    investigation = Investigation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("investigations:investigation_detail",
                                           args=[patient.pk, investigation.pk])
    assert sorted(investigation.active_muscles.values_list("muscle", "side")) == [
        ("splenius_capitis", "right"), ("sternocleidomastoid", "left")]
    assert investigation.files.get().original_name == "emg.pdf"


def test_both_sides_ticked_is_recorded_as_bilateral(client_as, sites):
    patient = PatientFactory()
    data = EMG | {"active_muscles": ["trapezius:left", "trapezius:right"]}
    client_as(Role.NEUROLOGIST).post(new_url(patient), data)
    assert list(Investigation.objects.get().active_muscles.values_list("muscle", "side")) == [
        ("trapezius", "bilateral")]


@pytest.mark.parametrize(("name", "data"), [("virus.pdf", EXE_BYTES), ("page.pdf", HTML_BYTES),
                                            ("notes.pdf", b"plain text renamed")])
def test_a_renamed_file_is_refused_with_the_field_named_and_nothing_saved(client_as, sites,
                                                                          name, data):
    patient = PatientFactory()
    response = client_as(Role.MDT_COORDINATOR).post(
        new_url(patient), EMG | {"file": pdf_upload(name, data)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and 'href="#file"' in body
    assert f"The attached file ({name}) must be a PDF, PNG or JPEG file" in body
    assert 'value="sternocleidomastoid:left" checked' in body  # the ticks are kept
    assert "Dystonic activity" in body
    assert not Investigation.objects.exists()


def test_an_over_size_file_is_refused_on_the_page(client_as, sites, settings):
    settings.COLLIS_UPLOAD_MAX_BYTES = 1024
    patient = PatientFactory()
    response = client_as(Role.MDT_COORDINATOR).post(
        new_url(patient), EMG | {"file": pdf_upload(data=PDF_BYTES + b"\n" * 2048)})
    assert "must be smaller than 1 KB" in response.content.decode()
    assert not Investigation.objects.exists()


def test_missing_answers_are_each_named(client_as, sites):
    patient = PatientFactory()
    response = client_as(Role.NEUROLOGIST).post(new_url(patient), {})
    body = response.content.decode()
    for message in ("Select the investigation", "Enter the date of the investigation",
                    "Select the result: normal, abnormal or result pending"):
        assert message in body
    assert 'href="#performed_on-day"' in body


def test_a_future_date_is_refused(client_as, sites):
    patient = PatientFactory()
    response = client_as(Role.NEUROLOGIST).post(
        new_url(patient), EMG | {"performed_on-year": "2099"})
    assert "The date of the investigation must be today or in the past" in (
        response.content.decode())


def test_an_abnormal_emg_without_muscles_asks_for_them(client_as, sites):
    patient = PatientFactory()
    response = client_as(Role.NEUROLOGIST).post(new_url(patient),
                                                EMG | {"active_muscles": []})
    body = response.content.decode()
    assert "Tick the muscles found active on the EMG" in body and 'href="#active_muscles"' in body
    assert 'id="active_muscles"' in body


def test_detail_shows_muscles_and_files_and_audits_the_read(client_as, sites):
    row = EmgActiveMuscleFactory()
    services.investigation_file_attach(investigation=row.investigation, upload=pdf_upload(),
                                       actor=Actor.command_line(row.investigation.created_by))
    client = client_as(Role.NURSE_SPECIALIST)
    body = client.get(reverse("investigations:investigation_detail",
                              args=[row.investigation.patient_id, row.investigation.pk])
                      ).content.decode()
    assert "Sternocleidomastoid" in body and "Download report.pdf" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="investigation",
                                     patient_id=row.investigation.patient_id).exists()


def test_another_patients_investigation_is_not_found(client_as, sites):
    investigation = InvestigationFactory()
    other = PatientFactory()
    response = client_as(Role.NEUROLOGIST).get(
        reverse("investigations:investigation_detail", args=[other.pk, investigation.pk]))
    assert response.status_code == 404


def amend_url(investigation):
    return (reverse("investigations:investigation_create", args=[investigation.patient_id])
            + f"?amends={investigation.pk}")


def error_url(investigation):
    return reverse("investigations:investigation_entered_in_error",
                   args=[investigation.patient_id, investigation.pk])


def detail_url(investigation):
    return reverse("investigations:investigation_detail",
                   args=[investigation.patient_id, investigation.pk])


def test_recording_the_result_of_a_pending_investigation_saves_a_new_version(client_as,
                                                                             sites):
    pending = InvestigationFactory(kind=InvestigationKind.VIDEOFLUOROSCOPY,
                                   status=ResultStatus.PENDING, report="")
    client = client_as(Role.MDT_COORDINATOR)
    detail = client.get(detail_url(pending)).content.decode()
    assert "Record the result or attach its report" in detail
    form = client.get(amend_url(pending)).content.decode()
    assert 'value="pending" checked' in form and "Record the result:" in form
    response = client.post(amend_url(pending), {
        "kind": "videofluoroscopy", "performed_on-day": "2", "performed_on-month": "3",
        "performed_on-year": "2026", "status": "normal", "report": "Safe swallow.",
        "result_on-day": "5", "result_on-month": "3", "result_on-year": "2026"})
    assert response.status_code == 302
    result = Investigation.objects.get(supersedes=pending)
    assert response["Location"] == detail_url(result)
    assert result.status == "normal" and result.version == 2
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.record_status == "amended"
    page = client.get(response["Location"]).content.decode()
    assert "History of this entry" in page and "Result recorded (normal)" in page
    old_page = client.get(detail_url(pending)).content.decode()
    assert "This entry was corrected" in old_page and "Correct this entry" not in old_page
    listed = client.get(list_url(pending.patient)).content.decode()
    assert listed.count("Videofluoroscopic swallow study</a>") == 1


def test_a_correction_without_a_reason_is_refused_on_the_page(client_as, sites):
    done = InvestigationFactory(status=ResultStatus.NORMAL)
    response = client_as(Role.NEUROLOGIST).post(amend_url(done), {
        "kind": "blood_tests", "performed_on-day": "2", "performed_on-month": "3",
        "performed_on-year": "2026", "status": "abnormal"})
    assert response.status_code == 200
    assert "Give the reason for the correction" in response.content.decode()
    assert Investigation.objects.count() == 1


def test_a_second_correction_of_the_same_version_is_refused_and_explained(client_as, sites):
    investigation = InvestigationFactory(status=ResultStatus.PENDING)
    client = client_as(Role.NEUROLOGIST)
    data = {"kind": "blood_tests", "performed_on-day": "2", "performed_on-month": "3",
            "performed_on-year": "2026", "status": "abnormal", "correction_reason": "x"}
    assert client.post(amend_url(investigation), data).status_code == 302
    again = client.post(amend_url(investigation), data | {"status": "normal"})
    assert "already amended" in again.content.decode()
    assert Investigation.objects.count() == 2
    # Opening the correction of the old version sends back to it, saying why.
    opened = client.get(amend_url(investigation))
    assert opened.status_code == 302 and opened["Location"] == detail_url(investigation)


def test_marking_an_investigation_entered_in_error(client_as, sites):
    investigation = InvestigationFactory(kind=InvestigationKind.EMG,
                                         status=ResultStatus.ABNORMAL)
    client = client_as(Role.NURSE_SPECIALIST)
    page = client.get(error_url(investigation)).content.decode()
    assert "Mark the investigation (Electromyography (EMG), 2 March 2026)" in page
    refused = client.post(error_url(investigation), {})
    assert "Give the reason the entry was entered in error" in refused.content.decode()
    response = client.post(error_url(investigation), {"correction_reason": "Wrong patient"})
    assert response.status_code == 302 and response["Location"] == detail_url(investigation)
    investigation.refresh_from_db()
    assert investigation.record_status == "entered_in_error"
    listed = client.get(list_url(investigation.patient)).content.decode()
    assert "No investigations are recorded" in listed and listed.count("Outstanding") == 3
    detail = client.get(detail_url(investigation)).content.decode()
    assert "This entry was entered in error" in detail and "Wrong patient" in detail
    assert "Mark as entered in error" not in detail


def test_roles_without_the_capability_cannot_correct(client_as, sites):
    investigation = InvestigationFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    assert "Correct this entry" not in client.get(detail_url(investigation)).content.decode()
    assert client.get(amend_url(investigation)).status_code == 403
    assert client.get(error_url(investigation)).status_code == 403
    assert client.post(error_url(investigation),
                       {"correction_reason": "x"}).status_code == 403
    investigation.refresh_from_db()
    assert investigation.is_current


def test_download_sends_the_bytes_as_an_attachment_and_audits_it(client_as, sites):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload("EMG report.pdf"),
        actor=Actor.command_line(investigation.created_by))
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.get(file_url(attached))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "EMG report.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.patient_id == investigation.patient_id and event.actor == client.user
    assert event.object_id == str(attached.pk)


def test_a_user_without_record_view_gets_403_and_no_download_is_audited(client_as, sites):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    for role in (Role.ADMINISTRATOR, Role.AUDITOR):
        assert client_as(role).get(file_url(attached)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_a_file_cannot_be_downloaded_through_another_patients_url(client_as, sites):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    other = InvestigationFactory()
    url = reverse("investigations:investigation_file_download",
                  args=[other.patient_id, investigation.pk, attached.pk])
    assert client_as(Role.NEUROLOGIST).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_the_stored_file_is_not_reachable_at_any_media_or_static_url(client_as, sites,
                                                                    settings):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    path = uploads.stored_path(attached.stored_name)
    assert not path.resolve().is_relative_to(settings.STATIC_ROOT.resolve())
    client = client_as(Role.NEUROLOGIST)
    for url in (f"/media/{uploads.FOLDER}/{attached.stored_name}",
                f"/media/{attached.stored_name}",
                f"/static/{uploads.FOLDER}/{attached.stored_name}",
                f"/{uploads.FOLDER}/{attached.stored_name}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF_BYTES not in response.content


def test_a_missing_stored_file_says_so(client_as, sites):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    uploads.stored_path(attached.stored_name).unlink()
    response = client_as(Role.NEUROLOGIST).get(file_url(attached))
    assert response.status_code == 404 and "missing from storage" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


# Scoping, the audit of form pages and the service's errors on the page ----------------------

def _pages_of(investigation, attached):
    patient_id, pk = investigation.patient_id, investigation.pk
    return [reverse("investigations:investigation_list", args=[patient_id]),
            reverse("investigations:investigation_create", args=[patient_id]),
            reverse("investigations:investigation_detail", args=[patient_id, pk]),
            reverse("investigations:investigation_create", args=[patient_id])
            + f"?amends={pk}",
            reverse("investigations:investigation_entered_in_error", args=[patient_id, pk]),
            reverse("investigations:investigation_file_download",
                    args=[patient_id, pk, attached.pk])]


def test_another_units_staff_get_404_on_every_page_and_nothing_is_audited(client_as, theirs):
    investigation = InvestigationFactory(patient=theirs, status=ResultStatus.PENDING)
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    before = AuditEvent.objects.filter(patient_id=theirs.pk).count()
    client = client_as(Role.NEUROLOGIST)
    for page in _pages_of(investigation, attached):
        response = client.get(page)
        assert response.status_code == 404, page
        assert PDF_BYTES not in b"".join(getattr(response, "streaming_content", [b""]))
    assert client.post(new_url(theirs), EMG).status_code == 404
    assert client.post(amend_url(investigation), {
        "kind": "blood_tests", "performed_on-day": "2", "performed_on-month": "3",
        "performed_on-year": "2026", "status": "normal"}).status_code == 404
    assert client.post(error_url(investigation),
                       {"correction_reason": "x"}).status_code == 404
    # Nor is their investigation corrected under one's own patient.
    own = PatientFactory()
    assert client.get(reverse("investigations:investigation_create", args=[own.pk])
                      + f"?amends={investigation.pk}").status_code == 404
    assert Investigation.objects.get().status == ResultStatus.PENDING
    assert AuditEvent.objects.filter(patient_id=theirs.pk).count() == before


def test_a_patient_of_ones_own_unit_is_on_every_page(client_as, sites):
    investigation = InvestigationFactory()
    attached = services.investigation_file_attach(
        investigation=investigation, upload=pdf_upload(),
        actor=Actor.command_line(investigation.created_by))
    client = client_as(Role.NEUROLOGIST)
    for page in _pages_of(investigation, attached):
        assert client.get(page).status_code == 200, page


def test_opening_the_form_to_record_an_investigation_audits_the_patient_once(client_as,
                                                                            sites):
    patient = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    assert client.get(new_url(patient)).status_code == 200
    event = AuditEvent.objects.get(patient_id=patient.pk)
    assert event.object_type == "patient" and event.action == AuditAction.VIEW
    assert event.actor == client.user


def test_opening_the_correction_form_audits_the_patient_and_the_investigation(client_as,
                                                                              sites):
    investigation = InvestigationFactory()
    client = client_as(Role.NEUROLOGIST)
    assert client.get(amend_url(investigation)).status_code == 200
    assert sorted(AuditEvent.objects.filter(patient_id=investigation.patient_id)
                  .values_list("object_type", flat=True)) == ["investigation", "patient"]


def test_a_services_error_for_the_whole_form_is_shown_on_the_page(client_as, sites,
                                                                  monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError("The unit does not record this investigation yet")

    monkeypatch.setattr(services, "investigation_create", refuse)
    patient = PatientFactory()
    response = client_as(Role.NEUROLOGIST).post(new_url(patient), EMG)
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "The unit does not record this investigation yet" in body
    assert 'value="sternocleidomastoid:left" checked' in body  # the entry is kept


def test_a_services_error_on_a_field_the_form_lacks_is_shown_when_correcting(client_as,
                                                                             sites,
                                                                             monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"created_by": "The recorder of this investigation has left"})

    monkeypatch.setattr(services, "investigation_create", refuse)
    investigation = InvestigationFactory(status=ResultStatus.PENDING)
    response = client_as(Role.NEUROLOGIST).post(amend_url(investigation), {
        "kind": "blood_tests", "performed_on-day": "2", "performed_on-month": "3",
        "performed_on-year": "2026", "status": "normal"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "The recorder of this investigation has left" in body


def test_list_page_queries_stay_bounded_with_many_corrections(client_as, sites,
                                                              django_assert_max_num_queries):
    patient = PatientFactory()
    actor = Actor.command_line(UserFactory())
    for _ in range(10):
        first = InvestigationFactory(patient=patient, status=ResultStatus.PENDING)
        services.investigation_create(
            patient=patient, amends=first, actor=actor,
            details=services.InvestigationDetails(kind=first.kind,
                                                  performed_on=first.performed_on,
                                                  status="normal"))
    client = client_as(Role.NEUROLOGIST)
    # The list's queries and two more for the files of earlier versions.
    with django_assert_max_num_queries(13):
        response = client.get(list_url(patient))
    assert response.content.decode().count("Blood tests</a>") == 10


@pytest.mark.parametrize(("field", "day", "words"), [
    ("requested_on", "tomorrow", "The date requested must be today or in the past"),
    ("result_on", "tomorrow", "The date of the result must be today or in the past"),
    ("performed_on", "1900", "The date of the investigation cannot be before the patient"),
    ("result_on", "before", "The date of the result cannot be before the date of the "
                            "investigation"),
])
def test_dates_out_of_order_are_refused_on_the_page_naming_the_field(client_as, sites, field,
                                                                     day, words):
    import datetime

    patient = PatientFactory()
    when = {"tomorrow": datetime.date.today() + datetime.timedelta(days=1),
            "1900": datetime.date(1900, 1, 1),
            "before": datetime.date(2026, 3, 1)}[day]
    data = EMG | {f"{field}-day": str(when.day), f"{field}-month": str(when.month),
                  f"{field}-year": str(when.year)}
    response = client_as(Role.NEUROLOGIST).post(new_url(patient), data)
    body = response.content.decode()
    assert response.status_code == 200 and words in body
    assert f'href="#{field}-day"' in body  # the summary links to the field
    assert not Investigation.objects.exists()

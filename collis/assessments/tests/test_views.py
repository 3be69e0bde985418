import datetime

import pytest
from django.urls import reverse

from collis.assessments.models import DiagnosisVersion, Examination, ScaleAssessment
from collis.assessments.tests.factories import (
    TWSTRS_ITEMS,
    make_diagnosis,
    make_examination,
    make_twstrs,
    send_patient_reported,
)
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sites):
    return PatientFactory(given_name="Wren", family_name="Willowherb")


def url(name, patient, **kwargs):
    return reverse(f"assessments:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def date_data(prefix, day):
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


DIAGNOSIS = {"onset_age": "44", "regions": ["neck"], "distribution": "derived",
             "course": "static", "variability": "persistent", "associated_features": "isolated",
             "nervous_system_pathology": "none", "aetiology": "idiopathic",
             "idiopathic_form": "sporadic", "relative_1": "Mother",
             "relative_1_condition": "Writer's cramp"}


# ----------------------------------------------------------------------------- diagnosis

def test_diagnosis_page_shows_the_current_version_and_history_and_audits_the_read(client_as,
                                                                               patient):
    make_diagnosis(patient)
    make_diagnosis(patient, course="progressive")
    client = client_as(Role.PHYSIOTHERAPIST)
    body = client.get(url("diagnosis", patient)).content.decode()
    assert "Diagnosis and classification" in body and "WILLOWHERB, Wren" in body
    assert "Version 2" in body and "Course: Static changed to Progressive" in body
    assert "Late adulthood (over 40 years)" in body and "Focal (one region)" in body
    assert "Change the diagnosis" not in body  # physiotherapists do not diagnose
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="diagnosis")
    assert event.actor == client.user and event.patient_id == patient.pk


def test_recording_a_diagnosis_through_the_form_saves_a_version(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("diagnosis_edit", patient)).status_code == 200
    response = client.post(url("diagnosis_edit", patient), DIAGNOSIS)
    assert response.status_code == 302
    version = DiagnosisVersion.objects.get()
    assert version.aetiology_subtype == "sporadic" and version.distribution == "focal"
    assert version.family_history == [{"relationship": "Mother",
                                       "condition": "Writer's cramp"}]
    assert version.created_by == client.user


def test_editing_the_diagnosis_adds_a_second_version(client_as, patient):
    make_diagnosis(patient)
    client = client_as(Role.NEUROSURGEON)
    form = client.get(url("diagnosis_edit", patient)).content.decode()
    assert 'name="based_on_version" value="1"' in form
    client.post(url("diagnosis_edit", patient), DIAGNOSIS | {"based_on_version": "1",
                                                            "course": "progressive"})
    assert DiagnosisVersion.objects.count() == 2


def test_a_stale_diagnosis_form_is_refused_and_keeps_what_was_typed(client_as, patient):
    make_diagnosis(patient)
    make_diagnosis(patient, course="progressive")
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("diagnosis_edit", patient),
                       DIAGNOSIS | {"based_on_version": "1", "notes": "My note"}
                       ).content.decode()
    assert "Someone else saved a new version" in body and "My note" in body
    assert DiagnosisVersion.objects.count() == 2


def test_diagnosis_form_names_each_problem(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("diagnosis_edit", patient), DIAGNOSIS | {
        "onset_age": "200", "associated_features": "combined", "inheritance":
        "autosomal_dominant", "relative_2": "Brother"}).content.decode()
    assert "There is a problem" in body
    assert "Age at onset must be a whole number of years from 0 to 120" in body
    assert "Enter the other movement disorder" in body
    assert "Enter the condition of relative 2" in body
    assert "or choose inherited as the aetiology" in body
    assert not DiagnosisVersion.objects.exists()


def test_a_distribution_that_disagrees_with_the_regions_must_be_confirmed(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    data = DIAGNOSIS | {"regions": ["neck", "upper_limb"], "distribution": "focal"}
    body = client.post(url("diagnosis_edit", patient), data).content.decode()
    assert "The regions ticked give a segmental distribution" in body
    assert not DiagnosisVersion.objects.exists()
    client.post(url("diagnosis_edit", patient), data | {"confirm_distribution": "on"})
    version = DiagnosisVersion.objects.get()
    assert (version.distribution, version.derived_distribution) == ("focal", "segmental")


@pytest.mark.parametrize("role", [Role.PHYSIOTHERAPIST, Role.NURSE_SPECIALIST,
                                  Role.MDT_COORDINATOR])
def test_roles_without_the_diagnosis_capability_cannot_edit_it(client_as, patient, role):
    client = client_as(role)
    assert client.get(url("diagnosis_edit", patient)).status_code == 403
    assert client.post(url("diagnosis_edit", patient), DIAGNOSIS).status_code == 403
    assert not DiagnosisVersion.objects.exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_roles_without_record_access_cannot_read_the_assessments(client_as, patient, role):
    client = client_as(role)
    for name in ("diagnosis", "examination_list", "scale_list"):
        assert client.get(url(name, patient)).status_code == 403


def test_an_unknown_patient_is_not_found(client_as, sites):
    import uuid

    client = client_as(Role.NEUROLOGIST)
    response = client.get(reverse("assessments:diagnosis", args=[uuid.uuid4()]))
    assert response.status_code == 404


# --------------------------------------------------------------------------- examination

EXAMINATION = {"severity_torticaput": "3", "side_torticaput": "right",
               "severity_laterocollis": "1", "side_laterocollis": "left",
               "tremor": "mild", "sensory_trick": "present", "sensory_trick_effect": "partial",
               "notes": "Head turns to the right"}


def test_recording_an_examination_then_seeing_the_suggested_muscles(client_as, patient):
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.post(url("examination_create", patient),
                           EXAMINATION | date_data("examined_on", datetime.date(2026, 11, 2)))
    examination = Examination.objects.get()
    assert response.status_code == 302
    assert response.url == url("examination_detail", patient, pk=examination.pk)
    body = client.get(response.url).content.decode()
    assert "Torticaput to the right, severity 3" in body  # the dominant pattern
    assert "A suggestion for the clinician to confirm with EMG" in body
    assert "needs clinical sign-off" in body and "version 1.0.0" in body
    assert "Splenius capitis" in body
    # the suggested muscles come ticked, ready to confirm
    assert 'value="splenius_capitis" checked' in body.replace("\n", " ") or \
        "splenius_capitis" in body


def test_examination_form_names_each_problem_and_saves_nothing(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("examination_create", patient), {
        "severity_torticaput": "3", "side_laterocollis": "left",
        "sensory_trick": "present", "examined_on-day": "31", "examined_on-month": "2",
        "examined_on-year": "2026"}).content.decode()
    assert "The date of the examination must be a real date" in body
    assert "Choose the side of torticaput" in body
    assert "Choose the severity of laterocollis, or clear its side" in body
    assert "Choose how severe the tremor is" in body
    assert "Choose the effect of the sensory trick" in body
    assert 'href="#side_torticaput"' in body
    assert not Examination.objects.exists()


def test_confirming_the_involved_muscles_stores_them(client_as, patient):
    examination = make_examination(patient)
    client = client_as(Role.NEUROLOGIST)
    response = client.post(url("examination_muscles", patient, pk=examination.pk),
                           {"left": ["sternocleidomastoid"],
                            "right": ["splenius_capitis", "longus_colli"]})
    assert response.status_code == 302
    rows = set(examination.muscles.values_list("muscle", "side", "suggested"))
    assert rows == {("sternocleidomastoid", "left", True), ("splenius_capitis", "right", True),
                    ("longus_colli", "right", False)}
    body = client.get(response.url).content.decode()
    assert "Added by the clinician" in body


def test_a_nurse_cannot_record_muscles_for_a_patient_not_theirs_by_url(client_as, patient):
    other = PatientFactory()
    examination = make_examination(other)
    client = client_as(Role.NEUROLOGIST)
    response = client.post(url("examination_muscles", patient, pk=examination.pk),
                           {"left": ["sternocleidomastoid"]})
    assert response.status_code == 404


def test_auditors_cannot_record_examinations(client_as, patient):
    client = client_as(Role.MDT_COORDINATOR)
    assert client.get(url("examination_create", patient)).status_code == 403


def test_examination_list_stays_within_a_query_bound(client_as, patient,
                                                     django_assert_max_num_queries):
    for n in range(30):
        make_examination(patient, examined_on=datetime.date(2024, 1, 1)
                         + datetime.timedelta(days=n * 20))
    client = client_as(Role.NEUROLOGIST)
    client.get(url("examination_list", patient))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(url("examination_list", patient))
    assert response.content.decode().count("Torticaput to the right, severity 3") == 30


# -------------------------------------------------------------------------------- scales

def twstrs_post(day=datetime.date(2026, 11, 2), **changes):
    data = {k: str(v) for k, v in TWSTRS_ITEMS.items()} | date_data("assessed_on", day)
    return data | changes


def test_entering_a_twstrs_item_by_item_stores_the_domain_scores(client_as, patient):
    client = client_as(Role.NURSE_SPECIALIST)
    assert client.get(url("scale_create", patient, kind="twstrs")).status_code == 200
    response = client.post(url("scale_create", patient, kind="twstrs"), twstrs_post())
    assert response.status_code == 302
    assessment = ScaleAssessment.objects.get()
    assert assessment.total == 35 and assessment.items["rotation"] == 3
    body = client.get(response.url).content.decode()
    assert "total 35" in body and "TWSTRS assessments" in body


def test_an_out_of_range_twstrs_item_is_named_with_its_range(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("scale_create", patient, kind="twstrs"),
                       twstrs_post(rotation="7", driving="2.5", reading="x")).content.decode()
    assert "Rotation must be a whole number from 0 to 4 (you entered 7)" in body
    assert "Driving must be a whole number from 0 to 5" in body
    assert "Reading must be a whole number from 0 to 5" in body
    assert 'href="#rotation"' in body and 'value="7"' in body
    assert not ScaleAssessment.objects.exists()


def test_pain_items_adding_up_past_twenty_are_refused(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("scale_create", patient, kind="twstrs"),
                       twstrs_post(pain_severity="10", pain_duration="10",
                                   pain_disability="5")).content.decode()
    assert "The three pain items add up to 25; together they must be from 0 to 20" in body


def test_entering_twstrs_subscores_and_a_tsui(client_as, patient):
    client = client_as(Role.PHYSIOTHERAPIST)
    client.post(url("scale_create", patient, kind="twstrs_subscores"),
                {"severity": "20", "disability": "12", "pain": "5"}
                | date_data("assessed_on", datetime.date(2026, 5, 1)))
    client.post(url("scale_create", patient, kind="tsui"),
                {"rotation": "2", "tremor": "1", "total": "9"}
                | date_data("assessed_on", datetime.date(2026, 5, 1)))
    assert sorted(ScaleAssessment.objects.values_list("scale", "total")) == [
        ("tsui", 9.0), ("twstrs", 37.0)]
    body = client.post(url("scale_create", patient, kind="twstrs_subscores"),
                       {"severity": "40"} | date_data("assessed_on", datetime.date(2026, 5, 1))
                       ).content.decode()
    assert "Severity subscore must be a whole number from 0 to 35" in body


def test_an_unknown_scale_kind_is_not_found(client_as, patient):
    assert client_as(Role.NEUROLOGIST).get(
        url("scale_create", patient, kind="ccdrs")).status_code == 404


def test_scale_list_flags_clinically_important_change_in_words(client_as, patient):
    make_twstrs(patient, assessed_on=datetime.date(2026, 1, 5))  # 35
    make_twstrs(patient, assessed_on=datetime.date(2026, 4, 5), duration=1, work=0,
                driving=0)  # 35 - 6 - 2 - 2 = 25: -10
    make_twstrs(patient, assessed_on=datetime.date(2026, 7, 5), duration=1, work=0,
                driving=0, reading=0)  # 24: -1 since previous
    client = client_as(Role.NEUROLOGIST)
    body = client.get(url("scale_list", patient)).content.decode()
    assert "-10 points: <strong>Clinically important improvement</strong>" in body
    assert "-1 points: less than the minimal clinically important change" in body
    assert "local policy, needs clinical sign-off" in body and "[10]" in body
    assert "<svg" in body and 'role="img"' in body  # the chart, beside its table
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="scale")
    assert event.patient_id == patient.pk and event.details["twstrs"] == 3


def test_scale_detail_shows_the_items_and_is_audited(client_as, patient):
    assessment = make_twstrs(patient)
    client = client_as(Role.NEUROLOGIST)
    body = client.get(url("scale_detail", patient, pk=assessment.pk)).content.decode()
    assert "Maximal excursion: rotation" in body and "TWSTRS (Consky &amp; Lang 1994)" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="scale_twstrs",
                                     patient_id=patient.pk).exists()


def test_patient_reported_scores_are_their_own_series_in_the_chart_and_their_own_table(
        client_as, patient):
    make_twstrs(patient, assessed_on=datetime.date(2026, 1, 5))  # disability 10, pain 8
    make_twstrs(patient, assessed_on=datetime.date(2026, 4, 5), work=0)  # disability 8
    send_patient_reported(patient, sent_on=datetime.date(2026, 2, 10))  # disability 9, pain 11
    send_patient_reported(patient, sent_on=datetime.date(2026, 5, 10), reading=0)  # 6, 11
    body = client_as(Role.NEUROLOGIST).get(url("scale_list", patient)).content.decode()
    chart = body[body.index('<svg class="collis-chart"'):]
    chart = chart[:chart.index("</svg>")]
    # Their own lines, told apart without colour: the legend's words and open markers.
    assert "Disability (patient-reported)" in chart and "Pain (patient-reported)" in chart
    assert chart.count('fill="#ffffff"') == 2 * 2 + 2  # two points per line, two in legend
    assert "disability and pain the patient reported in the portal" in chart  # its desc
    clinician, reported = body.split("<table")[1:3]
    # The clinicians' table and its change flags hold the clinicians' two assessments only.
    assert "rated by clinicians" in clinician and clinician.count("<tr") == 3
    assert "-2 points" in clinician and "Patient-reported" not in clinician
    assert "Patient-reported: TWSTRS disability and pain sections" in reported
    first, second = reported.split("<tr")[2:]
    assert "10 February 2026" in first and "10 May 2026" in second
    assert ">9<" in first and ">6<" in second and second.count(">11<") == 1
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="patient_reported",
                                     patient_id=patient.pk).exists()


def test_patient_reported_scores_are_charted_before_any_clinician_twstrs(client_as, patient):
    send_patient_reported(patient, sent_on=datetime.date(2026, 2, 10))
    body = client_as(Role.NEUROLOGIST).get(url("scale_list", patient)).content.decode()
    assert "<svg" in body and "Disability (patient-reported)" in body
    assert "No clinician has recorded a TWSTRS yet." in body
    assert "No TWSTRS is recorded yet." not in body


def test_scale_list_stays_within_a_query_bound(client_as, patient,
                                               django_assert_max_num_queries):
    for n in range(40):
        make_twstrs(patient, assessed_on=datetime.date(2020, 1, 1)
                    + datetime.timedelta(days=n * 40))
    for n in range(10):
        send_patient_reported(patient, sent_on=datetime.date(2020, 2, 1)
                              + datetime.timedelta(days=n * 90))
    client = client_as(Role.NEUROLOGIST)
    client.get(url("scale_list", patient))
    with django_assert_max_num_queries(12):
        client.get(url("scale_list", patient))


def test_scale_recorders_only(client_as, patient):
    assert client_as(Role.MDT_COORDINATOR).post(
        url("scale_create", patient, kind="twstrs"), twstrs_post()).status_code == 403
    assert not ScaleAssessment.objects.exists()


# ------------------------------------------------------------- scope, audit, service errors

def test_another_units_patient_is_not_found_on_any_page_and_nothing_is_written(client_as,
                                                                               patient):
    from collis.assessments.tests.factories import another_units_patient

    theirs = another_units_patient()
    examination, assessment = make_examination(theirs), make_twstrs(theirs)
    audited = AuditEvent.objects.count()
    client = client_as(Role.NEUROLOGIST)
    pages = [url("diagnosis", theirs), url("diagnosis_edit", theirs),
             url("examination_list", theirs), url("examination_create", theirs),
             url("examination_detail", theirs, pk=examination.pk),
             url("scale_list", theirs), url("scale_detail", theirs, pk=assessment.pk),
             *(url("scale_create", theirs, kind=kind)
               for kind in ("twstrs", "twstrs_subscores", "tsui"))]
    for page in pages:
        assert client.get(page).status_code == 404, page
    posts = [(url("diagnosis_edit", theirs), DIAGNOSIS),
             (url("examination_create", theirs),
              EXAMINATION | date_data("examined_on", datetime.date(2026, 11, 2))),
             (url("examination_muscles", theirs, pk=examination.pk),
              {"left": ["sternocleidomastoid"]}),
             (url("scale_create", theirs, kind="twstrs"), twstrs_post())]
    for page, data in posts:
        assert client.post(page, data).status_code == 404, page
    assert not DiagnosisVersion.objects.exists()
    assert Examination.objects.count() == 1 and not examination.muscles.exists()
    assert ScaleAssessment.objects.count() == 1
    assert AuditEvent.objects.count() == audited


def test_another_units_examination_or_scale_is_not_found_under_ones_own_patient(client_as,
                                                                                patient):
    from collis.assessments.tests.factories import another_units_patient

    theirs = another_units_patient()
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("examination_detail", patient,
                          pk=make_examination(theirs).pk)).status_code == 404
    assert client.get(url("scale_detail", patient,
                          pk=make_twstrs(theirs).pk)).status_code == 404


@pytest.mark.parametrize("page", ["diagnosis_edit", "examination_create", "twstrs",
                                  "twstrs_subscores", "tsui"])
def test_a_form_page_shows_the_patient_and_is_audited_once(client_as, patient, page):
    client = client_as(Role.NEUROLOGIST)
    address = (url(page, patient) if page in ("diagnosis_edit", "examination_create")
               else url("scale_create", patient, kind=page))
    body = client.get(address).content.decode()
    assert "WILLOWHERB, Wren" in body
    shown = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="patient")
    assert [(e.patient_id, e.actor) for e in shown] == [(patient.pk, client.user)]


def test_opening_the_diagnosis_to_change_it_audits_that_read(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    client.get(url("diagnosis_edit", patient))
    assert not AuditEvent.objects.filter(object_type="diagnosis").exists()  # none to show
    version = make_diagnosis(patient)
    client.get(url("diagnosis_edit", patient))
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="diagnosis")
    assert event.object_id == str(version.pk) and "to change it" in event.summary


def test_a_stale_diagnosis_form_shows_the_newer_version_as_an_audited_read(client_as,
                                                                         patient):
    make_diagnosis(patient)
    newer = make_diagnosis(patient, course="progressive")
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("diagnosis_edit", patient),
                       DIAGNOSIS | {"based_on_version": "1"}).content.decode()
    assert "Version 2 was recorded" in body and 'name="based_on_version" value="2"' in body
    assert "Change the diagnosis" in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="diagnosis")
    assert event.object_id == str(newer.pk)


def _refuse(monkeypatch, service, error):
    from collis.assessments import services

    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(services, service, refuse)


def test_a_services_whole_form_error_is_shown_on_the_page(client_as, patient, monkeypatch):
    from django.core.exceptions import ValidationError

    _refuse(monkeypatch, "examination_create",
            ValidationError("The examination could not be stored as entered."))
    client = client_as(Role.NEUROLOGIST)
    response = client.post(url("examination_create", patient),
                           EXAMINATION | date_data("examined_on", datetime.date(2026, 11, 2)))
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "The examination could not be stored as entered." in body
    assert not Examination.objects.exists()


@pytest.mark.parametrize("service, page, data", [
    ("diagnosis_version_create", "diagnosis_edit", DIAGNOSIS),
    ("twstrs_create", "twstrs", None),
    ("examination_muscles_confirm", "examination_muscles", {"left": ["sternocleidomastoid"]}),
])
def test_service_errors_of_fields_and_of_the_whole_form_are_shown(client_as, patient,
                                                                  monkeypatch, service, page,
                                                                  data):
    from django.core.exceptions import ValidationError

    _refuse(monkeypatch, service, ValidationError({
        "__all__": ["Nothing was saved: the record changed."],
        "notes": ["Notes must be shorter."], "not_a_field": ["Something else is wrong."]}))
    client = client_as(Role.NEUROLOGIST)
    if page == "twstrs":
        address, data = url("scale_create", patient, kind="twstrs"), twstrs_post()
    elif page == "examination_muscles":
        address = url(page, patient, pk=make_examination(patient).pk)
    else:
        address = url(page, patient)
    response = client.post(address, data)
    body = response.content.decode()
    assert response.status_code == 200
    for message in ("Nothing was saved: the record changed.", "Something else is wrong."):
        assert message in body
    if page != "examination_muscles":  # the muscles form has no notes
        assert "Notes must be shorter." in body

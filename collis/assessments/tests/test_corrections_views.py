"""The pages that correct neck examinations and rating scales, or mark them entered in error;
and the rating-scale and diagnosis pages refusing implausible values with a message naming
the item, never a server error."""

import datetime
import re

import pytest
from django.urls import reverse

from collis.assessments import services
from collis.assessments.models import DiagnosisVersion, Examination, ScaleAssessment
from collis.assessments.tests.factories import (
    TWSTRS_ITEMS,
    actor_for,
    another_units_patient,
    make_examination,
    make_twstrs,
)
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sites):
    return PatientFactory(given_name="Wren", family_name="Willowherb",
                          date_of_birth=datetime.date(1974, 5, 17))


def url(name, patient, **kwargs):
    return reverse(f"assessments:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def date_data(prefix, day):
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def errors_in(body: str) -> list[str]:
    return [m.strip() for m in re.findall(r"Error:\s*</span>(.*?)<", body, re.S)]


EXAMINATION = {"severity_retrocollis": "2", "tremor": "none", "sensory_trick": "absent"}


# ------------------------------------------------------------------------- examinations

def test_correcting_an_examination_through_its_pages(client_as, patient):
    original = make_examination(patient)
    client = client_as(Role.NURSE_SPECIALIST)
    detail = client.get(url("examination_detail", patient, pk=original.pk)).content.decode()
    amend = url("examination_create", patient) + f"?amends={original.pk}"
    assert f'href="{amend}"' in detail and "Mark as entered in error" in detail
    form = client.get(amend).content.decode()
    assert "Correct the neck examination of 1 October 2026" in form
    assert 'name="examined_on-day" type="text" value="1"' in form  # pre-filled
    assert "Reason for the correction" in form
    refused = client.post(amend, EXAMINATION | date_data("examined_on", original.examined_on))
    assert "Give the reason for the correction" in refused.content.decode()
    response = client.post(amend, EXAMINATION | date_data("examined_on", original.examined_on)
                           | {"correction_reason": "Retrocollis, not torticaput"})
    corrected = Examination.objects.get(supersedes=original)
    assert response.status_code == 302
    assert response.url == url("examination_detail", patient, pk=corrected.pk)
    page = client.get(response.url).content.decode()
    assert "History of this entry" in page and "Retrocollis, not torticaput" in page
    old = client.get(url("examination_detail", patient, pk=original.pk)).content.decode()
    assert "This entry was corrected" in old and "View the version that replaced it" in old
    assert "Mark as entered in error" not in old and "Save the involved muscles" not in old
    listed = client.get(url("examination_list", patient)).content.decode()
    assert "Retrocollis, severity 2" in listed and "Torticaput" not in listed
    # The old version cannot be corrected again: its correction page sends back to it.
    again = client.get(amend)
    assert again.status_code == 302 and again.url.endswith(f"/examinations/{original.pk}/")


def test_marking_an_examination_entered_in_error(client_as, patient):
    examination = make_examination(patient)
    client = client_as(Role.PHYSIOTHERAPIST)
    page = url("examination_entered_in_error", patient, pk=examination.pk)
    body = client.get(page).content.decode()
    assert "Mark the neck examination of 1 October 2026 as entered in error" in body
    assert "Torticaput to the right, severity 3" in body
    assert "Give the reason the entry was entered in error" in client.post(
        page, {}).content.decode()
    response = client.post(page, {"correction_reason": "Recorded on the wrong patient"})
    assert response.status_code == 302
    examination.refresh_from_db()
    assert examination.record_status == "entered_in_error"
    assert "No neck examination is recorded yet" in client.get(
        url("examination_list", patient)).content.decode()
    detail = client.get(url("examination_detail", patient, pk=examination.pk)).content.decode()
    assert "This entry was entered in error" in detail
    assert "Recorded on the wrong patient" in detail
    assert client.get(page).status_code == 302  # nothing left to mark


def test_changing_confirmed_muscles_on_the_page_saves_a_new_version(client_as, patient):
    examination = make_examination(patient)
    services.examination_muscles_confirm(examination=examination,
                                         muscles=[("splenius_capitis", "right")],
                                         actor=actor_for())
    client = client_as(Role.NEUROLOGIST)
    page = url("examination_muscles", patient, pk=examination.pk)
    refused = client.post(page, {"left": ["sternocleidomastoid"]}).content.decode()
    assert "Give the reason for the correction" in refused
    response = client.post(page, {"left": ["sternocleidomastoid"],
                                  "correction_reason": "EMG showed the left SCM"})
    corrected = Examination.objects.get(supersedes=examination)
    assert response.url == url("examination_detail", patient, pk=corrected.pk)
    assert list(corrected.muscles.values_list("muscle", "side")) == [
        ("sternocleidomastoid", "left")]


@pytest.mark.parametrize("role", [Role.MDT_COORDINATOR, Role.AUDITOR])
def test_roles_that_cannot_examine_cannot_correct_an_examination(client_as, patient, role):
    examination = make_examination(patient)
    client = client_as(role)
    for page in (url("examination_create", patient) + f"?amends={examination.pk}",
                 url("examination_entered_in_error", patient, pk=examination.pk)):
        assert client.get(page).status_code == 403, page
        assert client.post(page, {"correction_reason": "x"}).status_code == 403, page
    examination.refresh_from_db()
    assert examination.is_current


def test_a_coordinator_sees_no_correction_links(client_as, patient):
    examination = make_examination(patient)
    body = client_as(Role.MDT_COORDINATOR).get(
        url("examination_detail", patient, pk=examination.pk)).content.decode()
    assert "Correct this entry" not in body and "Mark as entered in error" not in body


# ------------------------------------------------------------------------------- scales

def test_correcting_a_twstrs_through_its_pages(client_as, patient):
    make_twstrs(patient, assessed_on=datetime.date(2026, 1, 5))
    wrong = make_twstrs(patient, assessed_on=datetime.date(2026, 4, 5), duration=1, work=0,
                        driving=0)  # 25: an important improvement
    client = client_as(Role.PHYSIOTHERAPIST)
    assert "Clinically important improvement" in client.get(
        url("scale_list", patient)).content.decode()
    detail = client.get(url("scale_detail", patient, pk=wrong.pk)).content.decode()
    amend = url("scale_create", patient, kind="twstrs") + f"?amends={wrong.pk}"
    assert f'href="{amend}"' in detail
    form = client.get(amend).content.decode()
    assert "Correct the TWSTRS of 5 April 2026" in form and 'value="4"' in form
    data = {k: str(v) for k, v in TWSTRS_ITEMS.items()} | date_data(
        "assessed_on", datetime.date(2026, 4, 5))
    response = client.post(amend, data | {"correction_reason": "Typed from the wrong sheet"})
    assert response.status_code == 302
    corrected = ScaleAssessment.objects.get(supersedes=wrong)
    assert corrected.total == 35
    body = client.get(url("scale_list", patient)).content.decode()
    assert "Clinically important improvement" not in body and "+0 points" in body
    assert client.get(url("scale_detail", patient, pk=wrong.pk)).content.decode().count(
        "Typed from the wrong sheet") >= 1


def test_correcting_a_tsui_and_subscores_use_their_own_pages(client_as, patient):
    tsui = services.tsui_create(patient=patient, assessed_on=datetime.date(2026, 5, 1),
                                items={"rotation": 2}, total=9, actor=actor_for())
    subscores = services.twstrs_create_from_subscores(
        patient=patient, assessed_on=datetime.date(2026, 5, 1), severity=20, disability=12,
        pain=5, actor=actor_for())
    client = client_as(Role.NEUROLOGIST)
    tsui_page = client.get(url("scale_detail", patient, pk=tsui.pk)).content.decode()
    assert url("scale_create", patient, kind="tsui") + f"?amends={tsui.pk}" in tsui_page
    form = client.get(url("scale_create", patient, kind="tsui") + f"?amends={tsui.pk}")
    assert 'value="9"' in form.content.decode()
    sub_page = client.get(url("scale_detail", patient, pk=subscores.pk)).content.decode()
    assert (url("scale_create", patient, kind="twstrs_subscores")
            + f"?amends={subscores.pk}") in sub_page
    response = client.post(
        url("scale_create", patient, kind="tsui") + f"?amends={tsui.pk}",
        {"rotation": "2", "total": "10", "correction_reason": "Total misread"}
        | date_data("assessed_on", datetime.date(2026, 5, 1)))
    assert response.status_code == 302
    assert ScaleAssessment.objects.get(supersedes=tsui).total == 10


def test_marking_a_scale_entered_in_error_takes_it_out_of_the_chart(client_as, patient):
    assessment = make_twstrs(patient)
    client = client_as(Role.NURSE_SPECIALIST)
    page = url("scale_entered_in_error", patient, pk=assessment.pk)
    assert "Mark the TWSTRS of 1 June 2026 as entered in error" in client.get(
        page).content.decode()
    client.post(page, {"correction_reason": "Another patient's form"})
    assessment.refresh_from_db()
    assert assessment.record_status == "entered_in_error"
    body = client.get(url("scale_list", patient)).content.decode()
    assert "No TWSTRS is recorded yet" in body and "collis-chart" not in body


def test_roles_that_cannot_rate_cannot_correct_a_scale(client_as, patient):
    assessment = make_twstrs(patient)
    client = client_as(Role.MDT_COORDINATOR)
    assert client.get(url("scale_create", patient, kind="twstrs")
                      + f"?amends={assessment.pk}").status_code == 403
    assert client.post(url("scale_entered_in_error", patient, pk=assessment.pk),
                       {"correction_reason": "x"}).status_code == 403
    body = client.get(url("scale_detail", patient, pk=assessment.pk)).content.decode()
    assert "Correct this entry" not in body
    assessment.refresh_from_db()
    assert assessment.is_current


def test_another_units_entries_cannot_be_corrected_or_marked(client_as, patient):
    theirs = another_units_patient()
    examination, assessment = make_examination(theirs), make_twstrs(theirs)
    # The newest audit id so far (ids are not counts: sequences outlive rolled-back tests).
    audited = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client = client_as(Role.NEUROLOGIST)
    pages = [url("examination_entered_in_error", theirs, pk=examination.pk),
             url("scale_entered_in_error", theirs, pk=assessment.pk),
             url("examination_create", theirs) + f"?amends={examination.pk}",
             url("scale_create", theirs, kind="twstrs") + f"?amends={assessment.pk}",
             # Nor under one's own patient.
             url("examination_entered_in_error", patient, pk=examination.pk),
             url("scale_entered_in_error", patient, pk=assessment.pk),
             url("examination_create", patient) + f"?amends={examination.pk}",
             url("scale_create", patient, kind="twstrs") + f"?amends={assessment.pk}"]
    for page in pages:
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"correction_reason": "x"}).status_code == 404, page
    examination.refresh_from_db()
    assessment.refresh_from_db()
    assert examination.is_current and assessment.is_current
    assert not AuditEvent.objects.filter(pk__gt=audited, patient_id=theirs.pk).exists()


# ----------------------------------------------------- implausible values: never a 500

IMPLAUSIBLE = ["1e309", "nan", "inf", "-inf", "-1", "99", "abc", "1" + "0" * 400, "0x10",
               "1_0", "", " 2 5 "]


def _twstrs_data(**changes):
    data = {k: str(v) for k, v in TWSTRS_ITEMS.items()} | date_data(
        "assessed_on", datetime.date(2026, 5, 1))
    return data | changes


@pytest.mark.parametrize("value", IMPLAUSIBLE)
@pytest.mark.parametrize(("item", "label"), [("rotation", "Rotation"),
                                             ("pain_severity", "Pain severity"),
                                             ("activities_outside_home",
                                              "Activities outside the home")])
def test_a_twstrs_item_posted_as_anything_gets_a_message_naming_it(client_as, patient, item,
                                                                   label, value):
    client = client_as(Role.NEUROLOGIST)
    response = client.post(url("scale_create", patient, kind="twstrs"),
                           _twstrs_data(**{item: value}))
    assert response.status_code in (200, 302)
    if value == "":  # an item left empty: the subscore is not given
        assert response.status_code == 302
        return
    assert response.status_code == 200
    [message] = errors_in(response.content.decode())
    assert message.startswith(f"{label} must be"), message
    assert not ScaleAssessment.objects.exists()


@pytest.mark.parametrize("value", IMPLAUSIBLE)
@pytest.mark.parametrize(("name", "label"), [("severity", "Severity subscore"),
                                             ("disability", "Disability subscore"),
                                             ("pain", "Pain subscore")])
def test_a_twstrs_subscore_posted_as_anything_gets_a_message_naming_it(client_as, patient,
                                                                       name, label, value):
    data = {"severity": "20", "disability": "12", "pain": "5", name: value} | date_data(
        "assessed_on", datetime.date(2026, 5, 1))
    response = client_as(Role.NEUROLOGIST).post(
        url("scale_create", patient, kind="twstrs_subscores"), data)
    if value == "":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    [message] = errors_in(response.content.decode())
    assert message.startswith(f"{label} must be"), message


@pytest.mark.parametrize("value", IMPLAUSIBLE)
@pytest.mark.parametrize(("name", "label"), [("rotation", "Rotation"), ("tremor", "Tremor"),
                                             ("total", "Total Tsui score")])
def test_a_tsui_value_posted_as_anything_gets_a_message_naming_it(client_as, patient, name,
                                                                  label, value):
    data = {"rotation": "2", "total": "9", name: value} | date_data(
        "assessed_on", datetime.date(2026, 5, 1))
    response = client_as(Role.NEUROLOGIST).post(url("scale_create", patient, kind="tsui"),
                                                data)
    if value == "" and name != "total":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    [message] = errors_in(response.content.decode())
    expected = "Enter the total Tsui score" if value == "" else f"{label} must be"
    assert message.startswith(expected), message
    assert not ScaleAssessment.objects.exists()


def test_every_error_on_the_tsui_page_is_shown_rather_than_failing(client_as, patient):
    response = client_as(Role.NEUROLOGIST).post(
        url("scale_create", patient, kind="tsui"),
        {"rotation": "1e309", "tilt": "nan", "tremor": "-1", "continuity": "x", "total": "inf",
         "assessed_on-day": "31", "assessed_on-month": "2", "assessed_on-year": "2026"})
    assert response.status_code == 200
    body = response.content.decode()
    assert len(errors_in(body)) == 6 and "There is a problem" in body


@pytest.mark.parametrize("kind", ["twstrs", "twstrs_subscores", "tsui"])
def test_a_scale_dated_in_the_future_or_before_birth_is_refused_on_the_page(client_as,
                                                                            patient, kind):
    data = {"twstrs": _twstrs_data(), "tsui": {"total": "9"},
            "twstrs_subscores": {"severity": "20"}}[kind]
    client = client_as(Role.NEUROLOGIST)
    before_birth = client.post(url("scale_create", patient, kind=kind),
                               data | date_data("assessed_on", datetime.date(1970, 1, 1)))
    assert errors_in(before_birth.content.decode()) == [
        "The date of the assessment cannot be before the patient&#39;s date of birth "
        "(17 May 1974)"]
    assert not ScaleAssessment.objects.exists()


def test_an_examination_before_birth_is_refused_on_the_page(client_as, patient):
    response = client_as(Role.NEUROLOGIST).post(
        url("examination_create", patient),
        EXAMINATION | date_data("examined_on", datetime.date(1974, 5, 16)))
    assert errors_in(response.content.decode()) == [
        "The date of the examination cannot be before the patient&#39;s date of birth "
        "(17 May 1974)"]
    assert 'href="#examined_on-day"' in response.content.decode()


# ---------------------------------------------------------------------------- diagnosis

def test_a_blank_diagnosis_is_refused_on_the_page(client_as, patient):
    response = client_as(Role.NEUROLOGIST).post(url("diagnosis_edit", patient),
                                                {"distribution": "derived"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Nothing is chosen, so there is no diagnosis to save" in body
    assert not DiagnosisVersion.objects.exists()


def test_an_onset_age_above_the_patients_age_is_refused_on_the_page(client_as, patient):
    from collis.core.presenters import age_on

    age = age_on(patient.date_of_birth)
    response = client_as(Role.NEUROLOGIST).post(url("diagnosis_edit", patient), {
        "distribution": "derived", "regions": ["neck"], "onset_age": str(age + 5)})
    assert errors_in(response.content.decode()) == [
        f"Age at onset ({age + 5} years) cannot be greater than the patient&#39;s age "
        f"({age} years)"]
    assert 'href="#onset_age"' in response.content.decode()
    assert not DiagnosisVersion.objects.exists()

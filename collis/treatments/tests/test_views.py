import datetime

import pytest
from django.urls import reverse

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinReview,
)
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)

D = datetime.date


def url(name, patient, **kwargs):
    return reverse(f"treatments:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def cycle_post(client, patient, day="1", **extra):
    data = {"given_on-day": day, "given_on-month": "10", "given_on-year": "2026",
            "product": "onabotulinumtoxinA", "batch_number": "C77", "guidance": "emg",
            "injector": str(client.user.pk), "site": str(patient.home_site_id),
            "muscle_1": "sternocleidomastoid", "side_1": "left", "units_1": "50",
            "muscle_2": "splenius_capitis", "side_2": "right", "units_2": "90",
            "muscle_3": "levator_scapulae", "side_3": "right", "units_3": "60"} | extra
    return client.post(url("toxin_create", patient), data)


@pytest.mark.django_db
def test_neurologist_records_a_cycle_and_sees_its_total(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("toxin_create", patient)).status_code == 200
    response = cycle_post(client, patient)
    cycle = ToxinCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("toxin_detail", patient, pk=cycle.pk)
    body = client.get(response["Location"]).content.decode()
    assert "200 units of onabotulinumtoxinA" in body and "Splenius capitis" in body


@pytest.mark.django_db
def test_a_missing_units_row_shows_the_error_summary_and_keeps_the_entry(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    response = cycle_post(client, patient, units_2="")
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter the units for splenius capitis (right)" in body
    assert 'href="#units_2"' in body and 'value="C77"' in body and 'value="60"' in body
    assert ToxinCycle.objects.count() == 0


@pytest.mark.django_db
def test_a_short_interval_warns_and_the_clinician_may_proceed(client_as, sites):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 8, 10))
    client = client_as(Role.NURSE_SPECIALIST)
    response = cycle_post(client, patient)  # 1 October: 7.3 weeks later
    body = response.content.decode()
    assert "Check the interval before you go on" in body and "[15][19]" in body
    assert "Record the cycle anyway" in body
    assert 'name="acknowledged" value="SHORT_INJECTION_INTERVAL"' in body
    assert ToxinCycle.objects.count() == 1
    response = cycle_post(client, patient, acknowledged="SHORT_INJECTION_INTERVAL")
    assert response.status_code == 302 and ToxinCycle.objects.count() == 2
    event = AuditEvent.objects.filter(object_type="toxin_cycle").latest("id")
    assert event.details["warnings_acknowledged"] == ["SHORT_INJECTION_INTERVAL"]


@pytest.mark.django_db
def test_physiotherapist_cannot_record_toxin(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    assert client.get(url("toxin_create", patient)).status_code == 403
    assert cycle_post(client, patient).status_code == 403
    assert ToxinCycle.objects.count() == 0
    cycle = cycle_with(patient, D(2026, 6, 1))
    review = {"reviewed_on-day": "1", "reviewed_on-month": "8", "reviewed_on-year": "2026",
              "peak_benefit_percent": "50", "benefit_weeks": "9"}
    assert client.post(url("toxin_review", patient, pk=cycle.pk), review).status_code == 403
    assert ToxinReview.objects.count() == 0
    assert client.get(url("resistance_test_create", patient)).status_code == 403
    body = client.get(url("toxin_list", patient)).content.decode()
    assert "Record a toxin cycle" not in body and "Record the review" not in body


@pytest.mark.django_db
def test_physiotherapist_records_a_therapy_session(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.post(url("therapy_create", patient), {
        "kind": "physiotherapy", "session_on-day": "14", "session_on-month": "11",
        "session_on-year": "2026", "therapist": str(client.user.pk),
        "duration_minutes": "45", "goals": "Strengthen deep neck flexors"})
    assert response.status_code == 302
    session = TherapySession.objects.get()
    assert session.therapist == client.user and session.created_by == client.user
    body = client.get(url("therapy_list", patient)).content.decode()
    assert "Strengthen deep neck flexors" in body and "14 November 2026" in body


@pytest.mark.django_db
def test_medication_needs_the_medication_capability(client_as, sites):
    patient = PatientFactory()
    data = {"drug_name": "Baclofen", "dose_amount": "10", "dose_unit": "mg",
            "frequency": "three times a day", "started_on-day": "1",
            "started_on-month": "3", "started_on-year": "2026"}
    physio = client_as(Role.PHYSIOTHERAPIST)
    assert physio.post(url("medication_create", patient), data).status_code == 403
    assert Medication.objects.count() == 0
    surgeon = client_as(Role.NEUROSURGEON)
    assert surgeon.post(url("medication_create", patient), data).status_code == 302
    body = surgeon.get(url("medication_list", patient)).content.decode()
    assert "Baclofen" in body and "10 mg three times a day" in body


@pytest.mark.django_db
def test_stopping_a_medicine_moves_it_to_stopped(client_as, sites):
    medication = MedicationFactory(started_on=D(2026, 1, 1))
    patient = medication.patient
    client = client_as(Role.NEUROLOGIST)
    stop = url("medication_stop", patient, pk=medication.pk)
    body = client.post(stop, {"stopped_on-day": "1", "stopped_on-month": "12",
                              "stopped_on-year": "2025", "stop_reason": ""}).content.decode()
    assert "The stop date must be on or after the start date" in body
    assert "Enter the reason for stopping" in body
    response = client.post(stop, {"stopped_on-day": "1", "stopped_on-month": "3",
                                  "stopped_on-year": "2026", "stop_reason": "Drowsiness"})
    assert response.status_code == 302
    body = client.get(url("medication_list", patient)).content.decode()
    assert "1 March 2026: Drowsiness" in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_roles_without_record_view_cannot_read_treatments(client_as, sites, role):
    patient = PatientFactory()
    client = client_as(role)
    for name in ("toxin_list", "medication_list", "therapy_list"):
        assert client.get(url(name, patient)).status_code == 403
    assert not AuditEvent.objects.filter(patient_id=patient.pk).exists()


@pytest.mark.django_db
def test_each_list_page_audits_the_read(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    for name in ("toxin_list", "medication_list", "therapy_list"):
        assert client.get(url(name, patient)).status_code == 200
    assert set(AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW,
                                         actor=client.user)
               .values_list("object_type", flat=True)) == {
        "patient", "toxin_cycles", "medications", "therapy_sessions"}


@pytest.mark.django_db
def test_toxin_page_shows_warnings_pattern_chart_and_checklist(client_as, sites):
    patient = PatientFactory()
    cycle_with(patient, D(2025, 1, 6), benefit=75, weeks=12)
    cycle_with(patient, D(2025, 4, 7), benefit=70, weeks=11)
    cycle_with(patient, D(2025, 6, 2), benefit=30, weeks=5)  # 8 weeks after the one before
    cycle_with(patient, D(2025, 9, 1))
    ResistanceTestFactory(patient=patient, result="not_resistant", tested_on=D(2025, 9, 20))
    body = client_as(Role.NEUROLOGIST).get(url("toxin_list", patient)).content.decode()
    assert "Short intervals between cycles" in body and "[15][19]" in body
    assert "Secondary non-response" in body and "local policy, needs clinical sign-off" in body
    assert "Left out (not reviewed)" in body and "1 September 2025" in body
    assert 'role="img"' in body and "Peak benefit and weeks of benefit per cycle" in body
    assert "Not reviewed" in body
    assert "Review muscle selection." in body and "Applies now" in body
    assert "never converts a dose [18]" in body


@pytest.mark.django_db
def test_neurologist_records_the_review_of_a_cycle(client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1))
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("toxin_review", patient, pk=cycle.pk)).status_code == 200
    response = client.post(url("toxin_review", patient, pk=cycle.pk), {
        "reviewed_on-day": "15", "reviewed_on-month": "7", "reviewed_on-year": "2026",
        "peak_benefit_percent": "70", "benefit_weeks": "11", "side_effects": ["neck_weakness"],
        "side_effect_severity": "mild"})
    assert response.status_code == 302
    review = ToxinReview.objects.get()
    assert review.neck_weakness and review.side_effect_severity == "mild"
    again = client.get(url("toxin_review", patient, pk=cycle.pk))
    assert again.status_code == 302  # already reviewed


@pytest.mark.django_db
def test_a_cycle_of_another_patient_is_not_found(client_as, sites):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1))
    other = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("toxin_detail", other, pk=cycle.pk)).status_code == 404
    assert client.get(url("toxin_review", other, pk=cycle.pk)).status_code == 404


@pytest.mark.django_db
def test_recording_a_resistance_test(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    assert "Frontalis test" in client.get(url("resistance_test_create", patient)).content.decode()
    response = client.post(url("resistance_test_create", patient), {
        "tested_on-day": "2", "tested_on-month": "11", "tested_on-year": "2026",
        "kind": "frontalis", "result": "resistant"})
    assert response.status_code == 302 and ResistanceTest.objects.get().result == "resistant"


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_toxin_page_queries_do_not_grow_with_the_cycles(client_as, sites,
                                                        django_assert_max_num_queries, count):
    patient = PatientFactory()
    for n in range(count):
        cycle_with(patient, D(2018, 1, 1) + datetime.timedelta(weeks=13 * n),
                   benefit=60 if n % 2 else None, weeks=10)
    ResistanceTestFactory(patient=patient)
    client = client_as(Role.NEUROLOGIST)
    with django_assert_max_num_queries(12):
        assert client.get(url("toxin_list", patient)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_medication_and_therapy_pages_queries_do_not_grow(client_as, sites,
                                                          django_assert_max_num_queries, count):
    patient = PatientFactory()
    for _ in range(count):
        MedicationFactory(patient=patient)
        TherapySessionFactory(patient=patient)
    client = client_as(Role.NEUROLOGIST)
    for name in ("medication_list", "therapy_list"):
        with django_assert_max_num_queries(9):  # 8, and the audit of showing the patient
            assert client.get(url(name, patient)).status_code == 200


# Scoping, the audit of form pages and the service's errors on the page ----------------------

def _pages_of(patient, cycle, medication):
    return [url("toxin_list", patient), url("toxin_create", patient),
            url("toxin_detail", patient, pk=cycle.pk), url("toxin_review", patient, pk=cycle.pk),
            url("resistance_test_create", patient), url("medication_list", patient),
            url("medication_create", patient),
            url("medication_stop", patient, pk=medication.pk), url("therapy_list", patient),
            url("therapy_create", patient)]


@pytest.mark.django_db
def test_another_units_staff_get_404_on_every_page_and_nothing_is_audited(client_as, theirs):
    cycle = cycle_with(theirs, D(2026, 6, 1), site=theirs.home_site)
    medication = MedicationFactory(patient=theirs)
    client = client_as(Role.NEUROLOGIST)
    for page in _pages_of(theirs, cycle, medication):
        assert client.get(page).status_code == 404, page
    assert cycle_post(client, theirs).status_code == 404
    assert client.post(url("medication_stop", theirs, pk=medication.pk), {
        "stopped_on-day": "1", "stopped_on-month": "3", "stopped_on-year": "2026",
        "stop_reason": "Drowsiness"}).status_code == 404
    assert ToxinCycle.objects.count() == 1 and Medication.objects.get().is_current
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


@pytest.mark.django_db
def test_a_patient_of_ones_own_unit_is_on_every_page(client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1))
    medication = MedicationFactory(patient=patient)
    client = client_as(Role.NEUROLOGIST)
    for page in _pages_of(patient, cycle, medication):
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["toxin_create", "resistance_test_create",
                                  "medication_create", "therapy_create"])
def test_opening_a_form_page_audits_showing_the_patient_once(client_as, sites, name):
    patient = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url(name, patient)).status_code == 200
    event = AuditEvent.objects.get(patient_id=patient.pk)
    assert event.object_type == "patient" and event.action == AuditAction.VIEW
    assert event.actor == client.user


@pytest.mark.django_db
def test_opening_the_review_and_stop_forms_audits_the_patient_and_what_they_show(client_as,
                                                                               sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1))
    medication = MedicationFactory(patient=patient)
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("toxin_review", patient, pk=cycle.pk)).status_code == 200
    assert client.get(url("medication_stop", patient, pk=medication.pk)).status_code == 200
    assert sorted(AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.VIEW)
                  .values_list("object_type", flat=True)) == [
        "medication", "patient", "patient", "toxin_cycle"]  # one "patient" per page


@pytest.mark.django_db
def test_a_medicine_of_another_patient_is_not_found(client_as, sites):
    medication = MedicationFactory()
    other = PatientFactory()
    response = client_as(Role.NEUROLOGIST).get(url("medication_stop", other, pk=medication.pk))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_services_error_for_the_whole_form_is_shown_on_the_page(client_as, sites,
                                                                  monkeypatch):
    from django.core.exceptions import ValidationError

    from collis.treatments import services

    def refuse(**kwargs):
        raise ValidationError("This session overlaps another session of the patient")

    monkeypatch.setattr(services, "therapy_session_create", refuse)
    patient = PatientFactory()
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.post(url("therapy_create", patient), {
        "kind": "physiotherapy", "session_on-day": "14", "session_on-month": "11",
        "session_on-year": "2026", "therapist": str(client.user.pk),
        "duration_minutes": "45"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "This session overlaps another session of the patient" in body


@pytest.mark.django_db
def test_a_services_error_on_a_field_the_form_lacks_is_shown_after_the_warning(client_as,
                                                                              sites,
                                                                              monkeypatch):
    from django.core.exceptions import ValidationError

    from collis.treatments import services

    def refuse(**kwargs):
        raise ValidationError({"injections": "Enter at least one muscle injected"})

    monkeypatch.setattr(services, "toxin_cycle_create", refuse)
    patient = PatientFactory()
    cycle_with(patient, D(2026, 8, 10))
    client = client_as(Role.NEUROLOGIST)
    response = cycle_post(client, patient, acknowledged="SHORT_INJECTION_INTERVAL")
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter at least one muscle injected" in body
    # The warning the clinician acknowledged stays acknowledged.
    assert 'name="acknowledged" value="SHORT_INJECTION_INTERVAL"' in body
    assert ToxinCycle.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_warning_must_be_acknowledged_again(client_as, sites):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 8, 10))
    client = client_as(Role.NEUROLOGIST)
    # Acknowledged for another warning than the one this cycle raises: not saved.
    response = cycle_post(client, patient, product="incobotulinumtoxinA",
                          acknowledged="SHORT_INJECTION_INTERVAL")
    assert response.status_code == 200 and ToxinCycle.objects.count() == 1
    assert "Check the interval before you go on" in response.content.decode()

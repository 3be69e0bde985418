import datetime

import pytest
from django.urls import reverse

from collis.core.models import AuditAction, AuditEvent, RecordStatus
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.policy.selectors import policy_in_force
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


def cycle_post(client, patient, day="1", path=None, **extra):
    data = {"given_on-day": day, "given_on-month": "10", "given_on-year": "2026",
            "product": "onabotulinumtoxinA", "batch_number": "C77", "guidance": "emg",
            "injector": str(client.user.pk), "site": str(patient.home_site_id),
            "muscle_1": "sternocleidomastoid", "side_1": "left", "units_1": "50",
            "muscle_2": "splenius_capitis", "side_2": "right", "units_2": "90",
            "muscle_3": "levator_scapulae", "side_3": "right", "units_3": "60"} | extra
    return client.post(path or url("toxin_create", patient), data)


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
    assert "Enter the reason for stopping" in body
    body = client.post(stop, {"stopped_on-day": "1", "stopped_on-month": "12",
                              "stopped_on-year": "2025", "stop_reason": "Drowsiness"}
                       ).content.decode()
    assert "The stop date cannot be before the start date (1 January 2026)" in body
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
        "peak_benefit_percent": "70", "benefit_weeks": "6", "side_effects": ["neck_weakness"],
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
    policy_in_force()  # version 1 of the local policy, made on first use in a fresh database
    # 17: with the corrected cycles, resistance tests and stops of toxin, read once each,
    # the stops themselves, and the local policy in force (its response thresholds).
    with django_assert_max_num_queries(17):
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
        # 8, the corrected entries, and the audit of showing the patient.
        with django_assert_max_num_queries(10):
            assert client.get(url(name, patient)).status_code == 200


# Scoping, the audit of form pages and the service's errors on the page ----------------------

def _pages_of(patient, cycle, medication, test=None, session=None):
    pages = [url("toxin_list", patient), url("toxin_create", patient),
             url("toxin_detail", patient, pk=cycle.pk), url("toxin_review", patient, pk=cycle.pk),
             url("toxin_create", patient) + f"?amends={cycle.pk}",
             url("toxin_entered_in_error", patient, pk=cycle.pk),
             url("resistance_test_create", patient), url("medication_list", patient),
             url("medication_create", patient), url("medication_detail", patient,
                                                    pk=medication.pk),
             url("medication_create", patient) + f"?amends={medication.pk}",
             url("medication_entered_in_error", patient, pk=medication.pk),
             url("medication_stop", patient, pk=medication.pk), url("therapy_list", patient),
             url("therapy_create", patient)]
    if test is not None:
        pages += [url("resistance_test_detail", patient, pk=test.pk),
                  url("resistance_test_create", patient) + f"?amends={test.pk}",
                  url("resistance_test_entered_in_error", patient, pk=test.pk)]
    if session is not None:
        pages += [url("therapy_detail", patient, pk=session.pk),
                  url("therapy_create", patient) + f"?amends={session.pk}",
                  url("therapy_entered_in_error", patient, pk=session.pk)]
    return pages


@pytest.mark.django_db
def test_another_units_staff_get_404_on_every_page_and_nothing_is_audited(client_as, theirs):
    cycle = cycle_with(theirs, D(2026, 6, 1), site=theirs.home_site, benefit=60, weeks=8)
    medication = MedicationFactory(patient=theirs)
    test, session = ResistanceTestFactory(patient=theirs), TherapySessionFactory(patient=theirs)
    client = client_as(Role.NEUROLOGIST)
    for page in _pages_of(theirs, cycle, medication, test, session) + [
            url("toxin_review_entered_in_error", theirs, pk=cycle.pk)]:
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"correction_reason": "x"}).status_code in (404, 405), page
    assert cycle_post(client, theirs).status_code == 404
    assert client.post(url("medication_stop", theirs, pk=medication.pk), {
        "stopped_on-day": "1", "stopped_on-month": "3", "stopped_on-year": "2026",
        "stop_reason": "Drowsiness"}).status_code == 404
    assert ToxinCycle.objects.count() == 1 and Medication.objects.get().is_ongoing
    assert all(e.is_current for e in (*ToxinCycle.objects.all(), *Medication.objects.all(),
                                      *ResistanceTest.objects.all(),
                                      *TherapySession.objects.all()))
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


@pytest.mark.django_db
def test_a_patient_of_ones_own_unit_is_on_every_page(client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1))
    medication = MedicationFactory(patient=patient)
    test, session = ResistanceTestFactory(patient=patient), TherapySessionFactory(
        patient=patient)
    client = client_as(Role.NEUROLOGIST)
    for page in _pages_of(patient, cycle, medication, test, session):
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


# Corrections, warnings with reasons, and races on the pages --------------------------------


def _fresh(entry):
    entry.refresh_from_db()
    return entry


@pytest.mark.django_db
def test_a_cycle_page_offers_its_corrections_to_roles_that_may_and_only_while_current(
        client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1), benefit=60, weeks=8)
    page = url("toxin_detail", patient, pk=cycle.pk)
    body = client_as(Role.NURSE_SPECIALIST).get(page).content.decode()
    assert "Correct this cycle" in body and "Mark this cycle as entered in error" in body
    assert "Correct the review" in body and "Mark the review as entered in error" in body
    physio = client_as(Role.PHYSIOTHERAPIST)
    body = physio.get(page).content.decode()
    assert "Correct this cycle" not in body and "entered in error" not in body
    for name in ("toxin_entered_in_error", "toxin_review_entered_in_error"):
        assert physio.get(url(name, patient, pk=cycle.pk)).status_code == 403
        assert physio.post(url(name, patient, pk=cycle.pk),
                           {"correction_reason": "x"}).status_code == 403
    assert physio.get(url("toxin_create", patient) + f"?amends={cycle.pk}").status_code == 403
    assert _fresh(cycle).is_current


@pytest.mark.django_db
def test_a_neurologist_corrects_a_cycle_from_its_page(client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1), benefit=60, weeks=8)
    client = client_as(Role.NEUROLOGIST)
    amend = url("toxin_create", patient) + f"?amends={cycle.pk}"
    body = client.get(amend).content.decode()
    assert "Correct the toxin cycle of 1 June 2026" in body
    assert f'value="{cycle.batch_number}"' in body and 'name="units_2"' in body
    assert 'value="60"' in body and "Reason for the correction" in body
    response = cycle_post(client, patient, path=amend, **{"given_on-month": "6",
                                                          "given_on-year": "2026"})
    assert "Give the reason for the correction" in response.content.decode()
    response = cycle_post(client, patient, path=amend, correction_reason="Wrong batch",
                          **{"given_on-month": "6", "given_on-year": "2026"})
    corrected = ToxinCycle.objects.current().get()
    assert response.status_code == 302
    assert response["Location"] == url("toxin_detail", patient, pk=corrected.pk)
    assert corrected.supersedes == cycle and corrected.review.peak_benefit_percent == 60
    old_page = client.get(url("toxin_detail", patient, pk=cycle.pk)).content.decode()
    assert "Superseded" in old_page and "See the current version" in old_page
    assert "Wrong batch" in old_page and "Correct this cycle" not in old_page
    new_page = client.get(response["Location"]).content.decode()
    assert "History of this entry" in new_page and "60%" in new_page
    assert "Moved to the corrected cycle: Wrong batch" in old_page  # the review moved
    again = client.get(amend)
    assert again.status_code == 302 and again["Location"] == url("toxin_detail", patient,
                                                                 pk=cycle.pk)


@pytest.mark.django_db
def test_a_cycle_entered_in_error_leaves_the_toxin_page_but_stays_reachable(client_as, sites):
    patient = PatientFactory()
    cycle_with(patient, D(2025, 1, 6), benefit=75, weeks=12)
    wrong = cycle_with(patient, D(2025, 4, 7), benefit=10, weeks=2, units=(999, 1, 1))
    client = client_as(Role.NEUROLOGIST)
    page = url("toxin_entered_in_error", patient, pk=wrong.pk)
    body = client.get(page).content.decode()
    assert "Mark the toxin cycle of 7 April 2025 as entered in error" in body and "999" in body
    body = client.post(page, {"correction_reason": ""}).content.decode()
    assert "Give the reason the entry was entered in error" in body
    response = client.post(page, {"correction_reason": "Recorded on the wrong patient"})
    assert response.status_code == 302
    assert response["Location"] == url("toxin_detail", patient, pk=wrong.pk)
    assert _fresh(wrong).record_status == RecordStatus.ENTERED_IN_ERROR
    body = client.get(response["Location"]).content.decode()
    assert "Entered in error" in body and "Recorded on the wrong patient" in body
    toxin = client.get(url("toxin_list", patient)).content.decode()
    assert "Botulinum toxin cycles, oldest first (1)" in toxin and "1001 U" not in toxin
    assert "Corrected or entered in error (1)" in toxin
    assert "Only 1 cycle(s) recorded" in toxin  # the response pattern leaves it out
    assert client.get(page).status_code == 302  # already entered in error


@pytest.mark.django_db
def test_a_review_is_corrected_and_marked_from_the_cycle_page(client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1), benefit=60, weeks=8)
    review = cycle.review
    client = client_as(Role.NEUROLOGIST)
    amend = url("toxin_review", patient, pk=cycle.pk) + f"?amends={review.pk}"
    body = client.get(amend).content.decode()
    assert "Correct the review of the cycle of 1 June 2026" in body and 'value="60"' in body
    data = {"reviewed_on-day": "27", "reviewed_on-month": "7", "reviewed_on-year": "2026",
            "peak_benefit_percent": "45", "benefit_weeks": "8",
            "correction_reason": "Benefit misheard"}
    assert client.post(amend, data).status_code == 302
    assert _fresh(review).record_status == RecordStatus.AMENDED
    page = url("toxin_review_entered_in_error", patient, pk=cycle.pk)
    assert "45% benefit for 8 weeks" in client.get(page).content.decode()
    assert client.post(page, {"correction_reason": "Another cycle's review"}).status_code == 302
    body = client.get(url("toxin_detail", patient, pk=cycle.pk)).content.decode()
    assert "Record the review of this cycle" in body and "Entered in error" in body


@pytest.mark.django_db
def test_the_weeks_of_benefit_rule_is_shown_on_the_field(client_as, sites):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1))
    response = client_as(Role.NEUROLOGIST).post(url("toxin_review", patient, pk=cycle.pk), {
        "reviewed_on-day": "15", "reviewed_on-month": "7", "reviewed_on-year": "2026",
        "peak_benefit_percent": "70", "benefit_weeks": "11"})
    body = response.content.decode()
    assert response.status_code == 200 and 'href="#benefit_weeks"' in body
    assert ("Weeks of benefit cannot be more than the 6 weeks between the injections on "
            "1 June 2026 and this review") in body
    assert ToxinReview.objects.count() == 0


@pytest.mark.django_db
def test_a_second_review_at_once_is_a_message_on_the_page_not_a_server_error(
        client_as, sites, a_colleague_reviews_at_once):
    patient = PatientFactory()
    cycle = cycle_with(patient, D(2026, 6, 1))
    client = client_as(Role.NURSE_SPECIALIST)
    assert client.get(url("toxin_review", patient, pk=cycle.pk)).status_code == 200
    colleague = a_colleague_reviews_at_once(cycle)
    response = client.post(url("toxin_review", patient, pk=cycle.pk), {
        "reviewed_on-day": "27", "reviewed_on-month": "7", "reviewed_on-year": "2026",
        "peak_benefit_percent": "70", "benefit_weeks": "8"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert f"This cycle was reviewed by {colleague.display_name} a moment ago" in body


@pytest.mark.django_db
def test_units_above_a_limit_warn_then_need_a_reason_on_the_page(client_as, sites):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 3, 2), product="abobotulinumtoxinA", units=(200, 300))
    client = client_as(Role.NURSE_SPECIALIST)
    dysport = {"product": "abobotulinumtoxinA", "units_1": "400", "units_2": "850",
               "units_3": ""}
    dysport |= {"muscle_3": "", "side_3": ""}
    body = cycle_post(client, patient, **dysport).content.decode()
    assert "Check the units before you go on" in body and "1,000 U [46]" in body
    assert 'name="acknowledged" value="ABOVE_LICENSED_SESSION_MAXIMUM"' in body
    assert "Why record it anyway?" in body and ToxinCycle.objects.count() == 1
    body = cycle_post(client, patient, acknowledged="ABOVE_LICENSED_SESSION_MAXIMUM",
                      **dysport).content.decode()
    assert "Give the reason for recording the cycle despite the warning" in body
    assert 'href="#warnings_reason"' in body and ToxinCycle.objects.count() == 1
    response = cycle_post(client, patient, acknowledged="ABOVE_LICENSED_SESSION_MAXIMUM",
                          warnings_reason="Agreed at the MDT", **dysport)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Recorded despite these warnings" in body and "Agreed at the MDT" in body


@pytest.mark.django_db
def test_impossible_units_are_refused_on_their_row(client_as, sites):
    patient = PatientFactory()
    body = cycle_post(client_as(Role.NEUROLOGIST), patient, units_2="900").content.decode()
    assert "There is a problem" in body and 'href="#muscle_1"' not in body
    assert "typing error" in body and ToxinCycle.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "make", "fields", "capability_less"), [
    ("resistance_test", lambda p: ResistanceTestFactory(patient=p),
     {"tested_on-day": "1", "tested_on-month": "7", "tested_on-year": "2026",
      "kind": "frontalis", "result": "inconclusive"}, Role.PHYSIOTHERAPIST),
    ("medication", lambda p: MedicationFactory(patient=p),
     {"drug_name": "Trihexyphenidyl", "dose_amount": "1", "dose_unit": "mg",
      "frequency": "twice a day", "started_on-day": "10", "started_on-month": "1",
      "started_on-year": "2025"}, Role.PHYSIOTHERAPIST),
    ("therapy", lambda p: TherapySessionFactory(patient=p),
     {"kind": "physiotherapy", "session_on-day": "5", "session_on-month": "5",
      "session_on-year": "2026", "duration_minutes": "30"}, Role.MDT_COORDINATOR),
])
def test_each_entry_has_a_page_a_correction_and_an_entered_in_error_page(
        client_as, sites, kind, make, fields, capability_less):
    patient = PatientFactory()
    entry = make(patient)
    client = client_as(Role.NEUROLOGIST)
    detail = url(f"{kind}_detail", patient, pk=entry.pk)
    body = client.get(detail).content.decode()
    assert "Correct this entry" in body and "Mark this entry as entered in error" in body
    outsider = client_as(capability_less)
    assert "Correct this entry" not in outsider.get(detail).content.decode()
    assert outsider.get(url(f"{kind}_entered_in_error", patient, pk=entry.pk)
                        ).status_code == 403
    create = url(f"{kind}_create", patient) + f"?amends={entry.pk}"
    if kind == "therapy":
        fields = fields | {"therapist": str(entry.therapist_id)}
    assert client.post(create, fields).status_code == 200  # the reason is required
    assert client.post(create, fields | {"correction_reason": "Typo"}).status_code == 302
    entry = _fresh(entry)
    assert entry.record_status == RecordStatus.AMENDED
    body = client.get(detail).content.decode()
    assert "Superseded" in body and "See the current version" in body
    current = type(entry).objects.current().get()
    page = url(f"{kind}_entered_in_error", patient, pk=current.pk)
    assert client.post(page, {"correction_reason": "Duplicate"}).status_code == 302
    assert not type(entry).objects.current().exists()
    body = client.get(url(f"{kind}_detail", patient, pk=current.pk)).content.decode()
    assert "Entered in error" in body and "History of this entry" in body


@pytest.mark.django_db
def test_a_medicine_is_recorded_with_a_unit_from_the_list_and_a_plausible_dose(client_as,
                                                                               sites):
    patient = PatientFactory()
    client = client_as(Role.NEUROLOGIST)
    body = client.get(url("medication_create", patient)).content.decode()
    assert '<select class="nhsuk-select' in body and '<option value="micrograms"' in body
    data = {"drug_name": "Clonazepam", "dose_amount": "500", "dose_unit": "tablets",
            "frequency": "at night", "started_on-day": "1", "started_on-month": "3",
            "started_on-year": "2026"}
    body = client.post(url("medication_create", patient), data).content.decode()
    assert 'href="#dose_amount"' in body and "Dose in tablets must be from 0.25 to 10" in body
    assert client.post(url("medication_create", patient),
                       data | {"dose_amount": "0.5", "dose_unit": "mg"}).status_code == 302


@pytest.mark.django_db
def test_a_stopped_medicine_is_corrected_with_its_stop(client_as, sites):
    medication = MedicationFactory(started_on=D(2026, 1, 1), stopped_on=D(2026, 3, 1),
                                   stop_reason="Drowsiness")
    patient = medication.patient
    client = client_as(Role.NEUROLOGIST)
    assert "Stop date" not in client.get(url("medication_create", patient)).content.decode()
    amend = url("medication_create", patient) + f"?amends={medication.pk}"
    body = client.get(amend).content.decode()
    assert 'name="stopped_on-day" type="text"' in body or 'id="stopped_on-day"' in body
    assert 'value="Drowsiness"' in body
    data = {"drug_name": "Trihexyphenidyl", "dose_amount": "2", "dose_unit": "mg",
            "frequency": "three times a day", "started_on-day": "1", "started_on-month": "1",
            "started_on-year": "2026", "stopped_on-day": "1", "stopped_on-month": "4",
            "stopped_on-year": "2026", "stop_reason": "Drowsiness",
            "correction_reason": "Stopped in April, not March"}
    assert client.post(amend, data).status_code == 302
    corrected = Medication.objects.current().get()
    assert corrected.stopped_on == D(2026, 4, 1) and corrected.supersedes == medication

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collis.core.audit import Actor
from collis.core.corrections import record_history
from collis.core.models import AuditAction, AuditEvent, RecordStatus
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.treatments import selectors, services
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinInjection,
    ToxinReview,
)
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)

D = datetime.date

ROWS = [services.InjectionRow("sternocleidomastoid", "left", 50),
        services.InjectionRow("splenius_capitis", "right", 90),
        services.InjectionRow("levator_scapulae", "right", 60)]


@pytest.fixture
def actor(db):
    return Actor.command_line(UserFactory())


def record_cycle(patient, actor, injections=ROWS, **changes):
    arguments = {"patient": patient, "given_on": datetime.date(2026, 10, 1),
                 "product": "onabotulinumtoxinA", "batch_number": " C1234 ", "guidance": "emg",
                 "injector": actor.user, "site": patient.home_site, "injections": injections,
                 "actor": actor} | changes
    return services.toxin_cycle_create(**arguments)


@pytest.mark.django_db
def test_recording_a_cycle_saves_every_injection_and_audits_it(sites, actor):
    patient = PatientFactory()
    cycle = record_cycle(patient, actor)
    assert cycle.batch_number == "C1234" and cycle.total_units == 200
    assert [i.muscle for i in cycle.injections.all()] == [
        "sternocleidomastoid", "splenius_capitis", "levator_scapulae"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="toxin_cycle")
    assert event.patient_id == patient.pk and event.actor == actor.user
    assert len(event.details["injections"]) == 3 and "200 units" in event.summary


@pytest.mark.django_db
def test_a_cycle_with_an_invalid_row_saves_nothing(sites, actor):
    patient = PatientFactory()
    bad = [*ROWS[:2], services.InjectionRow("sternocleidomastoid", "left", 0)]
    with pytest.raises(ValidationError):
        record_cycle(patient, actor, injections=bad)
    assert ToxinCycle.objects.count() == 0 and ToxinInjection.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="toxin_cycle").exists()


@pytest.mark.django_db
def test_a_cycle_needs_at_least_one_injection(sites, actor):
    with pytest.raises(ValidationError):
        record_cycle(PatientFactory(), actor, injections=[])
    assert ToxinCycle.objects.count() == 0


@pytest.mark.django_db
def test_a_cycle_with_an_unknown_product_is_refused(sites, actor):
    with pytest.raises(ValidationError) as error:
        record_cycle(PatientFactory(), actor, product="botox-ish")
    assert "product" in error.value.message_dict


@pytest.mark.django_db
def test_reviewing_a_cycle_saves_the_benefit_and_side_effects(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1))
    review = services.toxin_review_create(
        cycle=cycle, reviewed_on=datetime.date(2026, 8, 24), peak_benefit_percent=70,
        benefit_weeks=11, side_effects=services.SideEffects(dysphagia=True, severity="mild"),
        actor=actor)
    assert review.side_effects == ["difficulty swallowing (dysphagia)"]
    event = AuditEvent.objects.get(object_type="toxin_review")
    assert event.patient_id == cycle.patient_id and "70% benefit for 11 weeks" in event.summary


@pytest.mark.django_db
def test_a_cycle_is_reviewed_only_once(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1), benefit=60, weeks=10)
    with pytest.raises(ValidationError):
        services.toxin_review_create(cycle=cycle, reviewed_on=datetime.date(2026, 8, 1),
                                     peak_benefit_percent=50, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert ToxinReview.objects.count() == 1


@pytest.mark.django_db
def test_a_review_before_the_injections_is_refused(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.toxin_review_create(cycle=cycle, reviewed_on=datetime.date(2026, 5, 1),
                                     peak_benefit_percent=50, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert "reviewed_on" in error.value.message_dict


@pytest.mark.django_db
def test_a_benefit_above_100_percent_is_refused(sites, actor):
    cycle = cycle_with(PatientFactory(), datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        services.toxin_review_create(cycle=cycle, reviewed_on=datetime.date(2026, 7, 1),
                                     peak_benefit_percent=101, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert ToxinReview.objects.count() == 0


@pytest.mark.django_db
def test_recording_a_resistance_test_is_audited(sites, actor):
    patient = PatientFactory()
    test = services.resistance_test_create(patient=patient, tested_on=datetime.date(2026, 9, 1),
                                           kind="frontalis", result="resistant", actor=actor)
    assert test.pk
    assert AuditEvent.objects.get(object_type="toxin_resistance_test").patient_id == patient.pk


@pytest.mark.django_db
def test_starting_and_stopping_a_medicine_is_audited(sites, actor):
    patient = PatientFactory()
    medication = services.medication_start(
        patient=patient, drug_name=" Baclofen ", dose_amount="10", dose_unit="mg",
        frequency="three times a day", started_on=datetime.date(2026, 1, 1), actor=actor)
    assert medication.drug_name == "Baclofen" and medication.dose == "10 mg three times a day"
    services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 3, 1),
                             reason="Drowsiness", actor=actor)
    stored = Medication.objects.get()
    assert stored.stopped_on == datetime.date(2026, 3, 1) and stored.stopped_by == actor.user
    actions = list(AuditEvent.objects.filter(object_type="medication", patient_id=patient.pk)
                   .order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


@pytest.mark.django_db
def test_a_medicine_cannot_stop_before_it_started_or_stop_twice(sites, actor):
    medication = MedicationFactory(started_on=datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 1, 1),
                                 reason="x", actor=actor)
    services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 3, 1),
                             reason="Not helping", actor=actor)
    with pytest.raises(ValidationError):
        services.medication_stop(medication=medication, stopped_on=datetime.date(2026, 4, 1),
                                 reason="again", actor=actor)
    assert Medication.objects.get().stop_reason == "Not helping"


@pytest.mark.django_db
def test_recording_a_therapy_session_is_audited(sites, actor):
    patient = PatientFactory()
    session = services.therapy_session_create(
        patient=patient, kind="physiotherapy", session_on=datetime.date(2026, 11, 1),
        therapist=actor.user, duration_minutes=45, goals="Neck strength", actor=actor)
    assert session.pk
    event = AuditEvent.objects.get(object_type="therapy_session")
    assert event.patient_id == patient.pk and "physiotherapy" in event.summary


@pytest.mark.django_db
def test_a_session_longer_than_eight_hours_is_refused(sites, actor):
    with pytest.raises(ValidationError):
        services.therapy_session_create(
            patient=PatientFactory(), kind="physiotherapy", session_on=datetime.date(2026, 11, 1),
            therapist=actor.user, duration_minutes=481, actor=actor)


# Corrections (ADR 0009) --------------------------------------------------------------------



def amend_cycle(cycle, actor, *, reason="Units typed for the wrong muscle", **changes):
    rows = changes.pop("injections", [services.InjectionRow("sternocleidomastoid", "left", 40),
                                      services.InjectionRow("splenius_capitis", "right", 90)])
    changes.setdefault("given_on", cycle.given_on)
    return record_cycle(cycle.patient, actor, injections=rows, amends=cycle,
                        correction_reason=reason, **changes)


@pytest.mark.django_db
def test_amending_a_cycle_keeps_the_original_and_makes_a_new_cycle_with_its_injections(
        sites, actor):
    original = cycle_with(PatientFactory(), D(2026, 6, 1))
    corrected = amend_cycle(original, actor)
    original.refresh_from_db()
    assert corrected.supersedes == original and corrected.is_current
    assert original.record_status == RecordStatus.AMENDED
    assert original.status_changed_by == actor.user and original.status_changed_at
    assert original.status_reason == "Units typed for the wrong muscle"
    assert original.total_units == 200 and corrected.total_units == 130
    assert record_history(corrected) == [original, corrected]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="toxin_cycle")
    assert event.details["supersedes"] == original.pk
    assert event.details["before"]["id"] == str(original.pk)
    assert event.details["after"]["id"] == str(corrected.pk)
    assert list(selectors.toxin_cycles_of(original.patient)) == [corrected]


@pytest.mark.django_db
def test_the_review_of_an_amended_cycle_moves_to_the_corrected_cycle(sites, actor):
    original = cycle_with(PatientFactory(), D(2026, 6, 1), benefit=70, weeks=10)
    old_review = original.review
    corrected = amend_cycle(original, actor)
    old_review.refresh_from_db()
    assert old_review.record_status == RecordStatus.AMENDED
    assert old_review.status_reason.startswith("Moved to the corrected cycle: ")
    assert corrected.review.supersedes == old_review
    assert (corrected.review.peak_benefit_percent, corrected.review.benefit_weeks) == (70, 10)
    summary = selectors.response_summary(tuple(selectors.toxin_cycles_of(corrected.patient)))
    assert summary.cycles == (corrected,)


@pytest.mark.django_db
def test_a_correction_that_would_leave_its_review_before_the_injections_is_refused(sites,
                                                                                    actor):
    original = cycle_with(PatientFactory(), D(2026, 6, 1), benefit=70, weeks=10)
    with pytest.raises(ValidationError) as error:
        amend_cycle(original, actor, given_on=D(2026, 9, 1))
    assert "mark that review as entered in error first" in error.value.message_dict[
        "given_on"][0]
    original.refresh_from_db()
    assert original.is_current and ToxinCycle.objects.count() == 1


@pytest.mark.django_db
def test_a_cycle_entered_in_error_leaves_summaries_and_takes_its_review_with_it(sites, actor):
    patient = PatientFactory()
    kept = cycle_with(patient, D(2026, 1, 5), benefit=70, weeks=11)
    wrong = cycle_with(patient, D(2026, 4, 6), benefit=20, weeks=3)
    services.toxin_cycle_mark_entered_in_error(cycle=wrong, reason="Wrong patient",
                                               actor=actor)
    wrong.refresh_from_db()
    assert wrong.record_status == RecordStatus.ENTERED_IN_ERROR
    assert wrong.reviews.get().record_status == RecordStatus.ENTERED_IN_ERROR
    cycles = tuple(selectors.toxin_cycles_of(patient))
    assert cycles == (kept,)
    assert selectors.response_summary(cycles).cycles == (kept,)
    assert record_history(wrong) == [wrong]  # still in its history
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE,
                                     object_type="toxin_review").exists()


@pytest.mark.django_db
def test_correcting_an_entry_already_corrected_is_refused(sites, actor):
    original = cycle_with(PatientFactory(), D(2026, 6, 1))
    amend_cycle(original, actor)
    original.refresh_from_db()
    with pytest.raises(ValidationError, match="already amended"):
        amend_cycle(original, actor)
    with pytest.raises(ValidationError, match="already amended"):
        services.toxin_cycle_mark_entered_in_error(cycle=original, reason="x", actor=actor)
    assert ToxinCycle.objects.count() == 2


@pytest.mark.django_db
def test_a_correction_needs_a_reason(sites, actor):
    original = cycle_with(PatientFactory(), D(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        amend_cycle(original, actor, reason=" ")
    assert "correction_reason" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PHYSIOTHERAPIST, Role.MDT_COORDINATOR, Role.AUDITOR])
def test_a_role_that_cannot_record_toxin_cannot_correct_it(sites, role):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1), benefit=60, weeks=10)
    outsider = Actor.command_line(UserFactory(role=role))
    with pytest.raises(PermissionDenied):
        amend_cycle(cycle, outsider)
    with pytest.raises(PermissionDenied):
        services.toxin_cycle_mark_entered_in_error(cycle=cycle, reason="x", actor=outsider)
    with pytest.raises(PermissionDenied):
        services.toxin_review_mark_entered_in_error(review=cycle.review, reason="x",
                                                    actor=outsider)
    cycle.refresh_from_db()
    assert cycle.is_current


@pytest.mark.django_db
def test_amending_and_marking_a_review(sites, actor):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1), benefit=70, weeks=11)
    first = cycle.review
    second = services.toxin_review_create(
        cycle=cycle, reviewed_on=first.reviewed_on, peak_benefit_percent=40, benefit_weeks=8,
        side_effects=services.SideEffects(), amends=first,
        correction_reason="Benefit was 40%, not 70%", actor=actor)
    first.refresh_from_db()
    assert first.record_status == RecordStatus.AMENDED and second.supersedes == first
    cycle = _only(selectors.toxin_cycles_of(cycle.patient))
    assert cycle.review == second
    services.toxin_review_mark_entered_in_error(review=second, reason="Review of another cycle",
                                                actor=actor)
    cycle = _only(selectors.toxin_cycles_of(cycle.patient))
    assert cycle.review is None and not cycle.reviewed
    assert selectors.response_summary((cycle,)).left_out == (cycle,)
    # The cycle can be reviewed again once its review was entered in error.
    services.toxin_review_create(cycle=cycle, reviewed_on=D(2026, 8, 24),
                                 peak_benefit_percent=55, benefit_weeks=9,
                                 side_effects=services.SideEffects(), actor=actor)
    assert _only(selectors.toxin_cycles_of(cycle.patient)).review.peak_benefit_percent == 55


@pytest.mark.django_db
def test_a_cycle_no_longer_current_cannot_be_reviewed(sites, actor):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1))
    services.toxin_cycle_mark_entered_in_error(cycle=cycle, reason="Duplicate", actor=actor)
    with pytest.raises(ValidationError, match="entered in error"):
        services.toxin_review_create(cycle=cycle, reviewed_on=D(2026, 8, 1),
                                     peak_benefit_percent=50, benefit_weeks=8,
                                     side_effects=services.SideEffects(), actor=actor)


@pytest.mark.django_db
def test_resistance_tests_are_corrected_and_the_latest_current_one_counts(sites, actor):
    patient = PatientFactory()
    first = ResistanceTestFactory(patient=patient, tested_on=D(2026, 3, 1), result="resistant")
    amended = services.resistance_test_create(
        patient=patient, tested_on=D(2026, 3, 1), kind="frontalis", result="not_resistant",
        amends=first, correction_reason="Result misread", actor=actor)
    later = ResistanceTestFactory(patient=patient, tested_on=D(2026, 9, 1))
    assert selectors.resistance_test_latest(patient) == later
    services.resistance_test_mark_entered_in_error(test=later, reason="Wrong patient",
                                                   actor=actor)
    assert selectors.resistance_test_latest(patient) == amended
    assert list(selectors.resistance_tests_of(patient)) == [amended]
    assert ResistanceTest.objects.count() == 3


@pytest.mark.django_db
def test_medicines_are_corrected_or_entered_in_error(sites, actor):
    original = MedicationFactory(dose_amount="20", started_on=D(2026, 1, 10))
    corrected = services.medication_start(
        patient=original.patient, drug_name="Trihexyphenidyl", dose_amount="2",
        dose_unit="mg", frequency="three times a day", started_on=D(2026, 1, 10),
        amends=original, correction_reason="20 mg was a typing error", actor=actor)
    original.refresh_from_db()
    assert original.record_status == RecordStatus.AMENDED and corrected.supersedes == original
    assert selectors.medication_list(patient=original.patient, actor=actor) == (corrected,)
    with pytest.raises(ValidationError, match="stop the current version"):
        services.medication_stop(medication=original, stopped_on=D(2026, 3, 1), reason="x",
                                 actor=actor)
    services.medication_mark_entered_in_error(medication=corrected, reason="Never prescribed",
                                              actor=actor)
    assert selectors.medication_list(patient=original.patient, actor=actor) == ()
    assert Medication.objects.count() == 2


@pytest.mark.django_db
def test_a_medicine_already_stopped_can_be_recorded_with_its_stop(sites, actor):
    medication = services.medication_start(
        patient=PatientFactory(), drug_name="Baclofen", dose_amount="10", dose_unit="mg",
        frequency="three times a day", started_on=D(2025, 1, 1), stopped_on=D(2025, 6, 1),
        stop_reason="Drowsiness", actor=actor)
    assert not medication.is_ongoing and medication.stopped_by == actor.user
    with pytest.raises(ValidationError) as error:
        services.medication_start(
            patient=medication.patient, drug_name="Baclofen", dose_amount="10", dose_unit="mg",
            frequency="daily", started_on=D(2025, 1, 1), stopped_on=D(2025, 6, 1), actor=actor)
    assert error.value.message_dict == {"stop_reason": ["Enter the reason for stopping"]}


@pytest.mark.django_db
def test_therapy_sessions_are_corrected_or_entered_in_error(sites, actor):
    original = TherapySessionFactory(duration_minutes=450)
    corrected = services.therapy_session_create(
        patient=original.patient, kind="physiotherapy", session_on=original.session_on,
        therapist=original.therapist, duration_minutes=45, amends=original,
        correction_reason="45 minutes, not 450", actor=actor)
    assert selectors.therapy_session_list(patient=original.patient, actor=actor) == (
        corrected,)
    services.therapy_session_mark_entered_in_error(session=corrected, reason="Duplicate",
                                                   actor=actor)
    assert selectors.therapy_session_list(patient=original.patient, actor=actor) == ()
    assert TherapySession.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.therapy_session_mark_entered_in_error(
            session=original, reason="x", actor=Actor.command_line(
                UserFactory(role=Role.MDT_COORDINATOR)))


# Chronology: no clinical date in the future or before birth; no effect before its cause ---

def _tomorrow():
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "message"), [
    ("tomorrow", "The date of the injections must be today or in the past"),
    (D(1970, 1, 1), "The date of the injections cannot be before the patient's date of birth "
                    "(17 May 1974)"),
])
def test_a_cycle_in_the_future_or_before_birth_is_refused(sites, actor, day, message):
    day = _tomorrow() if day == "tomorrow" else day
    with pytest.raises(ValidationError) as error:
        record_cycle(PatientFactory(), actor, given_on=day)
    assert error.value.message_dict == {"given_on": [message]}


@pytest.mark.django_db
def test_a_review_in_the_future_is_refused(sites, actor):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.toxin_review_create(cycle=cycle, reviewed_on=_tomorrow(),
                                     peak_benefit_percent=50, benefit_weeks=9,
                                     side_effects=services.SideEffects(), actor=actor)
    assert error.value.message_dict == {
        "reviewed_on": ["The date of the review must be today or in the past"]}


@pytest.mark.django_db
def test_a_review_before_its_injections_is_refused_naming_the_field(sites, actor):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.toxin_review_create(cycle=cycle, reviewed_on=D(2026, 5, 31),
                                     peak_benefit_percent=50, benefit_weeks=0,
                                     side_effects=services.SideEffects(), actor=actor)
    assert error.value.message_dict == {"reviewed_on": [
        "The date of the review cannot be before the date of the injections (1 June 2026)"]}


@pytest.mark.django_db
def test_weeks_of_benefit_cannot_exceed_the_weeks_since_the_injections(sites, actor):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.toxin_review_create(cycle=cycle, reviewed_on=D(2026, 7, 15),
                                     peak_benefit_percent=70, benefit_weeks=11,
                                     side_effects=services.SideEffects(), actor=actor)
    assert error.value.message_dict == {"benefit_weeks": [
        "Weeks of benefit cannot be more than the 6 weeks between the injections on "
        "1 June 2026 and this review"]}
    review = services.toxin_review_create(cycle=cycle, reviewed_on=D(2026, 7, 15),
                                          peak_benefit_percent=70, benefit_weeks=6,
                                          side_effects=services.SideEffects(), actor=actor)
    assert review.benefit_weeks == 6


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "message"), [
    ("tomorrow", "The date of the test must be today or in the past"),
    (D(1974, 5, 16), "The date of the test cannot be before the patient's date of birth "
                     "(17 May 1974)"),
])
def test_a_resistance_test_in_the_future_or_before_birth_is_refused(sites, actor, day,
                                                                      message):
    day = _tomorrow() if day == "tomorrow" else day
    with pytest.raises(ValidationError) as error:
        services.resistance_test_create(patient=PatientFactory(), tested_on=day,
                                        kind="frontalis", result="resistant", actor=actor)
    assert error.value.message_dict == {"tested_on": [message]}


@pytest.mark.django_db
@pytest.mark.parametrize(("started", "stopped", "field", "message"), [
    ("tomorrow", None, "started_on", "The start date must be today or in the past"),
    (D(1960, 1, 1), None, "started_on", "The start date cannot be before the patient's date "
                                        "of birth (17 May 1974)"),
    (D(2026, 2, 1), D(2026, 1, 31), "stopped_on", "The stop date cannot be before the start "
                                                  "date (1 February 2026)"),
    (D(2026, 2, 1), "tomorrow", "stopped_on", "The stop date must be today or in the past"),
])
def test_medicine_dates_are_checked_naming_the_field(sites, actor, started, stopped, field,
                                                      message):
    started = _tomorrow() if started == "tomorrow" else started
    stopped = _tomorrow() if stopped == "tomorrow" else stopped
    with pytest.raises(ValidationError) as error:
        services.medication_start(patient=PatientFactory(), drug_name="Baclofen",
                                  dose_amount="10", dose_unit="mg", frequency="daily",
                                  started_on=started, stopped_on=stopped,
                                  stop_reason="Drowsiness", actor=actor)
    assert error.value.message_dict == {field: [message]}


@pytest.mark.django_db
def test_a_medicine_cannot_be_stopped_in_the_future(sites, actor):
    medication = MedicationFactory(started_on=D(2026, 2, 1))
    with pytest.raises(ValidationError) as error:
        services.medication_stop(medication=medication, stopped_on=_tomorrow(),
                                 reason="Drowsiness", actor=actor)
    assert error.value.message_dict == {
        "stopped_on": ["The stop date must be today or in the past"]}


@pytest.mark.django_db
def test_a_therapy_session_in_the_future_is_refused(sites, actor):
    with pytest.raises(ValidationError) as error:
        services.therapy_session_create(
            patient=PatientFactory(), kind="physiotherapy", session_on=_tomorrow(),
            therapist=actor.user, duration_minutes=45, actor=actor)
    assert error.value.message_dict == {
        "session_on": ["The date of the session must be today or in the past"]}


# Plausibility of doses ---------------------------------------------------------------------

DYSPORT_TOO_MUCH = [services.InjectionRow("sternocleidomastoid", "left", 400),
                    services.InjectionRow("splenius_capitis", "right", 850)]


@pytest.mark.django_db
def test_units_above_the_session_limit_need_confirming_with_a_reason(sites, actor):
    patient = PatientFactory()
    cycle_with(patient, D(2026, 3, 2), product="abobotulinumtoxinA", units=(200, 300))
    dysport = {"product": "abobotulinumtoxinA", "injections": DYSPORT_TOO_MUCH}
    with pytest.raises(ValidationError, match="more than the licensed maximum"):
        record_cycle(patient, actor, **dysport)
    with pytest.raises(ValidationError) as error:
        record_cycle(patient, actor, warnings_acknowledged=["ABOVE_LICENSED_SESSION_MAXIMUM"],
                     **dysport)
    assert list(error.value.message_dict) == ["warnings_reason"]
    cycle = record_cycle(patient, actor, warnings_acknowledged=["ABOVE_LICENSED_SESSION_MAXIMUM"],
                         warnings_reason="Agreed higher dose after MDT review", **dysport)
    assert cycle.warnings_reason == "Agreed higher dose after MDT review"
    assert [w["code"] for w in cycle.warnings_acknowledged] == [
        "ABOVE_LICENSED_SESSION_MAXIMUM"]
    assert cycle.warnings_acknowledged[0]["sources"] == [46]
    event = AuditEvent.objects.filter(object_type="toxin_cycle").latest("id")
    assert event.details["warnings_reason"] == "Agreed higher dose after MDT review"


@pytest.mark.django_db
def test_impossible_units_are_refused_naming_the_injections(sites, actor):
    with pytest.raises(ValidationError) as error:
        record_cycle(PatientFactory(), actor, product="abobotulinumtoxinA",
                     injections=[services.InjectionRow("splenius_capitis", "right", 4500)],
                     warnings_acknowledged=["ABOVE_LICENSED_SESSION_MAXIMUM"],
                     warnings_reason="x")
    assert "typing error" in error.value.message_dict["injections"][0]
    assert ToxinCycle.objects.count() == 0


@pytest.mark.django_db
def test_the_same_muscle_and_side_twice_is_refused_by_the_service(sites, actor):
    rows = [services.InjectionRow("trapezius", "left", 30),
            services.InjectionRow("trapezius", "left", 20)]
    with pytest.raises(ValidationError) as error:
        record_cycle(PatientFactory(), actor, injections=rows)
    assert error.value.message_dict == {
        "injections": ["Trapezius (left) is entered twice: enter it once with its total units"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "unit", "field", "message"), [
    ("10", "mgs", "dose_unit", "Choose the unit of the dose from the list"),
    ("ten", "mg", "dose_amount", "Dose must be a number, like 2 or 0.5"),
    ("10000", "mg", "dose_amount", "Dose in mg must be from 0.01 to 5,000 mg"),
    ("30", "tablets", "dose_amount", "Dose in tablets must be from 0.25 to 10 tablets"),
])
def test_implausible_medicine_doses_are_refused_naming_the_field(sites, actor, amount, unit,
                                                                 field, message):
    with pytest.raises(ValidationError) as error:
        services.medication_start(patient=PatientFactory(), drug_name="Baclofen",
                                  dose_amount=amount, dose_unit=unit, frequency="daily",
                                  started_on=D(2026, 1, 1), actor=actor)
    assert list(error.value.message_dict) == [field]
    assert error.value.message_dict[field][0].startswith(message)


# Races that must never end in a server error -----------------------------------------------

@pytest.mark.django_db
def test_a_second_review_of_one_cycle_at_once_names_who_reviewed_it(
        sites, actor, a_colleague_reviews_at_once):
    cycle = cycle_with(PatientFactory(), D(2026, 6, 1))
    colleague = a_colleague_reviews_at_once(cycle)
    with pytest.raises(ValidationError) as error:
        services.toxin_review_create(cycle=cycle, reviewed_on=D(2026, 8, 1),
                                     peak_benefit_percent=50, benefit_weeks=8,
                                     side_effects=services.SideEffects(), actor=actor)
    assert error.value.messages[0].startswith(
        f"This cycle was reviewed by {colleague.display_name} a moment ago")


@pytest.mark.django_db
def test_a_second_correction_of_one_entry_at_once_names_who_corrected_it(sites, actor,
                                                                          monkeypatch):
    from collis.core import corrections

    session = TherapySessionFactory()
    colleague = UserFactory(first_name="Pat", last_name="Physio")
    # Our check ran before the colleague's correction was saved.
    monkeypatch.setattr(services, "correction_check",
                        lambda old, reason: corrections._reason_checked(reason))
    services.therapy_session_create(
        patient=session.patient, kind="physiotherapy", session_on=session.session_on,
        therapist=session.therapist, duration_minutes=30, amends=session,
        correction_reason="30 minutes", actor=Actor.command_line(colleague))
    with pytest.raises(ValidationError, match="corrected by Pat Physio a moment ago"):
        services.therapy_session_create(
            patient=session.patient, kind="physiotherapy", session_on=session.session_on,
            therapist=session.therapist, duration_minutes=40, amends=session,
            correction_reason="40 minutes", actor=actor)
    assert TherapySession.objects.count() == 2


def _only(cycles):
    (cycle,) = cycles
    return cycle

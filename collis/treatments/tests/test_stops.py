"""Stopping botulinum toxin (issue 15): who decided, when and why, with its chronology (after
the cycles it stops, not in the future, one stop in force), corrections and entries in error,
the record's page, its form and the API. A cycle after a stop means toxin restarted."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent, RecordStatus
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.treatments import selectors, services
from collis.treatments.models import StopReason, ToxinStop
from collis.treatments.tests.factories import cycle_with

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def actor(sites):
    return Actor.command_line(UserFactory(role=Role.NEUROLOGIST))


@pytest.fixture
def treated(sites):
    patient = PatientFactory()
    cycle_with(patient, D(2025, 1, 6), benefit=80, weeks=12)
    cycle_with(patient, D(2025, 4, 7), benefit=20, weeks=4)
    return patient


def stop(patient, actor, **changes):
    arguments = {"patient": patient, "stopped_on": D(2025, 5, 1), "decided_by": actor.user,
                 "reason": StopReason.STOPPED_WORKING, "actor": actor} | changes
    return services.toxin_stop_create(**arguments)


def test_a_stop_is_recorded_with_who_and_why_and_audited(treated, actor):
    made = stop(treated, actor)
    assert made.reason_label == "It stopped working (secondary non-response)"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="toxin_stop")
    assert event.patient_id == treated.pk and event.details["reason"] == "stopped_working"
    record = selectors.toxin_record_get(patient=treated, actor=actor)
    assert record.stopped == made and record.stopped.restarted_on is None


@pytest.mark.parametrize(("day", "field", "words"), [
    (D(2025, 4, 6), "stopped_on", "cannot be before the last cycle given"),
    (D(2099, 1, 1), "stopped_on", "must be today or in the past"),
])
def test_the_chronology_is_checked(treated, actor, day, field, words):
    with pytest.raises(ValidationError) as error:
        stop(treated, actor, stopped_on=day)
    assert words in " ".join(error.value.message_dict[field])
    assert not ToxinStop.objects.exists()


def test_no_stop_without_a_cycle_and_other_needs_words(sites, treated, actor):
    with pytest.raises(ValidationError) as error:
        stop(PatientFactory(), actor)
    assert "No botulinum toxin cycle is recorded" in str(error.value.message_dict["stopped_on"])
    with pytest.raises(ValidationError) as error:
        stop(treated, actor, reason=StopReason.OTHER, reason_other="  ")
    assert "reason_other" in error.value.message_dict
    assert stop(treated, actor, reason=StopReason.OTHER,
                reason_other="Moved abroad").reason_label == "Another reason: Moved abroad"


def test_one_stop_in_force_and_a_later_cycle_restarts_toxin(treated, actor):
    first = stop(treated, actor)
    with pytest.raises(ValidationError, match="already recorded as stopped"):
        stop(treated, actor, stopped_on=D(2025, 6, 1))
    cycle_with(treated, D(2025, 9, 1), benefit=70, weeks=12)
    record = selectors.toxin_record_get(patient=treated, actor=actor)
    assert record.stopped is None and record.stops[0].restarted_on == D(2025, 9, 1)
    # Stopped again after the restart: a second stop, in force.
    second = stop(treated, actor, stopped_on=D(2025, 10, 1), reason=StopReason.SIDE_EFFECTS)
    record = selectors.toxin_record_get(patient=treated, actor=actor)
    assert [s.pk for s in record.stops] == [first.pk, second.pk] and record.stopped == second


def test_a_correction_keeps_the_original_and_stays_before_a_restart(treated, actor):
    first = stop(treated, actor)
    cycle_with(treated, D(2025, 9, 1))
    with pytest.raises(ValidationError, match="restarted with the cycle of 1 September 2025"):
        stop(treated, actor, stopped_on=D(2025, 9, 2), amends=first,
             correction_reason="Wrong date")
    fixed = stop(treated, actor, stopped_on=D(2025, 5, 2), amends=first,
                 correction_reason="Wrong date")
    first.refresh_from_db()
    assert first.record_status == RecordStatus.AMENDED and first.stopped_on == D(2025, 5, 1)
    assert fixed.supersedes == first
    services.toxin_stop_mark_entered_in_error(stop=fixed, reason="Not this patient",
                                              actor=actor)
    assert selectors.toxin_stops_of(treated) == ()


def test_roles_that_do_not_record_toxin_are_refused(treated):
    with pytest.raises(PermissionDenied):
        stop(treated, Actor.command_line(UserFactory(role=Role.AUDITOR)))


def url(name, patient, **kwargs):
    return reverse(f"treatments:{name}", kwargs={"patient_id": patient.pk, **kwargs})


def test_the_form_records_a_stop_shown_on_the_toxin_page(client_as, treated):
    client = client_as(Role.NEUROLOGIST)
    page = client.get(url("toxin_list", treated)).content.decode()
    assert "No decision to stop botulinum toxin is recorded" in page
    assert url("toxin_stop_create", treated) in page
    form = client.get(url("toxin_stop_create", treated)).content.decode()
    assert "About 20% of patients eventually stop toxin" in form
    response = client.post(url("toxin_stop_create", treated), {
        "stopped_on-day": "1", "stopped_on-month": "5", "stopped_on-year": "2025",
        "decided_by": str(client.user.pk), "reason": "other", "reason_other": ""})
    assert response.status_code == 200
    assert "Enter the other reason for stopping" in response.content.decode()
    response = client.post(url("toxin_stop_create", treated), {
        "stopped_on-day": "1", "stopped_on-month": "3", "stopped_on-year": "2025",
        "decided_by": str(client.user.pk), "reason": "side_effects"})
    assert "cannot be before the last cycle given" in response.content.decode()
    response = client.post(url("toxin_stop_create", treated), {
        "stopped_on-day": "1", "stopped_on-month": "5", "stopped_on-year": "2025",
        "decided_by": str(client.user.pk), "reason": "side_effects"})
    assert response.status_code == 302
    page = client.get(url("toxin_list", treated)).content.decode()
    assert "Botulinum toxin was stopped on 1 May 2025: side effects" in page
    made = ToxinStop.objects.get()
    detail = client.get(url("toxin_stop_detail", treated, pk=made.pk)).content.decode()
    assert "Side effects" in detail and "?amends=" in detail
    response = client.post(url("toxin_stop_entered_in_error", treated, pk=made.pk),
                           {"correction_reason": "Wrong patient"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.record_status == RecordStatus.ENTERED_IN_ERROR


def test_another_units_stop_is_not_found(client_as, theirs, sites):
    cycle_with(theirs, D(2025, 1, 6))
    made = ToxinStop.objects.create(patient=theirs, stopped_on=D(2025, 2, 1),
                                    decided_by=UserFactory(), reason="patient_choice",
                                    created_by=UserFactory())
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("toxin_stop_detail", theirs, pk=made.pk)).status_code == 404

"""The record at a glance on the summary page: diagnosis, treatment, the last toxin cycle with
its response pattern, the next appointment, the pathway, and the alerts; never for a role
that does not read clinical records; queries bounded whatever the record holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import services
from collis.scheduling.tests.factories import clinic, coordinator_actor
from collis.surgery.tests.factories import episode_at
from collis.treatments.tests.factories import (
    MedicationFactory,
    ToxinCycleFactory,
    ToxinInjectionFactory,
    ToxinReviewFactory,
)

pytestmark = pytest.mark.django_db


def _page(patient):
    return reverse("patients:patient_detail", args=[patient.pk])


def _rich_record(cycles: int = 3):
    patient = PatientFactory()
    today = timezone.localdate()
    for n in range(cycles):
        cycle = ToxinCycleFactory(patient=patient,
                                  given_on=today - dt.timedelta(weeks=16 + 13 * (cycles - n)))
        ToxinInjectionFactory(cycle=cycle, units=100)
        ToxinReviewFactory(cycle=cycle, peak_benefit_percent=70, benefit_weeks=11)
    short = ToxinCycleFactory(patient=patient, given_on=today - dt.timedelta(weeks=16))
    ToxinInjectionFactory(cycle=short, units=120)
    MedicationFactory(patient=patient)
    episode_at(State.AWAITING_MDT, patient=patient)
    slot = clinic().slots.order_by("starts_at").first()
    services.appointment_book(patient=patient, slot=slot, actor=coordinator_actor())
    return patient


def test_the_summary_shows_treatment_the_last_cycle_the_next_appointment_and_the_pathway(
        client_as, sites):
    patient = _rich_record()
    text = client_as(Role.NEUROLOGIST).get(_page(patient)).content.decode()
    assert "At a glance" in text
    assert "Botulinum toxin (onabotulinumtoxinA); Trihexyphenidyl 2 mg three times a day" in text
    assert "120 units of onabotulinumtoxinA" in text and "response pattern" in text
    assert "Botulinum toxin clinic: " in text and "The Portland Hospital" in text
    assert "Awaiting MDT" in text


def test_alerts_say_a_short_interval_and_that_toxin_is_overdue(client_as, sites):
    patient = PatientFactory()
    today = timezone.localdate()
    ToxinCycleFactory(patient=patient, given_on=today - dt.timedelta(weeks=22))
    ToxinCycleFactory(patient=patient, given_on=today - dt.timedelta(weeks=16))
    text = client_as(Role.NURSE_SPECIALIST).get(_page(patient)).content.decode()
    assert "Alerts" in text
    assert "weeks after the one before" in text  # the interval warning [15][19]
    assert "Toxin overdue by 4 weeks" in text


def test_an_auditor_sees_the_details_but_not_the_clinical_summary(client_as, sites):
    patient = _rich_record(cycles=1)
    text = client_as(Role.AUDITOR).get(_page(patient)).content.decode()
    assert "At a glance" not in text and "onabotulinumtoxinA" not in text


def test_reading_the_summary_is_audited_as_the_patients_page(client_as, sites):
    patient = _rich_record(cycles=1)
    before = AuditEvent.objects.for_patient(patient.pk).count()
    client_as(Role.NEUROLOGIST).get(_page(patient))
    assert AuditEvent.objects.for_patient(patient.pk).count() == before + 1


@pytest.mark.parametrize("cycles", [1, 8])
def test_the_summary_reads_a_bounded_number_of_queries(client_as, sites, cycles,
                                                       django_assert_max_num_queries):
    patient = _rich_record(cycles=cycles)
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    with django_assert_max_num_queries(16):
        assert client.get(_page(patient)).status_code == 200

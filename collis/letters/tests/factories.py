"""A toxin clinic appointment yesterday at which the patient was seen and injected, as the
record of a clinic letter."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.scheduling import AppointmentStatus, ClinicOutcome
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import services
from collis.scheduling.tests.factories import coordinator_actor, room_at
from collis.treatments.tests.factories import cycle_with


def seen_appointment(*, patient=None, neurologist=None):
    """A patient seen yesterday at 09:00 in a toxin clinic at The Portland Hospital, with
    the cycle given then and an earlier reviewed cycle; returns the appointment."""
    patient = patient or PatientFactory(gp_practice="Example Medical Centre",
                                        referring_consultant="Dr A Referrer")
    neurologist = neurologist or UserFactory(role=Role.NEUROLOGIST)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    before = timezone.now() - dt.timedelta(days=3)
    actor = coordinator_actor()
    session = services.clinic_series_create(
        appointment_type="toxin", room=room_at(), clinicians=[neurologist],
        first_day=yesterday, starts=dt.time(9), ends=dt.time(10), actor=actor,
        now=before).sessions.get()
    appointment = services.appointment_book(
        patient=patient, slot=session.slots.order_by("starts_at").first(), actor=actor,
        now=before)
    services.appointment_status_record(appointment=appointment,
                                       status=AppointmentStatus.ARRIVED, actor=actor)
    services.appointment_status_record(
        appointment=appointment, status=AppointmentStatus.SEEN,
        outcome=ClinicOutcome.RECALL, actor=Actor.command_line(neurologist))
    cycle_with(patient, yesterday - dt.timedelta(weeks=13), benefit=70, weeks=10)
    cycle_with(patient, yesterday, injector=neurologist)
    appointment.refresh_from_db()
    return appointment

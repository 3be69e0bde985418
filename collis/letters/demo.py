"""A demo clinic letter: yesterday's toxin clinic at The Portland Hospital, at which one demo
patient was seen, with the draft letter written from their record for the neurologist to
edit and send (`make run`: sign in as the neurologist and open the patient's appointments).
Loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from collis.core.audit import Actor
from collis.domain.scheduling import AppointmentStatus, AppointmentType, ClinicOutcome
from collis.letters.models import ClinicLetter
from collis.letters.services import letter_draft_create
from collis.scheduling import services
from collis.scheduling.models import Room
from collis.sites.models import Site


def demo_letters_load(patient) -> int:
    if ClinicLetter.objects.exists() or patient is None:
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["coordinator", "neurologist"])}
    coordinator = Actor.command_line(users["coordinator"])
    neurologist = Actor.command_line(users["neurologist"])
    room, _ = Room.objects.get_or_create(site=Site.objects.get(code="portland-hospital"),
                                         name="Clinic room 2",
                                         defaults={"equipment": ["emg"]})
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    before = timezone.now() - dt.timedelta(days=3)
    session = services.clinic_series_create(
        appointment_type=AppointmentType.TOXIN, room=room, clinicians=[users["neurologist"]],
        first_day=yesterday, starts=dt.time(14), ends=dt.time(15), actor=coordinator,
        now=before).sessions.get()
    appointment = services.appointment_book(
        patient=patient, slot=session.slots.order_by("starts_at").first(), actor=coordinator,
        now=before)
    services.appointment_status_record(appointment=appointment,
                                       status=AppointmentStatus.ARRIVED, actor=coordinator)
    appointment = services.appointment_status_record(
        appointment=appointment, status=AppointmentStatus.SEEN, outcome=ClinicOutcome.RECALL,
        actor=neurologist)
    letter_draft_create(appointment=appointment, actor=neurologist)
    return 1

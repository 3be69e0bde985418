"""Synthetic clinics for the demo: a room at each of the unit's six sites, four weeks of
weekly toxin clinics (a different day at each site) and a fortnightly new-patient clinic,
with some demo patients booked, all through the services. Loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from collis.core.audit import Actor
from collis.domain.scheduling import AppointmentType, Recurrence
from collis.scheduling import services
from collis.scheduling.models import Room, SessionSeries
from collis.sites.models import Site

WEEKS = 4


def demo_clinics_load(patients) -> int:
    """Set up the demo clinics and book the first patients; returns the bookings made."""
    if SessionSeries.objects.exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["coordinator", "nurse", "neurologist"])}
    actor = Actor.command_line(users["coordinator"])
    start = timezone.localdate() + dt.timedelta(days=1)
    sessions = []
    for offset, site in enumerate(Site.objects.active().order_by("code")[:6]):
        room, _ = Room.objects.get_or_create(
            site=site, name="Clinic room 1", defaults={"equipment": ["emg", "ultrasound"]})
        clinician = users["nurse"] if offset % 2 else users["neurologist"]
        series = services.clinic_series_create(
            appointment_type=AppointmentType.TOXIN, room=room, clinicians=[clinician],
            first_day=start + dt.timedelta(days=offset), starts=dt.time(9),
            ends=dt.time(12), recurrence=Recurrence.WEEKLY,
            until=start + dt.timedelta(days=offset + 7 * (WEEKS - 1)), actor=actor)
        sessions.extend(series.sessions.all())
        if offset == 0:
            services.clinic_series_create(
                appointment_type=AppointmentType.NEW_PATIENT, room=room,
                clinicians=[users["neurologist"]], first_day=start, starts=dt.time(13, 30),
                ends=dt.time(16, 30), recurrence=Recurrence.FORTNIGHTLY,
                until=start + dt.timedelta(days=7 * (WEEKS - 1)), actor=actor)
    booked = 0
    queue = list(patients)
    for session in sessions[:12]:
        for slot in session.slots.order_by("starts_at")[:3]:
            if not queue:
                return booked
            services.appointment_book(patient=queue.pop(0), slot=slot, actor=actor)
            booked += 1
    return booked

"""Clinics for tests, made through the services (the way the unit makes them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.scheduling import AppointmentType, Recurrence
from collis.scheduling import services
from collis.scheduling.models import Room
from collis.sites.models import Site


def coordinator_actor(**kwargs) -> Actor:
    return Actor.command_line(UserFactory(role=Role.MDT_COORDINATOR, **kwargs))


def room_at(site_code: str = "portland-hospital", name: str = "Clinic room 1") -> Room:
    site = Site.objects.get(code=site_code)
    room, _ = Room.objects.get_or_create(site=site, name=name,
                                         defaults={"equipment": ["emg", "ultrasound"]})
    return room


def clinic(*, kind: str = AppointmentType.TOXIN, room: Room | None = None, clinicians=None,
           day: dt.date | None = None, starts=dt.time(9), ends=dt.time(10), capacity: int = 1,
           recurrence: str = Recurrence.ONCE, until=None, actor: Actor | None = None):
    """A clinic session (or series) starting tomorrow by default; returns its first session."""
    actor = actor or coordinator_actor()
    clinicians = clinicians or [UserFactory(role=Role.NURSE_SPECIALIST)]
    series = services.clinic_series_create(
        appointment_type=kind, room=room or room_at(), clinicians=clinicians,
        first_day=day or timezone.localdate() + dt.timedelta(days=1), starts=starts, ends=ends,
        recurrence=recurrence, until=until, capacity=capacity, actor=actor)
    return series.sessions.order_by("starts_at").first()

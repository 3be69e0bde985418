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


def demo_recall_load(patients, today: dt.date | None = None) -> int:
    """Patients due for toxin, for the recall list: two cycles each (through the toxin
    services), the last 11 to 19 weeks ago; and a toxin clinic under way today at the first
    site with the three most overdue booked, so that the nurse can record a repeated cycle
    from the clinic list. Returns the patients given cycles; loading twice changes
    nothing."""
    from collis.treatments.models import ToxinCycle
    from collis.treatments.services import InjectionRow, toxin_cycle_create

    today = today or timezone.localdate()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["coordinator", "nurse"])}
    nurse = Actor.command_line(users["nurse"])
    made = []
    for index, patient in enumerate(patients):
        if ToxinCycle.objects.filter(patient=patient).exists():
            continue
        last = today - dt.timedelta(weeks=11 + index % 9, days=index % 5)
        for given_on in (last - dt.timedelta(weeks=13), last):
            toxin_cycle_create(
                patient=patient, given_on=given_on, product="onabotulinumtoxinA",
                batch_number=f"DEMO{given_on:%y%m}", batch_expires_on=given_on
                + dt.timedelta(days=300), guidance="emg", injector=users["nurse"],
                site=patient.home_site, injections=[
                    InjectionRow("sternocleidomastoid", "left", 50),
                    InjectionRow("splenius_capitis", "right", 90)], actor=nurse)
        made.append((last, patient))
    if not made:
        return 0
    site = Site.objects.active().order_by("code").first()
    room, _ = Room.objects.get_or_create(site=site, name="Clinic room 2",
                                         defaults={"equipment": ["emg"]})
    coordinator = Actor.command_line(users["coordinator"])
    before = timezone.now() - dt.timedelta(days=2)
    series = services.clinic_series_create(
        appointment_type=AppointmentType.TOXIN, room=room, clinicians=[users["nurse"]],
        first_day=today, starts=dt.time(8), ends=dt.time(18), actor=coordinator, now=before)
    slots = series.sessions.get().slots.order_by("starts_at")
    for slot, (_last, patient) in zip(slots, sorted(made, key=lambda m: m[0])[:3],
                                      strict=False):
        services.appointment_book(patient=patient, slot=slot, actor=coordinator, now=before)
    return len(made)

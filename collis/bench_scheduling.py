"""`collis bench` (scheduling part): the next-free-slot search and booking with a year of toxin
clinics at the six sites, and the toxin recall list over every patient (100,000 by default).

Seeded once into the benchmark database (`collis.bench`): per site a toxin clinic every
weekday morning for 52 weeks with two nurses (1,560 sessions, 28,080 slots), the first eight
weeks fully booked so that the search must pass them, one slot in three booked after that;
and two toxin cycles for every patient over the last two years, so that the recall list has
thousands of patients due. Pages are timed in-process through Django's full middleware
stack, as the other web figures are."""

from __future__ import annotations

import datetime as dt
import random
import time

SERIES_WEEKS = 52
FULL_WEEKS = 8
NURSES_PER_SITE = 2
MARKER = "Bench toxin room"


def _seed_clinics(*, actor, patients: list) -> None:
    from django.utils import timezone

    from collis.core.models import AccountType, User
    from collis.core.roles import Role
    from collis.domain.scheduling import AppointmentStatus, AppointmentType, Recurrence
    from collis.scheduling import services
    from collis.scheduling.models import (
        Appointment,
        AppointmentStatusChange,
        ClinicSession,
        Room,
        Slot,
    )
    from collis.sites.models import Site

    if Room.objects.filter(name=MARKER).exists():
        return
    started = time.perf_counter()
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    for site in Site.objects.order_by("code"):
        room = Room.objects.create(site=site, name=MARKER, equipment=["emg", "ultrasound"])
        nurses = [User.objects.create(username=f"bench-nurse-{site.code}-{n}",
                                      first_name="Bench", last_name=f"Nurse {n}",
                                      role=Role.NURSE_SPECIALIST,
                                      account_type=AccountType.STAFF,
                                      organisation_id=site.organisation_id)
                  for n in range(NURSES_PER_SITE)]
        for weekday in range(5):
            first = monday + dt.timedelta(days=weekday)
            services.clinic_series_create(
                appointment_type=AppointmentType.TOXIN, room=room, clinicians=nurses,
                first_day=first, starts=dt.time(9), ends=dt.time(12),
                recurrence=Recurrence.WEEKLY,
                until=first + dt.timedelta(weeks=SERIES_WEEKS - 1), actor=actor)
    # Bookings written in bulk (the services book one at a time; this is bench data): each
    # slot booked gets its own patient, so no patient is in two places at once.
    full_until = timezone.now() + dt.timedelta(weeks=FULL_WEEKS)
    slots = list(Slot.objects.filter(session__room__name=MARKER).select_related("session")
                 .order_by("starts_at", "id"))
    # The last patients are kept free for the timed bookings.
    pool = patients[:max(len(patients) - 2000, len(patients) // 2)]
    chosen = [s for i, s in enumerate(slots)
              if s.starts_at < full_until or i % 3 == 0][:len(pool)]
    now = timezone.now()
    appointments = [Appointment(
        patient_id=pool[i], appointment_type=AppointmentType.TOXIN,
        slot=s, session=s.session, clinician_id=s.clinician_id, room_id=s.session.room_id,
        starts_at=s.starts_at, ends_at=s.ends_at, place=1, capacity=s.capacity,
        created_by=actor.user, created_at=now) for i, s in enumerate(chosen)]
    for start in range(0, len(appointments), 5000):
        made = Appointment.objects.bulk_create(appointments[start:start + 5000])
        AppointmentStatusChange.objects.bulk_create([AppointmentStatusChange(
            appointment=a, status=AppointmentStatus.BOOKED, at=now, by=actor.user)
            for a in made])
    sessions = ClinicSession.objects.filter(room__name=MARKER).count()
    print(f"  seeded {sessions:,} toxin clinic sessions, {len(slots):,} slots and "
          f"{len(appointments):,} bookings in {time.perf_counter() - started:.1f} s")


def _seed_cycles(*, actor, patients: list) -> None:
    from django.utils import timezone

    from collis.sites.models import Site
    from collis.treatments.models import Guidance, ToxinCycle
    from collis.treatments.services import toxin_last_cycle_rebuild

    if ToxinCycle.objects.filter(batch_number__startswith="BENCH").exists():
        return
    started = time.perf_counter()
    rng = random.Random(12)
    today = timezone.localdate()
    site = Site.objects.order_by("code").first()
    batch = []
    made = 0
    for patient_id in patients:
        last = today - dt.timedelta(days=rng.randint(10, 200))
        for given_on in (last - dt.timedelta(weeks=rng.randint(12, 20)), last):
            batch.append(ToxinCycle(
                patient_id=patient_id, given_on=given_on, product="onabotulinumtoxinA",
                batch_number=f"BENCH{made % 97:03d}", guidance=Guidance.EMG,
                injector=actor.user, site=site, created_by=actor.user))
            made += 1
        if len(batch) >= 10000:
            ToxinCycle.objects.bulk_create(batch)
            batch = []
    if batch:
        ToxinCycle.objects.bulk_create(batch)
    # Written in bulk, past the toxin services: their copy for the recall list is rebuilt.
    toxin_last_cycle_rebuild()
    print(f"  seeded {made:,} toxin cycles in {time.perf_counter() - started:.1f} s")


def scheduling_benchmark(*, client, user, requests: int) -> dict:
    """Time the slot search, booking and the recall list (the benchmark database is set up
    and seeded with patients by `collis.bench.web_benchmark`)."""
    from django.utils import timezone

    from collis.bench import GOAL_MS, _percentiles, _queries, _time
    from collis.core.audit import Actor
    from collis.core.services import database_statistics_refresh
    from collis.patients.models import Patient
    from collis.scheduling.models import Appointment, Slot
    from collis.sites.models import Site

    actor = Actor.command_line(user)
    patients = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    _seed_clinics(actor=actor, patients=patients)
    _seed_cycles(actor=actor, patients=patients)
    database_statistics_refresh()
    rng = random.Random(3)
    sites = list(Site.objects.order_by("code").values_list("pk", flat=True))
    booked = set(Appointment.objects.values_list("patient_id", flat=True))
    free_patients = [p for p in patients[-2000:] if p not in booked]
    find_urls = [f"/patients/{rng.choice(free_patients)}/appointments/find/"
                 f"?appointment_type=toxin&site={rng.choice(sites)}&clinician="
                 for _ in range(requests)]
    _time(client, find_urls[:10])
    find = _time(client, find_urls)
    # Booking: each request books a different patient into a free slot after the full weeks.
    after = timezone.now() + dt.timedelta(weeks=FULL_WEEKS)
    free = list(Slot.objects.filter(session__room__name=MARKER, starts_at__gt=after)
                .exclude(appointments__holds_slot=True).order_by("?")
                .values_list("pk", flat=True)[:requests])
    book = []
    for slot_id, patient_id in zip(free, free_patients[-len(free):], strict=False):
        started = time.perf_counter()
        response = client.post(f"/patients/{patient_id}/appointments/book/", {"slot": slot_id})
        book.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            raise RuntimeError(f"booking slot {slot_id} answered {response.status_code}")
    recall_urls = ["/clinics/recall/"] + [f"/clinics/recall/?site={rng.choice(sites)}"
                                          for _ in range(requests - 1)]
    _time(client, recall_urls[:5])
    recall = _time(client, recall_urls)
    from collis.scheduling.recall import recall_due

    due = recall_due(actor=actor, today=timezone.localdate()).count()
    results = {
        "find_ms": _percentiles(find), "book_ms": _percentiles(book),
        "recall_ms": _percentiles(recall), "find_queries": _queries(client, find_urls[0]),
        "recall_queries": _queries(client, recall_urls[0]), "due": due,
        "bookings": len(book),
    }
    print(f"  a year of toxin clinics at {len(sites)} sites; {due:,} patients due for toxin "
          f"of {len(patients):,}")
    for label, key, queries in (("next free slot", "find_ms", "find_queries"),
                                ("booking", "book_ms", None),
                                ("toxin recall", "recall_ms", "recall_queries")):
        p50, p95 = results[key]
        verdict = "meets" if p95 < GOAL_MS else "MISSES"
        count = f"{results[queries]} SQL queries" if queries else f"{len(book)} bookings"
        print(f"  {label:<15} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {count}   "
              f"({verdict} the p95 < {GOAL_MS:.0f} ms goal)")
    return results

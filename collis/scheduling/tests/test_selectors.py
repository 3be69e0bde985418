"""The next-free-slot search: looking over the next weeks first never changes the answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import selectors, services
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


def test_when_the_next_weeks_are_full_the_search_finds_the_slots_months_ahead(sites):
    actor = coordinator_actor()
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    full = clinic(clinicians=[nurse])
    for slot in full.slots.all():
        services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    near = clinic(clinicians=[nurse], day=timezone.localdate() + dt.timedelta(weeks=6))
    far = clinic(clinicians=[nurse], day=timezone.localdate() + dt.timedelta(weeks=30))
    found = selectors.slot_find_free(actor=actor, appointment_type="toxin", limit=4)
    assert [s.session for s in found] == [near, near, near, far]
    assert found == sorted(found, key=lambda s: (s.starts_at, s.pk))


def test_a_slot_with_a_cancelled_booking_is_free_again(sites):
    actor = coordinator_actor()
    session = clinic()
    slot = session.slots.order_by("starts_at").first()
    booked = services.appointment_book(patient=PatientFactory(), slot=slot, actor=actor)
    assert slot not in selectors.slot_find_free(actor=actor, appointment_type="toxin")
    services.appointment_cancel(appointment=booked, by_patient=True, reason="Away",
                                actor=actor)
    assert selectors.slot_find_free(actor=actor, appointment_type="toxin")[0] == slot

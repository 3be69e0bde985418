"""The timeline gathers every part of the record, newest first, in a fixed number of
queries, and audits the read once."""

import datetime
import random

import pytest
from django.urls import reverse

from collis.assessments.demo import demo_history as assessments_demo
from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.core.timeline import timeline_events_for
from collis.investigations.demo import demo_history as investigations_demo
from collis.patients.tests.factories import PatientFactory
from collis.treatments.tests.factories import ToxinCycleFactory, ToxinInjectionFactory


@pytest.fixture
def patient(sites):
    patient = PatientFactory()
    author = UserFactory(role=Role.NEUROLOGIST)
    assessments_demo(patient, random.Random(1), datetime.date(2026, 11, 1), author)
    investigations_demo(patient, random.Random(1), datetime.date(2026, 11, 1), author)
    return patient


def add_cycles(patient, count):
    for week in range(count):
        cycle = ToxinCycleFactory(patient=patient, given_on=datetime.date(2020, 1, 6)
                                  + datetime.timedelta(weeks=12 * week))
        ToxinInjectionFactory(cycle=cycle)


def test_timeline_is_newest_first_and_covers_every_part_of_the_record(patient):
    add_cycles(patient, 3)
    events = timeline_events_for(patient)
    assert [e.when for e in events] == sorted((e.when for e in events), reverse=True)
    kinds = {e.kind for e in events}
    assert "toxin" in kinds and len(kinds) >= 4


@pytest.mark.parametrize("cycles", [5, 100])
def test_timeline_page_queries_do_not_grow_with_100_events(client_as, patient, cycles,
                                                           django_assert_max_num_queries):
    add_cycles(patient, cycles)
    assert len(timeline_events_for(patient)) >= cycles
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    # Two queries at most per part of the record (seven parts), whatever the number of events.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("patients:patient_timeline", args=[patient.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="nhsuk-table__row">') >= cycles


def test_timeline_read_is_audited_once(client_as, patient):
    client = client_as(Role.PHYSIOTHERAPIST)
    client.get(reverse("patients:patient_timeline", args=[patient.pk]))
    assert AuditEvent.objects.filter(object_type="timeline", patient_id=patient.pk).count() == 1


def test_administrator_cannot_read_the_timeline(client_as, patient):
    response = client_as(Role.ADMINISTRATOR).get(reverse("patients:patient_timeline",
                                                         args=[patient.pk]))
    assert response.status_code == 403

"""The portal's pages read the database a bounded number of times: no more with many
appointments and accesses than with one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import portal_client
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db
PAGES = ("/portal/", "/portal/appointments/", "/portal/access/", "/portal/documents/",
         "/portal/questionnaires/", "/portal/my-data/")
MOST = 30


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return len(queries)


def test_portal_pages_read_a_bounded_number_of_times(sites, user_with_role, client_as):
    patient = PatientFactory()
    session = clinic(capacity=5)
    slots = list(session.slots.order_by("starts_at"))
    scheduling.appointment_book(patient=patient, slot=slots[0], actor=coordinator_actor())
    client = portal_client(patient, by=user_with_role(Role.NURSE_SPECIALIST))
    few = {path: _queries(client, path) for path in PAGES}
    for slot in slots[1:4]:
        scheduling.appointment_book(patient=patient, slot=slot, actor=coordinator_actor())
    doctor = client_as(Role.NEUROLOGIST)
    for _ in range(5):
        doctor.get(f"/patients/{patient.pk}/")
    many = {path: _queries(client, path) for path in PAGES}
    assert many == few
    assert max(many.values()) <= MOST, many

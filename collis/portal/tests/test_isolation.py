"""Isolation (issue 13, item 7): a patient signed in to the portal requests every page of
Collis, portal and staff alike, with another patient's identifiers, and never sees or
changes anything of theirs: each answer is a refusal or a page without them, and the audit
log gains no entry about the other patient. A patient's own identifiers do not open staff
pages either: a patient account has no capability."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver

from collis.core.models import AuditEventPatient
from collis.core.roles import Role
from collis.core.tests.test_house_rules import _views
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import invite, portal_client
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db

# 401: the FHIR API, which answers only a bearer token, never a portal session.
REFUSED = {302, 401, 403, 404, 405}


def _book(patient, session, n):
    slot = session.slots.order_by("starts_at")[n]
    return scheduling.appointment_book(patient=patient, slot=slot, actor=coordinator_actor())


@pytest.fixture
def two_patients(sites, user_with_role, client_as):
    nurse = user_with_role(Role.NURSE_SPECIALIST)
    mine, theirs = PatientFactory(), PatientFactory()
    session = clinic(capacity=2)
    _book(mine, session, 0)
    their_appointment = _book(theirs, session, 1)
    their_invitation, _secret = invite(theirs, by=nurse)
    # Staff read the other patient's record, so that entries about them exist to probe.
    client_as(Role.NEUROLOGIST).get(f"/patients/{theirs.pk}/")
    their_event = AuditEventPatient.objects.filter(patient_id=theirs.pk).order_by(
        "-at").first().event_id
    client = portal_client(mine, by=nurse)
    ids = {their_appointment.pk, their_invitation.pk, their_event}
    return client, mine, theirs, ids


def _paths(route: str, patient_id, ids) -> list[str]:
    """The route with the patient's id and each of the integer ids in turn."""
    path = "/" + route.replace("<uuid:patient_id>", str(patient_id))
    path = re.sub(r"<(str|slug):\w+>", "x", path)
    if not re.search(r"<int:\w+>", path):
        return [path]
    return [re.sub(r"<int:\w+>", str(pk), path) for pk in sorted(ids)]


def _routes():
    return [(route, view) for route, view in _views(get_resolver().url_patterns)]


def test_no_page_shows_or_changes_another_patients_data(two_patients):
    client, _mine, theirs, ids = two_patients
    before = AuditEventPatient.objects.filter(patient_id=theirs.pk).count()
    checked = 0
    for route, _view in _routes():
        for path in _paths(route, theirs.pk, ids):
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                checked += 1
                body = response.content.decode(errors="replace")
                assert theirs.nhs_number not in body, (method, path)
                assert theirs.family_name not in body, (method, path)
                if "<uuid:patient_id>" in route or "<int:" in route:
                    assert response.status_code in REFUSED, (method, path,
                                                              response.status_code)
    assert checked > 200
    assert AuditEventPatient.objects.filter(patient_id=theirs.pk).count() == before


def test_a_patient_reaches_no_staff_page_even_with_their_own_identifiers(two_patients):
    client, mine, _theirs, _ids = two_patients
    own = set(mine.appointments.values_list("pk", flat=True))
    staff_pages = 0
    for route, view in _routes():
        if getattr(view, "portal", False) or getattr(view, "public", False):
            continue
        for path in _paths(route, mine.pk, own or {1}):
            response = client.get(path)
            if getattr(view, "signed_in_only", False):
                assert response.status_code in REFUSED, (path, response.status_code)
                continue
            staff_pages += 1
            assert response.status_code in {403, 405}, (path, response.status_code)
    assert staff_pages > 50

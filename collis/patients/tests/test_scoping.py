"""Reads are scoped to who asks: staff see their own unit's patients, a patient account only
its own record, anyone else nobody; pages and the API answer 404 for a record outside
one's reach, as if it did not exist."""

import pytest
from django.http import Http404
from django.test import Client

from collis.core.audit import Actor
from collis.core.models import AccountType, AuditEvent, Organisation
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.patients.models import Patient
from collis.patients.selectors import PatientQuery, patient_get, patient_search
from collis.patients.tests.factories import PatientFactory
from collis.sites.models import Site


@pytest.fixture
def other_unit(db, sites):
    unit = Organisation.objects.create(code="north", name="Northern dystonia unit")
    site = Site.objects.create(code="north-clinic", name="Northern clinic",
                               address="1 North Road\nLeeds", postcode="LS1 1AA",
                               organisation=unit)
    return unit, site


@pytest.fixture
def two_patients(other_unit):
    unit, site = other_unit
    ours = PatientFactory(given_name="Ours", family_name="Scopetest")
    theirs = PatientFactory(given_name="Theirs", family_name="Scopetest", home_site=site)
    return ours, theirs


def test_staff_see_only_their_own_units_patients(two_patients, other_unit):
    ours, theirs = two_patients
    ours_staff = UserFactory(role=Role.NEUROLOGIST)
    their_staff = UserFactory(role=Role.NEUROLOGIST, organisation=other_unit[0])
    assert list(Patient.objects.visible_to(ours_staff)) == [ours]
    assert list(Patient.objects.visible_to(their_staff)) == [theirs]


def test_a_patient_account_sees_only_its_own_record(two_patients):
    ours, _ = two_patients
    account = UserFactory(account_type=AccountType.PATIENT, role="", organisation=None)
    assert not Patient.objects.visible_to(account).exists()
    ours.portal_account = account
    ours.save()
    assert list(Patient.objects.visible_to(account)) == [ours]


def test_anyone_else_sees_nobody(two_patients):
    from django.contrib.auth.models import AnonymousUser

    no_unit = UserFactory(role=Role.NEUROLOGIST, organisation=None)
    inactive = UserFactory(role=Role.NEUROLOGIST, is_active=False)
    for user in (AnonymousUser(), None, no_unit, inactive):
        assert not Patient.objects.visible_to(user).exists()


def test_patient_get_refuses_another_units_patient_as_not_found(two_patients):
    _, theirs = two_patients
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    with pytest.raises(Http404):
        patient_get(patient_id=theirs.pk, actor=actor)
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


def test_search_never_shows_another_units_patient(two_patients):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    page = patient_search(query=PatientQuery(text="scopetest"), page_number=1, per_page=20,
                          actor=actor)
    assert [p.given_name for p in page.object_list] == ["Ours"]


def test_pages_and_api_answer_404_for_another_units_patient(two_patients):
    ours, theirs = two_patients
    user = UserFactory(role=Role.NEUROLOGIST)
    client = Client()
    client.force_login(user)
    assert client.get(f"/patients/{ours.pk}/").status_code == 200
    for path in ("", "edit/", "timeline/", "diagnosis/", "examinations/", "scales/",
                 "toxin/", "medication/", "therapy/", "investigations/", "candidacy/",
                 "pathway/"):
        response = client.get(f"/patients/{theirs.pk}/{path}")
        assert response.status_code == 404, path
    token = api_token_create(user=user, name="test", actor=Actor.command_line(user))
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"/api/v1/patients/{ours.pk}").status_code == 200
    for path in ("", "/diagnosis", "/examinations", "/scales", "/toxin-cycles",
                 "/medications", "/therapy-sessions", "/investigations",
                 "/candidacy-assessments"):
        response = api.get(f"/api/v1/patients/{theirs.pk}{path}")
        assert response.status_code == 404, path
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


def test_a_page_showing_a_patient_is_audited_once_per_request(two_patients):
    ours, _ = two_patients
    client = Client()
    client.force_login(UserFactory(role=Role.NEUROLOGIST))
    client.get(f"/patients/{ours.pk}/")
    assert AuditEvent.objects.filter(patient_id=ours.pk, object_type="patient").count() == 1

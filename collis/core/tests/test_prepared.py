"""Row queries compiled once (collis.core.prepared) give the rows their querysets give, for
every patient, with the same types, on SQLite and PostgreSQL."""

import datetime
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from collis.assessments import timeline as assessments_timeline
from collis.assessments.tests.factories import make_diagnosis, make_examination, make_twstrs
from collis.core.prepared import MARKER, PreparedQuery, patient_rows
from collis.patients.tests.factories import PatientFactory
from collis.treatments import timeline as treatments_timeline
from collis.treatments.models import ToxinCycle
from collis.treatments.tests.factories import (
    MedicationFactory,
    ResistanceTestFactory,
    TherapySessionFactory,
    cycle_with,
)

pytestmark = pytest.mark.django_db

PREPARED = {
    "assessments": (assessments_timeline._UNION, assessments_timeline._union),
    "treatment cycles": (treatments_timeline._CYCLES, treatments_timeline._cycles),
    "other treatments": (treatments_timeline._OTHERS, treatments_timeline._others),
}


def _records(patient, day):
    make_diagnosis(patient)
    make_examination(patient, examined_on=day)
    make_twstrs(patient, assessed_on=day)
    cycle_with(patient, day, benefit=60, weeks=10)
    MedicationFactory(patient=patient, started_on=day, stopped_on=day + datetime.timedelta(9),
                      stop_reason="Dry mouth")
    TherapySessionFactory(patient=patient, session_on=day)
    ResistanceTestFactory(patient=patient, tested_on=day)


@pytest.mark.parametrize("name", sorted(PREPARED))
def test_prepared_rows_are_the_querysets_rows_for_each_patient(name):
    prepared, build = PREPARED[name]
    first, second, empty = PatientFactory(), PatientFactory(), PatientFactory()
    _records(first, datetime.date(2026, 3, 2))
    _records(second, datetime.date(2026, 4, 6))
    for patient in (first, second, empty, first):
        rows = prepared.rows(patient_id=patient.pk)
        assert sorted(rows, key=repr) == sorted(build(patient.pk), key=repr)
        assert all(type(a) is type(b) for row, expected in zip(
            sorted(rows, key=repr), sorted(build(patient.pk), key=repr), strict=True)
            for a, b in zip(row, expected, strict=True))
    assert prepared.rows(patient_id=first.pk) != prepared.rows(patient_id=second.pk)
    assert prepared.rows(patient_id=empty.pk) == []


def test_a_query_without_the_patient_is_refused():
    prepared = patient_rows(lambda patient_id: ToxinCycle.objects.values_list("pk"))
    with pytest.raises(ValueError, match="no patient_id"):
        prepared.rows(patient_id=MARKER)


def test_a_query_that_prefetches_is_refused():
    prepared = patient_rows(lambda patient_id: ToxinCycle.objects.filter(
        patient=patient_id).prefetch_related("injections"))
    with pytest.raises(ValueError, match="prefetch"):
        prepared.instances(patient_id=MARKER)


def _same_instance(ours, theirs):
    assert type(ours) is type(theirs)
    for field in theirs._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.name
    assert ours._state.db == theirs._state.db and not ours._state.adding


def test_instances_with_their_related_rows_are_the_querysets(django_assert_num_queries):
    from collis.patients.models import Patient
    from collis.patients.selectors import _STAFF_PATIENT

    patient = PatientFactory()
    other_unit = PatientFactory()
    expected = Patient.objects.select_related("home_site", "updated_by").get(pk=patient.pk)
    with django_assert_num_queries(1):
        (found,) = _STAFF_PATIENT.instances(organisation_id=patient.organisation_id,
                                            patient_id=patient.pk)
        _same_instance(found, expected)
        _same_instance(found.home_site, expected.home_site)
        assert found.updated_by == expected.updated_by
    assert _STAFF_PATIENT.instances(organisation_id=patient.organisation_id + 1000,
                                    patient_id=patient.pk) == []
    assert other_unit.pk != patient.pk


def test_sessions_and_users_read_by_prepared_queries_match_the_orm(client):
    from django.contrib.auth import get_user_model

    from collis.core.backends import ModelBackend
    from collis.core.models import UserSession as Session
    from collis.core.sessions import SessionStore
    from collis.core.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    store = SessionStore(session_key=key)
    assert store.load() == Session.objects.get(session_key=key).get_decoded()
    assert SessionStore(session_key="no-such-session-key-0123456789").load() == {}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert SessionStore(session_key=key).load() == {}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(hours=1))
    _same_instance(ModelBackend().get_user(user.pk), get_user_model().objects.get(pk=user.pk))
    assert ModelBackend().get_user(user.pk + 1000) is None
    assert ModelBackend().get_user("not a number") is None
    user.is_active = False
    user.save()
    assert ModelBackend().get_user(user.pk) is None


def test_a_kind_of_value_without_a_marker_is_refused():
    with pytest.raises(ValueError, match="must be one of"):
        PreparedQuery(lambda when: ToxinCycle.objects.filter(given_on=when),
                      when=datetime.date)


def test_several_values_of_one_kind_each_find_their_place():
    first, second = PatientFactory(), PatientFactory()
    cycle_with(first, datetime.date(2026, 3, 2))
    cycle_with(second, datetime.date(2026, 4, 6))
    prepared = PreparedQuery(
        lambda one, other, low, high: ToxinCycle.objects.filter(
            patient_id__in=[one, other], injections__units__gte=low,
            injections__units__lte=high).values_list("patient_id", "injections__units")
        .order_by("given_on", "injections__units"),
        one=uuid.UUID, other=uuid.UUID, low=int, high=int)
    assert prepared.rows(one=first.pk, other=second.pk, low=50, high=100) == [
        (first.pk, 60), (first.pk, 100), (second.pk, 60), (second.pk, 100)]
    assert prepared.rows(one=second.pk, other=second.pk, low=41, high=60) == [(second.pk, 60)]


def test_a_request_reads_its_session_and_user_in_one_query(client):
    from django.test.utils import CaptureQueriesContext

    from collis.core.models import UserSession
    from collis.core.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    assert UserSession.objects.get(session_key=client.cookies["sessionid"].value).user == user
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code in (200, 302)
    sql = [q["sql"] for q in queries]
    assert not [q for q in sql if 'FROM "core_user" ' in q]  # no read of the user alone
    assert [q for q in sql if 'FROM "core_usersession" LEFT OUTER JOIN "core_user"' in q]


def test_the_session_data_decides_the_user_not_the_column(client):
    """A session whose column names another user (it cannot happen through the store, but
    the data is the truth) reads the user the data names."""
    from collis.core.models import UserSession
    from collis.core.tests.factories import UserFactory

    user, other = UserFactory(), UserFactory()
    client.force_login(user)
    UserSession.objects.filter(session_key=client.cookies["sessionid"].value).update(user=other)
    response = client.get("/")
    assert response.wsgi_request.user == user


def test_a_session_without_the_column_still_signs_in_and_an_inactive_user_is_refused(client):
    """Sessions copied from before the column (no user id) read the user by its own query;
    a user made inactive is signed out whichever way they were read."""
    from collis.core.models import UserSession
    from collis.core.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    UserSession.objects.filter(session_key=key).update(user=None)
    assert client.get("/").wsgi_request.user == user
    UserSession.objects.filter(session_key=key).update(user=user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated

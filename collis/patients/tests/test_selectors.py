import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.selectors import PatientQuery, patient_list_matching, patient_search
from collis.patients.tests.factories import PatientFactory


@pytest.fixture
def people(sites):
    return {
        "jo": PatientFactory(given_name="Jo", family_name="Peppercorn",
                             date_of_birth=datetime.date(1980, 3, 4)),
        "joe": PatientFactory(given_name="Joe", family_name="Pepper",
                              date_of_birth=datetime.date(1975, 1, 1)),
        "ann": PatientFactory(given_name="Ann", family_name="O'Brien",
                              date_of_birth=datetime.date(1980, 3, 4)),
    }


def names(query):
    return sorted(p.given_name for p in patient_list_matching(query))


def test_search_by_nhs_number_with_spaces(people):
    number = people["ann"].nhs_number
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert names(PatientQuery(text=spaced)) == ["Ann"]


def test_search_by_family_name_prefix_is_case_insensitive(people):
    assert names(PatientQuery(text="pepp")) == ["Jo", "Joe"]
    assert names(PatientQuery(text="PEPPERC")) == ["Jo"]


def test_search_by_given_and_family_name(people):
    assert names(PatientQuery(text="joe pepper")) == ["Joe"]
    assert names(PatientQuery(text="Pepper, Jo")) == ["Jo", "Joe"]


def test_search_ignores_punctuation_in_names(people):
    assert names(PatientQuery(text="obrien")) == ["Ann"]
    assert names(PatientQuery(text="O'Br")) == ["Ann"]


def test_search_by_date_of_birth_alone_and_with_name(people):
    born = datetime.date(1980, 3, 4)
    assert names(PatientQuery(date_of_birth=born)) == ["Ann", "Jo"]
    assert names(PatientQuery(text="pepp", date_of_birth=born)) == ["Jo"]


def test_search_audits_each_patient_shown(people):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    page = patient_search(query=PatientQuery(text="pepp"), page_number=1, per_page=25,
                          actor=actor)
    assert len(page.object_list) == 2
    audited = set(AuditEvent.objects.filter(action=AuditAction.SEARCH)
                  .values_list("patient_id", flat=True))
    assert audited == {people["jo"].pk, people["joe"].pk}


def test_search_returning_nobody_writes_no_audit_entry(people):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    patient_search(query=PatientQuery(text="zzz"), page_number=1, per_page=25, actor=actor)
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_search_is_paginated(sites):
    PatientFactory.create_batch(30, family_name="Thistlewood")
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    page = patient_search(query=PatientQuery(text="thistle"), page_number=2, per_page=25,
                          actor=actor)
    assert page.paginator.count == 30 and len(page.object_list) == 5

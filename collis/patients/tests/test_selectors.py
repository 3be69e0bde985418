import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.selectors import (
    PatientQuery,
    patient_access_history,
    patient_list_matching,
    patient_search,
)
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
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    return sorted(p.given_name for p in patient_list_matching(query, actor=actor))


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
    # One entry for the page, listed in the access history of each patient it showed.
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.patient_id is None
    assert sorted(event.details["patients"]) == sorted(
        [people["jo"].nhs_number, people["joe"].nhs_number])
    for name in ("jo", "joe"):
        assert list(AuditEvent.objects.for_patient(people[name].pk)) == [event]
    assert not AuditEvent.objects.for_patient(people["ann"].pk).exists()


def test_access_history_lists_each_search_page_that_showed_the_patient(people):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    for text in ("pepp", "peppercorn", "jo pepp", "ann"):
        patient_search(query=PatientQuery(text=text), page_number=1, per_page=25, actor=actor)
    history = patient_access_history(patient=people["jo"], actor=actor)
    searches = [e for e in history.events if e.action == AuditAction.SEARCH]
    assert len(searches) == 3          # "ann" did not show Jo
    assert all(people["jo"].nhs_number in e.details["patients"] for e in searches)


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


@pytest.fixture
def irish_and_welsh(sites):
    return {
        "sian": PatientFactory(given_name="Siân", family_name="O'Hara"),
        "sean": PatientFactory(given_name="Seán", family_name="Smith-Jones"),
        "other": PatientFactory(given_name="Harriet", family_name="Sianson"),
    }


@pytest.mark.parametrize("typed, expected", [
    ("Siân", ["Harriet", "Siân"]),          # given name, and a family name starting Sian
    ("sian", ["Harriet", "Siân"]),          # without the accent
    ("O'Hara", ["Siân"]),
    ("ohara", ["Siân"]),
    ("hara", ["Siân"]),                     # a part of the family name
    ("hara siân", ["Siân"]),                # family then given
    ("siân o'hara", ["Siân"]),              # given then family
    ("si oh", ["Siân"]),                    # prefixes of both
    ("O'Hara, Siân", ["Siân"]),             # "Family, Given"
    ("jones", ["Seán"]),                    # the second part of a double-barrelled name
    ("smith-jones sean", ["Seán"]),
    ("sean hara", []),                      # words of two different people
])
def test_search_finds_what_people_type(irish_and_welsh, typed, expected):
    assert names(PatientQuery(text=typed)) == sorted(expected)


@pytest.mark.parametrize("typed", ["%", "0", "🙂", "_", "''", "--", "12"])
def test_a_query_that_cannot_match_gets_a_message_not_the_registry(irish_and_welsh, typed):
    query = PatientQuery(text=typed)
    assert query.problem.startswith("Enter a name")
    assert names(query) == []


@pytest.mark.parametrize("typed", ["\x00", "O\x00Hara", "\x00 Sian"])
def test_a_query_with_a_null_character_is_refused_before_it_reaches_the_database(
        irish_and_welsh, typed):
    query = PatientQuery(text=typed)
    assert query.problem == "Remove the null character from the search"
    assert names(query) == []


def test_renaming_a_patient_updates_what_finds_them(irish_and_welsh):
    patient = irish_and_welsh["sian"]
    patient.family_name = "Llewellyn"
    patient.save()
    assert names(PatientQuery(text="hara")) == []
    assert names(PatientQuery(text="llew")) == ["Siân"]


def test_an_nhs_number_in_fullwidth_digits_is_found(people):
    number = people["ann"].nhs_number
    fullwidth = "".join(chr(ord(d) + 0xFEE0) for d in number)
    assert names(PatientQuery(text=fullwidth)) == ["Ann"]


@pytest.mark.parametrize("text", ["pep", "jo pep", "pepper jo", "o brien ann", "jo pe pepp",
                                  "nobody", "jo pep pep pep"])
def test_a_prepared_name_search_finds_what_the_orm_search_finds_in_its_order(people, text):
    from collis.patients import selectors
    from collis.patients.models import Patient, PatientNameToken

    for n in range(25):  # more than a page, and a second unit that must stay out of it
        PatientFactory(given_name=f"Jo{chr(65 + n)}", family_name="Pepperell")
    from collis.core.models import Organisation

    PatientFactory(given_name="Jo", family_name="Pepper",
                   organisation=Organisation.objects.create(code="north", name="Another unit"))
    user = UserFactory(role=Role.NEUROLOGIST)
    words = PatientQuery(text=text).name_words
    visible = PatientNameToken.objects.visible_to(user)
    tokens = visible.matching(words[0])
    for word in words[1:]:
        tokens = tokens.filter(patient__in=visible.matching(word).values("patient_id"))
    orm = selectors._NameMatches(
        Patient.objects.visible_to(user).select_related("home_site"), tokens)
    matches = patient_list_matching(PatientQuery(text=text), actor=Actor.command_line(user))
    assert (type(matches) is selectors._PreparedNameMatches) == (len(words) <= 3)
    assert len(matches) == len(orm)
    for page in (slice(0, 20), slice(20, 40)):
        assert [p.pk for p in matches[page]] == [p.pk for p in orm[page]]
        assert all(p.home_site == q.home_site for p, q in zip(matches[page], orm[page],
                                                               strict=True))


def test_a_name_search_is_ordered_by_code_point_and_each_patient_listed_once(sites):
    # SMITH JOHN comes before SMITHE ANN by code point (a space sorts before letters); a
    # language's collation, which skips spaces, would put them the other way round. Both
    # of Jo Smith-Smithers's tokens match "smith", and she is listed once.
    PatientFactory(given_name="Ann", family_name="Smithe")
    PatientFactory(given_name="John", family_name="Smith")
    PatientFactory(given_name="Jo", family_name="Smith-Smithers")
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    matches = patient_list_matching(PatientQuery(text="smith"), actor=actor)
    assert len(matches) == 3
    assert [p.given_name for p in matches[0:25]] == ["John", "Ann", "Jo"]
    assert [p.given_name for p in matches] == ["John", "Ann", "Jo"]
    assert matches[-1].given_name == "Jo" and matches[1].given_name == "Ann"
    with pytest.raises(IndexError):
        matches[3]


def test_a_name_search_page_counts_and_reads_its_ids_in_one_statement(
        sites, django_assert_num_queries):
    for n in range(30):
        PatientFactory(given_name=f"Jo{chr(65 + n % 26)}{n}", family_name="Quennell")
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    everyone = [p.pk for p in patient_list_matching(PatientQuery(text="quen"), actor=actor)[0:30]]
    assert len(everyone) == 30
    # The second page of 20: one statement counts the matches and finds the page's ids,
    # one reads the page's patients.
    with django_assert_num_queries(2):
        matches = patient_list_matching(PatientQuery(text="quen"), actor=actor,
                                        first=slice(20, 40))
        assert matches.count() == 30
        assert [p.pk for p in matches[20:30]] == everyone[20:30]
    # A page beyond the last is shown as the last page, as Paginator does, and counted.
    page = patient_search(query=PatientQuery(text="quen"), page_number=9, per_page=20,
                          actor=actor)
    assert page.number == 2 and page.paginator.count == 30
    assert [p.pk for p in page.object_list] == everyone[20:30]
    first = patient_search(query=PatientQuery(text="quen"), page_number="not a number",
                           per_page=20, actor=actor)
    assert first.number == 1 and [p.pk for p in first.object_list] == everyone[:20]

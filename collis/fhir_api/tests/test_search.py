import datetime as dt

import pytest
from django.http import QueryDict

from collis.fhir_api.outcomes import FhirError
from collis.fhir_api.search import (
    DateRange,
    ParamType,
    SearchParam,
    Token,
    parse_date,
    parse_search,
    parse_token,
)

UTC = dt.UTC
PARAMS = {p.name: p for p in (
    SearchParam("identifier", ParamType.TOKEN, ""),
    SearchParam("name", ParamType.STRING, ""),
    SearchParam("birthdate", ParamType.DATE, ""),
    SearchParam("_lastUpdated", ParamType.DATE, "", with_time=True),
    SearchParam("patient", ParamType.REFERENCE, ""),
)}


def _search(query: str):
    return parse_search(QueryDict(query), PARAMS, default_count=20, max_count=100, zone=UTC,
                        reference_targets={"patient": "Patient"})


@pytest.mark.parametrize(("text", "expected"), [
    ("1974", DateRange("eq", dt.date(1974, 1, 1), dt.date(1975, 1, 1))),
    ("1974-05", DateRange("eq", dt.date(1974, 5, 1), dt.date(1974, 6, 1))),
    ("1974-12", DateRange("eq", dt.date(1974, 12, 1), dt.date(1975, 1, 1))),
    ("2024-02", DateRange("eq", dt.date(2024, 2, 1), dt.date(2024, 3, 1))),
    ("ge1974-05-17", DateRange("ge", dt.date(1974, 5, 17), dt.date(1974, 5, 18))),
    ("lt2000-01-01", DateRange("lt", dt.date(2000, 1, 1), dt.date(2000, 1, 2))),
])
def test_a_date_covers_the_interval_of_its_precision(text, expected):
    assert parse_date("birthdate", text, with_time=False, zone=UTC) == expected


def test_a_time_needs_a_zone_and_a_parameter_that_takes_one():
    moment = parse_date("_lastUpdated", "gt2026-03-02T10:15:00+01:00", with_time=True, zone=UTC)
    assert moment.lo == dt.datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    with pytest.raises(FhirError, match="time zone"):
        parse_date("_lastUpdated", "2026-03-02T10:15:00", with_time=True, zone=UTC)
    with pytest.raises(FhirError, match="without a time"):
        parse_date("birthdate", "2026-03-02T10:15:00Z", with_time=False, zone=UTC)


def test_a_date_only_value_of_a_time_parameter_is_read_in_the_local_zone():
    london = dt.timezone(dt.timedelta(hours=1))
    value = parse_date("_lastUpdated", "2026-06-01", with_time=True, zone=london)
    assert value.lo == dt.datetime(2026, 6, 1, tzinfo=london)
    assert value.hi == dt.datetime(2026, 6, 2, tzinfo=london)


@pytest.mark.parametrize(("text", "problem"), [
    ("17/05/1974", "is not a FHIR date"),
    ("1974-02-30", "not a real date"),
    ("sa1974", "prefix 'sa' is not supported"),
])
def test_a_bad_date_is_refused_naming_the_parameter(text, problem):
    with pytest.raises(FhirError, match=problem) as error:
        parse_date("birthdate", text, with_time=False, zone=UTC)
    assert error.value.status == 400 and str(error.value).startswith("birthdate:")


def test_tokens_carry_their_system_when_given():
    assert parse_token("identifier", "https://fhir.nhs.uk/Id/nhs-number|9990000018") == Token(
        "https://fhir.nhs.uk/Id/nhs-number", "9990000018")
    assert parse_token("identifier", "9990000018") == Token(None, "9990000018")
    assert parse_token("identifier", "|9990000018") == Token("", "9990000018")
    with pytest.raises(FhirError, match="after the '|'"):
        parse_token("identifier", "https://fhir.nhs.uk/Id/nhs-number|")


def test_a_search_reads_its_parameters_by_type():
    search = _search("identifier=a,b&name=jo&name=smith&birthdate=ge1970&patient=Patient/x"
                     "&_count=5&_cursor=abc")
    assert search.values("identifier") == [[Token(None, "a"), Token(None, "b")]]
    assert search.values("name") == ["jo", "smith"]
    assert search.values("birthdate")[0].prefix == "ge"
    assert search.values("patient") == [["x"]]
    assert (search.count, search.cursor) == (5, "abc")


def test_count_is_capped_at_the_most_a_page_may_hold():
    assert _search("_count=5000").count == 100


@pytest.mark.parametrize(("query", "problem"), [
    ("colour=blue", "colour: this search parameter is not supported"),
    ("name:contains=jo", "name:contains: the modifier ':contains' is not supported"),
    ("_count=ten", "_count: 'ten' is not a whole number"),
    ("_count=0", "_count: must be 1 or more"),
    ("name=", "name: give a value"),
    ("patient=Practitioner/1", "patient: refers to Patient resources"),
])
def test_a_search_that_cannot_be_done_as_asked_is_refused(query, problem):
    with pytest.raises(FhirError, match=problem) as error:
        _search(query)
    assert error.value.status == 400

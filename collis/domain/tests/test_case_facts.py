"""Case facts: schema validation at the boundary, errors with field paths and allowed values."""

from __future__ import annotations

import copy
import datetime

import pytest

from collis.domain.case_facts import (
    CaseFacts,
    CaseFactsError,
    Tremor,
    build_case_facts,
    load_case_facts,
    parse_case_facts,
    validate_case_facts,
)
from collis.domain.classification import Distribution
from collis.domain.muscles import MuscleSide
from collis.domain.phenotype import Pattern, Side
from collis.domain.tests.support import load_case
from collis.domain.toxin import Product, ResponsePattern

EXAMPLE = load_case("contract_example")["facts"]


def with_change(path: str, value):
    data = copy.deepcopy(EXAMPLE)
    target = data
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


def problems(data) -> list[str]:
    return [str(p) for p in validate_case_facts(data)]


def test_contract_example_parses_into_typed_facts():
    facts = parse_case_facts(EXAMPLE)
    assert facts.dystonia.distribution is Distribution.FOCAL
    assert facts.patterns[0].pattern is Pattern.TORTICAPUT
    assert facts.patterns[0].side is Side.RIGHT
    assert facts.muscles[0].side is MuscleSide.LEFT
    assert facts.tremor is Tremor.MILD
    cycle = facts.botulinum_toxin.cycles[0]
    assert cycle.date == datetime.date(2023, 1, 10)
    assert cycle.product is Product.ABOBOTULINUMTOXIN_A
    assert facts.botulinum_toxin.response_pattern is ResponsePattern.SECONDARY_NON_RESPONSE


def test_typed_facts_round_trip_to_the_contract_shape():
    assert parse_case_facts(EXAMPLE).as_dict() == EXAMPLE


def test_absent_fields_are_unknown_not_false():
    facts = parse_case_facts({"schema": "collis-case/1"})
    assert facts.health.fit_for_general_anaesthetic is None
    assert facts.patterns is None
    assert facts.muscles is None
    assert facts == CaseFacts()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "dystonia.distribution",
            "focall",
            "dystonia.distribution: 'focall' is not allowed; allowed values: focal, segmental, "
            "multifocal, hemidystonia, generalised",
        ),
        (
            "tremor",
            "wobbly",
            "tremor: 'wobbly' is not allowed; allowed values: none, mild, moderate, severe",
        ),
        (
            "patterns.0.pattern",
            "twist",
            "patterns[0].pattern: 'twist' is not allowed; allowed values: torticaput",
        ),
        (
            "muscles.1.muscle",
            "deltoid",
            "muscles[1].muscle: 'deltoid' is not allowed; allowed values: sternocleidomastoid",
        ),
        (
            "botulinum_toxin.cycles.0.product",
            "botox",
            "botulinum_toxin.cycles[0].product: 'botox' is not allowed",
        ),
        (
            "botulinum_toxin.response_pattern",
            "great",
            "allowed values: good_response, partial_response, secondary_non_response, "
            "primary_non_response",
        ),
        (
            "work_up.videofluoroscopy",
            "done",
            "work_up.videofluoroscopy: 'done' is not allowed; allowed values: normal, abnormal",
        ),
    ],
)
def test_unknown_vocabulary_word_names_field_and_allowed_values(path, value, expected):
    found = problems(with_change(path, value))
    assert len(found) == 1
    assert expected in found[0]
    assert found[0].startswith(path.split(".")[0])


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("patterns.0.severity", 5, "patterns[0].severity: 5 is out of range; allowed 0 to 4"),
        ("patterns.0.severity", -1, "patterns[0].severity: -1 is out of range; allowed 0 to 4"),
        ("twstrs.severity", 36, "twstrs.severity: 36 is out of range; allowed 0 to 35"),
        ("twstrs.disability", 31, "twstrs.disability: 31 is out of range; allowed 0 to 30"),
        ("twstrs.pain", 20.5, "twstrs.pain: 20.5 is out of range; allowed 0 to 20"),
        ("age", 131, "age: 131 is out of range; allowed 0 to 130"),
        ("botulinum_toxin.cycles.0.benefit_percent", 101, "out of range; allowed 0 to 100"),
        (
            "botulinum_toxin.cycles.0.units",
            0,
            "botulinum_toxin.cycles[0].units: 0 is out of range; allowed more than 0",
        ),
    ],
)
def test_number_out_of_range_names_field_and_range(path, value, expected):
    found = problems(with_change(path, value))
    assert len(found) == 1
    assert expected in found[0]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("age", "52", "age: expected a whole number, got a string"),
        ("age", 52.5, "age: expected a whole number, got a number"),
        ("tremor", None, "tremor:"),
        ("work_up.emg_mapping", "yes", "work_up.emg_mapping: expected true or false, got a string"),
        ("patterns", {"pattern": "torticaput"}, "patterns: expected a list, got an object"),
        ("dystonia", "focal", "dystonia: expected an object, got a string"),
    ],
)
def test_wrong_type_names_field_and_expected_type(path, value, expected):
    found = problems(with_change(path, value))
    assert found and found[0].startswith(expected)


def test_unknown_field_is_refused_listing_allowed_fields():
    found = problems(with_change("tremmor", "mild"))
    assert found == [f"tremmor: unknown field; allowed fields here: {', '.join(EXAMPLE_KEYS)}"]


EXAMPLE_KEYS = [
    "schema",
    "age",
    "dystonia",
    "patterns",
    "tremor",
    "muscles",
    "twstrs",
    "botulinum_toxin",
    "work_up",
    "health",
    "preferences",
]


def test_schema_line_is_required_and_fixed():
    assert problems({}) == ["schema: required field is missing; allowed: collis-case/1"]
    assert problems({"schema": "collis-case/2"}) == [
        "schema: 'collis-case/2' is not allowed; allowed value: collis-case/1"
    ]


def test_pattern_and_muscle_names_are_required_in_their_entries():
    assert problems({"schema": "collis-case/1", "patterns": [{"side": "left"}]}) == [
        "patterns[0].pattern: required field is missing"
    ]
    assert problems({"schema": "collis-case/1", "muscles": [{"side": "left"}]}) == [
        "muscles[0].muscle: required field is missing"
    ]


def test_sagittal_pattern_with_a_side_is_refused():
    found = problems(
        {"schema": "collis-case/1", "patterns": [{"pattern": "retrocollis", "side": "left"}]}
    )
    assert len(found) == 1
    assert found[0].startswith("patterns[0].side: side must be absent for a sagittal pattern")


@pytest.mark.parametrize("date", ["2023-13-01", "10/01/2023", "20230110"])
def test_bad_dates_are_refused(date):
    found = problems(with_change("botulinum_toxin.cycles.0.date", date))
    assert found and found[0].startswith("botulinum_toxin.cycles[0].date:")
    assert "YYYY-MM-DD" in found[0]


def test_onset_after_current_age_is_refused():
    found = problems(with_change("dystonia.onset_age", 60))
    assert found == ["dystonia.onset_age: 60 is out of range; allowed 0 to age (52)"]


def test_repeated_regions_are_refused():
    found = problems(with_change("dystonia.regions", ["neck", "neck"]))
    assert found == ["dystonia.regions: values must not repeat"]


def test_all_problems_are_reported_at_once():
    data = with_change("tremor", "wobbly")
    data["patterns"][0]["severity"] = 9
    error = pytest.raises(CaseFactsError, parse_case_facts, data).value
    paths = [p.path for p in error.problems]
    assert paths == ["patterns[0].severity", "tremor"]


def test_not_an_object_and_not_json():
    assert problems([1, 2]) == ["case facts must be a JSON object, got a list"]
    with pytest.raises(CaseFactsError, match="not valid JSON"):
        load_case_facts("{not json")


def test_build_without_validation_matches_parse():
    assert build_case_facts(EXAMPLE) == parse_case_facts(EXAMPLE)


def test_nan_and_infinity_are_refused():
    with pytest.raises(CaseFactsError, match="NaN is not allowed"):
        load_case_facts('{"schema": "collis-case/1", "twstrs": {"pain": NaN}}')
    found = problems({"schema": "collis-case/1", "twstrs": {"pain": float("inf")}})
    assert found[0].startswith("twstrs.pain: inf is not a number")

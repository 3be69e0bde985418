"""JSON Schemas: the contract's examples validate, and engine output always validates."""

from __future__ import annotations

import copy

from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import case_facts_schema, parse_case_facts
from collis.domain.policy import policy_from_mapping
from collis.domain.tests.support import (
    assessment_errors,
    case_errors,
    load_case,
    load_cases,
    validator,
)


def test_schemas_are_valid_draft_2020_12():
    for name in ("case-facts.schema.json", "assessment.schema.json"):
        schema = validator(name).schema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_contract_example_input_validates():
    assert case_errors(load_case("contract_example")["facts"]) == []


def test_contract_example_output_validates():
    assert assessment_errors(load_case("contract_example")["contract_example_output"]) == []


def test_engine_output_validates_for_every_worked_case():
    for case in load_cases():
        policy = policy_from_mapping(case.get("policy", {}))
        output = assess_candidacy(parse_case_facts(case["facts"]), policy).as_dict()
        assert assessment_errors(output) == [], case["name"]


def test_assessment_schema_refuses_words_outside_the_contract():
    output = assess_candidacy(load_case("contract_example")["facts"]).as_dict()
    for key, bad in (("recommendation", "maybe"), ("alternatives", ["surgery"])):
        broken = copy.deepcopy(output)
        broken[key] = bad
        assert assessment_errors(broken)
    broken = copy.deepcopy(output)
    broken["findings"][0]["effect"] = "neutral"
    assert assessment_errors(broken)
    broken = copy.deepcopy(output)
    broken["findings"][0]["sources"] = []
    assert assessment_errors(broken)


def test_the_parser_uses_the_schema_file():
    assert case_facts_schema() == validator("case-facts.schema.json").schema


def test_case_schema_vocabularies_match_the_enums():
    from collis.domain.candidacy import Alternative
    from collis.domain.muscles import Muscle
    from collis.domain.phenotype import Pattern

    schema = case_facts_schema()
    assert schema["$defs"]["pattern"]["properties"]["pattern"]["enum"] == [str(p) for p in Pattern]
    assert schema["$defs"]["muscle"]["properties"]["muscle"]["enum"] == [str(m) for m in Muscle]
    out = validator("assessment.schema.json").schema
    assert out["$defs"]["alternative"]["enum"] == [str(a) for a in Alternative]

"""The mappers of questionnaires against JSON fixtures: the questionnaire kept as data, a
QuestionnaireResponse the patient sent (and one to a version the unit no longer keeps,
without the questions' wording); every fixture passes the three validation layers."""

import json
import os
from pathlib import Path

import pytest

from collis.domain.questionnaires import questionnaire_load
from collis.fhir_api import mappers_questionnaires
from collis.fhir_api.tests.test_mappers import patient_reported
from collis.fhir_api.validation import validation_problems

FIXTURES = Path(__file__).parent / "fixtures"

ANSWERS = {"work": 2, "activities_of_daily_living": 1, "driving": 2, "reading": 1,
           "television": 1, "activities_outside_home": 2, "pain_severity": 5,
           "pain_duration": 3, "pain_disability": 3}

CASES = {
    "questionnaire-twstrs-patient": lambda: mappers_questionnaires.questionnaire_resource(
        questionnaire_load("twstrs-patient")),
    "questionnaireresponse": lambda: mappers_questionnaires.questionnaire_response_resource(
        patient_reported(answers=dict(reversed(ANSWERS.items())))),
    "questionnaireresponse-older-version":
        lambda: mappers_questionnaires.questionnaire_response_resource(patient_reported(
            pk=6, questionnaire_version="0", answers={"work": 4, "retired_item": 1})),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_mapper_gives_the_fixture(case):
    resource = CASES[case]()
    fixture = FIXTURES / f"{case}.json"
    if os.environ.get("COLLIS_REGENERATE_FIXTURES"):
        fixture.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n")
    assert resource == json.loads(fixture.read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fixture_passes_the_three_validation_layers(case):
    assert validation_problems(json.loads((FIXTURES / f"{case}.json").read_text())) == []


def test_answers_follow_the_questionnaires_order_and_each_option_range():
    questionnaire = questionnaire_load("twstrs-patient")
    made = CASES["questionnaireresponse"]()
    assert [item["linkId"] for item in made["item"]] == [q.code for q in
                                                         questionnaire.questions]
    assert made["questionnaire"] == ("https://fhir.collis.example/Questionnaire/"
                                     "twstrs-patient|1")
    definition = CASES["questionnaire-twstrs-patient"]()
    pain = next(i for i in definition["item"] if i["linkId"] == "pain_severity")
    assert [o["valueInteger"] for o in pain["answerOption"]] == list(range(11))
    # Every linkId answered is one of the questionnaire's.
    assert {i["linkId"] for i in made["item"]} <= {i["linkId"] for i in definition["item"]}

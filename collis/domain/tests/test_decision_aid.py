"""The patient decision aid: the IPDAS elements [43], equal detail, numbers only from the
catalogue, and no clinicians' apparatus in the patient's words."""

import re
from pathlib import Path

import pytest

from collis.domain.decision_aid import SOURCE_TITLES, patient_decision_aid
from collis.domain.natural_frequency import NO_FIGURE_WORDS
from collis.domain.risks import (
    OUTCOMES,
    PLAIN_RESULTS,
    PLAIN_RISKS,
    RISKS,
    Intervention,
    plain_figures,
    risks_for,
)

REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "clinical-reference.md"
AID = patient_decision_aid(("What matters most to you about your treatment?",))


def test_the_aid_describes_the_condition_the_decision_and_four_options():
    assert AID.condition and AID.decision
    assert [o.key for o in AID.options] == ["sd", "dbs", "toxin", "none"]
    assert list(AID.choices) == [o.title for o in AID.options]
    assert AID.recovery and AID.uncertainty and AID.questions


def test_every_option_has_the_same_four_parts_filled():
    for option in AID.options:
        assert option.involves and option.benefits and option.risks and option.unknown, \
            option.key
        for r in option.risks:
            assert r.name and r.description and r.how_often


def test_every_risk_of_the_three_treatments_is_in_the_patients_words():
    assert set(PLAIN_RISKS) == {r.code for r in RISKS}
    shown = {r.name for o in AID.options for r in o.risks}
    assert {PLAIN_RISKS[r.code].name for r in RISKS} <= shown


def test_a_risk_without_a_figure_says_so_plainly():
    sd = next(o for o in AID.options if o.key == "sd")
    infection = next(r for r in sd.risks if r.name == "Wound infection")
    assert infection.how_often == (NO_FIGURE_WORDS,)


def test_figures_come_from_the_catalogue_on_one_denominator():
    sd = next(o for o in AID.options if o.key == "sd")
    risks = {r.name: r for r in sd.risks}
    assert "about 25 in 100 people" in " ".join(risks["Trouble swallowing"].how_often)
    assert "fewer than 1 in 100 people died" in " ".join(
        risks["Serious illness or death"].how_often)
    assert "between 2 and 63 in 100 people" in " ".join(risks["Another operation"].how_often)
    numbers = re.findall(r"(\d+) in (\d+)", AID.text())
    assert numbers and {d for _, d in numbers} == {"100"}


@pytest.mark.parametrize("code", sorted(PLAIN_RISKS))
def test_each_risk_has_one_sentence_per_figure_or_one_for_their_span(code):
    words = PLAIN_RISKS[code]
    for sentence, low, high in plain_figures(code):
        assert sentence.count("{frequency}") == 1 and 0 <= low <= high <= 100
    if not words.span_words:
        assert len(words.figure_words) == len(next(r for r in RISKS if r.code == code).figures)


def test_every_result_in_plain_words_carries_the_percentage_its_outcome_gives():
    by_code = {o.code: o for o in OUTCOMES}
    for code, results in PLAIN_RESULTS.items():
        for result in results:
            if result.percent_low is None:
                assert "{frequency}" not in result.words
                continue
            assert f"{result.percent_low:g}%" in by_code[code].result, (code, result)
            assert result.words.count("{frequency}") == 1


def test_doing_nothing_more_gives_both_sides_of_the_one_figure():
    none = next(o for o in AID.options if o.key == "none")
    assert "about 20 in 100 people" in none.benefits[0]
    assert "about 80 in 100 people" in none.risks[0].how_often[0]
    assert not risks_for(Intervention.NO_FURTHER_TREATMENT)


def test_the_patients_words_have_no_brackets_percentages_or_effect_sizes():
    text = AID.text()
    for banned in ("[", "%", "effect size", "reference gives no", "TWSTRS", "Tsui", "n="):
        assert banned not in text, banned


def test_the_sources_are_listed_as_the_reference_names_them():
    reference = re.sub(r"\s+", " ", REFERENCE.read_text())
    for number, title in SOURCE_TITLES.items():
        assert f"{number} {title}" in reference, number
    listed = [int(s.split(".")[0]) for s in AID.sources]
    assert listed == sorted(listed) and 43 in listed and 28 in listed

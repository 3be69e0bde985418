"""Risk catalogue (§5-§7): every figure with its population and source, ranges never collapsed."""

from __future__ import annotations

import re

import pytest

from collis.domain.risks import OUTCOMES, RISKS, RISKS_BY_CODE, Intervention, risk, risks_for


def test_codes_are_stable_unique_upper_snake_case():
    codes = [r.code for r in RISKS]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"(SD|DBS|BONT)_[A-Z0-9_]+", code) for code in codes)


def test_every_risk_has_sources_a_patient_description_and_figures_or_a_note():
    for r in RISKS:
        assert r.sources and all(1 <= n <= 45 for n in r.sources)
        assert len(r.patient_description) > 20
        assert r.figures or r.frequency_note
        for figure in r.figures:
            assert figure.sources and set(figure.sources) <= set(r.sources), r.code
            assert figure.population


def test_reoperation_figures_are_each_kept_with_their_source():
    figures = [
        (f.text, f.sources, f.percent_low, f.percent_high) for f in risk("SD_REOPERATION").figures
    ]
    assert figures == [
        ("2%", (25,), 2, 2),
        ("6%", (28,), 6, 6),
        ("10%", (26, 27), 10, 10),
        ("26%", (30,), 26, 26),
        ("up to 38-63%", (29,), 38, 63),
    ]


def test_new_dysphagia_is_three_of_twelve():
    (figure,) = risk("SD_SWALLOWING_DIFFICULTY").figures
    assert (figure.numerator, figure.denominator, figure.sources) == (3, 12, (28,))


def test_one_death_in_168():
    (figure,) = risk("SD_DEATH_OR_SYSTEMIC_EVENT").figures
    assert (figure.numerator, figure.denominator, figure.sources) == (1, 168, (27,))


def test_reinnervation_after_29_percent_of_procedures():
    (figure,) = risk("SD_PERSISTENT_OR_RECURRENT").figures
    assert figure.percent_low == figure.percent_high == 29
    assert figure.sources == (30,)


def test_antibody_range_is_not_collapsed():
    (figure,) = risk("BONT_NEUTRALISING_ANTIBODIES").figures
    assert (figure.percent_low, figure.percent_high) == (1.2, 40)


def test_risks_for_each_intervention():
    assert {r.intervention for r in risks_for("gpi_dbs")} == {Intervention.GPI_DBS}
    assert len(risks_for(Intervention.SELECTIVE_DENERVATION)) >= 10
    assert [r.code for r in risks_for("gpi_dbs")][:3] == [
        "DBS_DYSARTHRIA",
        "DBS_DYSKINESIA",
        "DBS_DEPRESSION",
    ]
    assert risks_for("botulinum_toxin")


def test_unknown_risk_code_lists_the_allowed_codes():
    with pytest.raises(KeyError, match="SD_REOPERATION"):
        risk("SD_NOTHING")
    assert RISKS_BY_CODE["SD_REOPERATION"] is risk("SD_REOPERATION")


def test_as_dict_keeps_figures():
    data = risk("SD_REOPERATION").as_dict()
    assert [f["text"] for f in data["figures"]] == ["2%", "6%", "10%", "26%", "up to 38-63%"]


def test_outcomes_table_is_sourced():
    assert all(o.sources for o in OUTCOMES)
    assert {o.code for o in OUTCOMES} >= {"SD_BERTRAND", "DBS_VOLKMANN_RCT"}

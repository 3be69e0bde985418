"""SD candidacy engine: worked cases (tests/cases/*.json) and the precedence rules."""

from __future__ import annotations

import copy

import pytest

from collis.domain.candidacy import (
    RULESET,
    Alternative,
    CandidacyAssessment,
    FindingCode,
    Recommendation,
    assess_candidacy,
)
from collis.domain.case_facts import CaseFactsError, parse_case_facts
from collis.domain.findings import LOCAL_POLICY_LABEL, Effect
from collis.domain.policy import DEFAULT_POLICY, policy_from_mapping
from collis.domain.tests.support import load_case, load_cases

CASES = load_cases()


def _assess(case: dict) -> CandidacyAssessment:
    policy = policy_from_mapping(case.get("policy", {}))
    return assess_candidacy(parse_case_facts(case["facts"]), policy)


def test_there_are_at_least_thirty_worked_cases_each_explaining_why():
    assert len(CASES) >= 30
    for case in CASES:
        assert case["why"].strip(), case["name"]
        assert "[" in case["why"] or "contract" in case["why"] or "reference" in case["why"], case[
            "name"
        ]


def test_every_recommendation_has_a_worked_case():
    seen = {case["expected"]["recommendation"] for case in CASES}
    assert seen == {str(r) for r in Recommendation}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_worked_case(case):
    assessment = _assess(case)
    expected = case["expected"]
    assert assessment.recommendation == expected["recommendation"]
    for code in expected["codes"]:
        assert code in assessment.codes, f"{code} not in {assessment.codes}"
    for code in expected.get("absent_codes", []):
        assert code not in assessment.codes
    if "missing" in expected:
        assert list(assessment.missing) == expected["missing"]
    if "alternatives" in expected:
        assert [str(a.alternative) for a in assessment.alternatives] == expected["alternatives"]
    if "denervation_plan" in expected:
        plan = [
            {k: v for k, v in p.as_dict().items() if k in ("muscle", "side", "target")}
            for p in assessment.denervation_plan
        ]
        assert plan == expected["denervation_plan"]
    if "not_addressable" in expected:
        assert [str(n.muscle) for n in assessment.not_addressable] == expected["not_addressable"]
    for code in expected.get("derived_codes", []):
        assert any(f.code == code and f.derived for f in assessment.findings), code


def test_contract_example_gives_the_checked_output():
    case = load_case("contract_example")
    output = assess_candidacy(case["facts"]).as_dict()
    expected = case["expected_output"]
    for key in ("ruleset", "recommendation", "not_addressable", "alternatives", "missing"):
        assert output[key] == expected[key]
    plan = [{k: p[k] for k in ("muscle", "side", "target")} for p in output["denervation_plan"]]
    assert plan == expected["denervation_plan"]
    assert len(output["findings"]) == len(expected["findings"])
    for got, want in zip(output["findings"], expected["findings"], strict=True):
        for key, value in want.items():
            assert got[key] == value


def test_contract_example_keeps_the_contract_strings():
    output = assess_candidacy(load_case("contract_example")["facts"]).as_dict()
    example = load_case("contract_example")["contract_example_output"]
    rotation = next(f for f in output["findings"] if f["code"] == "ROTATION_DOMINANT")
    assert rotation == {**example["findings"][0]}
    targets = [(p["muscle"], p["target"]) for p in output["denervation_plan"]]
    assert targets == [(p["muscle"], p["target"]) for p in example["denervation_plan"]]


def test_assessment_dict_has_the_contract_keys_in_order():
    output = assess_candidacy(load_case("contract_example")["facts"]).as_dict()
    assert list(output)[:7] == [
        "ruleset",
        "recommendation",
        "findings",
        "denervation_plan",
        "not_addressable",
        "alternatives",
        "missing",
    ]
    assert output["ruleset"] == RULESET == "collis-sd-candidacy/2"


def test_every_criterion_runs_and_returns_all_findings():
    assessment = _assess(load_case("favourable_rotation_secondary_resistant"))
    families = {
        "distribution": {"FOCAL_DISTRIBUTION"},
        "dominant": {"ROTATION_DOMINANT"},
        "reach": {"DOMINANT_PATTERN_REACHABLE"},
        "groups": {"FEW_MUSCLE_GROUPS"},
        "tremor": {"NO_TREMOR"},
        "response": {"SECONDARY_NON_RESPONSE"},
        "resistance": {"RESISTANT"},
        "work_up": {"EMG_MAPPING_DONE", "VIDEOFLUOROSCOPY_NORMAL", "CT_CERVICAL_SPINE_NORMAL"},
        "health": {"FIT_FOR_ANAESTHETIC", "NO_CERVICAL_MYELOPATHY", "NO_PRIOR_NECK_SURGERY"},
        "preferences": {"WANTS_SURGERY"},
    }
    for family, codes in families.items():
        assert codes <= set(assessment.codes), family


def test_treatment_duration_is_weighed_only_when_the_response_is_derived():
    recorded = _assess(load_case("favourable_rotation_secondary_resistant"))
    assert not {"TREATMENT_DURATION_MET", "TREATMENT_DURATION_SHORT"} & set(recorded.codes)
    case = copy.deepcopy(load_case("favourable_rotation_secondary_resistant"))
    del case["facts"]["botulinum_toxin"]["response_pattern"]
    derived = _assess(case)
    assert "TREATMENT_DURATION_MET" in derived.codes
    assert derived.recommendation is Recommendation.POSSIBLE  # the response is derived


def test_missing_facts_say_whether_they_are_core_or_supporting():
    no_patterns = _assess(load_case("r2_no_patterns_recorded"))
    (core,) = no_patterns.findings_with(Effect.MISSING)
    assert core.core and core.as_dict()["core"] is True
    no_test = _assess(load_case("r2_waning_response_without_resistance_test"))
    (supporting,) = no_test.findings_with(Effect.MISSING)
    assert not supporting.core and "core" not in supporting.as_dict()


def test_missing_muscles_are_core_only_when_no_pattern_can_stand_in_for_them():
    facts = copy.deepcopy(load_case("muscles_not_recorded")["facts"])
    with_side = assess_candidacy(facts)
    assert [f.core for f in with_side.findings_with(Effect.MISSING)] == [False]
    del facts["patterns"][0]["side"]
    without_side = assess_candidacy(facts)
    assert without_side.recommendation is Recommendation.INSUFFICIENT_INFORMATION
    assert any(f.code == "MISSING_MUSCLES" and f.core for f in without_side.findings)


def test_derived_decisive_findings_say_they_were_derived_and_from_what():
    for name in (
        "r2_cycles_never_helped_without_resistance_test",
        "unreachable_on_unconfirmed_muscles_beats_missing_facts",
        "r2_derived_decisive_beats_missing_core_fact",
    ):
        assessment = _assess(load_case(name))
        assert assessment.recommendation is Recommendation.UNFAVOURABLE, name
        for finding in assessment.findings:
            if finding.decisive and finding.derived:
                assert "Derived" in finding.detail, (name, finding.detail)


def test_a_muscle_from_emg_and_examination_is_one_muscle_on_two_sides():
    assessment = _assess(load_case("r2_levator_from_emg_and_examination_is_one_muscle"))
    levator = [p for p in assessment.denervation_plan if p.muscle == "levator_scapulae"]
    assert [(str(p.side), p.emg_confirmed) for p in levator] == [("bilateral", True)]
    reach = next(f for f in assessment.findings if f.code.startswith("DOMINANT_PATTERN"))
    assert reach.detail.count("levator scapulae") == 1


def test_a_side_confirmed_on_emg_stays_apart_from_one_that_is_not():
    from collis.domain.candidacy.plan import merge_muscles
    from collis.domain.case_facts import MuscleFact
    from collis.domain.muscles import Muscle, MuscleSide

    merged = merge_muscles(
        [
            MuscleFact(Muscle.LEVATOR_SCAPULAE, MuscleSide.LEFT, True),
            MuscleFact(Muscle.LEVATOR_SCAPULAE, MuscleSide.RIGHT, None),
            MuscleFact(Muscle.LEVATOR_SCAPULAE, MuscleSide.LEFT, None),
        ]
    )
    assert [(str(m.side), m.emg_active) for m in merged] == [("left", True), ("right", None)]


def test_stored_plan_rows_of_one_muscle_on_both_sides_merge_into_one_row():
    from collis.domain.candidacy.plan import merge_plan_rows

    rows = [
        {"muscle": "levator_scapulae", "side": "bilateral", "target": "t"},
        {"muscle": "levator_scapulae", "side": "left", "target": "t"},
        {"muscle": "levator_scapulae", "side": "right", "target": "t"},
        {"muscle": "splenius_capitis", "side": "left", "target": "p"},
        {"muscle": "splenius_capitis", "side": "left", "target": "p"},
        {"muscle": "sternocleidomastoid", "side": "left", "target": "s"},
        {"muscle": "sternocleidomastoid", "side": "right", "target": "s"},
    ]
    assert [(r["muscle"], r["side"]) for r in merge_plan_rows(rows)] == [
        ("levator_scapulae", "bilateral"),
        ("splenius_capitis", "left"),
        ("sternocleidomastoid", "bilateral"),
    ]


def test_all_findings_are_collected_not_just_the_first_problem():
    case = copy.deepcopy(load_case("favourable_rotation_secondary_resistant"))
    case["facts"]["dystonia"]["distribution"] = "generalised"
    case["facts"]["dystonia"]["regions"] = ["neck", "trunk", "upper_limb"]
    case["facts"]["botulinum_toxin"]["response_pattern"] = "primary_non_response"
    case["facts"]["health"]["fit_for_general_anaesthetic"] = False
    assessment = _assess(case)
    decisive = [f.code for f in assessment.findings if f.decisive]
    assert decisive == [
        "GENERALISED_DISTRIBUTION",
        "PRIMARY_NON_RESPONSE",
        "NOT_FIT_FOR_ANAESTHETIC",
    ]


def test_finding_codes_are_all_catalogued_and_unique_per_assessment():
    for case in CASES:
        codes = _assess(case).codes
        assert set(codes) <= {str(c) for c in FindingCode}


def test_every_non_missing_finding_names_a_source_from_the_reference():
    for case in CASES:
        for finding in _assess(case).findings:
            assert all(1 <= n <= 45 for n in finding.sources)
            if finding.effect is not Effect.MISSING:
                assert finding.sources, finding.code


def test_findings_decided_by_policy_carry_the_local_policy_label():
    assessment = _assess(load_case("numerous_muscle_groups_unfavourable"))
    finding = next(f for f in assessment.findings if f.code == "NUMEROUS_MUSCLE_GROUPS")
    assert finding.as_dict()["policy"] == {
        "name": "numerous_muscle_groups",
        "value": 4,
        "label": LOCAL_POLICY_LABEL,
    }
    assert finding.sources == (37,)
    names = [p["name"] for p in assessment.as_dict()["policy_values"]]
    assert "numerous_muscle_groups" in names


def test_derived_response_pattern_says_it_was_derived_and_names_the_policy():
    assessment = _assess(load_case("derived_secondary_non_response"))
    finding = next(f for f in assessment.findings if f.code == "SECONDARY_NON_RESPONSE")
    data = finding.as_dict()
    assert data["derived"] is True
    assert data["policy"]["name"] == "bont_response_thresholds"
    assert finding.detail.startswith("Derived from the cycles")


def test_recorded_response_pattern_wins_over_cycles():
    # the cycles alone would be derived as a good response; the clinician's record wins
    facts = copy.deepcopy(load_case("derived_good_response")["facts"])
    facts["botulinum_toxin"]["response_pattern"] = "secondary_non_response"
    assessment = assess_candidacy(facts)
    assert "GOOD_BONT_RESPONSE" not in assessment.codes
    assert "SECONDARY_NON_RESPONSE" in assessment.codes


def test_stated_good_response_is_not_indicated_even_with_missing_facts():
    assessment = assess_candidacy(
        {"schema": "collis-case/1", "botulinum_toxin": {"response_pattern": "good_response"}}
    )
    assert assessment.recommendation is Recommendation.NOT_INDICATED
    assert assessment.missing  # still listed
    assert "botulinum_toxin.resistance_test" not in assessment.missing


def test_primary_non_response_does_not_ask_for_a_resistance_test():
    assessment = assess_candidacy(
        {"schema": "collis-case/1", "botulinum_toxin": {"response_pattern": "primary_non_response"}}
    )
    assert assessment.recommendation is Recommendation.UNFAVOURABLE
    assert "MISSING_RESISTANCE_TEST" not in assessment.codes


def test_policy_override_changes_only_what_it_names():
    case = load_case("cervical_myelopathy")
    facts = parse_case_facts(case["facts"])
    default = assess_candidacy(facts)
    relaxed = assess_candidacy(
        facts, policy_from_mapping({"cervical_myelopathy_effect": "cautions"})
    )
    assert default.recommendation is Recommendation.UNFAVOURABLE
    assert relaxed.recommendation is Recommendation.POSSIBLE
    assert default.codes == relaxed.codes


def test_mapping_input_is_validated():
    with pytest.raises(CaseFactsError) as error:
        assess_candidacy({"schema": "collis-case/1", "tremor": "wobbly"})
    assert "tremor" in str(error.value)


def test_suggested_muscles_are_given_only_without_recorded_muscles():
    without = _assess(load_case("muscles_not_recorded"))
    assert without.suggested_muscles
    assert not without.denervation_plan
    assert "suggested_muscles" in without.as_dict()
    with_muscles = _assess(load_case("favourable_rotation_secondary_resistant"))
    assert not with_muscles.suggested_muscles
    assert "suggested_muscles" not in with_muscles.as_dict()


def test_levator_scapulae_plan_entry_is_outside_the_classic_operation():
    assessment = _assess(load_case("laterocollis_dominant_with_levator"))
    levator = next(p for p in assessment.denervation_plan if p.muscle == "levator_scapulae")
    assert levator.outside_classic_operation
    assert levator.as_dict()["outside_classic_operation"] is True
    assert Alternative.MYECTOMY in [a.alternative for a in assessment.alternatives]


def test_not_addressable_entries_give_the_reason_and_source():
    assessment = _assess(load_case("numerous_muscle_groups_unfavourable"))
    (trapezius,) = assessment.not_addressable
    data = trapezius.as_dict()
    assert data["muscle"] == "trapezius"
    assert data["side"] == "right"
    assert "not denervated" in data["reason"].lower()
    assert data["sources"] == [31]


def test_interval_warnings_are_reported_but_do_not_change_the_recommendation():
    case = copy.deepcopy(load_case("favourable_rotation_secondary_resistant"))
    case["facts"]["botulinum_toxin"]["cycles"].append(
        {
            "date": "2024-04-01",
            "product": "incobotulinumtoxinA",
            "benefit_percent": 10,
            "benefit_weeks": 2,
        }
    )
    assessment = _assess(case)
    assert [w.code for w in assessment.warnings] == ["INTERVAL_BELOW_LICENSED_MINIMUM"]
    assert assessment.recommendation is Recommendation.FAVOURABLE


def test_classification_summary_is_reported():
    data = _assess(load_case("contract_example")).as_dict()
    assert data["classification"] == {
        "distribution": "focal",
        "distribution_source": "recorded",
        "age_at_onset": "late_adulthood",
    }


def test_to_json_round_trips():
    import json

    assessment = _assess(load_case("contract_example"))
    assert json.loads(assessment.to_json()) == assessment.as_dict()


def test_default_policy_is_used_when_none_given():
    facts = parse_case_facts(load_case("contract_example")["facts"])
    assert assess_candidacy(facts).policy is DEFAULT_POLICY


def _favourable_with(**changes) -> dict:
    facts = copy.deepcopy(load_case("favourable_rotation_secondary_resistant")["facts"])
    for path, value in changes.items():
        target = facts
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return facts


def _drop(facts: dict, path: tuple) -> dict:
    smaller = copy.deepcopy(facts)
    target = smaller
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return smaller


GOOD_CYCLES = [
    {"date": "2022-01-10", "benefit_percent": 60, "benefit_weeks": 12},
    {"date": "2024-02-05", "benefit_percent": 70, "benefit_weeks": 13},
]
USELESS_CYCLES = [
    {"date": "2022-01-10", "benefit_percent": 5, "benefit_weeks": 2},
    {"date": "2024-02-05", "benefit_percent": 0, "benefit_weeks": 0},
]

# Each removal below changes an inference (derived response, derived distribution, muscles
# matched on an unknown side, unconfirmed EMG) or takes away a recorded adverse fact.
# Regression cases for the monotonicity the package docstring states: removing a fact never
# produces favourable from any other answer, and never turns insufficient_information into
# possible or favourable. name -> ((facts, path removed), (answer before, answer after)).
REMOVAL_CASES = {
    "recorded response hides a derived good response": (
        (
            _favourable_with(
                botulinum_toxin__cycles=GOOD_CYCLES, botulinum_toxin__resistance_test=None
            ),
            ("botulinum_toxin", "response_pattern"),
        ),
        ("possible", "not_indicated"),
    ),
    "recorded response hides a derived primary non-response": (
        (
            _favourable_with(botulinum_toxin__cycles=USELESS_CYCLES, tremor=None),
            ("botulinum_toxin", "response_pattern"),
        ),
        ("possible", "unfavourable"),
    ),
    "recorded distribution hides segmental regions": (
        (
            _favourable_with(
                dystonia__regions=["neck", "upper_limb"],
                dystonia__distribution="hemidystonia",
                tremor=None,
            ),
            ("dystonia", "distribution"),
        ),
        ("possible", "unfavourable"),
    ),
    "pattern side keeps an unreachable muscle on the other side out": (
        (
            _favourable_with(
                patterns=[{"pattern": "laterocollis", "side": "left", "severity": 3}],
                muscles=[
                    {"muscle": "scalenes", "side": "right", "emg_active": True},
                    {"muscle": "sternocleidomastoid", "side": "left", "emg_active": True},
                ],
                tremor=None,
            ),
            ("patterns", 0, "side"),
        ),
        ("possible", "unfavourable"),
    ),
    "EMG-inactive driver becomes unconfirmed": (
        (
            _favourable_with(
                patterns=[{"pattern": "laterocollis", "side": "left", "severity": 3}],
                muscles=[
                    {"muscle": "scalenes", "side": "left", "emg_active": False},
                    {"muscle": "sternocleidomastoid", "side": "right", "emg_active": True},
                ],
                tremor=None,
            ),
            ("muscles", 0, "emg_active"),
        ),
        ("possible", "unfavourable"),
    ),
    "recorded good response hides a derived secondary non-response": (
        (
            _favourable_with(botulinum_toxin__response_pattern="good_response"),
            ("botulinum_toxin", "response_pattern"),
        ),
        ("not_indicated", "possible"),
    ),
    "a recorded response with a short span of cycles, then no cycles": (
        (
            _favourable_with(botulinum_toxin__cycles=GOOD_CYCLES[:1]),
            ("botulinum_toxin", "cycles"),
        ),
        ("favourable", "favourable"),
    ),
    "regions without the neck, then no regions": (
        (_favourable_with(dystonia__regions=["cranial"]), ("dystonia", "regions")),
        ("unfavourable", "possible"),
    ),
    "a recorded segmental distribution, then only the neck region": (
        (_favourable_with(dystonia__distribution="segmental"), ("dystonia", "distribution")),
        ("unfavourable", "possible"),
    ),
    "a core fact missing stays missing when a pattern loses its side": (
        (
            _favourable_with(muscles=None, patterns=[{"pattern": "torticaput", "side": "right"}]),
            ("patterns", 0, "side"),
        ),
        ("possible", "insufficient_information"),
    ),
}
INFERENCE_REMOVALS = {name: removal for name, (removal, _) in REMOVAL_CASES.items()}


@pytest.mark.parametrize("name", list(REMOVAL_CASES))
def test_removing_a_fact_never_produces_favourable_nor_a_judgement_from_too_little(name):
    (facts, path), (want_before, want_after) = REMOVAL_CASES[name]
    before = assess_candidacy(facts).recommendation
    after = assess_candidacy(_drop(facts, path)).recommendation
    assert (before, after) == (want_before, want_after)
    assert after is not Recommendation.FAVOURABLE or before is Recommendation.FAVOURABLE
    if before is Recommendation.INSUFFICIENT_INFORMATION:
        assert after not in (Recommendation.POSSIBLE, Recommendation.FAVOURABLE)

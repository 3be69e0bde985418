"""Golden output of the SD candidacy engine: the cases, and how the file is (re)written.

``data/candidacy_golden.json`` holds, per case id, the case facts, the policy overrides
and the assessment JSON that ``collis assess --json`` prints for them. The cases are the
worked cases (tests/cases, among them the contract's example), the inference-removal regression
cases, seeded-random cases from the benchmark's generator (under the default and two
other policies) and cases drawn by the property tests' strategies. Rewrite the file only
for an intended change of the ruleset: ``python -m collis.domain.tests.golden_cases``.
"""

from __future__ import annotations

import copy
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import load_case_facts, validate_case_facts
from collis.domain.policy import policy_from_mapping

GOLDEN_PATH = Path(__file__).parent / "data" / "candidacy_golden.json"

# Non-default policies, so that every local-policy branch is exercised.
STRICT_POLICY = {
    "numerous_muscle_groups": 3,
    "min_bont_treatment_years": 1,
    "bont_response_thresholds": {"good_min_benefit_percent": 70, "min_cycles": 3},
    "multifocal_effect": "against",
    "hemidystonia_effect": "excludes",
    "sagittal_caput_forms_as_collis": True,
    "unfit_for_anaesthetic_effect": "against",
    "cervical_myelopathy_effect": "excludes",
    "prior_neck_surgery_effect": "against",
    "abnormal_videofluoroscopy_effect": "against",
    "abnormal_ct_cervical_spine_effect": "excludes",
}
LENIENT_POLICY = {
    "numerous_muscle_groups": 7,
    "min_bont_treatment_years": 3.5,
    "bont_response_thresholds": {
        "good_min_benefit_percent": 40,
        "good_min_benefit_weeks": 8,
        "useful_min_benefit_percent": 15,
        "min_cycles": 1,
    },
    "multifocal_effect": "cautions",
    "hemidystonia_effect": "against",
    "sagittal_caput_forms_as_collis": False,
    "unfit_for_anaesthetic_effect": "cautions",
    "cervical_myelopathy_effect": "cautions",
    "prior_neck_surgery_effect": "excludes",
    "abnormal_videofluoroscopy_effect": "excludes",
    "abnormal_ct_cervical_spine_effect": "against",
}

# (group, seed, how many, presence of optional fields, policy)
SEEDED_GROUPS = (
    ("random", 11, 100, 0.85, {}),
    ("random-full", 12, 25, 1.0, {}),
    ("random-sparse", 13, 25, 0.5, {}),
    ("random-strict", 14, 30, 0.85, STRICT_POLICY),
    ("random-lenient", 15, 30, 0.85, LENIENT_POLICY),
)
DRAWN_PER_STRATEGY = 20


def assessment_json(facts: dict[str, Any], policy: dict[str, Any]) -> str:
    """What ``collis assess CASE.json --json --policy POLICY.json`` prints (less its newline)."""
    return assess_candidacy(
        load_case_facts(json.dumps(facts)), policy_from_mapping(policy)
    ).to_json()


def _worked_cases() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    from collis.domain.tests.support import load_cases
    from collis.domain.tests.test_candidacy import INFERENCE_REMOVALS, _drop

    for case in load_cases():
        yield f"worked/{case['name']}", case["facts"], case.get("policy", {})
    for number, (facts, path) in enumerate(INFERENCE_REMOVALS.values(), 1):
        yield f"inference-removal/{number}/before", facts, {}
        yield f"inference-removal/{number}/after", _drop(facts, path), {}


def _seeded_cases() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    from collis.domain.bench import random_case_document

    for group, seed, count, presence, policy in SEEDED_GROUPS:
        rng = random.Random(seed)
        for number in range(1, count + 1):
            yield f"{group}/{number:03d}", random_case_document(rng, presence), policy


def _drawn_cases() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    from hypothesis import HealthCheck, Phase, given, settings

    from collis.domain.tests import test_properties as properties

    strategies = {
        "drawn-any": properties.ANY_DOCUMENTS,
        "drawn-complete": properties.COMPLETE_DOCUMENTS,
        "drawn-near-favourable": properties.NEAR_FAVOURABLE,
        "drawn-inference": properties.INFERENCE_FOCUSED,
    }
    drawn: dict[str, dict[str, Any]] = {}
    for group, strategy in strategies.items():
        drawn.clear()

        @settings(
            max_examples=DRAWN_PER_STRATEGY * 3,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(document: dict[str, Any]) -> None:
            drawn.setdefault(json.dumps(document, sort_keys=True), copy.deepcopy(document))

        collect()
        for number, document in enumerate(list(drawn.values())[:DRAWN_PER_STRATEGY], 1):
            yield f"{group}/{number:03d}", document, {}


def collect_cases() -> dict[str, dict[str, Any]]:
    """Every golden case with its assessment, checked valid and round-trip exact."""
    cases: dict[str, dict[str, Any]] = {}
    for sources in (_worked_cases(), _seeded_cases(), _drawn_cases()):
        for case_id, facts, policy in sources:
            assert case_id not in cases, case_id
            assert validate_case_facts(facts) == (), case_id
            output = assessment_json(facts, policy)
            assessment = json.loads(output)
            # the stored object re-serialises to exactly the engine's text
            assert canonical(assessment) == output, case_id
            cases[case_id] = {"policy": policy, "facts": facts, "assessment": assessment}
    return cases


def canonical(assessment: dict[str, Any]) -> str:
    """The text ``to_json`` gives for an assessment dict (2-space indent, UTF-8 as is)."""
    return json.dumps(assessment, indent=2, ensure_ascii=False)


def write_golden(cases: dict[str, dict[str, Any]], path: Path = GOLDEN_PATH) -> None:
    """One case per line, so that a diff names the cases that changed."""
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    lines = [
        f"{json.dumps(case_id)}:{json.dumps(entry, **compact)}" for case_id, entry in cases.items()
    ]
    path.parent.mkdir(exist_ok=True)
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def load_golden(path: Path = GOLDEN_PATH) -> dict[str, dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> int:
    cases = collect_cases()
    write_golden(cases)
    print(f"wrote {len(cases)} cases to {GOLDEN_PATH} ({GOLDEN_PATH.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

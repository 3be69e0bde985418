"""Golden output: every stored case gives, byte for byte, the stored assessment JSON.

Any change to a finding, its detail text, order, sources, paths or policy label, to the
plan, alternatives or missing facts fails here. An intended change of the ruleset rewrites
the file (``python -m collis.domain.tests.golden_cases``) and shows its diff for review.
"""

from __future__ import annotations

import pytest

from collis.domain.candidacy import FindingCode, Recommendation
from collis.domain.tests.golden_cases import GOLDEN_PATH, assessment_json, canonical, load_golden

GOLDEN = load_golden()


def test_the_golden_file_holds_the_worked_cases_and_generated_ones():
    groups = {case_id.split("/")[0] for case_id in GOLDEN}
    assert {"worked", "inference-removal", "random", "random-strict", "drawn-any"} <= groups
    assert "worked/contract_example" in GOLDEN
    assert len(GOLDEN) >= 300
    assert GOLDEN_PATH.stat().st_size < 3_000_000


def test_the_golden_cases_reach_every_recommendation_and_finding_code():
    recommendations = {entry["assessment"]["recommendation"] for entry in GOLDEN.values()}
    codes = {f["code"] for entry in GOLDEN.values() for f in entry["assessment"]["findings"]}
    assert recommendations == {str(r) for r in Recommendation}
    assert codes == {str(c) for c in FindingCode}


@pytest.mark.parametrize("case_id", list(GOLDEN))
def test_assessment_json_is_unchanged(case_id):
    entry = GOLDEN[case_id]
    assert assessment_json(entry["facts"], entry["policy"]) == canonical(entry["assessment"])

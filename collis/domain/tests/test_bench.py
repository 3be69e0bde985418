"""Benchmark helpers: generated cases are valid and the figures are reported."""

from __future__ import annotations

from collis.domain.bench import format_result, random_case_document, run_benchmark
from collis.domain.case_facts import validate_case_facts


def test_generated_documents_are_valid():
    import random

    rng = random.Random(7)
    for _ in range(300):
        document = random_case_document(rng)
        assert validate_case_facts(document) == ()


def test_run_benchmark_reports_figures(capsys):
    result = run_benchmark(n=200, seed=3)
    assert capsys.readouterr().out.startswith("assessed 200 cases in ")
    assert result["cases"] == 200
    assert result["per_second"] > 0
    assert result["goal_per_second"] == 10_000
    assert "assessed 200 cases in" in format_result(result)
    assert "(goal >= 10,000/s)" in format_result(result)

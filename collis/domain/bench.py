"""Benchmark of the SD candidacy engine: ``python -m collis.domain.bench [N] [SEED]``.

Generates N valid random case facts before timing (typed facts built from random
documents; a sample is checked against the JSON Schema), then times ``assess_candidacy``
over them on one core. Goal: at least 10,000 assessments per second.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import CaseFacts, build_case_facts, validate_case_facts
from collis.domain.classification import Aetiology, Course, Distribution, Region
from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.phenotype import SAGITTAL_PATTERNS, Pattern, Side
from collis.domain.toxin import Product, ResistanceResult, ResistanceTestKind, ResponsePattern

GOAL_PER_SECOND = 10_000
SCHEMA_SAMPLE = 200


def _words(enum: Any) -> list[str]:
    return [str(v) for v in enum]


def random_case_document(rng: random.Random, presence: float = 0.85) -> dict[str, Any]:
    """A random valid case-facts document; each optional field is present with ``presence``."""

    def maybe() -> bool:
        return rng.random() < presence

    doc: dict[str, Any] = {"schema": "collis-case/1"}
    age = rng.randint(18, 85)
    if maybe():
        doc["age"] = age
    dystonia: dict[str, Any] = {}
    if maybe():
        dystonia["distribution"] = (
            rng.choice(_words(Distribution)) if rng.random() < 0.3 else "focal"
        )
    if maybe():
        others = rng.sample(_words(Region), rng.randint(0, 2))
        dystonia["regions"] = (
            list(dict.fromkeys(["neck", *others])) if rng.random() < 0.9 else others or ["cranial"]
        )
    if maybe():
        dystonia["onset_age"] = rng.randint(0, age)
    if maybe():
        dystonia["course"] = rng.choice(_words(Course))
    if maybe():
        dystonia["aetiology"] = rng.choice(_words(Aetiology))
    if dystonia:
        doc["dystonia"] = dystonia
    if maybe():
        patterns = []
        for _ in range(rng.randint(1, 4)):
            pattern = rng.choice(list(Pattern))
            entry: dict[str, Any] = {"pattern": str(pattern)}
            if pattern not in SAGITTAL_PATTERNS and maybe():
                entry["side"] = rng.choice(_words(Side))
            if maybe():
                entry["severity"] = rng.randint(0, 4)
            patterns.append(entry)
        doc["patterns"] = patterns
    if maybe():
        doc["tremor"] = rng.choice(["none", "mild", "moderate", "severe"])
    if maybe():
        muscles = []
        for _ in range(rng.randint(1, 6)):
            entry = {"muscle": rng.choice(_words(Muscle))}
            if maybe():
                entry["side"] = rng.choice(_words(MuscleSide))
            if maybe():
                entry["emg_active"] = rng.random() < 0.85
            muscles.append(entry)
        doc["muscles"] = muscles
    if maybe():
        doc["twstrs"] = {
            "severity": rng.randint(0, 35),
            "disability": rng.randint(0, 30),
            "pain": rng.randint(0, 20),
        }
    toxin: dict[str, Any] = {}
    if maybe():
        toxin["response_pattern"] = rng.choice(_words(ResponsePattern))
    if maybe():
        cycles = []
        day = rng.randint(0, 3000)
        for _ in range(rng.randint(1, 8)):
            day += rng.randint(56, 140)
            year, rest = 2015 + day // 365, day % 365
            cycle: dict[str, Any] = {
                "date": f"{year}-{1 + rest // 31 % 12:02d}-{1 + rest % 28:02d}"
            }
            if maybe():
                cycle["product"] = rng.choice(_words(Product))
            if maybe():
                cycle["units"] = rng.choice([100, 200, 300, 500, 750, 5000])
            if maybe():
                cycle["benefit_percent"] = rng.randint(0, 100)
            if maybe():
                cycle["benefit_weeks"] = rng.randint(0, 20)
            cycles.append(cycle)
        toxin["cycles"] = cycles
    if maybe():
        toxin["resistance_test"] = {
            "test": rng.choice(_words(ResistanceTestKind)),
            "result": rng.choice(_words(ResistanceResult)),
        }
    if toxin:
        doc["botulinum_toxin"] = toxin
    work_up = {
        k: v
        for k, v in (
            ("emg_mapping", rng.random() < 0.8),
            ("videofluoroscopy", rng.choice(["normal", "normal", "abnormal"])),
            ("ct_cervical_spine", rng.choice(["normal", "normal", "abnormal"])),
        )
        if maybe()
    }
    if work_up:
        doc["work_up"] = work_up
    health = {
        k: rng.random() < p
        for k, p in (
            ("fit_for_general_anaesthetic", 0.9),
            ("cervical_myelopathy", 0.1),
            ("prior_neck_surgery", 0.1),
        )
        if maybe()
    }
    if health:
        doc["health"] = health
    if maybe():
        doc["preferences"] = {"wants_surgery": rng.random() < 0.8}
    return doc


def generate_cases(n: int, seed: int = 1) -> list[CaseFacts]:
    """N typed case facts from random valid documents (a sample is schema-checked)."""
    rng = random.Random(seed)
    documents = [random_case_document(rng) for _ in range(n)]
    for document in documents[:SCHEMA_SAMPLE]:
        problems = validate_case_facts(document)
        if problems:
            raise AssertionError(f"generated an invalid case: {problems}")
    return [build_case_facts(d) for d in documents]


def run_benchmark(n: int = 100_000, seed: int = 1, *, report: bool = True) -> dict[str, Any]:
    """Time assess_candidacy over n generated cases; prints the result line (unless
    ``report`` is false) and returns the figures."""
    cases = generate_cases(n, seed)
    assess = assess_candidacy
    start = time.perf_counter()
    for facts in cases:
        assess(facts)
    seconds = time.perf_counter() - start
    per_second = n / seconds if seconds else float("inf")
    result = {
        "cases": n,
        "seconds": seconds,
        "per_second": per_second,
        "goal_per_second": GOAL_PER_SECOND,
        "meets_goal": per_second >= GOAL_PER_SECOND,
        "seed": seed,
    }
    if report:
        print(format_result(result))
    return result


def format_result(result: dict[str, Any]) -> str:
    return (
        f"assessed {result['cases']:,} cases in {result['seconds']:.2f} s: "
        f"{result['per_second']:,.0f} assessments/second (goal >= {GOAL_PER_SECOND:,}/s)"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 100_000
    seed = int(args[1]) if len(args) > 1 else 1
    run_benchmark(n, seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

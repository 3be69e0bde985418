"""Shared helpers for the domain tests: worked cases and schema validators."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CASES_DIR = Path(__file__).parent / "cases"
SCHEMAS_DIR = Path(__file__).parent.parent / "schemas"


def load_cases() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES_DIR.glob("*.json"))]


def load_case(name: str) -> dict[str, Any]:
    return json.loads((CASES_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assessment_errors(data: Any) -> list[str]:
    return [e.message for e in validator("assessment.schema.json").iter_errors(data)]


def case_errors(data: Any) -> list[str]:
    return [e.message for e in validator("case-facts.schema.json").iter_errors(data)]

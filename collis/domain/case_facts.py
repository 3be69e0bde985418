"""Case facts: parse and validate the ``collis-case/1`` JSON into typed dataclasses.

Validation uses ``schemas/case-facts.schema.json`` (JSON Schema draft 2020-12) at this
boundary only; every problem is reported with its field path and the allowed values.
Absent fields stay None (not known), never False.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from collis.domain.classification import Aetiology, Course, Distribution, Region
from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.phenotype import Pattern, PatternObservation, Side
from collis.domain.toxin import (
    Product,
    ResistanceResult,
    ResistanceTest,
    ResistanceTestKind,
    ResponsePattern,
    ToxinCycle,
)

CASE_SCHEMA_ID = "collis-case/1"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "case-facts.schema.json"


class Tremor(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class StudyResult(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"


@dataclass(frozen=True, slots=True)
class Dystonia:
    distribution: Distribution | None = None
    regions: tuple[Region, ...] | None = None
    onset_age: int | None = None
    course: Course | None = None
    aetiology: Aetiology | None = None


@dataclass(frozen=True, slots=True)
class MuscleFact:
    """A muscle recorded as involved; emg_active None means EMG not recorded for it."""

    muscle: Muscle
    side: MuscleSide | None = None
    emg_active: bool | None = None


@dataclass(frozen=True, slots=True)
class TwstrsFacts:
    severity: int | None = None
    disability: int | None = None
    pain: float | None = None


@dataclass(frozen=True, slots=True)
class BotulinumToxin:
    response_pattern: ResponsePattern | None = None
    cycles: tuple[ToxinCycle, ...] | None = None
    resistance_test: ResistanceTest | None = None


@dataclass(frozen=True, slots=True)
class WorkUp:
    emg_mapping: bool | None = None
    videofluoroscopy: StudyResult | None = None
    ct_cervical_spine: StudyResult | None = None


@dataclass(frozen=True, slots=True)
class Health:
    fit_for_general_anaesthetic: bool | None = None
    cervical_myelopathy: bool | None = None
    prior_neck_surgery: bool | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    wants_surgery: bool | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Typed case facts; an absent object is an empty one (all its fields unknown)."""

    schema: str = CASE_SCHEMA_ID
    age: int | None = None
    dystonia: Dystonia = field(default_factory=Dystonia)
    patterns: tuple[PatternObservation, ...] | None = None
    tremor: Tremor | None = None
    muscles: tuple[MuscleFact, ...] | None = None
    twstrs: TwstrsFacts = field(default_factory=TwstrsFacts)
    botulinum_toxin: BotulinumToxin = field(default_factory=BotulinumToxin)
    work_up: WorkUp = field(default_factory=WorkUp)
    health: Health = field(default_factory=Health)
    preferences: Preferences = field(default_factory=Preferences)

    def as_dict(self) -> dict[str, Any]:
        """The contract's JSON shape, with absent (unknown) fields left out."""
        return case_facts_to_dict(self)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: the field path, what is wrong, what is allowed."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class CaseFactsError(ValueError):
    """Case facts that cannot be used; ``problems`` lists each with its field path."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@cache
def case_facts_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = case_facts_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def format_path(parts: Any) -> str:
    """Field path in the style "patterns[0].severity"."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _words(values: Any) -> str:
    return ", ".join(str(v) for v in values)


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a whole number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _problems_from(error: jsonschema.ValidationError) -> list[Problem]:
    path = format_path(error.absolute_path)
    kind, value, schema = error.validator, error.validator_value, error.schema
    instance = error.instance
    if kind == "required":
        return [
            Problem(
                _join(path, name),
                "required field is missing"
                + (
                    f"; allowed: {schema['properties'][name]['const']}"
                    if "const" in schema["properties"].get(name, {})
                    else ""
                ),
            )
            for name in value
            if isinstance(instance, dict) and name not in instance
        ]
    if kind == "additionalProperties":
        allowed = _words(schema.get("properties", {}))
        return [
            Problem(_join(path, name), f"unknown field; allowed fields here: {allowed}")
            for name in instance
            if name not in schema.get("properties", {})
        ]
    if kind == "enum":
        return [Problem(path, f"{instance!r} is not allowed; allowed values: {_words(value)}")]
    if kind == "const":
        return [Problem(path, f"{instance!r} is not allowed; allowed value: {value}")]
    if kind == "type":
        return [
            Problem(
                path,
                f"expected {_TYPE_WORDS.get(value, value)}, got {_type_name(instance)} "
                f"({json.dumps(instance)[:40]})",
            )
        ]
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        low_word = f"more than {low}" if "exclusiveMinimum" in schema else f"{low}"
        allowed = f"{low_word} to {high}" if high is not None else f"{low_word} or more"
        return [Problem(path, f"{instance!r} is out of range; allowed {allowed}")]
    if kind == "format":
        return [Problem(path, f"{instance!r} is not a valid {value}; expected YYYY-MM-DD")]
    if kind == "uniqueItems":
        return [Problem(path, "values must not repeat")]
    if kind == "not" and "description" in schema:
        return [Problem(_join(path, "side"), schema["description"])]
    return [Problem(path, error.message)]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cross_field_problems(data: Mapping[str, Any]) -> list[Problem]:
    problems = []
    onset = data.get("dystonia", {}).get("onset_age")
    age = data.get("age")
    if onset is not None and age is not None and onset > age:
        problems.append(
            Problem("dystonia.onset_age", f"{onset!r} is out of range; allowed 0 to age ({age})")
        )
    for index, cycle in enumerate(data.get("botulinum_toxin", {}).get("cycles", [])):
        date = cycle.get("date")
        if isinstance(date, str) and not _DATE.match(date):
            problems.append(
                Problem(
                    f"botulinum_toxin.cycles[{index}].date",
                    f"{date!r} is not a valid date; expected YYYY-MM-DD",
                )
            )
    return problems


def _non_finite(value: Any, path: tuple = ()) -> list[Problem]:
    """NaN and infinities pass JSON Schema's range checks, so they are refused here."""
    if isinstance(value, float) and not math.isfinite(value):
        return [Problem(format_path(path), f"{value!r} is not a number; expected a finite number")]
    if isinstance(value, Mapping):
        return [p for key, inner in value.items() for p in _non_finite(inner, (*path, key))]
    if isinstance(value, list):
        return [p for index, inner in enumerate(value) for p in _non_finite(inner, (*path, index))]
    return []


def validate_case_facts(data: Any) -> tuple[Problem, ...]:
    """All problems with a case-facts document (empty when it is valid)."""
    if not isinstance(data, Mapping):
        return (Problem("", f"case facts must be a JSON object, got {_type_name(data)}"),)
    problems: list[Problem] = _non_finite(data)
    for error in sorted(
        _validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator)
    ):
        problems.extend(_problems_from(error))
    if not problems:
        problems.extend(_cross_field_problems(data))
    return tuple(dict.fromkeys(problems))


def parse_case_facts(data: Mapping[str, Any]) -> CaseFacts:
    """Validate a case-facts mapping against the JSON Schema and build typed facts.

    Raises CaseFactsError listing each problem with its field path and allowed values.
    """
    problems = validate_case_facts(data)
    if problems:
        raise CaseFactsError(problems)
    return build_case_facts(data)


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not allowed in case facts", name, 0)


def load_case_facts(text: str) -> CaseFacts:
    """Parse case facts from JSON text (bad JSON is reported like any other problem)."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise CaseFactsError(
            [
                Problem(
                    "", f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
                )
            ]
        ) from None
    return parse_case_facts(data)


def _opt(enum: type[StrEnum], value: Any) -> Any:
    return None if value is None else enum(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def build_case_facts(data: Mapping[str, Any]) -> CaseFacts:
    """Typed facts from a mapping that has already passed validation (no checks here)."""
    dystonia = data.get("dystonia") or {}
    toxin = data.get("botulinum_toxin") or {}
    work_up = data.get("work_up") or {}
    health = data.get("health") or {}
    twstrs = data.get("twstrs") or {}
    patterns = data.get("patterns")
    muscles = data.get("muscles")
    cycles = toxin.get("cycles")
    resistance = toxin.get("resistance_test")
    regions = dystonia.get("regions")
    return CaseFacts(
        schema=data.get("schema", CASE_SCHEMA_ID),
        age=_int(data.get("age")),
        dystonia=Dystonia(
            distribution=_opt(Distribution, dystonia.get("distribution")),
            regions=None if regions is None else tuple(Region(r) for r in regions),
            onset_age=_int(dystonia.get("onset_age")),
            course=_opt(Course, dystonia.get("course")),
            aetiology=_opt(Aetiology, dystonia.get("aetiology")),
        ),
        patterns=None
        if patterns is None
        else tuple(
            PatternObservation(
                Pattern(p["pattern"]), _opt(Side, p.get("side")), _int(p.get("severity"))
            )
            for p in patterns
        ),
        tremor=_opt(Tremor, data.get("tremor")),
        muscles=None
        if muscles is None
        else tuple(
            MuscleFact(Muscle(m["muscle"]), _opt(MuscleSide, m.get("side")), m.get("emg_active"))
            for m in muscles
        ),
        twstrs=TwstrsFacts(
            _int(twstrs.get("severity")), _int(twstrs.get("disability")), twstrs.get("pain")
        ),
        botulinum_toxin=BotulinumToxin(
            response_pattern=_opt(ResponsePattern, toxin.get("response_pattern")),
            cycles=None
            if cycles is None
            else tuple(
                ToxinCycle(
                    date=None if c.get("date") is None else datetime.date.fromisoformat(c["date"]),
                    product=_opt(Product, c.get("product")),
                    units=c.get("units"),
                    benefit_percent=c.get("benefit_percent"),
                    benefit_weeks=c.get("benefit_weeks"),
                )
                for c in cycles
            ),
            resistance_test=None
            if resistance is None
            else ResistanceTest(
                _opt(ResistanceTestKind, resistance.get("test")),
                _opt(ResistanceResult, resistance.get("result")),
            ),
        ),
        work_up=WorkUp(
            work_up.get("emg_mapping"),
            _opt(StudyResult, work_up.get("videofluoroscopy")),
            _opt(StudyResult, work_up.get("ct_cervical_spine")),
        ),
        health=Health(
            health.get("fit_for_general_anaesthetic"),
            health.get("cervical_myelopathy"),
            health.get("prior_neck_surgery"),
        ),
        preferences=Preferences((data.get("preferences") or {}).get("wants_surgery")),
    )


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


def _str(value: Any) -> Any:
    return None if value is None else str(value)


def case_facts_to_dict(facts: CaseFacts) -> dict[str, Any]:
    """The contract's JSON shape for typed facts; unknown fields and empty objects are left out."""
    d, t = facts.dystonia, facts.botulinum_toxin
    data: dict[str, Any] = {"schema": facts.schema, "age": facts.age}
    data["dystonia"] = _drop_none(
        {
            "distribution": _str(d.distribution),
            "regions": None if d.regions is None else [str(r) for r in d.regions],
            "onset_age": d.onset_age,
            "course": _str(d.course),
            "aetiology": _str(d.aetiology),
        }
    )
    if facts.patterns is not None:
        data["patterns"] = [
            _drop_none({"pattern": str(p.pattern), "side": _str(p.side), "severity": p.severity})
            for p in facts.patterns
        ]
    data["tremor"] = _str(facts.tremor)
    if facts.muscles is not None:
        data["muscles"] = [
            _drop_none({"muscle": str(m.muscle), "side": _str(m.side), "emg_active": m.emg_active})
            for m in facts.muscles
        ]
    data["twstrs"] = _drop_none(
        {
            "severity": facts.twstrs.severity,
            "disability": facts.twstrs.disability,
            "pain": facts.twstrs.pain,
        }
    )
    toxin: dict[str, Any] = {"response_pattern": _str(t.response_pattern)}
    if t.cycles is not None:
        toxin["cycles"] = [
            _drop_none(
                {
                    "date": None if c.date is None else c.date.isoformat(),
                    "product": _str(c.product),
                    "units": c.units,
                    "benefit_percent": c.benefit_percent,
                    "benefit_weeks": c.benefit_weeks,
                }
            )
            for c in t.cycles
        ]
    if t.resistance_test is not None:
        toxin["resistance_test"] = _drop_none(
            {"test": _str(t.resistance_test.test), "result": _str(t.resistance_test.result)}
        )
    data["botulinum_toxin"] = _drop_none(toxin)
    w, h = facts.work_up, facts.health
    data["work_up"] = _drop_none(
        {
            "emg_mapping": w.emg_mapping,
            "videofluoroscopy": _str(w.videofluoroscopy),
            "ct_cervical_spine": _str(w.ct_cervical_spine),
        }
    )
    data["health"] = _drop_none(
        {
            "fit_for_general_anaesthetic": h.fit_for_general_anaesthetic,
            "cervical_myelopathy": h.cervical_myelopathy,
            "prior_neck_surgery": h.prior_neck_surgery,
        }
    )
    data["preferences"] = _drop_none({"wants_surgery": facts.preferences.wants_surgery})
    return {k: v for k, v in data.items() if v is not None and v != {}}

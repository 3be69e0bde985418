"""Reading a FHIR search's query string: the parameters each resource supports (declared in
`registry`), their values by type (token, string, date, reference), `_count` and the keyset
cursor. Anything else is refused with a 400 naming the parameter, so a client never gets
results that silently ignored part of what it asked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

from collis.fhir_api.outcomes import invalid

# Parameters every search accepts, besides the resource's own.
CURSOR = "_cursor"
COUNT = "_count"
FORMAT = "_format"
INCLUDE = "_include"
REVINCLUDE = "_revinclude"
JSON_FORMATS = ("json", "application/json", "application/fhir+json", "application/json+fhir")


class ParamType(StrEnum):
    TOKEN = "token"  # noqa: S105 - the FHIR search parameter type, not a secret
    STRING = "string"
    DATE = "date"
    REFERENCE = "reference"
    URI = "uri"


@dataclass(frozen=True)
class SearchParam:
    """One search parameter a resource supports: its name, type, meaning, and the FHIR
    definition it follows (for the CapabilityStatement)."""

    name: str
    type: ParamType
    documentation: str
    definition: str = ""
    # Whether a date parameter takes a time as well as a date (`_lastUpdated`).
    with_time: bool = False


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system
    code: str


@dataclass(frozen=True)
class DateRange:
    """A date search value: its prefix and the interval its precision covers, [lo, hi)."""

    prefix: str
    lo: dt.date | dt.datetime
    hi: dt.date | dt.datetime


@dataclass
class SearchRequest:
    criteria: dict[str, list] = field(default_factory=dict)
    count: int = 20
    cursor: str = ""
    # `_include` and `_revinclude` values as given ("Observation:patient"); the registry
    # checks them against what each resource type declares (`registry.resolve_includes`).
    include: list[str] = field(default_factory=list)
    revinclude: list[str] = field(default_factory=list)

    def values(self, name: str) -> list:
        return self.criteria.get(name, [])


_DATE = re.compile(
    r"(?P<prefix>eq|ne|gt|lt|ge|le|sa|eb|ap)?(?P<year>\d{4})(?:-(?P<month>\d{2})"
    r"(?:-(?P<day>\d{2})(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?")
SUPPORTED_DATE_PREFIXES = ("eq", "gt", "ge", "lt", "le")


def parse_date(name: str, text: str, *, with_time: bool, zone: dt.tzinfo) -> DateRange:
    """A FHIR date search value ("1974", "ge1974-05", "lt2026-01-02T10:00:00Z") as the
    interval its precision covers. Dates without a zone are read in `zone`."""
    match = _DATE.fullmatch(text)
    if not match:
        raise invalid(f"{name}: '{text}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD"
                      + (" or YYYY-MM-DDThh:mm:ss+zz:zz" if with_time else "")
                      + ", with an optional prefix such as ge or lt).", name)
    prefix = match["prefix"] or "eq"
    if prefix not in SUPPORTED_DATE_PREFIXES:
        raise invalid(f"{name}: the prefix '{prefix}' is not supported; use one of "
                      f"{', '.join(SUPPORTED_DATE_PREFIXES)}.", name)
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    try:
        lo = dt.date(year, month, day)
    except ValueError:
        raise invalid(f"{name}: '{text}' is not a real date.", name) from None
    if match["time"] is not None:
        if not with_time:
            raise invalid(f"{name}: give a date without a time.", name)
        if match["zone"] is None:
            raise invalid(f"{name}: a time needs a time zone (Z or +01:00).", name)
        moment = dt.datetime.fromisoformat(f"{lo.isoformat()}T{match['time']}"
                                           f"{'+00:00' if match['zone'] == 'Z' else match['zone']}")
        return DateRange(prefix, moment, moment + dt.timedelta(seconds=1))
    if match["day"]:
        hi = lo + dt.timedelta(days=1)
    elif match["month"]:
        hi = (lo.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        hi = lo.replace(year=year + 1)
    if with_time:
        lo = dt.datetime.combine(lo, dt.time(), tzinfo=zone)
        hi = dt.datetime.combine(hi, dt.time(), tzinfo=zone)
    return DateRange(prefix, lo, hi)


def parse_token(name: str, text: str) -> Token:
    if "|" in text:
        system, _, code = text.partition("|")
        if not code:
            raise invalid(f"{name}: give a code after the '|' ('{text}').", name)
        return Token(system, code)
    if not text:
        raise invalid(f"{name}: give a value.", name)
    return Token(None, text)


def parse_reference(name: str, text: str, target: str) -> str:
    """The id of a reference value ("Patient/abc" or "abc")."""
    ref_type, slash, ref_id = text.rpartition("/")
    if slash and ref_type.rsplit("/", 1)[-1] != target:
        raise invalid(f"{name}: refers to {target} resources, not '{ref_type}'.", name)
    if not ref_id:
        raise invalid(f"{name}: give the id of a {target}.", name)
    return ref_id


def parse_search(query, params: dict[str, SearchParam], *, default_count: int,
                 max_count: int, zone: dt.tzinfo, reference_targets: dict[str, str]
                 ) -> SearchRequest:
    """The search asked for by `query` (a QueryDict), against the parameters supported."""
    request = SearchRequest(count=default_count)
    for key in query:
        values = query.getlist(key)
        name, _, modifier = key.partition(":")
        if name == COUNT:
            try:
                count = int(values[-1])
            except ValueError:
                raise invalid(f"{COUNT}: '{values[-1]}' is not a whole number.",
                              COUNT) from None
            if count < 1:
                raise invalid(f"{COUNT}: must be 1 or more.", COUNT)
            request.count = min(count, max_count)
            continue
        if name == CURSOR:
            request.cursor = values[-1]
            continue
        if name == FORMAT:
            continue  # checked by the view (406 for anything but JSON)
        if name in (INCLUDE, REVINCLUDE):
            if modifier:
                raise invalid(f"{key}: the modifier ':{modifier}' is not supported (Collis "
                              "includes one level of references).", key)
            for text in values:
                parts = [part.strip() for part in text.split(",")]
                if not all(parts):
                    raise invalid(f"{name}: give a value such as Observation:patient.", name)
                getattr(request, name.removeprefix("_")).extend(parts)
            continue
        param = params.get(name)
        if param is None:
            supported = ", ".join(sorted([*params, COUNT, INCLUDE, REVINCLUDE]))
            raise invalid(f"{key}: this search parameter is not supported here; the "
                          f"supported ones are {supported}.", key)
        if modifier:
            raise invalid(f"{key}: the modifier ':{modifier}' is not supported.", key)
        for text in values:
            if param.type == ParamType.TOKEN:
                parsed = [parse_token(name, part) for part in text.split(",")]
            elif param.type == ParamType.REFERENCE:
                parsed = [parse_reference(name, part, reference_targets.get(name, ""))
                          for part in text.split(",")]
            elif param.type == ParamType.DATE:
                parsed = parse_date(name, text, with_time=param.with_time, zone=zone)
            else:
                if not text.strip():
                    raise invalid(f"{name}: give a value.", name)
                parsed = text.strip()
            request.criteria.setdefault(name, []).append(parsed)
    return request

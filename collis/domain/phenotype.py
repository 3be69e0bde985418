"""Cervical dystonia phenomenology: the Col-Cap patterns [2][3][4][5].

Each movement plane can act at the head on C1/C2 (caput) or the neck on the trunk
(collis) [3]. A clinician rates each pattern 0-4; the first-listed pattern with the highest
severity is the dominant one. The muscles that typically drive each pattern come from
``data/pattern_muscles.json``: versioned data that needs clinician sign-off, because
sources disagree on some sides (see the reference §3).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from collis.domain.muscles import Muscle, MuscleSide

SOURCES = (2, 3, 4, 5)
PATTERN_TABLE_PATH = Path(__file__).parent / "data" / "pattern_muscles.json"
SEVERITY_RANGE = (0, 4)


class Pattern(StrEnum):
    TORTICAPUT = "torticaput"
    TORTICOLLIS = "torticollis"
    LATEROCAPUT = "laterocaput"
    LATEROCOLLIS = "laterocollis"
    ANTECAPUT = "antecaput"
    ANTEROCOLLIS = "anterocollis"
    RETROCAPUT = "retrocaput"
    RETROCOLLIS = "retrocollis"
    LATERAL_SHIFT = "lateral_shift"
    SAGITTAL_SHIFT_FORWARD = "sagittal_shift_forward"
    SAGITTAL_SHIFT_BACKWARD = "sagittal_shift_backward"
    SHOULDER_ELEVATION = "shoulder_elevation"


class Side(StrEnum):
    """The side the head turns or tilts towards (for shoulder elevation, the raised side)."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def opposite(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


SAGITTAL_PATTERNS = frozenset(
    {
        Pattern.ANTECAPUT,
        Pattern.ANTEROCOLLIS,
        Pattern.RETROCAPUT,
        Pattern.RETROCOLLIS,
        Pattern.SAGITTAL_SHIFT_FORWARD,
        Pattern.SAGITTAL_SHIFT_BACKWARD,
    }
)
LATERALISED_PATTERNS = frozenset(set(Pattern) - SAGITTAL_PATTERNS)
ROTATION_PATTERNS = frozenset({Pattern.TORTICAPUT, Pattern.TORTICOLLIS})


@dataclass(frozen=True, slots=True)
class PatternObservation:
    """One observed pattern: side (absent for sagittal patterns), severity 0-4 (None: not rated)."""

    pattern: Pattern
    side: Side | None = None
    severity: int | None = None

    def __post_init__(self) -> None:
        if self.severity is not None and (
            isinstance(self.severity, bool)
            or not isinstance(self.severity, int)
            or not SEVERITY_RANGE[0] <= self.severity <= SEVERITY_RANGE[1]
        ):
            raise ValueError(f"pattern severity must be an integer 0-4; got {self.severity!r}")
        if self.side is not None and self.pattern in SAGITTAL_PATTERNS:
            raise ValueError(f"{self.pattern} is a sagittal pattern and has no side")

    def describe(self) -> str:
        side = (
            f" ({self.side})"
            if self.side
            else (" (side not recorded)" if self.pattern in LATERALISED_PATTERNS else "")
        )
        severity = (
            f"severity {self.severity}" if self.severity is not None else "severity not recorded"
        )
        return f"{self.pattern}{side}, {severity}"


def dominant_index(observations: Sequence[PatternObservation]) -> int | None:
    """Index of the dominant pattern: first-listed with the highest severity.

    None when there are no patterns, or when two or more are listed and any is unrated
    (the dominant one cannot then be known).
    """
    if not observations:
        return None
    if len(observations) == 1:
        return 0
    best = -1
    best_index = None
    for index, observation in enumerate(observations):
        if observation.severity is None:
            return None
        if observation.severity > best:
            best, best_index = observation.severity, index
    return best_index


def dominant_pattern(observations: Sequence[PatternObservation]) -> PatternObservation | None:
    index = dominant_index(observations)
    return None if index is None else observations[index]


class Placement(StrEnum):
    IPSILATERAL = "ipsilateral"
    CONTRALATERAL = "contralateral"
    BILATERAL = "bilateral"


@dataclass(frozen=True, slots=True)
class TableEntry:
    muscle: Muscle
    placement: Placement
    as_written: str
    disputed: bool = False
    note: str = ""
    from_pattern: str = ""  # the row it came from, for composite rows (lateral or sagittal shift)


@dataclass(frozen=True, slots=True)
class PatternRow:
    pattern: str
    entries: tuple[TableEntry, ...]
    sources: tuple[int, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class SuggestedMuscle:
    """A muscle that typically drives a pattern, on a side (None: the pattern's side is unknown)."""

    muscle: Muscle
    side: MuscleSide | None
    pattern: str
    disputed: bool = False

    def sides(self) -> frozenset[str]:
        if self.side is None or self.side is MuscleSide.BILATERAL:
            return frozenset({"left", "right"})
        return frozenset({str(self.side)})

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"muscle": str(self.muscle), "pattern": self.pattern}
        if self.side is not None:
            data["side"] = str(self.side)
        if self.disputed:
            data["disputed"] = True
        return data


class PatternTableError(ValueError):
    """The pattern-to-muscles data file is malformed."""


@dataclass(frozen=True, slots=True)
class PatternTable:
    name: str
    version: str
    needs_clinician_sign_off: bool
    rows: dict[str, PatternRow]
    not_in_reference: dict[str, str]
    _suggestions: dict[tuple[str, Side | None], tuple[SuggestedMuscle, ...]] = field(
        default_factory=dict, repr=False
    )

    def row(self, pattern: Pattern | str) -> PatternRow | None:
        return self.rows.get(str(pattern))

    def suggest(self, pattern: Pattern | str, side: Side | None) -> tuple[SuggestedMuscle, ...]:
        """Muscles of a pattern's row placed on sides (empty when the table has no row)."""
        return self._suggestions.get((str(pattern), side), ())


def _place(row: PatternRow, side: Side | None) -> tuple[SuggestedMuscle, ...]:
    placed = []
    for entry in row.entries:
        if entry.placement is Placement.BILATERAL:
            muscle_side: MuscleSide | None = MuscleSide.BILATERAL
        elif side is None:
            muscle_side = None
        elif entry.placement is Placement.IPSILATERAL:
            muscle_side = MuscleSide(str(side))
        else:
            muscle_side = MuscleSide(str(side.opposite))
        placed.append(SuggestedMuscle(entry.muscle, muscle_side, row.pattern, entry.disputed))
    return tuple(dict.fromkeys(placed))


def _entries(raw: dict[str, Any], placement: Placement, where: str) -> list[TableEntry]:
    entries = []
    for item in raw.get(str(placement), []):
        try:
            muscle = Muscle(item["muscle"])
        except (KeyError, ValueError) as error:
            raise PatternTableError(f"{where}.{placement}: unknown muscle {item!r}") from error
        entries.append(
            TableEntry(
                muscle,
                placement,
                item.get("as_written", str(muscle)),
                bool(item.get("disputed", False)),
                item.get("disputed_note", ""),
            )
        )
    return entries


_SWAP = {
    Placement.IPSILATERAL: Placement.CONTRALATERAL,
    Placement.CONTRALATERAL: Placement.IPSILATERAL,
    Placement.BILATERAL: Placement.BILATERAL,
}


def load_pattern_table(path: Path = PATTERN_TABLE_PATH) -> PatternTable:
    """Read and check the versioned pattern-to-muscles table."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    for key in ("name", "version", "needs_clinician_sign_off", "rows"):
        if key not in raw:
            raise PatternTableError(f"{path.name}: missing {key!r}")
    simple: dict[str, list[TableEntry]] = {}
    sources: dict[str, tuple[int, ...]] = {}
    notes: dict[str, str] = {}
    composite: dict[str, dict[str, list[str]]] = {}
    allowed = {str(p) for p in Pattern} | {"tremor"}
    for index, row in enumerate(raw["rows"]):
        where = f"rows[{index}]"
        pattern = row.get("pattern")
        if pattern not in allowed:
            raise PatternTableError(f"{where}: unknown pattern {pattern!r}")
        if not row.get("sources"):
            raise PatternTableError(f"{where} ({pattern}): each row needs its sources")
        sources[pattern] = tuple(row["sources"])
        notes[pattern] = row.get("note", "")
        if any(k.endswith("_sets") for k in row):
            composite[pattern] = {str(p): row.get(f"{p}_sets", []) for p in Placement}
        else:
            simple[pattern] = [e for p in Placement for e in _entries(row, p, where)]
    rows = {p: PatternRow(p, tuple(e), sources[p], notes[p]) for p, e in simple.items()}
    for pattern, sets in composite.items():
        entries = []
        for placement_name, names in sets.items():
            placement = Placement(placement_name)
            for name in names:
                if name not in simple:
                    raise PatternTableError(f"{pattern}: set {name!r} is not a simple row")
                for entry in simple[name]:
                    if placement is Placement.BILATERAL:
                        new_placement = Placement.BILATERAL
                    elif placement is Placement.IPSILATERAL:
                        new_placement = entry.placement
                    else:
                        new_placement = _SWAP[entry.placement]
                    entries.append(
                        TableEntry(
                            entry.muscle,
                            new_placement,
                            entry.as_written,
                            entry.disputed,
                            entry.note,
                            from_pattern=name,
                        )
                    )
        rows[pattern] = PatternRow(pattern, tuple(entries), sources[pattern], notes[pattern])
    suggestions = {
        (p, side): _place(row, side) for p, row in rows.items() for side in (None, *Side)
    }
    return PatternTable(
        name=raw["name"],
        version=raw["version"],
        needs_clinician_sign_off=bool(raw["needs_clinician_sign_off"]),
        rows=rows,
        not_in_reference=dict(raw.get("not_in_reference", {})),
        _suggestions=suggestions,
    )


PATTERN_TABLE = load_pattern_table()


def suggested_muscles(
    observation: PatternObservation, table: PatternTable = PATTERN_TABLE
) -> tuple[SuggestedMuscle, ...]:
    """Muscles that typically drive an observed pattern, on sides (a suggestion, not a plan)."""
    return table.suggest(observation.pattern, observation.side)


def tremor_muscles(table: PatternTable = PATTERN_TABLE) -> tuple[SuggestedMuscle, ...]:
    """Muscles often involved in tremor [8]."""
    return table.suggest("tremor", None)

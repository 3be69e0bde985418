"""Col-Cap patterns [2]-[5]: dominance, the versioned pattern-to-muscles table, suggestions."""

from __future__ import annotations

import json

import pytest

from collis.domain.muscles import Muscle, MuscleSide
from collis.domain.phenotype import (
    PATTERN_TABLE,
    PATTERN_TABLE_PATH,
    SAGITTAL_PATTERNS,
    Pattern,
    PatternObservation,
    PatternTableError,
    Side,
    dominant_index,
    dominant_pattern,
    load_pattern_table,
    suggested_muscles,
    tremor_muscles,
)


def obs(pattern, side=None, severity=None):
    return PatternObservation(Pattern(pattern), Side(side) if side else None, severity)


def test_dominant_is_first_listed_with_highest_severity():
    patterns = [
        obs("laterocaput", "left", 2),
        obs("torticaput", "right", 3),
        obs("retrocollis", None, 3),
    ]
    assert dominant_pattern(patterns).pattern is Pattern.TORTICAPUT
    assert dominant_index(patterns) == 1


def test_single_pattern_is_dominant_even_unrated():
    assert dominant_index([obs("torticollis", "left")]) == 0


def test_dominance_is_unknown_when_any_of_several_is_unrated():
    assert dominant_index([obs("torticollis", "left", 3), obs("laterocollis", "left")]) is None
    assert dominant_index([]) is None


@pytest.mark.parametrize("severity", [-1, 5, 2.5, True])
def test_severity_must_be_0_to_4(severity):
    with pytest.raises(ValueError):
        PatternObservation(Pattern.TORTICAPUT, Side.LEFT, severity)


@pytest.mark.parametrize("pattern", sorted(SAGITTAL_PATTERNS))
def test_sagittal_patterns_have_no_side(pattern):
    with pytest.raises(ValueError):
        PatternObservation(pattern, Side.LEFT, 1)


def test_table_is_versioned_and_needs_sign_off():
    raw = json.loads(PATTERN_TABLE_PATH.read_text())
    assert raw["version"] == PATTERN_TABLE.version
    assert raw["needs_clinician_sign_off"] is True
    assert PATTERN_TABLE.needs_clinician_sign_off
    assert all(row["sources"] for row in raw["rows"])


def test_disputed_torticaput_entries_are_marked():
    disputed = {e.muscle for e in PATTERN_TABLE.row("torticaput").entries if e.disputed}
    assert disputed == {Muscle.SEMISPINALIS_CAPITIS, Muscle.TRAPEZIUS}


def test_torticaput_muscles_are_placed_by_side():
    placed = {(s.muscle, s.side) for s in suggested_muscles(obs("torticaput", "right", 3))}
    assert (Muscle.SPLENIUS_CAPITIS, MuscleSide.RIGHT) in placed
    assert (Muscle.STERNOCLEIDOMASTOID, MuscleSide.LEFT) in placed
    assert (Muscle.OBLIQUUS_CAPITIS_INFERIOR, MuscleSide.RIGHT) in placed


def test_lateral_shift_is_laterocollis_plus_contralateral_laterocaput():
    placed = {(s.muscle, s.side) for s in suggested_muscles(obs("lateral_shift", "left", 2))}
    assert (Muscle.SCALENES, MuscleSide.LEFT) in placed  # laterocollis set, same side
    assert (Muscle.STERNOCLEIDOMASTOID, MuscleSide.RIGHT) in placed  # laterocaput set, other side
    assert PATTERN_TABLE.row("lateral_shift").sources == (3,)


def test_forward_sagittal_shift_is_anterocollis_plus_retrocaput():
    muscles = {s.muscle for s in suggested_muscles(obs("sagittal_shift_forward", None, 2))}
    assert {Muscle.LONGUS_COLLI, Muscle.SEMISPINALIS_CAPITIS} <= muscles
    assert all(
        s.side is MuscleSide.BILATERAL for s in suggested_muscles(obs("anterocollis", None, 1))
    )


def test_backward_sagittal_shift_has_no_row_because_the_reference_gives_none():
    assert suggested_muscles(obs("sagittal_shift_backward", None, 2)) == ()
    assert "sagittal_shift_backward" in PATTERN_TABLE.not_in_reference


def test_unknown_side_leaves_lateralised_muscles_unplaced():
    assert all(s.side is None for s in suggested_muscles(obs("torticollis", None, 2)))


def test_tremor_muscles_come_from_source_8():
    assert {s.muscle for s in tremor_muscles()} == {
        Muscle.SPLENIUS_CAPITIS,
        Muscle.STERNOCLEIDOMASTOID,
        Muscle.TRAPEZIUS,
        Muscle.OBLIQUUS_CAPITIS_INFERIOR,
    }
    assert PATTERN_TABLE.row("tremor").sources == (8,)


def test_every_table_muscle_is_in_the_contract_vocabulary():
    for row in PATTERN_TABLE.rows.values():
        assert all(isinstance(e.muscle, Muscle) for e in row.entries)


def test_a_malformed_table_is_refused(tmp_path):
    raw = json.loads(PATTERN_TABLE_PATH.read_text())
    raw["rows"][0]["ipsilateral"].append({"muscle": "deltoid"})
    path = tmp_path / "table.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(PatternTableError, match="deltoid"):
        load_pattern_table(path)

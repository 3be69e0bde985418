"""The denervation plan: the involved muscles SD can reach, with their nerve targets, and
those it cannot reach, with the reason [27][31][34][35].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collis.domain.candidacy.assessment import NotAddressable, PlanEntry
from collis.domain.case_facts import CaseFacts, MuscleFact
from collis.domain.muscles import MUSCLES, Muscle, MuscleSide, Reach
from collis.domain.phenotype import PATTERN_TABLE, SuggestedMuscle

# A muscle is involved when ``emg_active`` is true or not recorded; muscles recorded as
# inactive on EMG are left out. The same muscle recorded by two sources (levator scapulae
# "bilateral" on EMG and "left" and "right" from the examination) is one muscle on two
# sides: entries are merged per muscle and side, and a muscle on both sides with the same
# EMG confirmation is one bilateral entry, mirroring the EMG record (the surgeon decides
# sides and staging). A reachable muscle without a side is a missing fact (see the muscles
# criterion) and is left out of the plan.

_SIDES = (MuscleSide.LEFT, MuscleSide.RIGHT)
# How firmly a side is known to be involved: confirmed on EMG beats not recorded.
_CONFIRMATION = {True: 2, None: 1}


def merge_muscles(muscles: Iterable[MuscleFact]) -> list[MuscleFact]:
    """Involved muscle entries merged per muscle and side, in the order first recorded: a
    bilateral entry counts for the left and the right; each side keeps its firmest EMG
    confirmation; both sides alike become one bilateral entry."""
    sides: dict[Muscle, dict[MuscleSide | None, bool | None]] = {}
    for muscle in muscles:
        if muscle.emg_active is False:
            continue
        known = sides.setdefault(muscle.muscle, {})
        for side in _SIDES if muscle.side is MuscleSide.BILATERAL else (muscle.side,):
            if side not in known or _CONFIRMATION[muscle.emg_active] > _CONFIRMATION[known[side]]:
                known[side] = muscle.emg_active
    merged = []
    for muscle, known in sides.items():
        left, right = MuscleSide.LEFT, MuscleSide.RIGHT
        if left in known and right in known and known[left] is known[right]:
            merged.append(MuscleFact(muscle, MuscleSide.BILATERAL, known[left]))
            known = {side: value for side, value in known.items() if side not in _SIDES}
        merged.extend(MuscleFact(muscle, side, emg) for side, emg in known.items())
    return merged


_ROW_SIDES = {"left": ("left",), "right": ("right",), "bilateral": ("left", "right")}


def merge_plan_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plan rows (muscle, side, target ...) merged the same way, for forms pre-filled from a
    stored plan (an older assessment may list one muscle as bilateral, left and right)."""
    by_muscle: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        kept = by_muscle.setdefault(str(row.get("muscle", "")), [])
        if row.get("side") not in [k.get("side") for k in kept]:
            kept.append(dict(row))
    merged = []
    for kept in by_muscle.values():
        covered = {s for k in kept for s in _ROW_SIDES.get(str(k.get("side")), ())}
        if {"left", "right"} <= covered:
            merged.append({**kept[0], "side": "bilateral"})
        else:
            merged.extend(kept)
    return merged


def involved_muscles(facts: CaseFacts) -> list[MuscleFact]:
    """The recorded muscles that are involved (active on EMG, or EMG not recorded for them),
    each muscle and side once."""
    return merge_muscles(facts.muscles or ())


def denervation_plan(facts: CaseFacts) -> tuple[PlanEntry, ...]:
    """Each involved muscle SD can reach, once per side (both sides alike: one bilateral
    entry); unconfirmed on EMG is flagged."""
    plan: dict[tuple[Muscle, MuscleSide], PlanEntry] = {}
    for muscle in involved_muscles(facts):
        info = MUSCLES[muscle.muscle]
        if not info.reach.reachable or muscle.side is None or (muscle.muscle, muscle.side) in plan:
            continue
        plan[(muscle.muscle, muscle.side)] = PlanEntry(
            muscle.muscle,
            muscle.side,
            info.target or "",
            info.sources,
            outside_classic_operation=info.reach is Reach.EXTRA_PROCEDURE,
            emg_confirmed=muscle.emg_active is True,
        )
    return tuple(plan.values())


def not_addressable(facts: CaseFacts) -> tuple[NotAddressable, ...]:
    """Each involved muscle SD cannot reach, with the reason [31][34]."""
    described = ((muscle, MUSCLES[muscle.muscle]) for muscle in involved_muscles(facts))
    return tuple(
        NotAddressable(muscle.muscle, muscle.side, info.note, info.sources)
        for muscle, info in described
        if not info.reach.reachable
    )


def suggested_muscles(facts: CaseFacts) -> tuple[SuggestedMuscle, ...]:
    """When no muscles are listed, the muscles that typically drive the recorded patterns
    (from the pattern table [2][3][4][5]); a suggestion, never the plan."""
    if facts.muscles:
        return ()
    seen: dict[tuple[Muscle, MuscleSide | None], SuggestedMuscle] = {}
    for observation in facts.patterns or ():
        for suggestion in PATTERN_TABLE.suggest(observation.pattern, observation.side):
            seen.setdefault((suggestion.muscle, suggestion.side), suggestion)
    return tuple(seen.values())

"""The denervation plan: the involved muscles SD can reach, with their nerve targets, and
those it cannot reach, with the reason [27][31][34][35].
"""

from __future__ import annotations

from collis.domain.candidacy.assessment import NotAddressable, PlanEntry
from collis.domain.case_facts import CaseFacts, MuscleFact
from collis.domain.muscles import MUSCLES, Muscle, MuscleSide, Reach
from collis.domain.phenotype import PATTERN_TABLE, SuggestedMuscle

# A muscle is involved when ``emg_active`` is true or not recorded; muscles recorded as
# inactive on EMG are left out. A bilateral muscle stays one bilateral entry, mirroring the
# EMG record (the surgeon decides sides and staging). A reachable muscle without a side is
# a missing fact (see the muscles criterion) and is left out of the plan.


def involved_muscles(facts: CaseFacts) -> list[MuscleFact]:
    """The recorded muscles that are involved: active on EMG, or EMG not recorded for them."""
    return [muscle for muscle in facts.muscles or () if muscle.emg_active is not False]


def denervation_plan(facts: CaseFacts) -> tuple[PlanEntry, ...]:
    """Each involved muscle SD can reach, once per side; unconfirmed on EMG is flagged."""
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

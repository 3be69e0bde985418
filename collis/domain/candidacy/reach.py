"""Muscle criteria: whether SD reaches the muscles that drive the dominant pattern and the
other involved muscles [28][31][34][35], and how many muscle groups are involved [37].
"""

from __future__ import annotations

from collis.domain.candidacy.codes import FindingCode
from collis.domain.candidacy.common import missing_fact, plain
from collis.domain.candidacy.plan import involved_muscles
from collis.domain.case_facts import CaseFacts, MuscleFact
from collis.domain.findings import Effect, Finding
from collis.domain.muscles import MUSCLES, Muscle, MuscleSide
from collis.domain.phenotype import (
    LATERALISED_PATTERNS,
    PATTERN_TABLE,
    SuggestedMuscle,
    dominant_index,
)
from collis.domain.policy import Policy

# The sides on which a muscle group counts towards "numerous muscle groups" [37].
GROUP_SIDES: dict[MuscleSide | None, tuple[str, ...]] = {
    MuscleSide.LEFT: ("left",),
    MuscleSide.RIGHT: ("right",),
    MuscleSide.BILATERAL: ("left", "right"),
    None: ("unknown",),
}

# No muscles recorded: a core fact when the dominant pattern cannot give them either.
MISSING_MUSCLES = missing_fact(
    FindingCode.MISSING_MUSCLES,
    ("muscles",),
    "No muscles recorded, and no dominant pattern with its side to derive them from: the plan "
    "needs the active muscles from EMG mapping [28].",
    (28,),
    core=True,
)
MISSING_MUSCLES_PATTERN_KNOWN = missing_fact(
    FindingCode.MISSING_MUSCLES,
    ("muscles",),
    "No muscles recorded: the muscles that typically drive the dominant pattern stand in for "
    "them, but the plan needs the active muscles from EMG mapping [28].",
    (28,),
)
NO_EMG_ACTIVE = Finding(
    FindingCode.NO_EMG_ACTIVE_MUSCLES,
    Effect.AGAINST,
    "Every recorded muscle is inactive on EMG, so SD has no muscle to denervate; the work-up maps "
    "the active muscles [28].",
    (28,),
)
LEVATOR_SCAPULAE = Finding(
    FindingCode.LEVATOR_SCAPULAE_INVOLVED,
    Effect.CAUTIONS,
    "Levator scapulae is involved: it is outside the classic operation and needs an extra "
    "denervation or section of its insertion [35].",
    (35,),
)


def _derivable_from_pattern(facts: CaseFacts) -> bool:
    """Whether the pattern table gives muscles for the dominant pattern on known sides."""
    observations = facts.patterns or ()
    dominant = dominant_index(observations)
    if dominant is None:
        return False
    pattern, side = observations[dominant].pattern, observations[dominant].side
    if pattern in LATERALISED_PATTERNS and side is None:
        return False
    return bool(PATTERN_TABLE.suggest(pattern, side))


def _unconfirmed_note(muscles: list[MuscleFact]) -> str:
    """How a finding on recorded muscles rests on an inference (said in derived details)."""
    unconfirmed = [_muscle_text(m) for m in muscles if m.emg_active is not True]
    if not unconfirmed:
        return ""
    return (
        " Derived: " + ", ".join(unconfirmed) + " not confirmed on EMG (taken as involved from "
        "the examination or the record)."
    )


def _muscle_text(muscle: MuscleFact) -> str:
    side = muscle.side or "side not recorded"
    return f"{plain(muscle.muscle)} ({side})"


def _may_share_a_side(first: MuscleSide | None, second: MuscleSide | None) -> bool:
    """Whether two muscle sides can be the same side (bilateral or unknown may be either)."""
    either = (None, MuscleSide.BILATERAL)
    return first is second or first in either or second in either


def _drives(muscle: MuscleFact, table: tuple[SuggestedMuscle, ...]) -> bool:
    """Whether the pattern table places the recorded muscle on one of its sides."""
    return any(
        entry.muscle is muscle.muscle and _may_share_a_side(entry.side, muscle.side)
        for entry in table
    )


def dominant_pattern_reach(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Whether SD reaches the muscles driving the dominant pattern: the recorded muscles the
    pattern table places on the pattern's sides, else the table's own (derived)."""
    observations = facts.patterns or ()
    dominant = dominant_index(observations)
    if dominant is None:
        return ()
    pattern, side = observations[dominant].pattern, observations[dominant].side
    what = f"the dominant pattern {plain(pattern)}" + (f" ({side})" if side else "")
    table = PATTERN_TABLE.suggest(pattern, side)
    if not table:
        return (
            Finding(
                FindingCode.DOMINANT_PATTERN_DRIVERS_UNKNOWN,
                Effect.CAUTIONS,
                f"The pattern table gives no muscles for {what}, so Collis cannot say whether SD "
                "reaches them.",
                (2, 3, 4, 5),
                derived=True,
            ),
        )
    drivers = [muscle for muscle in involved_muscles(facts) if _drives(muscle, table)]
    if drivers:
        names = [_muscle_text(m) for m in drivers]
        reachable = [MUSCLES[m.muscle].reach.reachable for m in drivers]
        unconfirmed = any(m.emg_active is not True or m.side is None for m in drivers)
        no_side = pattern in LATERALISED_PATTERNS and side is None
        derived = unconfirmed or no_side
        origin = "Recorded muscles that drive " + what
        note = _unconfirmed_note(drivers) + (
            " Derived: the side of the pattern is not recorded, so muscles on either side are "
            "taken as its drivers."
            if no_side
            else ""
        )
    else:
        names = [plain(s.muscle) + (f" ({s.side})" if s.side else "") for s in table]
        reachable = [MUSCLES[s.muscle].reach.reachable for s in table]
        derived = True
        note = ""
        origin = (
            f"Derived: no recorded muscle is a typical driver of {what}; the pattern table "
            f"(version {PATTERN_TABLE.version}, needs clinician sign-off) gives"
        )
    unreachable = [name for name, can in zip(names, reachable, strict=True) if not can]
    listed = ", ".join(names)
    if not any(reachable):
        finding = Finding(
            FindingCode.DOMINANT_PATTERN_UNREACHABLE,
            Effect.AGAINST,
            f"{origin}: {listed}. SD cannot reach any of them (SD reaches SCM and the posterior "
            f"group [31][34], and levator scapulae by an extra procedure [35]).{note}",
            (31, 34, 35),
            derived=derived,
        )
    elif unreachable:
        finding = Finding(
            FindingCode.DOMINANT_PATTERN_PARTLY_UNREACHABLE,
            Effect.CAUTIONS,
            f"{origin}: {listed}. SD cannot reach {', '.join(unreachable)} [31][34].{note}",
            (31, 34),
            derived=derived,
        )
    else:
        finding = Finding(
            FindingCode.DOMINANT_PATTERN_REACHABLE,
            Effect.FAVOURS,
            f"{origin}: {listed}. SD can reach all of them [31][34][35].{note}",
            (31, 34, 35),
            derived=derived,
        )
    return (finding,)


def _not_addressable_finding(unreachable: list[MuscleFact]) -> Finding:
    muscles = {m.muscle for m in unreachable}
    reasons = []
    if Muscle.TRAPEZIUS in muscles:
        reasons.append("trapezius is not denervated in SD series [31]")
    if muscles - {Muscle.TRAPEZIUS}:
        reasons.append("deep anterior and suprahyoid muscles are not among SD's targets [31][34]")
    return Finding(
        FindingCode.MUSCLES_NOT_ADDRESSABLE,
        Effect.CAUTIONS,
        "SD cannot reach some involved muscles: "
        + ", ".join(plain(m.muscle) + (f" ({m.side})" if m.side else "") for m in unreachable)
        + f" ({'; '.join(reasons)}).",
        (31, 34) if muscles - {Muscle.TRAPEZIUS} else (31,),
    )


def muscles(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Whether SD can reach the involved muscles [31][34]; levator scapulae needs an extra
    procedure [35]; a reachable muscle needs its side to be planned. No muscles at all is a
    core fact unless the dominant pattern, with its side, can stand in for them."""
    if not facts.muscles:
        return (
            MISSING_MUSCLES_PATTERN_KNOWN if _derivable_from_pattern(facts) else MISSING_MUSCLES,
        )
    involved = involved_muscles(facts)
    if not involved:
        return (NO_EMG_ACTIVE,)
    findings = []
    no_side = tuple(
        f"muscles[{index}].side"
        for index, m in enumerate(facts.muscles)
        if m.emg_active is not False and m.side is None and MUSCLES[m.muscle].reach.reachable
    )
    if no_side:
        findings.append(
            missing_fact(
                FindingCode.MISSING_MUSCLE_SIDE,
                no_side,
                "Side not recorded for an involved muscle that SD can reach, so it cannot be "
                "planned [31][34].",
                (31, 34),
            )
        )
    unreachable = [m for m in involved if not MUSCLES[m.muscle].reach.reachable]
    if len(unreachable) == len(involved):
        findings.append(
            Finding(
                FindingCode.NO_ADDRESSABLE_MUSCLES,
                Effect.AGAINST,
                "None of the involved muscles ("
                + ", ".join(_muscle_text(m) for m in involved)
                + ") can be reached by SD, which reaches SCM and the posterior group [31][34]."
                + _unconfirmed_note(involved),
                (31, 34),
                derived=any(m.emg_active is not True for m in involved),
            )
        )
    elif unreachable:
        findings.append(_not_addressable_finding(unreachable))
    if any(m.muscle is Muscle.LEVATOR_SCAPULAE for m in involved):
        findings.append(LEVATOR_SCAPULAE)
    return tuple(findings)


def muscle_groups(facts: CaseFacts, policy: Policy) -> tuple[Finding, ...]:
    """Involved muscle groups counted per side (bilateral on both sides): at or above the local
    limit is against ("numerous muscle groups" [37]); derived unless the EMG-confirmed
    muscles with a side reach it alone."""
    involved = involved_muscles(facts)
    if not involved:
        return ()
    every: set[tuple[str, str]] = set()
    confirmed: set[tuple[str, str]] = set()
    for m in involved:
        group = MUSCLES[m.muscle].group
        keys = [(group, side) for side in GROUP_SIDES[m.side]]
        every.update(keys)
        if m.emg_active is True and m.side is not None:
            confirmed.update(keys)
    limit = policy.numerous_muscle_groups
    ref = policy.ref("numerous_muscle_groups")
    groups = ", ".join(f"{plain(group)} ({side})" for group, side in sorted(every))
    confirmed_at_limit = len(confirmed) >= limit
    if confirmed_at_limit or len(every) >= limit:
        return (
            Finding(
                FindingCode.NUMEROUS_MUSCLE_GROUPS,
                Effect.AGAINST,
                f"{len(every)} muscle groups involved, counted per side ({groups}): at or above "
                f'the local limit of {limit}. SD "might not be possible if numerous muscle groups '
                'are involved" [37].'
                + (
                    ""
                    if confirmed_at_limit
                    else " Derived: the count reaches the limit only with muscles not confirmed "
                    "on EMG or without a recorded side."
                ),
                (37,),
                policy=ref,
                derived=not confirmed_at_limit,
            ),
        )
    return (
        Finding(
            FindingCode.FEW_MUSCLE_GROUPS,
            Effect.FAVOURS,
            f"{len(every)} muscle group(s) involved, counted per side ({groups}): below the local "
            f'limit of {limit} for "numerous muscle groups" [37].',
            (37,),
            policy=ref,
        ),
    )

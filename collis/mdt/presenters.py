"""How MDT meetings, decisions and funding requests read on screen and on paper."""

from __future__ import annotations

import re

from collis.candidacy.presenters import RECOMMENDATION_TEXT, reference_sources
from collis.core.roles import Role
from collis.mdt.models import MUSCLE_LABELS, SIDE_LABELS, Decision, MdtDecision

# The MDT that selects patients for surgery: neurologist, neurosurgeon, physiotherapist
# (reference §1, item 4). A meeting without one of them is shown with a warning.
CORE_ROLES = (Role.NEUROLOGIST, Role.NEUROSURGEON, Role.PHYSIOTHERAPIST)


def missing_core_roles(attendees) -> list[str]:
    present = {a.role for a in attendees}
    return [role.label.lower() for role in CORE_ROLES if role not in present]


def recommendation_label(recommendation: str) -> str:
    return RECOMMENDATION_TEXT.get(recommendation, (recommendation, ""))[0]


def agreement_text(decision: MdtDecision) -> str:
    if decision.agrees_with_engine is None:
        return "Decided without a stored candidacy assessment"
    recommendation = recommendation_label(decision.engine_recommendation)
    if decision.agrees_with_engine:
        return f"Agrees with the engine's recommendation ({recommendation})"
    return f"Departs from the engine's recommendation ({recommendation})"


def planned_text(row) -> str:
    side = SIDE_LABELS.get(row.side, row.side).lower()
    return f"{MUSCLE_LABELS.get(row.muscle, row.muscle)} ({side}): {row.target}"


def muscle_label(value: str) -> str:
    return MUSCLE_LABELS.get(value, value)


def side_label(value: str) -> str:
    return SIDE_LABELS.get(value, value)


def sources_text(numbers) -> str:
    return " ".join(f"[{n}]" for n in numbers)


def cited_sources(numbers) -> list[tuple[int, str]]:
    titles = reference_sources()
    # The shared parser runs a source into the next when that one starts in lower case
    # ("... page. 38 cdtorticollis.org ..."): cut at the next source number.
    return [(n, re.split(r"\.\s\d{1,2}\s", titles.get(n, ""))[0])
            for n in sorted(set(numbers))]


def agreeing_labels(recommendation: str) -> list[str]:
    """The decisions that agree with a recommendation, as words (services.AGREEING_DECISIONS)."""
    from collis.mdt.services import AGREEING_DECISIONS

    agreeing = AGREEING_DECISIONS.get(recommendation, frozenset())
    return [d.label for d in Decision if d in agreeing]

"""What every candidacy criterion shares: its signature and the finding for a missing fact.

A criterion reads the case facts and the local policy and returns its findings, the way
Django's password validators each return their errors (clinical reference §6 [28]).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from collis.domain.candidacy.codes import FindingCode
from collis.domain.case_facts import CaseFacts
from collis.domain.findings import Effect, Finding
from collis.domain.policy import Policy

Criterion = Callable[[CaseFacts, Policy], tuple[Finding, ...]]


def missing_fact(
    code: FindingCode,
    paths: tuple[str, ...],
    detail: str,
    sources: tuple[int, ...],
    *,
    core: bool = False,
) -> Finding:
    """A ``missing`` finding that names the case-facts fields it asks for; ``core`` when no
    judgement is possible without them, else a supporting fact that only refines one."""
    return Finding(code, Effect.MISSING, detail, sources, paths=paths, core=core)


def plain(value: Any) -> str:
    """A vocabulary word as it reads in a sentence (``upper_limb`` -> ``upper limb``)."""
    return str(value).replace("_", " ")

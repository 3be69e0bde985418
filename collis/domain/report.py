"""Plain-text report of a candidacy assessment, for the command line and for reading.

Findings are grouped by effect (decisive first) with their sources; the local-policy
values that decided findings are listed with their "local policy" label.
"""

from __future__ import annotations

import textwrap

from collis.domain.candidacy import RECOMMENDATION_TEXT, CandidacyAssessment
from collis.domain.findings import LOCAL_POLICY_LABEL, Effect, Finding

EFFECT_HEADINGS = (
    (Effect.EXCLUDES, "Excludes"),
    (Effect.AGAINST, "Against"),
    (Effect.MISSING, "Missing facts"),
    (Effect.CAUTIONS, "Cautions"),
    (Effect.FAVOURS, "Favours"),
)
WIDTH = 88


def _sources(sources: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in sources) if sources else "[no source]"


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [first or indent]


def _finding_lines(finding: Finding) -> list[str]:
    notes = []
    if finding.derived:
        notes.append("derived by Collis")
    if finding.policy is not None:
        notes.append(f"local policy {finding.policy.name}")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    detail = finding.detail if finding.detail.endswith(".") else finding.detail + "."
    text = f"{finding.code}: {detail} Sources {_sources(finding.sources)}{suffix}."
    return _wrap(text, "      ", "    - ")


def render_report(assessment: CandidacyAssessment) -> str:
    """A readable plain-text report of the assessment."""
    lines = [f"Collis SD candidacy assessment ({assessment.ruleset})", ""]
    lines += _wrap(
        f"Recommendation: {assessment.recommendation}. "
        f"{RECOMMENDATION_TEXT[assessment.recommendation]}",
        "  ",
        "",
    )
    lines.append("")
    lines.append("Findings")
    for effect, heading in EFFECT_HEADINGS:
        group = assessment.findings_with(effect)
        if group:
            lines.append(f"  {heading} ({len(group)})")
            for finding in group:
                lines += _finding_lines(finding)
    lines.append("")
    lines.append("Denervation plan")
    if assessment.denervation_plan:
        for entry in assessment.denervation_plan:
            extra = []
            if entry.outside_classic_operation:
                extra.append("outside the classic operation")
            if not entry.emg_confirmed:
                extra.append("not confirmed on EMG")
            note = f" ({'; '.join(extra)})" if extra else ""
            lines += _wrap(
                f"{str(entry.muscle).replace('_', ' ')} ({entry.side}): {entry.target}{note} "
                f"{_sources(entry.sources)}",
                "      ",
                "    - ",
            )
    else:
        lines.append("    none")
    lines.append("Not addressable by SD")
    if assessment.not_addressable:
        for entry in assessment.not_addressable:
            side = f" ({entry.side})" if entry.side else ""
            lines += _wrap(
                f"{str(entry.muscle).replace('_', ' ')}{side}: {entry.reason}", "      ", "    - "
            )
    else:
        lines.append("    none")
    if assessment.suggested_muscles:
        lines.append(
            "Suggested muscles (from the pattern table, needs clinician sign-off; not a plan)"
        )
        text = ", ".join(
            f"{str(s.muscle).replace('_', ' ')}" + (f" ({s.side})" if s.side else "")
            for s in assessment.suggested_muscles
        )
        lines += _wrap(text, "    ")
    lines.append("")
    lines.append("Alternatives")
    for alternative in assessment.alternatives:
        lines += _wrap(f"{alternative.alternative}: {alternative.reason}", "      ", "    - ")
    lines.append("")
    lines.append("Missing facts")
    lines += [f"    - {path}" for path in assessment.missing] or ["    none"]
    if assessment.warnings:
        lines.append("")
        lines.append("Toxin warnings")
        for warning in assessment.warnings:
            lines += _wrap(f"{warning.code}: {warning.detail}", "      ", "    - ")
    refs = assessment.policy_refs()
    if refs:
        lines.append("")
        lines.append(f"Policy values that decided findings ({LOCAL_POLICY_LABEL})")
        for ref in refs:
            value = assessment.policy.value(ref.name)
            shown = value.value.as_dict() if hasattr(value.value, "as_dict") else value.value
            lines += _wrap(f"{ref.name} = {shown}: {value.description}", "      ", "    - ")
    lines.append("")
    lines += _wrap(
        "Collis supports clinicians' decisions; it never makes them. Sources are numbered as in "
        "docs/clinical-reference.md.",
        "",
    )
    return "\n".join(lines) + "\n"

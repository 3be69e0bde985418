"""How a stored candidacy assessment reads on screen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from collis.candidacy.models import CandidacyAssessmentRecord

RECOMMENDATION_TEXT = {
    "favourable": ("Favourable", "Selective denervation is indicated, with the favourable "
                   "profile and no caution."),
    "possible": ("Possible, with cautions", "Selective denervation is indicated, with one or "
                 "more cautions to weigh."),
    "unfavourable": ("Unfavourable", "A finding weighs decisively against selective "
                     "denervation."),
    "not_indicated": ("Not indicated", "Botulinum toxin still works: continue it."),
    "insufficient_information": ("Not enough information", "A fact needed to judge is "
                                 "missing from the record. See the missing facts below."),
}
EFFECTS = (
    ("excludes", "Excludes"), ("against", "Against"), ("cautions", "Cautions"),
    ("favours", "In favour"), ("missing", "Missing facts"),
)
ALTERNATIVE_TEXT = {
    "continue_botulinum_toxin": "Continue botulinum toxin",
    "botulinum_toxin_review": "Review botulinum toxin treatment (muscles, guidance, dose)",
    "switch_toxin": "Switch toxin (another type A, or type B)",
    "gpi_dbs": "Deep brain stimulation (GPi-DBS)",
    "physiotherapy": "Physiotherapy",
    "myectomy": "Myectomy",
}


@cache
def reference_sources() -> dict[int, str]:
    """Source titles from the project's copy of the clinical reference, by number."""
    path = Path(settings.BASE_DIR) / "docs" / "clinical-reference.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    text = " ".join(text.split("## Sources", 1)[-1].split())
    # Sources are numbered 1, 2, 3...: find each number in turn after the previous one, so a
    # title that starts in lower case ("cdtorticollis.org") is not swallowed by the last.
    starts = []
    position, number = 0, 1
    while match := re.compile(rf"(?:(?<=\s)|^){number} (?=\S)").search(text, position):
        starts.append((number, match.start(), match.end()))
        position, number = match.end(), number + 1
    sources = {}
    for index, (number, _, title_start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        sources[number] = text[title_start:end].strip().rstrip(".")
    return sources


@dataclass(frozen=True)
class AssessmentPresenter:
    record: CandidacyAssessmentRecord

    @property
    def result(self) -> dict:
        return self.record.result

    @property
    def headline(self) -> str:
        return RECOMMENDATION_TEXT.get(self.record.recommendation,
                                       (self.record.recommendation, ""))[0]

    @property
    def explanation(self) -> str:
        return RECOMMENDATION_TEXT.get(self.record.recommendation, ("", ""))[1]

    def findings_by_effect(self) -> list[tuple[str, list[dict]]]:
        groups = []
        for effect, label in EFFECTS:
            findings = [f for f in self.result.get("findings", []) if f["effect"] == effect]
            if findings:
                groups.append((label, findings))
        return groups

    def sources_text(self, numbers: list[int]) -> str:
        return " ".join(f"[{n}]" for n in numbers)

    def cited_sources(self) -> list[tuple[int, str]]:
        numbers = sorted({n for f in self.result.get("findings", []) for n in f["sources"]})
        titles = reference_sources()
        return [(n, titles.get(n, "")) for n in numbers]

    def alternatives(self) -> list[dict]:
        reasons = self.result.get("alternative_reasons") or [
            {"alternative": a} for a in self.result.get("alternatives", [])]
        return [r | {"text": ALTERNATIVE_TEXT.get(r["alternative"], r["alternative"])}
                for r in reasons]

"""How a stored candidacy assessment reads on screen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.presenters import date_long
from collis.domain.candidacy import RULESET
from collis.domain.candidacy.wording import field_label, value_text, words

RECOMMENDATION_TEXT = {
    "favourable": ("Favourable", "Selective denervation is indicated, with the favourable "
                   "profile and no caution."),
    "possible": ("Possible, with cautions", "Selective denervation is indicated, with one or "
                 "more cautions to weigh."),
    "unfavourable": ("Unfavourable", "A finding weighs decisively against selective "
                     "denervation."),
    "not_indicated": ("Not indicated", "Botulinum toxin still works: continue it."),
    "insufficient_information": ("Not enough information", "A core fact, without which no "
                                 "judgement is possible, is missing from the record. See the "
                                 "missing facts below."),
}
# Ruleset 1 held every answer behind any missing fact, so its wording differs.
RULESET_1_TEXT = {
    "insufficient_information": "A fact needed to judge is missing from the record. See the "
    "missing facts below.",
    "possible": "Selective denervation is indicated, with one or more cautions to weigh.",
}
POLICY_NAMES = {
    "numerous_muscle_groups": "Muscle groups, counted per side, that are numerous",
    "min_bont_treatment_years": "Minimum years of toxin treatment",
    "bont_response_thresholds": "Toxin response thresholds",
}
POSSIBLE_TEXT = ("Selective denervation is indicated, with one or more cautions to weigh, "
                 "supporting facts missing, or findings Collis derived rather than read from "
                 "the record.")
RECOMMENDATION_TEXT["possible"] = ("Possible, with cautions", POSSIBLE_TEXT)
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
        if self.is_older_ruleset and self.record.recommendation in RULESET_1_TEXT:
            return RULESET_1_TEXT[self.record.recommendation]
        return RECOMMENDATION_TEXT.get(self.record.recommendation, ("", ""))[1]

    @property
    def ruleset_number(self) -> str:
        return self.record.ruleset.rsplit("/", 1)[-1]

    @property
    def is_older_ruleset(self) -> bool:
        """Assessed with an earlier ruleset than the one Collis runs now."""
        return self.record.ruleset != RULESET

    @property
    def current_ruleset_number(self) -> str:
        return RULESET.rsplit("/", 1)[-1]

    def facts(self) -> list[dict]:
        """The facts assessed, as a clinician writes them, with where each came from."""
        return fact_rows(self.record.facts, self.record.provenance)

    def missing_groups(self) -> list[tuple[str, str, list[str]]]:
        """Missing facts in words: core ones (no judgement without them) and supporting ones
        (ruleset 2 on); an older ruleset's are one list."""
        missing = [f for f in self.result.get("findings", []) if f["effect"] == "missing"]
        if self.is_older_ruleset:
            labels = [field_label(p) for p in self.result.get("missing", [])]
            return [("Missing facts", "Facts the rules needed that the record did not hold.",
                     _unique(labels))] if labels else []
        core = _unique(field_label(p) for f in missing if f.get("core") for p in f.get("paths", []))
        supporting = _unique(field_label(p) for f in missing if not f.get("core")
                             for p in f.get("paths", []))
        groups = []
        if core:
            groups.append(("Core facts missing", "Without these no judgement is possible.",
                           core))
        if supporting:
            groups.append(("Supporting facts missing", "These refine the judgement: while any "
                           "is missing the answer can be possible, never favourable.",
                           supporting))
        return groups

    def policy_text(self, policy: dict) -> str:
        """A local-policy value that decided a finding, in words."""
        name = POLICY_NAMES.get(policy["name"], words(policy["name"]).capitalize())
        return f"{name}: {value_text(policy['value'])}"

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


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def fact_rows(facts: dict, sources) -> list[dict]:
    """Each fact given to the rules, as a clinician writes it ("Toxin response: secondary
    non-response", from "Recorded by Dr X on 3 March 2026"), never a field path or a Python
    value. ``sources`` are FactSource objects or their stored dicts."""
    rows = []
    for source in sources:
        data = source if isinstance(source, dict) else source.as_dict()
        path = data["path"]
        value = _at(facts, path)
        rows.append({"label": field_label(path),
                     "value": fact_value_text(path, data["value"] if value is None else value),
                     "source": data["source"], "href": data.get("href", "")})
    return rows


def _at(facts: dict, path: str):
    value = facts
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def fact_value_text(path: str, value) -> str:
    """One fact's value in words, by what the fact is."""
    if path == "age":
        return f"{value} years"
    if path == "dystonia.onset_age":
        return f"{value} years"
    if path == "work_up.emg_mapping":
        return "done" if value is True else "not done"
    if path == "patterns" and isinstance(value, list):
        return "; ".join(_pattern_text(p) for p in value)
    if path == "muscles" and isinstance(value, list):
        return "; ".join(_muscle_text(m) for m in value)
    if path == "botulinum_toxin.cycles" and isinstance(value, list):
        return f"{len(value)} reviewed cycle{'s' if len(value) != 1 else ''}"
    if path == "botulinum_toxin.resistance_test" and isinstance(value, dict):
        name = words(value.get("test", "which test not recorded"))
        test = name if name.endswith(("assay", "recorded")) else f"{name} test"
        return f"{test}: {words(value.get('result', 'result not recorded'))}"
    if path == "twstrs" and isinstance(value, dict):
        parts = [f"{name} {value_text(value[name])}" for name in ("severity", "disability",
                                                                  "pain") if name in value]
        return ", ".join(parts)
    return value_text(value)


def _pattern_text(pattern: dict) -> str:
    side = f" {pattern['side']}" if pattern.get("side") else ""
    severity = (f", severity {pattern['severity']}" if pattern.get("severity") is not None
                else ", severity not recorded")
    return f"{words(pattern['pattern'])}{side}{severity}"


def _muscle_text(muscle: dict) -> str:
    side = muscle.get("side") or "side not recorded"
    emg = {True: ", active on EMG", False: ", inactive on EMG"}.get(muscle.get("emg_active"),
                                                                    ", not confirmed on EMG")
    return f"{words(muscle['muscle'])} ({side}{emg})"


def assessed_on(record: CandidacyAssessmentRecord) -> str:
    return date_long(record.assessed_at.date())

"""Case-facts fields and values as a clinician writes them ("Toxin response", "secondary
non-response"), never as field paths or Python values; the engine's details and the
candidacy pages share it.
"""

from __future__ import annotations

import re
from typing import Any

# Each field of the case facts (collis-case/1), as a clinician names it.
FIELD_LABELS: dict[str, str] = {
    "age": "Age",
    "dystonia": "Diagnosis",
    "dystonia.distribution": "Distribution",
    "dystonia.regions": "Regions involved",
    "dystonia.onset_age": "Age at onset",
    "dystonia.course": "Course",
    "dystonia.aetiology": "Aetiology",
    "patterns": "Col-Cap patterns",
    "patterns[].pattern": "pattern",
    "patterns[].side": "side",
    "patterns[].severity": "severity",
    "tremor": "Tremor",
    "muscles": "Involved muscles",
    "muscles[].muscle": "muscle",
    "muscles[].side": "side",
    "muscles[].emg_active": "EMG activity",
    "twstrs": "TWSTRS",
    "twstrs.severity": "TWSTRS severity",
    "twstrs.disability": "TWSTRS disability",
    "twstrs.pain": "TWSTRS pain",
    "botulinum_toxin": "Botulinum toxin",
    "botulinum_toxin.response_pattern": "Toxin response",
    "botulinum_toxin.cycles": "Toxin cycles",
    "botulinum_toxin.cycles[].date": "date",
    "botulinum_toxin.cycles[].product": "product",
    "botulinum_toxin.cycles[].units": "units",
    "botulinum_toxin.cycles[].benefit_percent": "peak benefit (%)",
    "botulinum_toxin.cycles[].benefit_weeks": "weeks of benefit",
    "botulinum_toxin.resistance_test": "Resistance test",
    "botulinum_toxin.resistance_test.test": "Resistance test (which test)",
    "botulinum_toxin.resistance_test.result": "Resistance test result",
    "work_up": "Work-up",
    "work_up.emg_mapping": "EMG mapping",
    "work_up.videofluoroscopy": "Videofluoroscopic swallow",
    "work_up.ct_cervical_spine": "CT of the cervical spine",
    "health": "Health",
    "health.fit_for_general_anaesthetic": "Fit for general anaesthetic",
    "health.cervical_myelopathy": "Cervical myelopathy",
    "health.prior_neck_surgery": "Prior neck surgery",
    "preferences": "Preferences",
    "preferences.wants_surgery": "Wants to consider surgery",
}
_ENTRY_NAMES = {"patterns": "pattern", "muscles": "muscle", "botulinum_toxin.cycles": "toxin cycle"}
_INDEX = re.compile(r"\[(\d+)\]")


def field_label(path: str) -> str:
    """A case-facts path in words: ``botulinum_toxin.cycles[0].date`` -> "date of toxin
    cycle 1"; an unknown path is given with its words spaced."""
    match = _INDEX.search(path)
    if match is None:
        return FIELD_LABELS.get(path) or words(path.replace(".", ", ")).capitalize()
    parent = path[: match.start()]
    where = f"{_ENTRY_NAMES.get(parent, words(parent))} {int(match.group(1)) + 1}"
    field = FIELD_LABELS.get(_INDEX.sub("[]", path))
    return where if field is None else f"{field} of {where}"


# Vocabulary words a clinician hyphenates.
VALUE_WORDS = {
    "secondary_non_response": "secondary non-response",
    "primary_non_response": "primary non-response",
    "not_resistant": "not resistant",
}


def words(value: Any) -> str:
    """A vocabulary word as it reads in a sentence (``upper_limb`` -> "upper limb")."""
    return VALUE_WORDS.get(str(value), str(value).replace("_", " "))


def value_text(value: Any) -> str:
    """A fact's value in words: yes or no for booleans, words for vocabulary, entries joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{words(k)} {value_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return words(value)

"""Building the case facts (contract collis-case/1) from a patient's record.

Each fact says where it came from (`FactSource`), so the clinician and the MDT can check
it; a fact the record does not hold is left absent, which the engine reports as missing.
Nothing here judges candidacy: that is collis.domain.candidacy's job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from collis.core.presenters import age_on, date_long
from collis.patients.models import Patient


@dataclass(frozen=True)
class FactSource:
    path: str
    value: Any
    source: str
    href: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "value": self.value, "source": self.source,
                "href": self.href}


@dataclass
class CollectedFacts:
    facts: dict[str, Any] = field(default_factory=lambda: {"schema": "collis-case/1"})
    sources: list[FactSource] = field(default_factory=list)

    def put(self, path: str, value: Any, source: str, href: str = "") -> None:
        """Set a dotted path in the facts and note its source; None leaves it absent."""
        if value is None or value == [] or value == {}:
            return
        target = self.facts
        *parents, leaf = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
        shown = value if not isinstance(value, list) else f"{len(value)} entries"
        self.sources.append(FactSource(path, shown, source, href))


ANSWER_PATHS = {
    "fit_for_general_anaesthetic": "health.fit_for_general_anaesthetic",
    "cervical_myelopathy": "health.cervical_myelopathy",
    "prior_neck_surgery": "health.prior_neck_surgery",
    "wants_surgery": "preferences.wants_surgery",
}


def collect_case_facts(*, patient: Patient, answers: dict[str, bool]) -> CollectedFacts:
    collected = CollectedFacts()
    collected.put("age", age_on(patient.date_of_birth),
                  f"Date of birth {date_long(patient.date_of_birth)} in the registry",
                  reverse("patients:patient_detail", args=[patient.pk]))
    for contributor in CONTRIBUTORS:
        contributor(patient, collected)
    for name, value in answers.items():
        collected.put(ANSWER_PATHS[name], value, "The clinician's answer when assessing")
    return collected


# Each part of the record adds its facts; see the functions below.
CONTRIBUTORS: list = []

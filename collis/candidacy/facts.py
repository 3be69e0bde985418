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


def _investigation_facts(patient: Patient, collected: CollectedFacts) -> None:
    """The SD work-up [28] and the muscles found active on the latest EMG."""
    from collis.investigations.models import InvestigationKind
    from collis.investigations.selectors import emg_active_muscles, latest_result

    for kind, path in ((InvestigationKind.EMG, "work_up.emg_mapping"),
                       (InvestigationKind.VIDEOFLUOROSCOPY, "work_up.videofluoroscopy"),
                       (InvestigationKind.CT_CERVICAL_SPINE, "work_up.ct_cervical_spine")):
        found = latest_result(patient, kind)
        if found is None:
            continue
        collected.put(path, True if kind == InvestigationKind.EMG else found.status,
                      f"{found.get_kind_display()} of {date_long(found.performed_on)}: "
                      f"{found.get_status_display().lower()}",
                      reverse("investigations:investigation_detail",
                              kwargs={"patient_id": patient.pk, "pk": found.pk}))
    active = emg_active_muscles(patient)
    if active:
        emg = latest_result(patient, InvestigationKind.EMG)
        muscles = [{"muscle": muscle, "side": side, "emg_active": True}
                   for muscle, side, _ in active]
        collected.put("muscles", muscles,
                      f"Muscles active on the EMG of {date_long(active[0][2])}: "
                      + ", ".join(f"{m.replace('_', ' ')} ({s})" for m, s, _ in active),
                      reverse("investigations:investigation_detail",
                              kwargs={"patient_id": patient.pk, "pk": emg.pk}))


def _toxin_facts(patient: Patient, collected: CollectedFacts) -> None:
    """Reviewed toxin cycles (the engine derives the response pattern from them and says
    so) and the latest resistance test. A cycle not yet reviewed has no benefit to judge,
    so it is left out and the source says so."""
    from collis.treatments.models import ResistanceTest
    from collis.treatments.selectors import toxin_cycles_of

    cycles = list(toxin_cycles_of(patient))
    reviewed = [c for c in cycles if c.reviewed]
    if reviewed:
        facts = [{"date": c.given_on.isoformat(), "product": c.product,
                  "units": c.total_units,
                  "benefit_percent": c.review.peak_benefit_percent,
                  "benefit_weeks": c.review.benefit_weeks} for c in reviewed]
        left_out = len(cycles) - len(reviewed)
        collected.put(
            "botulinum_toxin.cycles", facts,
            f"{len(reviewed)} reviewed toxin cycles, {date_long(reviewed[0].given_on)} to "
            f"{date_long(reviewed[-1].given_on)}"
            + (f" ({left_out} not yet reviewed, left out)" if left_out else ""),
            reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}))
    latest = (ResistanceTest.objects.filter(patient=patient)
              .order_by("-tested_on", "-id").first())
    if latest is not None:
        collected.put("botulinum_toxin.resistance_test",
                      {"test": latest.kind, "result": latest.result},
                      f"{latest.get_kind_display()} test of {date_long(latest.tested_on)}: "
                      f"{latest.get_result_display().lower()}",
                      reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}))


# Each part of the record adds its facts, in the contract's order.
CONTRIBUTORS: list = [_toxin_facts, _investigation_facts]

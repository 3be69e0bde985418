"""Building the case facts (contract collis-case/1) from a patient's record.

Each fact says where it came from (`FactSource`), so the clinician and the MDT can check
it; a fact the record does not hold is left absent, which the engine reports as missing.
Every fact comes from current entries only: a corrected or entered-in-error entry never
feeds an assessment (ADR 0009). Nothing here judges candidacy: that is
collis.domain.candidacy's job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

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
    "response_pattern": "botulinum_toxin.response_pattern",
}


def collect_case_facts(*, patient: Patient, answers: dict[str, Any],
                       recorded_by: str = "") -> CollectedFacts:
    """The case facts from the patient's current record and the clinician's answers;
    ``recorded_by`` names the clinician whose answers they are."""
    collected = CollectedFacts()
    collected.put("age", age_on(patient.date_of_birth),
                  f"Date of birth {date_long(patient.date_of_birth)} in the registry",
                  reverse("patients:patient_detail", args=[patient.pk]))
    for contributor in CONTRIBUTORS:
        contributor(patient, collected)
    answered = (f"Recorded by {recorded_by} on {date_long(timezone.localdate())} when "
                "assessing" if recorded_by else "The clinician's answer when assessing")
    for name, value in answers.items():
        collected.put(ANSWER_PATHS[name], value, answered)
    return collected


def _investigation_facts(patient: Patient, collected: CollectedFacts) -> None:
    """The SD work-up [28] from the latest current investigation of each study."""
    from collis.investigations.models import InvestigationKind
    from collis.investigations.selectors import latest_result

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


def _toxin_facts(patient: Patient, collected: CollectedFacts) -> None:
    """Reviewed toxin cycles (the engine derives the response pattern from them and says
    so) and the latest resistance test. A cycle not yet reviewed has no benefit to judge,
    so it is left out and the source says so. The cycles come from the treatments app's
    selector, which gives current cycles only."""
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
    latest = (ResistanceTest.objects.filter(patient=patient).current()
              .order_by("-tested_on", "-id").first())
    if latest is not None:
        collected.put("botulinum_toxin.resistance_test",
                      {"test": latest.kind, "result": latest.result},
                      f"{latest.get_kind_display()} of {date_long(latest.tested_on)}: "
                      f"{latest.get_result_display().lower()}",
                      reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}))


def _diagnosis_facts(patient: Patient, collected: CollectedFacts) -> None:
    """The current version of the diagnosis and classification (reference §2 [1])."""
    from collis.assessments.models import DiagnosisVersion

    current = DiagnosisVersion.objects.for_patient(patient).first()
    if current is None:
        return
    source = (f"Diagnosis, version {current.version} of {date_long(current.created_at.date())}")
    href = reverse("assessments:diagnosis", kwargs={"patient_id": patient.pk})
    collected.put("dystonia.distribution", current.distribution or None, source, href)
    collected.put("dystonia.regions", list(current.regions) or None, source, href)
    collected.put("dystonia.onset_age", current.onset_age, source, href)
    collected.put("dystonia.course", current.course or None, source, href)
    collected.put("dystonia.aetiology", current.aetiology or None, source, href)


def _latest_examination(patient: Patient):
    from collis.assessments.models import Examination

    return (Examination.objects.filter(patient=patient).current()
            .prefetch_related("patterns", "muscles").order_by("-examined_on", "-id").first())


def _examination_facts(patient: Patient, collected: CollectedFacts) -> None:
    """The Col-Cap patterns and tremor of the latest neck examination (reference §3)."""
    examination = _latest_examination(patient)
    if examination is None:
        return
    source = f"Neck examination of {date_long(examination.examined_on)}"
    href = reverse("assessments:examination_detail",
                   kwargs={"patient_id": patient.pk, "pk": examination.pk})
    patterns = [{"pattern": p.pattern, **({"side": p.side} if p.side else {}),
                 "severity": p.severity}
                for p in sorted(examination.patterns.all(), key=lambda p: p.position)]
    collected.put("patterns", patterns, source, href)
    collected.put("tremor", examination.tremor or None, source, href)


def _muscle_facts(patient: Patient, collected: CollectedFacts) -> None:
    """Involved muscles: those active on the latest EMG (emg_active true), then those the
    clinician confirmed at the latest examination that the EMG did not show (not
    confirmed on EMG, which the engine flags)."""
    from collis.investigations.models import InvestigationKind
    from collis.investigations.selectors import emg_active_muscles, latest_result

    muscles = []
    parts = []
    href = ""
    active = emg_active_muscles(patient)
    if active:
        emg = latest_result(patient, InvestigationKind.EMG)
        href = reverse("investigations:investigation_detail",
                       kwargs={"patient_id": patient.pk, "pk": emg.pk})
        muscles += [{"muscle": m, "side": s, "emg_active": True} for m, s, _ in active]
        parts.append(f"active on the EMG of {date_long(active[0][2])}: " + ", ".join(
            f"{m.replace('_', ' ')} ({s})" for m, s, _ in active))
    examination = _latest_examination(patient)
    if examination is not None and examination.muscles_confirmed_at is not None:
        # One muscle on two sides, not three: a side the EMG already shows (bilateral
        # covers left and right) is not added again from the examination.
        seen = {(m["muscle"], side) for m in muscles for side in _sides(m["side"])}
        confirmed = []
        for m in examination.muscles.all():
            new_sides = [side for side in _sides(m.side) if (m.muscle, side) not in seen]
            if not new_sides:
                continue
            side = m.side if len(new_sides) == len(_sides(m.side)) else new_sides[0]
            seen.update((m.muscle, s) for s in new_sides)
            confirmed.append((m.muscle, side))
        muscles += [{"muscle": muscle, "side": side} for muscle, side in confirmed]
        if confirmed:
            parts.append(f"confirmed at the examination of "
                         f"{date_long(examination.examined_on)}, not on EMG: " + ", ".join(
                             f"{muscle.replace('_', ' ')} ({side})" for muscle, side in confirmed))
            href = href or reverse("assessments:examination_detail",
                                   kwargs={"patient_id": patient.pk, "pk": examination.pk})
    if muscles:
        collected.put("muscles", muscles, "Muscles " + "; ".join(parts), href)


def _sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "bilateral" else (side,)


def _twstrs_facts(patient: Patient, collected: CollectedFacts) -> None:
    """The latest TWSTRS with all three subscores, as the domain scored it (§4 [9])."""
    from collis.assessments.models import Scale, ScaleAssessment

    latest = (ScaleAssessment.objects.current().filter(
        patient=patient, scale=Scale.TWSTRS, severity__isnull=False, disability__isnull=False,
        pain__isnull=False).order_by("-assessed_on", "-id").first())
    if latest is None:
        return
    pain = int(latest.pain) if float(latest.pain).is_integer() else latest.pain
    collected.put("twstrs", {"severity": latest.severity, "disability": latest.disability,
                             "pain": pain},
                  f"TWSTRS of {date_long(latest.assessed_on)} (total {latest.total:g})",
                  reverse("assessments:scale_detail",
                          kwargs={"patient_id": patient.pk, "pk": latest.pk}))


# Each part of the record adds its facts, in the contract's order.
CONTRIBUTORS: list = [_diagnosis_facts, _examination_facts, _muscle_facts, _twstrs_facts,
                      _toxin_facts, _investigation_facts]

"""Reads of the treatments record. Reads that show a patient's data are audited; the clinical
judgements (interval warnings, response pattern, the poor-responder pathway) come from
collis.domain.toxin and are never recomputed here."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.domain import toxin as domain
from collis.domain.policy import DEFAULT_POLICY, ResponseThresholds
from collis.patients.models import Patient
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
)

CYCLES_PATH = "botulinum_toxin.cycles"


@dataclass(frozen=True, slots=True)
class CycleWarning:
    """A domain warning and the stored cycle it is about (None for a proposed cycle)."""

    warning: domain.ToxinWarning
    cycle: ToxinCycle | None


@dataclass(frozen=True, slots=True)
class ResponseSummary:
    """The domain's derivation, with what it was derived from and under which thresholds."""

    derivation: domain.ResponseDerivation
    cycles: tuple[ToxinCycle, ...]
    left_out: tuple[ToxinCycle, ...]
    thresholds: ResponseThresholds
    derived_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    step: domain.ChecklistStep
    applies: bool


@dataclass(frozen=True, slots=True)
class ToxinRecord:
    cycles: tuple[ToxinCycle, ...]
    warnings: tuple[CycleWarning, ...]
    response: ResponseSummary
    resistance_tests: tuple[ResistanceTest, ...]
    checklist: tuple[ChecklistItem, ...]

    @property
    def latest_resistance_test(self) -> ResistanceTest | None:
        return self.resistance_tests[-1] if self.resistance_tests else None


def as_domain_cycle(cycle: ToxinCycle) -> domain.ToxinCycle:
    """The stored cycle as the domain reads it: units in the product's own units."""
    review = cycle.review if cycle.reviewed else None
    return domain.ToxinCycle(
        date=cycle.given_on, product=domain.Product(cycle.product),
        units=float(cycle.total_units),
        benefit_percent=float(review.peak_benefit_percent) if review else None,
        benefit_weeks=float(review.benefit_weeks) if review else None)


def _warning_index(warning: domain.ToxinWarning) -> int | None:
    prefix = f"{CYCLES_PATH}["
    if warning.path.startswith(prefix):
        return int(warning.path[len(prefix):].split("]")[0])
    return None


def cycle_warnings(cycles: Sequence[ToxinCycle]) -> tuple[CycleWarning, ...]:
    """The domain's interval warnings [15][19], each tied to the cycle it is about."""
    found = domain.injection_interval_warnings([as_domain_cycle(c) for c in cycles],
                                               path=CYCLES_PATH)
    result = []
    for warning in found:
        index = _warning_index(warning)
        result.append(CycleWarning(warning, cycles[index] if index is not None else None))
    return tuple(result)


def proposed_cycle_warnings(*, patient: Patient, given_on: datetime.date,
                            product: str) -> tuple[domain.ToxinWarning, ...]:
    """Warnings that a new cycle on this date with this product would raise (not audited:
    shown on the form the clinician already opened)."""
    stored = list(patient.toxin_cycles.order_by("given_on", "id"))
    cycles = [domain.ToxinCycle(date=c.given_on, product=domain.Product(c.product))
              for c in stored]
    cycles.append(domain.ToxinCycle(date=given_on, product=domain.Product(product)))
    new_path = f"{CYCLES_PATH}[{len(cycles) - 1}]"
    return tuple(w for w in domain.injection_interval_warnings(cycles, path=CYCLES_PATH)
                 if w.path == new_path)


def response_summary(cycles: Sequence[ToxinCycle],
                     thresholds: ResponseThresholds = DEFAULT_POLICY.bont_response_thresholds,
                     ) -> ResponseSummary:
    """Derive the response pattern from the reviewed cycles. A cycle not yet reviewed has no
    benefit figures to give, so it is left out and listed as such."""
    reviewed = tuple(c for c in cycles if c.reviewed)
    left_out = tuple(c for c in cycles if not c.reviewed)
    derivation = domain.derive_response_pattern([as_domain_cycle(c) for c in reviewed],
                                                thresholds, path=CYCLES_PATH)
    return ResponseSummary(derivation=derivation, cycles=reviewed, left_out=left_out,
                           thresholds=thresholds, derived_at=timezone.now())


def poor_responder_checklist(latest: ResistanceTest | None) -> tuple[ChecklistItem, ...]:
    """The BNN pathway for a poor responder [20], marking the steps that follow from the
    latest resistance test: none or inconclusive -> test for resistance; not resistant ->
    review muscles, guidance and dose; resistant -> the alternatives."""
    if latest is None or latest.result == domain.ResistanceResult.INCONCLUSIVE:
        applies = "poor response"
    else:
        applies = domain.ResistanceResult(latest.result).value.replace("_", " ")
    return tuple(ChecklistItem(step, step.when == applies)
                 for step in domain.POOR_RESPONDER_CHECKLIST)


def toxin_cycles_of(patient: Patient) -> QuerySet[ToxinCycle]:
    return ToxinCycle.objects.filter(patient=patient).with_details()


def toxin_record_get(*, patient: Patient, actor: Actor) -> ToxinRecord:
    """The patient's toxin cycles with the domain's warnings, response pattern and the
    poor-responder pathway. The read is audited."""
    cycles = tuple(toxin_cycles_of(patient))
    tests = tuple(ResistanceTest.objects.filter(patient=patient).select_related("created_by"))
    record = ToxinRecord(cycles=cycles, warnings=cycle_warnings(cycles),
                         response=response_summary(cycles), resistance_tests=tests,
                         checklist=poor_responder_checklist(tests[-1] if tests else None))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_cycles",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed {len(cycles)} botulinum toxin cycles",
                 details={"cycles": [c.pk for c in cycles],
                          "response_pattern": str(record.response.derivation.pattern or "")})
    return record


def toxin_cycle_get(*, patient: Patient, pk: int, actor: Actor) -> ToxinCycle:
    """One cycle of this patient (ToxinCycle.DoesNotExist for another patient's); the read
    is audited."""
    cycle = toxin_cycles_of(patient).get(pk=pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_cycle",
                 object_id=cycle.pk, patient_id=patient.pk,
                 summary=f"Viewed the toxin cycle of {cycle.given_on.isoformat()}")
    return cycle


def medication_list(*, patient: Patient, actor: Actor) -> tuple[Medication, ...]:
    medications = tuple(Medication.objects.filter(patient=patient)
                        .select_related("created_by", "stopped_by")
                        .order_by(F("stopped_on").desc(nulls_first=True),
                                  "-started_on", "id"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="medications",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed {len(medications)} medicines")
    return medications


def medication_get(*, patient: Patient, pk: int, actor: Actor) -> Medication:
    """One medicine of this patient (Medication.DoesNotExist for another patient's); the
    read is audited."""
    medication = Medication.objects.select_related("created_by", "stopped_by").get(
        patient=patient, pk=pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="medication",
                 object_id=medication.pk, patient_id=patient.pk,
                 summary=f"Viewed {medication.drug_name} {medication.dose}")
    return medication


def therapy_session_list(*, patient: Patient, actor: Actor) -> tuple[TherapySession, ...]:
    sessions = tuple(TherapySession.objects.filter(patient=patient)
                     .select_related("therapist", "created_by")
                     .order_by("-session_on", "-id"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="therapy_sessions",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed {len(sessions)} therapy sessions")
    return sessions

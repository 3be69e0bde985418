"""Writes to the treatments record. Each is atomic, validated with full_clean and audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, User
from collis.patients.models import Patient
from collis.sites.models import Site
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinInjection,
    ToxinReview,
)


@dataclass(frozen=True, slots=True)
class InjectionRow:
    """One muscle and side injected, with its units in the cycle's product's units."""

    muscle: str
    side: str
    units: int


@dataclass(frozen=True, slots=True)
class SideEffects:
    dysphagia: bool = False
    neck_weakness: bool = False
    other: str = ""
    severity: str = ""


@transaction.atomic
def toxin_cycle_create(*, patient: Patient, given_on: date, product: str, batch_number: str,
                       guidance: str, injector: User, site: Site,
                       injections: Sequence[InjectionRow], notes: str = "",
                       warnings_acknowledged: Sequence[str] = (), actor: Actor) -> ToxinCycle:
    """Record a cycle and all its injections together, or nothing at all.

    `warnings_acknowledged` names the interval warnings the clinician saw and proceeded past;
    they are kept in the audit entry."""
    if not injections:
        raise ValidationError({"injections": "Enter at least one muscle injected"})
    cycle = ToxinCycle(patient=patient, given_on=given_on, product=product,
                       batch_number=batch_number.strip(), guidance=guidance, injector=injector,
                       site=site, notes=notes, created_by=actor.user)
    cycle.full_clean()
    cycle.save()
    rows = []
    for position, row in enumerate(injections):
        injection = ToxinInjection(cycle=cycle, position=position, muscle=row.muscle,
                                   side=row.side, units=row.units)
        injection.full_clean()
        rows.append(injection)
    ToxinInjection.objects.bulk_create(rows)
    total = sum(r.units for r in injections)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_cycle",
                 object_id=cycle.pk, patient_id=patient.pk,
                 summary=f"Recorded a {product} cycle on {given_on.isoformat()} "
                         f"({total} units, {len(rows)} injections)",
                 details={"product": product, "batch_number": cycle.batch_number,
                          "injections": [{"muscle": r.muscle, "side": r.side,
                                          "units": r.units} for r in injections],
                          "warnings_acknowledged": list(warnings_acknowledged)})
    return cycle


@transaction.atomic
def toxin_review_create(*, cycle: ToxinCycle, reviewed_on: date, peak_benefit_percent: int,
                        benefit_weeks: int, side_effects: SideEffects, notes: str = "",
                        actor: Actor) -> ToxinReview:
    """Record the follow-up review of a cycle (one review per cycle)."""
    if ToxinReview.objects.filter(cycle=cycle).exists():
        raise ValidationError("This cycle has already been reviewed")
    if reviewed_on < cycle.given_on:
        raise ValidationError({"reviewed_on": "The date of the review must be on or after the "
                                              "date of the injections"})
    review = ToxinReview(cycle=cycle, reviewed_on=reviewed_on,
                         peak_benefit_percent=peak_benefit_percent, benefit_weeks=benefit_weeks,
                         dysphagia=side_effects.dysphagia,
                         neck_weakness=side_effects.neck_weakness,
                         other_side_effect=side_effects.other.strip(),
                         side_effect_severity=side_effects.severity, notes=notes,
                         created_by=actor.user)
    review.full_clean()
    review.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_review",
                 object_id=review.pk, patient_id=cycle.patient_id,
                 summary=f"Reviewed the cycle of {cycle.given_on.isoformat()}: "
                         f"{peak_benefit_percent}% benefit for {benefit_weeks} weeks",
                 details={"cycle_id": cycle.pk, "side_effects": review.side_effects,
                          "severity": review.side_effect_severity})
    return review


@transaction.atomic
def resistance_test_create(*, patient: Patient, tested_on: date, kind: str, result: str,
                           notes: str = "", actor: Actor) -> ResistanceTest:
    test = ResistanceTest(patient=patient, tested_on=tested_on, kind=kind, result=result,
                          notes=notes, created_by=actor.user)
    test.full_clean()
    test.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_resistance_test",
                 object_id=test.pk, patient_id=patient.pk,
                 summary=f"Recorded a {kind} resistance test on {tested_on.isoformat()}: "
                         f"{result}")
    return test


@transaction.atomic
def medication_start(*, patient: Patient, drug_name: str, dose_amount: str, dose_unit: str,
                     frequency: str, started_on: date, effect: str = "",
                     side_effects: str = "", actor: Actor) -> Medication:
    medication = Medication(patient=patient, drug_name=drug_name.strip(),
                            dose_amount=dose_amount.strip(), dose_unit=dose_unit.strip(),
                            frequency=frequency.strip(), started_on=started_on, effect=effect,
                            side_effects=side_effects, created_by=actor.user)
    medication.full_clean()
    medication.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="medication",
                 object_id=medication.pk, patient_id=patient.pk,
                 summary=f"Recorded {medication.drug_name} {medication.dose} from "
                         f"{started_on.isoformat()}")
    return medication


@transaction.atomic
def medication_stop(*, medication: Medication, stopped_on: date, reason: str,
                    actor: Actor) -> Medication:
    """Record that a medicine was stopped, and why. A stopped medicine stays stopped."""
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    if current.stopped_on is not None:
        raise ValidationError("This medicine is already recorded as stopped")
    if stopped_on < current.started_on:
        raise ValidationError({"stopped_on": "The stop date must be on or after the start date"})
    current.stopped_on = stopped_on
    current.stop_reason = reason.strip()
    current.stopped_by = actor.user
    current.stopped_at = timezone.now()
    current.full_clean()
    if not current.stop_reason:
        raise ValidationError({"stop_reason": "Enter the reason for stopping"})
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="medication",
                 object_id=current.pk, patient_id=current.patient_id,
                 summary=f"Stopped {current.drug_name} on {stopped_on.isoformat()}",
                 details={"reason": current.stop_reason})
    return current


@transaction.atomic
def therapy_session_create(*, patient: Patient, kind: str, session_on: date, therapist: User,
                           duration_minutes: int, goals: str = "", notes: str = "",
                           actor: Actor) -> TherapySession:
    session = TherapySession(patient=patient, kind=kind, session_on=session_on,
                             therapist=therapist, duration_minutes=duration_minutes,
                             goals=goals, notes=notes, created_by=actor.user)
    session.full_clean()
    session.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="therapy_session",
                 object_id=session.pk, patient_id=patient.pk,
                 summary=f"Recorded a {session.get_kind_display().lower()} session on "
                         f"{session_on.isoformat()}")
    return session

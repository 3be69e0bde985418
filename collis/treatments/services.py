"""Writes to the treatments record. Each is atomic, checked (the role, the chronology, the
plausibility of doses from collis.domain) with full_clean, and audited.

Corrections follow ADR 0009: a create service given `amends` records the new version and
marks the old one amended (an amended toxin cycle is a new cycle with its own injections,
and its review moves to it as a new version); `<entity>_mark_entered_in_error` takes an
entry out of every summary and keeps it in every history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check, not_before_check
from collis.core.corrections import (
    REASON_MAX,
    correction_check,
    record_mark_entered_in_error,
    record_supersede,
)
from collis.core.models import AuditAction, CorrectableRecord, RecordStatus, User
from collis.core.presenters import date_long
from collis.core.roles import Capability, can, refusal_message
from collis.domain.policy import MEDICATION_DOSE_RANGES
from collis.patients.models import Patient
from collis.sites.models import Site
from collis.treatments import selectors
from collis.treatments.models import (
    DoseUnit,
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinInjection,
    ToxinLastCycle,
    ToxinReview,
    ToxinStop,
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


# -- Shared steps ----------------------------------------------------------------------------

def _may(actor: Actor, capability: Capability) -> None:
    """The service refuses a role the page would refuse (the page is never the only
    guard)."""
    if not can(actor.user, capability):
        raise PermissionDenied(refusal_message(capability))


def _amendment_reason(amends: CorrectableRecord | None, reason: str, *, same: bool) -> str:
    """Before anything is saved: the entry amended must belong where the new one goes
    (`same`), be current, and the reason be given. Returns the cleaned reason."""
    if amends is None:
        return ""
    if not same:
        raise ValueError("An amendment corrects an entry of the same patient (or cycle).")
    return correction_check(old=amends, reason=reason)


def _clean(record: CorrectableRecord) -> None:
    """full_clean, leaving the uniqueness of `supersedes` (and of a cycle's first review) to
    the database: a correction or review made by someone else a moment earlier then gets
    a message naming them, not a generic one (`_insert`)."""
    record.full_clean(exclude=["supersedes", "cycle"] if isinstance(record, ToxinReview)
                      else ["supersedes"])


def _insert(record: CorrectableRecord, *, amends: CorrectableRecord | None) -> None:
    """Save a new entry. If another user's correction of the same entry won the race, the
    database refuses the second (`supersedes` is one-to-one): say so, never a server
    error."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        if amends is None:
            raise
        fresh = type(amends)._base_manager.select_related("status_changed_by").get(pk=amends.pk)
        who = fresh.status_changed_by.display_name if fresh.status_changed_by else "someone"
        raise ValidationError(f"This entry was corrected by {who} a moment ago; open the "
                              "current version to correct it again.") from None


def _with_prefix(prefix: str, reason: str) -> str:
    return (prefix + reason)[:REASON_MAX]


# -- Botulinum toxin cycles ------------------------------------------------------------------

def _rows_checked(injections: Sequence[InjectionRow]) -> None:
    if not injections:
        raise ValidationError({"injections": "Enter at least one muscle injected"})
    seen = set()
    for row in injections:
        if (row.muscle, row.side) in seen:
            raise ValidationError({"injections": (
                f"{row.muscle.replace('_', ' ').capitalize()} ({row.side}) is entered twice: "
                "enter it once with its total units")})
        seen.add((row.muscle, row.side))


@transaction.atomic
def toxin_cycle_create(*, patient: Patient, given_on: date, product: str, batch_number: str,
                       guidance: str, injector: User, site: Site,
                       injections: Sequence[InjectionRow], notes: str = "",
                       batch_expires_on: date | None = None,
                       warnings_acknowledged: Sequence[str] = (), warnings_reason: str = "",
                       amends: ToxinCycle | None = None, correction_reason: str = "",
                       actor: Actor) -> ToxinCycle:
    """Record a cycle and all its injections together, or nothing at all; with `amends`,
    as the corrected version of that cycle (its review moves to the new version).

    Units are checked by the domain (collis.domain.toxin.assess_cycle_units): impossible
    units are refused; units above a per-session or per-muscle limit are recorded only when
    `warnings_acknowledged` names those warnings and `warnings_reason` says why. The
    warnings acknowledged (interval and units) are kept with the cycle and in the audit."""
    _may(actor, Capability.TOXIN_RECORD)
    reason = _amendment_reason(amends, correction_reason,
                               same=amends is None or amends.patient_id == patient.pk)
    _rows_checked(injections)
    cycle = ToxinCycle(patient=patient, given_on=given_on, product=product,
                       batch_number=batch_number.strip(), batch_expires_on=batch_expires_on,
                       guidance=guidance, injector=injector, site=site, notes=notes,
                       warnings_reason=warnings_reason.strip(),
                       supersedes=amends, created_by=actor.user)
    _clean(cycle)
    clinical_date_check(field="given_on", value=given_on, patient=patient,
                        label="The date of the injections")
    if batch_expires_on is not None and batch_expires_on < given_on:
        raise ValidationError({"batch_expires_on": (
            f"The batch expired on {date_long(batch_expires_on)}, before the injections: "
            "check the batch number and its expiry date")})
    check = selectors.proposed_cycle_check(patient=patient, given_on=given_on, product=product,
                                           injections=injections, replacing=amends)
    if check.units.refusals:
        raise ValidationError({"injections": [r.detail for r in check.units.refusals]})
    unconfirmed = [w for w in check.units.warnings if w.code not in warnings_acknowledged]
    if unconfirmed:
        raise ValidationError(" ".join(w.detail for w in unconfirmed)
                              + " Confirm that you want to record it anyway, and why.")
    if check.units.warnings and not cycle.warnings_reason:
        raise ValidationError({"warnings_reason": "Give the reason for recording the cycle "
                                                  "despite the warning"})
    cycle.warnings_acknowledged = [w.as_dict() for w in check.warnings
                                   if w.code in warnings_acknowledged]
    _insert(cycle, amends=amends)
    rows = []
    for position, row in enumerate(injections):
        injection = ToxinInjection(cycle=cycle, position=position, muscle=row.muscle,
                                   side=row.side, units=row.units)
        injection.full_clean(exclude=["cycle"])
        rows.append(injection)
    ToxinInjection.objects.bulk_create(rows)
    total = sum(r.units for r in injections)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_cycle",
                 object_id=cycle.pk, patient_id=patient.pk,
                 summary=f"Recorded a {product} cycle on {given_on.isoformat()} "
                         f"({total} units, {len(rows)} injections)",
                 details={"product": product, "batch_number": cycle.batch_number,
                          "batch_expires_on": batch_expires_on.isoformat()
                          if batch_expires_on else None,
                          "injections": [{"muscle": r.muscle, "side": r.side,
                                          "units": r.units} for r in injections],
                          "warnings_acknowledged": sorted({w["code"] for w in
                                                           cycle.warnings_acknowledged}),
                          "warnings_reason": cycle.warnings_reason,
                          "amends": amends.pk if amends else None})
    if amends is not None:
        _review_moved(old_cycle=amends, new_cycle=cycle, reason=reason, actor=actor)
        record_supersede(old=amends, new=cycle, reason=reason, actor=actor,
                         object_type="toxin_cycle", patient_id=patient.pk)
    toxin_last_cycle_refresh(patient.pk)
    return cycle


def _review_moved(*, old_cycle: ToxinCycle, new_cycle: ToxinCycle, reason: str,
                  actor: Actor) -> None:
    """The review of a corrected cycle is about the same injections: it becomes a new
    version on the corrected cycle, if it still fits its dates."""
    review = selectors.current_review_of(old_cycle)
    if review is None:
        return
    try:
        _review_chronology(cycle=new_cycle, reviewed_on=review.reviewed_on,
                           benefit_weeks=review.benefit_weeks)
    except ValidationError as error:
        raise ValidationError({"given_on": (
            f"The review of {date_long(review.reviewed_on)} would not fit the corrected "
            f"cycle ({' '.join(error.messages)}): mark that review as entered in error first, "
            "then correct the cycle and review it again")}) from None
    moved = ToxinReview(
        cycle=new_cycle, reviewed_on=review.reviewed_on,
        peak_benefit_percent=review.peak_benefit_percent, benefit_weeks=review.benefit_weeks,
        dysphagia=review.dysphagia, neck_weakness=review.neck_weakness,
        other_side_effect=review.other_side_effect,
        side_effect_severity=review.side_effect_severity, notes=review.notes,
        supersedes=review, created_by=actor.user)
    _insert(moved, amends=review)
    record_supersede(old=review, new=moved, reason=_with_prefix(
        "Moved to the corrected cycle: ", reason), actor=actor, object_type="toxin_review",
        patient_id=new_cycle.patient_id)


@transaction.atomic
def toxin_cycle_mark_entered_in_error(*, cycle: ToxinCycle, reason: str,
                                      actor: Actor) -> ToxinCycle:
    """Take a cycle made by mistake out of the record's summaries (its review with it);
    both stay in their histories."""
    _may(actor, Capability.TOXIN_RECORD)
    marked = record_mark_entered_in_error(record=cycle, reason=reason, actor=actor,
                                          object_type="toxin_cycle",
                                          patient_id=cycle.patient_id)
    review = selectors.current_review_of(cycle)
    if review is not None:
        record_mark_entered_in_error(
            record=review, reason=_with_prefix("The cycle it reviews was entered in error: ",
                                               marked.status_reason),
            actor=actor, object_type="toxin_review", patient_id=cycle.patient_id)
    toxin_last_cycle_refresh(cycle.patient_id)
    return marked


def toxin_last_cycle_refresh(patient_id) -> None:
    """Set the recall's copy of the patient's last valid cycle date (ADR 0017) from their
    current cycles, inside the transaction that changed them. The patient's row is locked
    first (FOR NO KEY UPDATE, which the cycles' foreign keys do not conflict with), so that
    two cycles recorded at once for one patient are counted one after the other."""
    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient_id)
         .values_list("pk"))
    last = (ToxinCycle.objects.current().filter(patient_id=patient_id)
            .aggregate(last=Max("given_on"))["last"])
    if last is None:
        ToxinLastCycle.objects.filter(patient_id=patient_id).delete()
    elif not ToxinLastCycle.objects.filter(patient_id=patient_id).update(last_given_on=last):
        ToxinLastCycle.objects.create(patient_id=patient_id, last_given_on=last)


REBUILD_SQL = (
    "INSERT INTO {copy} (patient_id, last_given_on) SELECT patient_id, MAX(given_on) "
    "FROM {cycles} WHERE record_status = %s GROUP BY patient_id")


@transaction.atomic
def toxin_last_cycle_rebuild() -> int:
    """Rebuild the recall's copy from every current cycle in one statement (after a bulk
    load, such as the benchmark's, that bypassed the services); the number of patients."""
    ToxinLastCycle.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL.format(copy=ToxinLastCycle._meta.db_table,
                                          cycles=ToxinCycle._meta.db_table),
                       [RecordStatus.CURRENT])
    return ToxinLastCycle.objects.count()


# -- Toxin reviews ---------------------------------------------------------------------------

def _weeks(n: int) -> str:
    return f"{n} week" if n == 1 else f"{n} weeks"


def _review_chronology(*, cycle: ToxinCycle, reviewed_on: date, benefit_weeks: int) -> None:
    """A review is not in the future, not before the injections, and cannot report more
    weeks of benefit than have passed since them."""
    clinical_date_check(field="reviewed_on", value=reviewed_on, patient=cycle.patient,
                        label="The date of the review")
    not_before_check(field="reviewed_on", value=reviewed_on, earliest=cycle.given_on,
                     label="The date of the review", cause="the date of the injections")
    weeks = (reviewed_on - cycle.given_on).days // 7
    if benefit_weeks is not None and benefit_weeks > weeks:
        raise ValidationError({"benefit_weeks": (
            f"Weeks of benefit cannot be more than the {_weeks(weeks)} between the injections "
            f"on {date_long(cycle.given_on)} and this review")})


def _reviewed_message(review: ToxinReview, *, just_now: bool = False) -> str:
    who = review.created_by.display_name
    if just_now:
        return (f"This cycle was reviewed by {who} a moment ago: their review is on the "
                "cycle's page. To change it, correct their review.")
    return f"This cycle was already reviewed by {who} on {date_long(review.reviewed_on)}"


@transaction.atomic
def toxin_review_create(*, cycle: ToxinCycle, reviewed_on: date, peak_benefit_percent: int,
                        benefit_weeks: int, side_effects: SideEffects, notes: str = "",
                        amends: ToxinReview | None = None, correction_reason: str = "",
                        actor: Actor) -> ToxinReview:
    """Record the follow-up review of a current cycle (one current review per cycle), or
    with `amends` the corrected version of its review. Two first reviews of one cycle at
    once: the second is refused with the name of who reviewed it."""
    _may(actor, Capability.TOXIN_RECORD)
    reason = _amendment_reason(amends, correction_reason,
                               same=amends is None or amends.cycle_id == cycle.pk)
    status = selectors.cycle_status(cycle)
    if status != "current":
        raise ValidationError(f"This cycle was {status.replace('_', ' ')}: review the "
                              "current version of it instead")
    if amends is None:
        existing = selectors.current_review_of(cycle)
        if existing is not None:
            raise ValidationError(_reviewed_message(existing))
    review = ToxinReview(cycle=cycle, reviewed_on=reviewed_on,
                         peak_benefit_percent=peak_benefit_percent, benefit_weeks=benefit_weeks,
                         dysphagia=side_effects.dysphagia,
                         neck_weakness=side_effects.neck_weakness,
                         other_side_effect=side_effects.other.strip(),
                         side_effect_severity=side_effects.severity, notes=notes,
                         supersedes=amends, created_by=actor.user)
    _clean(review)
    _review_chronology(cycle=cycle, reviewed_on=reviewed_on, benefit_weeks=benefit_weeks)
    if amends is None:
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            winner = selectors.current_review_of(cycle)
            if winner is None:
                raise
            raise ValidationError(_reviewed_message(winner, just_now=True)) from None
    else:
        _insert(review, amends=amends)
        record_supersede(old=amends, new=review, reason=reason, actor=actor,
                         object_type="toxin_review", patient_id=cycle.patient_id)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_review",
                 object_id=review.pk, patient_id=cycle.patient_id,
                 summary=f"Reviewed the cycle of {cycle.given_on.isoformat()}: "
                         f"{peak_benefit_percent}% benefit for {benefit_weeks} weeks",
                 details={"cycle_id": cycle.pk, "side_effects": review.side_effects,
                          "severity": review.side_effect_severity,
                          "amends": amends.pk if amends else None})
    return review


@transaction.atomic
def toxin_review_mark_entered_in_error(*, review: ToxinReview, reason: str,
                                       actor: Actor) -> ToxinReview:
    _may(actor, Capability.TOXIN_RECORD)
    return record_mark_entered_in_error(record=review, reason=reason, actor=actor,
                                        object_type="toxin_review",
                                        patient_id=review.cycle.patient_id)


# -- Resistance tests ------------------------------------------------------------------------

@transaction.atomic
def resistance_test_create(*, patient: Patient, tested_on: date, kind: str, result: str,
                           notes: str = "", amends: ResistanceTest | None = None,
                           correction_reason: str = "", actor: Actor) -> ResistanceTest:
    _may(actor, Capability.TOXIN_RECORD)
    reason = _amendment_reason(amends, correction_reason,
                               same=amends is None or amends.patient_id == patient.pk)
    test = ResistanceTest(patient=patient, tested_on=tested_on, kind=kind, result=result,
                          notes=notes, supersedes=amends, created_by=actor.user)
    _clean(test)
    clinical_date_check(field="tested_on", value=tested_on, patient=patient,
                        label="The date of the test")
    _insert(test, amends=amends)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_resistance_test",
                 object_id=test.pk, patient_id=patient.pk,
                 summary=f"Recorded a {kind} resistance test on {tested_on.isoformat()}: "
                         f"{result}")
    if amends is not None:
        record_supersede(old=amends, new=test, reason=reason, actor=actor,
                         object_type="toxin_resistance_test", patient_id=patient.pk)
    return test


@transaction.atomic
def resistance_test_mark_entered_in_error(*, test: ResistanceTest, reason: str,
                                          actor: Actor) -> ResistanceTest:
    _may(actor, Capability.TOXIN_RECORD)
    return record_mark_entered_in_error(record=test, reason=reason, actor=actor,
                                        object_type="toxin_resistance_test",
                                        patient_id=test.patient_id)


# -- Stopping toxin --------------------------------------------------------------------------

def _toxin_stop_chronology(*, patient: Patient, stopped_on: date,
                           amends: ToxinStop | None) -> None:
    """A stop is not in the future, comes after the cycles it stops (never before the
    patient's first cycle, nor before their last cycle), and a correction keeps it before
    the cycle that restarted toxin, if one did. Cycles are the current ones."""
    clinical_date_check(field="stopped_on", value=stopped_on, patient=patient,
                        label="The date toxin was stopped")
    cycles = ToxinCycle.objects.current().filter(patient=patient)
    restart = None
    if amends is not None:
        restart = (cycles.filter(given_on__gt=amends.stopped_on).order_by("given_on")
                   .values_list("given_on", flat=True).first())
    before = cycles.filter(given_on__lt=restart) if restart else cycles
    last = before.aggregate(last=Max("given_on"))["last"]
    if last is None:
        raise ValidationError({"stopped_on": (
            "No botulinum toxin cycle is recorded for this patient: record the cycles given "
            "before recording that toxin was stopped")})
    not_before_check(field="stopped_on", value=stopped_on, earliest=last,
                     label="The date toxin was stopped",
                     cause="the last cycle given (a cycle after a stop means toxin restarted)")
    if restart is not None and stopped_on >= restart:
        raise ValidationError({"stopped_on": (
            f"Toxin was restarted with the cycle of {date_long(restart)}: the date it was "
            "stopped must be before it")})


@transaction.atomic
def toxin_stop_create(*, patient: Patient, stopped_on: date, decided_by: User, reason: str,
                      reason_other: str = "", notes: str = "", amends: ToxinStop | None = None,
                      correction_reason: str = "", actor: Actor) -> ToxinStop:
    """Record that botulinum toxin was stopped, who decided and why (or, with `amends`, the
    corrected version of such an entry).

    A stop comes after the patient's cycles; only one stop is in force at a time. A cycle
    recorded later, after the stop date, is not refused: it means toxin was restarted (a
    toxin holiday is a step of the poor-responder pathway [20]), and the stop stays as it
    was recorded, read as "restarted" on the record and left out of the audit's count of
    patients who stopped."""
    _may(actor, Capability.TOXIN_RECORD)
    reason_text = _amendment_reason(amends, correction_reason,
                                    same=amends is None or amends.patient_id == patient.pk)
    # One writer at a time for the patient's toxin record (as toxin_last_cycle_refresh).
    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk)
         .values_list("pk"))
    reason_other = reason_other.strip()
    if reason == "other" and not reason_other:
        raise ValidationError({"reason_other": "Enter the other reason for stopping"})
    stop = ToxinStop(patient=patient, stopped_on=stopped_on, decided_by=decided_by,
                     reason=reason, reason_other=reason_other if reason == "other" else "",
                     notes=notes, supersedes=amends, created_by=actor.user)
    _clean(stop)
    _toxin_stop_chronology(patient=patient, stopped_on=stopped_on, amends=amends)
    if amends is None:
        in_force = [s for s in selectors.toxin_stops_of(patient) if s.restarted_on is None]
        if in_force:
            raise ValidationError({"stopped_on": (
                f"Toxin is already recorded as stopped on {date_long(in_force[-1].stopped_on)}"
                ": correct that entry instead")})
    _insert(stop, amends=amends)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="toxin_stop",
                 object_id=stop.pk, patient_id=patient.pk,
                 summary=f"Recorded that botulinum toxin was stopped on "
                         f"{stopped_on.isoformat()}: {stop.reason_label}",
                 details={"reason": reason, "reason_other": stop.reason_other,
                          "decided_by": decided_by.pk,
                          "amends": amends.pk if amends else None})
    if amends is not None:
        record_supersede(old=amends, new=stop, reason=reason_text, actor=actor,
                         object_type="toxin_stop", patient_id=patient.pk)
    return stop


@transaction.atomic
def toxin_stop_mark_entered_in_error(*, stop: ToxinStop, reason: str,
                                     actor: Actor) -> ToxinStop:
    _may(actor, Capability.TOXIN_RECORD)
    return record_mark_entered_in_error(record=stop, reason=reason, actor=actor,
                                        object_type="toxin_stop", patient_id=stop.patient_id)


# -- Medication ------------------------------------------------------------------------------

def _dose_checked(amount: str, unit: str) -> str:
    """A dose in a unit of the vocabulary, within the plausible range for that unit (local
    policy, collis.domain.policy.MEDICATION_DOSE_RANGES). Returns the amount as typed."""
    if unit not in DoseUnit.values:
        raise ValidationError({"dose_unit": "Choose the unit of the dose from the list"})
    amount = str(amount).strip()
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError({"dose_amount": "Dose must be a number, like 2 or 0.5"})
    low, high = MEDICATION_DOSE_RANGES.value.range_for(unit)
    if not Decimal(str(low)) <= value <= Decimal(str(high)):
        raise ValidationError({"dose_amount": (
            f"Dose in {unit} must be from {low:,g} to {high:,g} {unit}, the plausible range "
            f"of a single dose ({MEDICATION_DOSE_RANGES.label}): check the dose and its unit")})
    return amount


def _stop_chronology(*, patient: Patient, started_on: date, stopped_on: date | None) -> None:
    clinical_date_check(field="started_on", value=started_on, patient=patient,
                        label="The start date")
    clinical_date_check(field="stopped_on", value=stopped_on, patient=patient,
                        label="The stop date")
    not_before_check(field="stopped_on", value=stopped_on, earliest=started_on,
                     label="The stop date", cause="the start date")


@transaction.atomic
def medication_start(*, patient: Patient, drug_name: str, dose_amount: str, dose_unit: str,
                     frequency: str, started_on: date, effect: str = "",
                     side_effects: str = "", stopped_on: date | None = None,
                     stop_reason: str = "", amends: Medication | None = None,
                     correction_reason: str = "", actor: Actor) -> Medication:
    """Record a medicine from its start (and, for one already stopped, its stop), or with
    `amends` the corrected version of an entry."""
    _may(actor, Capability.MEDICATION_RECORD)
    reason = _amendment_reason(amends, correction_reason,
                               same=amends is None or amends.patient_id == patient.pk)
    stop_reason = stop_reason.strip()
    medication = Medication(
        patient=patient, drug_name=drug_name.strip(), dose_amount=str(dose_amount).strip(),
        dose_unit=dose_unit.strip(), frequency=frequency.strip(), started_on=started_on,
        effect=effect, side_effects=side_effects, stopped_on=stopped_on,
        stop_reason=stop_reason if stopped_on else "",
        stopped_by=actor.user if stopped_on else None,
        stopped_at=timezone.now() if stopped_on else None,
        supersedes=amends, created_by=actor.user)
    medication.dose_amount = _dose_checked(medication.dose_amount, medication.dose_unit)
    _stop_chronology(patient=patient, started_on=started_on, stopped_on=stopped_on)
    if stopped_on and not stop_reason:
        raise ValidationError({"stop_reason": "Enter the reason for stopping"})
    if stop_reason and not stopped_on:
        raise ValidationError({"stopped_on": "Enter the stop date, or leave the reason for "
                                             "stopping empty"})
    _clean(medication)
    _insert(medication, amends=amends)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="medication",
                 object_id=medication.pk, patient_id=patient.pk,
                 summary=f"Recorded {medication.drug_name} {medication.dose} from "
                         f"{started_on.isoformat()}"
                         + (f" to {stopped_on.isoformat()}" if stopped_on else ""))
    if amends is not None:
        record_supersede(old=amends, new=medication, reason=reason, actor=actor,
                         object_type="medication", patient_id=patient.pk)
    return medication


@transaction.atomic
def medication_stop(*, medication: Medication, stopped_on: date, reason: str,
                    actor: Actor) -> Medication:
    """Record that a medicine was stopped, and why. A stopped medicine stays stopped; an
    entry that was corrected or entered in error cannot be stopped."""
    _may(actor, Capability.MEDICATION_RECORD)
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    if not current.is_current:
        raise ValidationError(f"This entry was {current.get_record_status_display().lower()}: "
                              "stop the current version instead")
    if current.stopped_on is not None:
        raise ValidationError("This medicine is already recorded as stopped")
    _stop_chronology(patient=current.patient, started_on=current.started_on,
                     stopped_on=stopped_on)
    current.stopped_on = stopped_on
    current.stop_reason = reason.strip()
    current.stopped_by = actor.user
    current.stopped_at = timezone.now()
    if not current.stop_reason:
        raise ValidationError({"stop_reason": "Enter the reason for stopping"})
    _clean(current)
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="medication",
                 object_id=current.pk, patient_id=current.patient_id,
                 summary=f"Stopped {current.drug_name} on {stopped_on.isoformat()}",
                 details={"reason": current.stop_reason})
    return current


@transaction.atomic
def medication_mark_entered_in_error(*, medication: Medication, reason: str,
                                     actor: Actor) -> Medication:
    _may(actor, Capability.MEDICATION_RECORD)
    return record_mark_entered_in_error(record=medication, reason=reason, actor=actor,
                                        object_type="medication",
                                        patient_id=medication.patient_id)


# -- Therapy ---------------------------------------------------------------------------------

@transaction.atomic
def therapy_session_create(*, patient: Patient, kind: str, session_on: date, therapist: User,
                           duration_minutes: int, goals: str = "", notes: str = "",
                           amends: TherapySession | None = None, correction_reason: str = "",
                           actor: Actor) -> TherapySession:
    _may(actor, Capability.THERAPY_RECORD)
    reason = _amendment_reason(amends, correction_reason,
                               same=amends is None or amends.patient_id == patient.pk)
    session = TherapySession(patient=patient, kind=kind, session_on=session_on,
                             therapist=therapist, duration_minutes=duration_minutes,
                             goals=goals, notes=notes, supersedes=amends,
                             created_by=actor.user)
    _clean(session)
    clinical_date_check(field="session_on", value=session_on, patient=patient,
                        label="The date of the session")
    _insert(session, amends=amends)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="therapy_session",
                 object_id=session.pk, patient_id=patient.pk,
                 summary=f"Recorded a {session.get_kind_display().lower()} session on "
                         f"{session_on.isoformat()}")
    if amends is not None:
        record_supersede(old=amends, new=session, reason=reason, actor=actor,
                         object_type="therapy_session", patient_id=patient.pk)
    return session


@transaction.atomic
def therapy_session_mark_entered_in_error(*, session: TherapySession, reason: str,
                                          actor: Actor) -> TherapySession:
    _may(actor, Capability.THERAPY_RECORD)
    return record_mark_entered_in_error(record=session, reason=reason, actor=actor,
                                        object_type="therapy_session",
                                        patient_id=session.patient_id)

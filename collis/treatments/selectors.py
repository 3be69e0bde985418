"""Reads of the treatments record. Reads that show a patient's data are audited; the clinical
judgements (interval warnings, units per session and per muscle, response pattern, the
poor-responder pathway) come from collis.domain.toxin and are never recomputed here.

Summaries, charts, warnings and derived facts read current entries only (`.current()`,
ADR 0009); an entry's own page reads it whatever its status, with its history."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.corrections import record_history
from collis.core.models import AuditAction, CorrectableRecord, RecordStatus
from collis.core.prepared import PreparedQuery, attach_prefetched, patient_rows
from collis.domain import toxin as domain
from collis.domain.policy import ResponseThresholds
from collis.patients.models import Patient
from collis.policy.selectors import policy_in_force, policy_rules_in_force
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinInjection,
    ToxinReview,
    ToxinStop,
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
    # The current decisions to stop toxin, oldest first, each with `restarted_on` (the first
    # current cycle after it, or None while toxin stays stopped).
    stops: tuple = ()

    @property
    def stopped(self) -> ToxinStop | None:
        """The stop in force: the latest, if no cycle was given after it."""
        return self.stops[-1] if self.stops and self.stops[-1].restarted_on is None else None

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


@dataclass(frozen=True, slots=True)
class ProposedCycleCheck:
    """What a cycle about to be recorded raises: interval warnings against the patient's
    current cycles, and the domain's assessment of its units."""

    interval: tuple[domain.ToxinWarning, ...]
    units: domain.UnitsAssessment

    @property
    def warnings(self) -> tuple[domain.ToxinWarning, ...]:
        return self.interval + self.units.warnings


def proposed_cycle_check(*, patient: Patient, given_on: datetime.date, product: str,
                         injections: Sequence = (),
                         replacing: ToxinCycle | None = None) -> ProposedCycleCheck:
    """Warnings and refusals that a new cycle (or the correction of `replacing`) on this
    date with this product and these injections would raise (not audited: shown on the
    form the clinician already opened). `injections` have muscle, side and units."""
    stored = ToxinCycle.objects.current().filter(patient=patient).order_by("given_on", "id")
    if replacing is not None:
        stored = stored.exclude(pk=replacing.pk)
    cycles = [domain.ToxinCycle(date=c.given_on, product=domain.Product(c.product))
              for c in stored]
    cycles.append(domain.ToxinCycle(date=given_on, product=domain.Product(product)))
    new_path = f"{CYCLES_PATH}[{len(cycles) - 1}]"
    interval = tuple(w for w in domain.injection_interval_warnings(cycles, path=CYCLES_PATH)
                     if w.path == new_path)
    first = not any(c.product == product and c.given_on < given_on for c in stored)
    units = domain.assess_cycle_units(
        domain.Product(product),
        [domain.InjectedUnits(muscle=i.muscle, side=i.side, units=i.units)
         for i in injections], first_with_product=first,
        # The unit limits of the local policy in force on the day of the cycle.
        limits=policy_in_force(on=given_on).policy.toxin_unit_limits)
    return ProposedCycleCheck(interval=interval, units=units)


def response_summary(cycles: Sequence[ToxinCycle],
                     thresholds: ResponseThresholds | None = None) -> ResponseSummary:
    """Derive the response pattern from the reviewed cycles, with the thresholds of the
    local policy in force today unless others are given (the candidacy assessment derives it
    with the same). A cycle not yet reviewed has no benefit figures to give, so it is left
    out and listed as such."""
    if thresholds is None:
        thresholds = policy_rules_in_force().candidacy.bont_response_thresholds
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


# A patient's current cycles with their details (`ToxinCycle.objects.with_details()`), as
# three prepared queries: the cycles, their injections, every version of their reviews.
_CURRENT_CYCLES = patient_rows(lambda patient_id: (
    ToxinCycle.objects.current().filter(patient_id=patient_id)
    .select_related("injector", "site", "created_by", "status_changed_by")
    .order_by("given_on", "id")))
_CURRENT_CYCLES_INJECTIONS = patient_rows(lambda patient_id: (
    ToxinInjection.objects.filter(cycle__patient_id=patient_id,
                                  cycle__record_status=RecordStatus.CURRENT)
    .order_by("position", "id")))
_CURRENT_CYCLES_REVIEWS = patient_rows(lambda patient_id: (
    ToxinReview.objects.filter(cycle__patient_id=patient_id,
                               cycle__record_status=RecordStatus.CURRENT)
    .select_related("created_by", "status_changed_by").order_by("created_at", "id")))


# One cycle of a patient with its details, whatever its status.
_CYCLE = PreparedQuery(lambda patient_id, pk: (
    ToxinCycle.objects.filter(patient_id=patient_id, pk=pk)
    .select_related("injector", "site", "created_by", "status_changed_by")),
    patient_id=uuid.UUID, pk=int)
_CYCLE_INJECTIONS = PreparedQuery(lambda pk: ToxinInjection.objects.filter(cycle_id=pk)
                                  .order_by("position", "id"), pk=int)
_CYCLE_REVIEWS = PreparedQuery(lambda pk: (
    ToxinReview.objects.filter(cycle_id=pk).select_related("created_by", "status_changed_by")
    .order_by("created_at", "id")), pk=int)


def toxin_cycles_of(patient: Patient) -> list[ToxinCycle]:
    """The patient's current cycles, oldest first, with their details: what every summary,
    chart, warning and derived fact reads (amended and mistaken cycles are left out)."""
    cycles = _CURRENT_CYCLES.instances(patient_id=patient.pk)
    if cycles:
        attach_prefetched(cycles, "injections",
                          _CURRENT_CYCLES_INJECTIONS.instances(patient_id=patient.pk))
        attach_prefetched(cycles, "reviews",
                          _CURRENT_CYCLES_REVIEWS.instances(patient_id=patient.pk))
    return cycles


def current_review_of(cycle: ToxinCycle) -> ToxinReview | None:
    """The cycle's current review, read afresh (a service's check)."""
    return (ToxinReview.objects.current().select_related("created_by")
            .filter(cycle_id=cycle.pk).first())


def cycle_status(cycle: ToxinCycle) -> str:
    """The cycle's status as stored now (a service's check)."""
    return ToxinCycle.objects.filter(pk=cycle.pk).values_list("record_status", flat=True).get()


def resistance_tests_of(patient: Patient) -> QuerySet[ResistanceTest]:
    """The patient's current resistance tests, oldest first."""
    return (ResistanceTest.objects.current().filter(patient=patient)
            .select_related("created_by").order_by("tested_on", "id"))


_RESISTANCE_TESTS = patient_rows(lambda patient_id: (
    ResistanceTest.objects.current().filter(patient_id=patient_id)
    .select_related("created_by").order_by("tested_on", "id")))


def resistance_test_latest(patient: Patient) -> ResistanceTest | None:
    """The latest current resistance test (the candidacy facts and the work-up read it)."""
    return resistance_tests_of(patient).order_by("-tested_on", "-id").first()


def restarted_on():
    """The first current cycle of the stop's patient given after the stop: toxin restarted."""
    return Subquery(ToxinCycle.objects.current().filter(
        patient_id=OuterRef("patient_id"), given_on__gt=OuterRef("stopped_on"))
        .order_by("given_on").values("given_on")[:1])


_TOXIN_STOPS = patient_rows(lambda patient_id: (
    ToxinStop.objects.current().filter(patient_id=patient_id)
    .select_related("decided_by", "created_by").annotate(restarted_on=restarted_on())
    .order_by("stopped_on", "id")))


def toxin_stops_of(patient: Patient) -> tuple[ToxinStop, ...]:
    """The patient's current stops of toxin, oldest first, each with `restarted_on` (a
    service's check; reads for a page go through `toxin_record_get`)."""
    return tuple(_TOXIN_STOPS.instances(patient_id=patient.pk))


def toxin_stop_get(*, patient: Patient, pk: int, actor: Actor) -> ToxinStop:
    """One stop of toxin of this patient, whatever its status; the read is audited."""
    stop = (ToxinStop.objects.select_related("decided_by", "created_by", "status_changed_by")
            .annotate(restarted_on=restarted_on()).get(patient=patient, pk=pk))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_stop",
                 object_id=stop.pk, patient_id=patient.pk,
                 summary=f"Viewed the stop of botulinum toxin of {stop.stopped_on.isoformat()}")
    return stop


def toxin_record_get(*, patient: Patient, actor: Actor) -> ToxinRecord:
    """The patient's current toxin cycles with the domain's warnings, response pattern and
    the poor-responder pathway. The read is audited."""
    cycles = tuple(toxin_cycles_of(patient))
    tests = tuple(_RESISTANCE_TESTS.instances(patient_id=patient.pk))
    record = ToxinRecord(cycles=cycles, warnings=cycle_warnings(cycles),
                         response=response_summary(cycles), resistance_tests=tests,
                         checklist=poor_responder_checklist(tests[-1] if tests else None),
                         stops=tuple(_TOXIN_STOPS.instances(patient_id=patient.pk)))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_cycles",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed {len(cycles)} botulinum toxin cycles",
                 details={"cycles": [c.pk for c in cycles],
                          "stops": [s.pk for s in record.stops],
                          "response_pattern": str(record.response.derivation.pattern or "")})
    return record


def toxin_cycle_get(*, patient: Patient, pk: int, actor: Actor) -> ToxinCycle:
    """One cycle of this patient, whatever its status (ToxinCycle.DoesNotExist for another
    patient's); the read is audited."""
    found = _CYCLE.instances(patient_id=patient.pk, pk=pk)
    if not found:
        raise ToxinCycle.DoesNotExist("No such toxin cycle of this patient")
    attach_prefetched(found, "injections", _CYCLE_INJECTIONS.instances(pk=pk))
    attach_prefetched(found, "reviews", _CYCLE_REVIEWS.instances(pk=pk))
    cycle = found[0]
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_cycle",
                 object_id=cycle.pk, patient_id=patient.pk,
                 summary=f"Viewed the toxin cycle of {cycle.given_on.isoformat()}")
    return cycle


def toxin_cycle_history(cycle: ToxinCycle) -> list[ToxinCycle]:
    """Every version of the cycle, oldest first, each with its injections and reviews."""
    chain = [c.pk for c in record_history(cycle)]
    if chain == [cycle.pk]:
        return [cycle]
    versions = ToxinCycle.objects.filter(pk__in=chain).with_details().in_bulk()
    return [versions[pk] for pk in chain]


def toxin_review_get(*, cycle: ToxinCycle, pk: int) -> ToxinReview:
    """One version of the cycle's review (ToxinReview.DoesNotExist for another cycle's),
    from the cycle as read (and audited) with its details."""
    for review in cycle.reviews.all():
        if review.pk == pk:
            return review
    raise ToxinReview.DoesNotExist("No such review of this cycle")


def corrected_entries(*, patient: Patient, model: type[CorrectableRecord]) -> tuple:
    """The patient's entries of one kind that were corrected or entered in error, most
    recently changed first: left out of summaries, still reachable from the list page (read
    with that page, which audits the read)."""
    prepared = _CORRECTED.get(model)
    if prepared is None:
        prepared = _CORRECTED.setdefault(model, patient_rows(lambda patient_id: (
            model._base_manager.filter(patient_id=patient_id)
            .exclude(record_status=RecordStatus.CURRENT)
            .select_related("status_changed_by").order_by("-status_changed_at", "-id"))))
    found = prepared.instances(patient_id=patient.pk)
    if model is ToxinCycle and found:
        attach_prefetched(found, "injections",
                          _CORRECTED_CYCLES_INJECTIONS.instances(patient_id=patient.pk))
    return tuple(found)


# corrected_entries' query of each kind of entry, prepared on first use.
_CORRECTED: dict[type, PreparedQuery] = {}
_CORRECTED_CYCLES_INJECTIONS = patient_rows(lambda patient_id: (
    ToxinInjection.objects.filter(cycle__patient_id=patient_id)
    .exclude(cycle__record_status=RecordStatus.CURRENT).order_by("position", "id")))


def entry_successor(record: CorrectableRecord) -> CorrectableRecord | None:
    """The version that superseded an amended entry (None for any other)."""
    if record.record_status != RecordStatus.AMENDED:
        return None
    return type(record)._base_manager.filter(supersedes=record).first()


def entry_history(record: CorrectableRecord) -> list[CorrectableRecord]:
    """Every version of an entry, oldest first, with who changed each and why."""
    chain = record_history(record)
    model = type(record)
    versions = (model._base_manager.select_related("created_by", "status_changed_by")
                .in_bulk([v.pk for v in chain]))
    return [versions[v.pk] for v in chain]


def resistance_test_get(*, patient: Patient, pk: int, actor: Actor) -> ResistanceTest:
    """One resistance test of this patient, whatever its status; the read is audited."""
    test = (ResistanceTest.objects.select_related("created_by", "status_changed_by")
            .get(patient=patient, pk=pk))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_resistance_test",
                 object_id=test.pk, patient_id=patient.pk,
                 summary=f"Viewed the resistance test of {test.tested_on.isoformat()}")
    return test


_MEDICATIONS = patient_rows(lambda patient_id: (
    Medication.objects.current().filter(patient_id=patient_id)
    .select_related("created_by", "stopped_by")
    .order_by(F("stopped_on").desc(nulls_first=True), "-started_on", "id")))
_THERAPY_SESSIONS = patient_rows(lambda patient_id: (
    TherapySession.objects.current().filter(patient_id=patient_id)
    .select_related("therapist", "created_by").order_by("-session_on", "-id")))


def medication_list(*, patient: Patient, actor: Actor) -> tuple[Medication, ...]:
    """The patient's current medicine entries (taken now first, then stopped, most
    recently stopped first); the read is audited."""
    medications = tuple(_MEDICATIONS.instances(patient_id=patient.pk))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="medications",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed {len(medications)} medicines")
    return medications


def medication_get(*, patient: Patient, pk: int, actor: Actor) -> Medication:
    """One medicine entry of this patient, whatever its status (Medication.DoesNotExist for
    another patient's); the read is audited."""
    medication = Medication.objects.select_related(
        "created_by", "stopped_by", "status_changed_by").get(patient=patient, pk=pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="medication",
                 object_id=medication.pk, patient_id=patient.pk,
                 summary=f"Viewed {medication.drug_name} {medication.dose}")
    return medication


def therapy_session_list(*, patient: Patient, actor: Actor) -> tuple[TherapySession, ...]:
    """The patient's current therapy sessions, most recent first; the read is audited."""
    sessions = tuple(_THERAPY_SESSIONS.instances(patient_id=patient.pk))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="therapy_sessions",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed {len(sessions)} therapy sessions")
    return sessions


def therapy_session_get(*, patient: Patient, pk: int, actor: Actor) -> TherapySession:
    """One therapy session of this patient, whatever its status; the read is audited."""
    session = (TherapySession.objects.select_related("therapist", "created_by",
                                                     "status_changed_by")
               .get(patient=patient, pk=pk))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="therapy_session",
                 object_id=session.pk, patient_id=patient.pk,
                 summary=f"Viewed the therapy session of {session.session_on.isoformat()}")
    return session

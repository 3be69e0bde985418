"""Writes of diagnoses, examinations and rating scales. Each is atomic, validated with
full_clean and audited. The clinical results (age-at-onset band, derived distribution,
dominant pattern, TWSTRS scores) come from collis.domain; nothing is recomputed here.

Examinations and rating scales are corrected, never changed (ADR 0009): the create service
given `amends=` saves a new version that supersedes the old one, after every check a new
entry meets (dates, values); `*_mark_entered_in_error` takes an entry out of every summary
and keeps it in the history. Who may record an entry may correct it, and nobody else."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from collis.assessments.models import (
    TSUI_LABELS,
    TWSTRS_SUBSCORE_LABELS,
    DiagnosisVersion,
    EntryMode,
    Examination,
    ExaminationMuscle,
    ExaminationPattern,
    Scale,
    ScaleAssessment,
    SensoryTrick,
    twstrs_item_label,
)
from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check
from collis.core.corrections import (
    correction_check,
    record_mark_entered_in_error,
    record_supersede,
)
from collis.core.models import AuditAction
from collis.core.presenters import age_on
from collis.core.roles import Capability, can, refusal_message
from collis.domain.classification import age_at_onset_band, derive_distribution
from collis.domain.muscles import Muscle
from collis.domain.phenotype import PATTERN_TABLE, PatternObservation, Side, dominant_pattern
from collis.domain.scales import tsui, twstrs
from collis.domain.scales.tsui import record_tsui
from collis.domain.scales.twstrs import score_twstrs, twstrs_from_subscores
from collis.patients.models import Patient


def _may(actor: Actor, capability: Capability) -> None:
    """The service's own check (the page checks too): a correction needs the capability
    that records the entry."""
    if not can(actor.user, capability):
        raise PermissionDenied(refusal_message(capability))


def _amendment_check(*, amends, patient: Patient, actor: Actor, capability: Capability,
                     reason: str) -> str:
    """Before saving a correction of `amends`: the role may, the entry is this patient's
    and still current, and a reason is given. Returns the cleaned reason."""
    _may(actor, capability)
    if amends.patient_id != patient.pk:
        raise ValidationError("The entry to correct is not one of this patient's.")
    return correction_check(old=amends, reason=reason)

# The domain modules give no version identifier for the instruments; these name the
# published versions their docstrings cite (reported to the domain's owner).
SCALE_VERSIONS = {
    Scale.TWSTRS: "TWSTRS (Consky & Lang 1994) [9]",
    Scale.TSUI: "Tsui scale [9]",
}


# ---------------------------------------------------------------------------- diagnosis

@dataclass(frozen=True, slots=True)
class DiagnosisDetails:
    """What a clinician enters for the diagnosis and classification [1]."""

    onset_age: int | None = None
    regions: tuple[str, ...] = ()
    one_side_of_body: bool = False
    distribution: str = ""  # "" means: use the distribution derived from the regions
    course: str = ""
    variability: str = ""
    associated_features: str = ""
    other_movement_disorder: str = ""
    nervous_system_pathology: str = ""
    aetiology: str = ""
    aetiology_subtype: str = ""
    family_history: tuple[tuple[str, str], ...] = ()  # (relationship, condition)
    family_history_notes: str = ""
    notes: str = ""


class DiagnosisConflict(Exception):
    """Someone saved a newer version after the editor opened the form; nothing was saved."""

    def __init__(self, current: DiagnosisVersion):
        super().__init__("The diagnosis was changed by someone else.")
        self.current = current


# The stored fields that make up a version, compared to say what changed.
DIAGNOSIS_FIELDS = (
    "onset_age", "age_at_onset", "regions", "one_side_of_body", "derived_distribution",
    "distribution", "course", "variability", "associated_features", "other_movement_disorder",
    "nervous_system_pathology", "aetiology", "aetiology_subtype", "family_history",
    "family_history_notes", "notes",
)


# What makes a diagnosis: a version with none of these is refused.
DIAGNOSIS_PARTS = ("onset_age", "regions", "distribution", "course", "variability",
                   "associated_features", "nervous_system_pathology", "aetiology")
BLANK_DIAGNOSIS = ("Nothing is chosen, so there is no diagnosis to save. Fill in at least "
                   "one of: age at onset, body regions involved, body distribution, course, "
                   "variability, associated features, nervous-system pathology or aetiology")


def diagnosis_problems(*, patient: Patient, details: DiagnosisDetails) -> None:
    """Refuse a blank diagnosis, and an age at onset greater than the patient's age."""
    if all(getattr(details, name) in (None, "", (), []) for name in DIAGNOSIS_PARTS):
        raise ValidationError(BLANK_DIAGNOSIS)
    if details.onset_age is not None:
        age = age_on(patient.date_of_birth)
        if details.onset_age > age:
            raise ValidationError({"onset_age": f"Age at onset ({details.onset_age} years) "
                                                f"cannot be greater than the patient's age "
                                                f"({age} years)"})


def diagnosis_current(patient: Patient) -> DiagnosisVersion | None:
    return (DiagnosisVersion.objects.filter(patient=patient)
            .select_related("created_by").order_by("-version").first())


@transaction.atomic
def diagnosis_version_create(*, patient: Patient, details: DiagnosisDetails,
                     based_on_version: int | None, actor: Actor) -> DiagnosisVersion:
    """Add a new version of the diagnosis (never change an old one). `based_on_version` is
    the version the editor saw (None for the first); if a newer one exists, raise
    DiagnosisConflict. Returns the current version unchanged when nothing differs; refuses
    a blank diagnosis and an age at onset above the patient's age."""
    # Lock the patient row so two saves cannot both become the same version.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    current = diagnosis_current(patient)
    if (current.version if current else None) != based_on_version:
        raise DiagnosisConflict(current)
    diagnosis_problems(patient=patient, details=details)
    derivation = derive_distribution(details.regions, one_side_of_body=details.one_side_of_body)
    derived = str(derivation.distribution) if derivation.distribution else ""
    values = {
        "onset_age": details.onset_age,
        "age_at_onset": (str(age_at_onset_band(details.onset_age))
                         if details.onset_age is not None else ""),
        "regions": list(details.regions),
        "one_side_of_body": details.one_side_of_body,
        "derived_distribution": derived,
        "derived_distribution_reason": derivation.reason if derived else "",
        "distribution": details.distribution or derived,
        "course": details.course,
        "variability": details.variability,
        "associated_features": details.associated_features,
        "other_movement_disorder": details.other_movement_disorder,
        "nervous_system_pathology": details.nervous_system_pathology,
        "aetiology": details.aetiology,
        "aetiology_subtype": details.aetiology_subtype,
        "family_history": [{"relationship": r, "condition": c}
                           for r, c in details.family_history],
        "family_history_notes": details.family_history_notes,
        "notes": details.notes,
    }
    changes = {}
    if current is not None:
        for name in DIAGNOSIS_FIELDS:
            before = getattr(current, name)
            if before != values[name]:
                changes[name] = {"from": before, "to": values[name]}
        if not changes:
            return current
    version = DiagnosisVersion(
        patient=patient, version=(current.version + 1) if current else 1, changes=changes,
        created_by=actor.user, created_at=timezone.now(), **values)
    version.full_clean()
    version.save(force_insert=True)
    audit_record(
        actor=actor, action=AuditAction.CREATE if current is None else AuditAction.UPDATE,
        object_type="diagnosis", object_id=version.pk, patient_id=patient.pk,
        summary=(f"Recorded the diagnosis (version {version.version})" if current is None
                 else f"Changed the diagnosis (version {version.version}): "
                      f"{', '.join(sorted(changes))}"),
        details={"version": version.version, "changes": changes})
    return version


# -------------------------------------------------------------------------- examination

@dataclass(frozen=True, slots=True)
class ExaminationDetails:
    examined_on: date
    patterns: tuple[PatternObservation, ...]
    tremor: str
    sensory_trick: str
    sensory_trick_effect: str = ""
    sensory_trick_description: str = ""
    notes: str = ""


def examination_problems(*, patient: Patient, details: ExaminationDetails) -> None:
    """The checks a new or corrected examination meets, each naming its field."""
    clinical_date_check(field="examined_on", value=details.examined_on, patient=patient,
                        label="The date of the examination")
    seen = set()
    for observation in details.patterns:
        if observation.pattern in seen:
            raise ValidationError({f"severity_{observation.pattern}": (
                f"{str(observation.pattern).replace('_', ' ').capitalize()} is listed twice: "
                "record each pattern once")})
        seen.add(observation.pattern)
    if details.sensory_trick == SensoryTrick.PRESENT and not details.sensory_trick_effect:
        raise ValidationError({"sensory_trick_effect": "Choose the effect of the sensory "
                                                       "trick, because it is present"})
    if details.sensory_trick != SensoryTrick.PRESENT and details.sensory_trick_effect:
        raise ValidationError({"sensory_trick_effect": "Leave the effect empty, because "
                                                       "there is no sensory trick"})


def _examination_save(*, patient: Patient, details: ExaminationDetails, actor: Actor,
                      amends: Examination | None,
                      muscles: list[tuple[str, str, bool]] | None,
                      muscles_confirmed: tuple | None) -> Examination:
    """Save an examination (a new one, or a version superseding `amends`) with its
    patterns in the order given and, if confirmed, its muscles (muscle, side, suggested)."""
    dominant = dominant_pattern(details.patterns)
    confirmed_at, confirmed_by = muscles_confirmed or (None, None)
    examination = Examination(
        patient=patient, examined_on=details.examined_on, tremor=details.tremor,
        sensory_trick=details.sensory_trick, sensory_trick_effect=details.sensory_trick_effect,
        sensory_trick_description=details.sensory_trick_description, notes=details.notes,
        dominant_pattern=str(dominant.pattern) if dominant else "",
        dominant_side=str(dominant.side) if dominant and dominant.side else "",
        pattern_table_version=PATTERN_TABLE.version, supersedes=amends,
        muscles_confirmed_at=confirmed_at, muscles_confirmed_by=confirmed_by,
        created_by=actor.user, created_at=timezone.now())
    examination.full_clean()
    examination.save(force_insert=True)
    rows = [ExaminationPattern(examination=examination, position=index,
                               pattern=str(p.pattern), side=str(p.side) if p.side else "",
                               severity=p.severity if p.severity is not None else 0)
            for index, p in enumerate(details.patterns)]
    for row in rows:
        row.full_clean(exclude=["examination"])
    ExaminationPattern.objects.bulk_create(rows)
    muscle_rows = [ExaminationMuscle(examination=examination, muscle=m, side=s, suggested=sug)
                   for m, s, sug in (muscles or [])]
    for row in muscle_rows:
        row.full_clean(exclude=["examination"])
    ExaminationMuscle.objects.bulk_create(muscle_rows)
    verb = "Recorded a correction of" if amends is not None else "Recorded"
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="examination",
        object_id=examination.pk, patient_id=patient.pk,
        summary=f"{verb} a neck examination of {details.examined_on:%d/%m/%Y}",
        details={"patterns": [p.describe() for p in details.patterns],
                 "dominant": dominant.describe() if dominant else "",
                 "muscles": [f"{m} ({s})" for m, s, _ in (muscles or [])],
                 **({"supersedes": amends.pk} if amends is not None else {})})
    return examination


def _muscle_triples(examination: Examination) -> list[tuple[str, str, bool]]:
    return [(m.muscle, m.side, m.suggested) for m in examination.muscles.all()]


@transaction.atomic
def examination_create(*, patient: Patient, details: ExaminationDetails, actor: Actor,
                       amends: Examination | None = None,
                       correction_reason: str = "") -> Examination:
    """Record an examination with its patterns (in the order given) and the dominant
    pattern the domain finds among them. With `amends`, the new examination corrects that
    one (which keeps its content, marked amended with the reason); the muscles confirmed on
    it are carried over, as confirmed then."""
    reason = ""
    if amends is not None:
        reason = _amendment_check(amends=amends, patient=patient, actor=actor,
                                  capability=Capability.EXAMINATION_RECORD,
                                  reason=correction_reason)
        amends = Examination.objects.get(pk=amends.pk)  # as now locked, muscles included
    examination_problems(patient=patient, details=details)
    carried = None
    if amends is not None and amends.muscles_confirmed_at is not None:
        carried = (amends.muscles_confirmed_at, amends.muscles_confirmed_by)
    examination = _examination_save(
        patient=patient, details=details, actor=actor, amends=amends,
        muscles=_muscle_triples(amends) if carried else None, muscles_confirmed=carried)
    if amends is not None:
        record_supersede(old=amends, new=examination, reason=reason, actor=actor,
                         object_type="examination", patient_id=patient.pk)
    return examination


def examination_details_of(examination: Examination) -> ExaminationDetails:
    """The stored examination as the details it was recorded with."""
    return ExaminationDetails(
        examined_on=examination.examined_on,
        patterns=tuple(PatternObservation(pattern=p.pattern,
                                          side=Side(p.side) if p.side else None,
                                          severity=p.severity)
                       for p in sorted(examination.patterns.all(), key=lambda p: p.position)),
        tremor=examination.tremor, sensory_trick=examination.sensory_trick,
        sensory_trick_effect=examination.sensory_trick_effect,
        sensory_trick_description=examination.sensory_trick_description,
        notes=examination.notes)


@transaction.atomic
def examination_muscles_confirm(*, examination: Examination,
                                muscles: Iterable[tuple[Muscle | str, Side | str]],
                                suggested: Iterable[tuple[str, str]] = (),
                                actor: Actor, correction_reason: str = "") -> Examination:
    """Confirm the muscles (muscle, side) involved at a current examination; `suggested`
    marks those the table suggested. The first confirmation completes the entry; changing
    muscles once confirmed is a correction: a new version of the examination with the new
    muscles (and a reason), the old one kept as amended. Returns the examination that now
    holds the muscles (unchanged when they are the same)."""
    chosen = sorted({(str(Muscle(m)), str(Side(s))) for m, s in muscles})
    suggested_set = {(str(m), str(s)) for m, s in suggested}
    locked = Examination.objects.select_for_update().get(pk=examination.pk)
    before = sorted(locked.muscles.values_list("muscle", "side"))
    if locked.muscles_confirmed_at is not None or not locked.is_current:
        if locked.is_current and before == chosen:
            return locked
        reason = _amendment_check(amends=locked, patient=locked.patient, actor=actor,
                                  capability=Capability.EXAMINATION_RECORD,
                                  reason=correction_reason)
        new = _examination_save(
            patient=locked.patient, details=examination_details_of(locked), actor=actor,
            amends=locked, muscles=[(m, s, (m, s) in suggested_set) for m, s in chosen],
            muscles_confirmed=(timezone.now(), actor.user))
        record_supersede(old=locked, new=new, reason=reason, actor=actor,
                         object_type="examination", patient_id=locked.patient_id)
        return new
    rows = [ExaminationMuscle(examination=locked, muscle=m, side=s,
                              suggested=(m, s) in suggested_set) for m, s in chosen]
    for row in rows:
        row.full_clean(exclude=["examination"])
    ExaminationMuscle.objects.bulk_create(rows)
    locked.muscles_confirmed_at = timezone.now()
    locked.muscles_confirmed_by = actor.user
    locked.save(update_fields=["muscles_confirmed_at", "muscles_confirmed_by"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, object_type="examination",
        object_id=locked.pk, patient_id=locked.patient_id,
        summary=f"Confirmed {len(chosen)} involved muscle(s) at an examination",
        details={"from": [], "to": [f"{m} ({s})" for m, s in chosen]})
    return locked


def examination_mark_entered_in_error(*, examination: Examination, reason: str,
                                      actor: Actor) -> Examination:
    """Mark an examination entered in error: it leaves the list, the candidacy facts and
    every summary, and stays in the record's history."""
    _may(actor, Capability.EXAMINATION_RECORD)
    return record_mark_entered_in_error(record=examination, reason=reason, actor=actor,
                                        object_type="examination",
                                        patient_id=examination.patient_id)


# ------------------------------------------------------------------------------- scales

def _as_number(value):
    """A Decimal as the int or float it stands for; anything else unchanged."""
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def value_checked(value, *, field: str, label: str, low: float, high: float | None,
                  whole: bool):
    """One score as a plain int or float in its range, or a ValidationError naming the
    item: text, True/False, nan, infinity and numbers too large to hold (1e309) are not
    numbers; a whole-number item takes no fraction."""
    value = _as_number(value)
    kind = "a whole number" if whole else "a number"
    allowed = (f"{kind} from {_n(low)} to {_n(high)}" if high is not None
               else f"{kind} {_n(low)} or more")
    number_like = isinstance(value, int | float) and not isinstance(value, bool)
    try:
        finite = number_like and math.isfinite(value)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        raise ValidationError({field: f"{label} must be {allowed}"})
    if whole and not float(value).is_integer():
        raise ValidationError({field: f"{label} must be {allowed} (you entered {_n(value)})"})
    if value < low or (high is not None and value > high):
        raise ValidationError({field: f"{label} must be {allowed} (you entered {_n(value)})"})
    return int(value) if whole else value


# The reference gives no range for a TWSTRS pain item, but the three are not negative and
# add up to at most 20 [9]: so none can be more than 20.
PAIN_ITEM_MAX = twstrs.SUBSCALE_RANGES[twstrs.Subscale.PAIN][1]


def twstrs_items_checked(items: Mapping) -> dict[str, float]:
    """TWSTRS items, each a number in its range (ValidationError naming the item)."""
    unknown = [name for name in items if name not in twstrs.ITEMS_BY_NAME]
    if unknown:
        raise ValidationError(f"These are not TWSTRS items: {', '.join(map(str, unknown))}")
    checked = {}
    for item in twstrs.ITEMS:
        if item.name in items and items[item.name] is not None:
            high = item.high if item.high is not None else PAIN_ITEM_MAX
            checked[item.name] = value_checked(
                items[item.name], field=item.name, label=twstrs_item_label(item),
                low=item.low, high=high, whole=item.integer)
    if not checked:
        raise ValidationError("Enter at least one TWSTRS item")
    return checked


def _twstrs_scored(score_call, *, sum_field: str):
    """The domain's score, its refusals turned into messages on a field (never a 500)."""
    try:
        return score_call()
    except twstrs.TwstrsItemOutOfRange as error:
        low, high = twstrs.SUBSCALE_RANGES[twstrs.Subscale.PAIN]
        if str(error.name).startswith("pain"):
            raise ValidationError({sum_field: f"The three pain items add up to "
                                              f"{error.value:g}; together they must be from "
                                              f"{low} to {high}"}) from None
        raise ValidationError(str(error)) from None
    except (twstrs.TwstrsError, OverflowError) as error:
        raise ValidationError(f"The TWSTRS could not be scored: {error}") from None


def _scale_save(*, patient: Patient, scale: Scale, assessed_on: date, entry_mode: EntryMode,
                items: Mapping, scores: Mapping, notes: str, actor: Actor,
                amends: ScaleAssessment | None, reason: str) -> ScaleAssessment:
    assessment = ScaleAssessment(
        patient=patient, scale=scale, scale_version=SCALE_VERSIONS[scale],
        assessed_on=assessed_on, entry_mode=entry_mode, items=dict(items), notes=notes,
        supersedes=amends, created_by=actor.user, created_at=timezone.now(), **scores)
    assessment.full_clean()
    assessment.save(force_insert=True)
    verb = "Recorded a correction of" if amends is not None else "Recorded"
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type=f"scale_{scale}",
        object_id=assessment.pk, patient_id=patient.pk,
        summary=f"{verb} a {scale.label} assessment of {assessed_on:%d/%m/%Y}",
        details={"items": dict(items), **scores,
                 **({"supersedes": amends.pk} if amends is not None else {})})
    if amends is not None:
        record_supersede(old=amends, new=assessment, reason=reason, actor=actor,
                         object_type=f"scale_{scale}", patient_id=patient.pk)
    return assessment


def _scale_checks(*, patient: Patient, scale: Scale, assessed_on: date,
                  amends: ScaleAssessment | None, correction_reason: str,
                  actor: Actor) -> str:
    """What every new or corrected rating scale meets first: a correction is of a current
    assessment of the same scale and patient, by a role that may rate; the date is not in
    the future nor before the date of birth. Returns the correction's reason."""
    reason = ""
    if amends is not None:
        reason = _amendment_check(amends=amends, patient=patient, actor=actor,
                                  capability=Capability.SCALE_RECORD, reason=correction_reason)
        if amends.scale != scale:
            raise ValidationError(f"A {amends.get_scale_display()} is corrected by another "
                                  f"{amends.get_scale_display()}, not a {scale.label}.")
    clinical_date_check(field="assessed_on", value=assessed_on, patient=patient,
                        label="The date of the assessment")
    return reason


@transaction.atomic
def twstrs_create(*, patient: Patient, assessed_on: date, items: Mapping[str, float],
                  notes: str = "", actor: Actor, amends: ScaleAssessment | None = None,
                  correction_reason: str = "") -> ScaleAssessment:
    """Score TWSTRS item by item with the domain (score_twstrs) and store items and scores.
    An item that is not a number in its range is refused with a message naming it. With
    `amends`, the new assessment corrects that one."""
    reason = _scale_checks(patient=patient, scale=Scale.TWSTRS, assessed_on=assessed_on,
                           amends=amends, correction_reason=correction_reason, actor=actor)
    checked = twstrs_items_checked(items)
    score = _twstrs_scored(lambda: score_twstrs(checked), sum_field="pain_severity")
    return _scale_save(
        patient=patient, scale=Scale.TWSTRS, assessed_on=assessed_on,
        entry_mode=EntryMode.ITEMS, items=dict(score.items), notes=notes, actor=actor,
        amends=amends, reason=reason,
        scores={"severity": score.severity, "disability": score.disability,
                "pain": score.pain, "total": score.total})


@transaction.atomic
def twstrs_create_from_subscores(*, patient: Patient, assessed_on: date, severity: int | None,
                                 disability: int | None, pain: float | None, notes: str = "",
                                 actor: Actor, amends: ScaleAssessment | None = None,
                                 correction_reason: str = "") -> ScaleAssessment:
    """Store a TWSTRS known only by its subscores (domain twstrs_from_subscores)."""
    reason = _scale_checks(patient=patient, scale=Scale.TWSTRS, assessed_on=assessed_on,
                           amends=amends, correction_reason=correction_reason, actor=actor)
    given = {"severity": severity, "disability": disability, "pain": pain}
    checked = {}
    for name, value in given.items():
        if value is None:
            continue
        subscale = twstrs.Subscale(name)
        low, high = twstrs.SUBSCALE_RANGES[subscale]
        checked[name] = value_checked(value, field=name, label=TWSTRS_SUBSCORE_LABELS[name],
                                      low=low, high=high,
                                      whole=subscale is not twstrs.Subscale.PAIN)
    if not checked:
        raise ValidationError("Enter at least one TWSTRS subscore")
    score = _twstrs_scored(lambda: twstrs_from_subscores(**checked), sum_field="pain")
    return _scale_save(
        patient=patient, scale=Scale.TWSTRS, assessed_on=assessed_on,
        entry_mode=EntryMode.SUBSCORES, items={}, notes=notes, actor=actor,
        amends=amends, reason=reason,
        scores={"severity": score.severity, "disability": score.disability,
                "pain": score.pain, "total": score.total})


def tsui_values_checked(items: Mapping, total) -> tuple[dict[str, float], float | None]:
    """Tsui items (0 or more, none above the scale's total) and the total (0 to 25) [9],
    each refused with a message naming it."""
    unknown = [name for name in items if name not in tsui.ITEM_NAMES]
    if unknown:
        raise ValidationError(f"These are not Tsui items: {', '.join(map(str, unknown))}")
    high = tsui.TOTAL_RANGE[1]
    checked = {name: value_checked(items[name], field=name, label=TSUI_LABELS[name], low=0,
                                   high=high, whole=False)
               for name in tsui.ITEM_NAMES if items.get(name) is not None}
    if total is not None:
        total = value_checked(total, field="total", label=TSUI_LABELS["total"],
                              low=tsui.TOTAL_RANGE[0], high=high, whole=False)
    if total is None and not checked:
        raise ValidationError({"total": "Enter the total Tsui score"})
    return checked, total


@transaction.atomic
def tsui_create(*, patient: Patient, assessed_on: date, items: Mapping[str, float],
                total: float | None, notes: str = "", actor: Actor,
                amends: ScaleAssessment | None = None,
                correction_reason: str = "") -> ScaleAssessment:
    """Store Tsui items and the clinician's total as entered (domain record_tsui)."""
    reason = _scale_checks(patient=patient, scale=Scale.TSUI, assessed_on=assessed_on,
                           amends=amends, correction_reason=correction_reason, actor=actor)
    checked, total = tsui_values_checked(items, total)
    try:
        score = record_tsui(checked, total)
    except (tsui.TsuiError, OverflowError) as error:
        raise ValidationError(f"The Tsui scale could not be stored: {error}") from None
    return _scale_save(
        patient=patient, scale=Scale.TSUI, assessed_on=assessed_on,
        entry_mode=EntryMode.ITEMS, items=dict(score.items), notes=notes, actor=actor,
        amends=amends, reason=reason, scores={"total": score.total})


def scale_mark_entered_in_error(*, assessment: ScaleAssessment, reason: str,
                                actor: Actor) -> ScaleAssessment:
    """Mark a rating-scale assessment entered in error: it leaves the table, the chart, the
    change flags and the candidacy facts, and stays in the record's history."""
    _may(actor, Capability.SCALE_RECORD)
    return record_mark_entered_in_error(record=assessment, reason=reason, actor=actor,
                                        object_type=f"scale_{assessment.scale}",
                                        patient_id=assessment.patient_id)

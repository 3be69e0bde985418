"""Synthetic history for a demo patient: a diagnosis of focal idiopathic cervical
dystonia, one to three neck examinations and a TWSTRS series, made through the services.
Deterministic for the same random generator; does nothing if the patient already has any
of these records. The values are synthetic and within each item's range; they are not
clinical data."""

from __future__ import annotations

import datetime
import random

from collis.assessments import selectors, services
from collis.core.audit import Actor
from collis.domain.phenotype import Pattern, PatternObservation, Side
from collis.domain.scales.twstrs import ITEMS, Subscale

# Pain items have no upper bound of their own; the three must add up to 20 or less.
PAIN_ITEM_MAX = 6


def _has_records(patient) -> bool:
    return (patient.diagnosis_versions.exists() or patient.examinations.exists()
            or patient.scale_assessments.exists())


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _patterns(rng: random.Random) -> tuple[PatternObservation, ...]:
    """Mostly rotation-dominant phenotypes; some retrocollis or anterocollis."""
    side = rng.choice((Side.LEFT, Side.RIGHT))
    if rng.random() < 0.75:
        patterns = [PatternObservation(rng.choice((Pattern.TORTICAPUT, Pattern.TORTICOLLIS)),
                                       side, rng.randint(2, 4))]
        if rng.random() < 0.5:
            patterns.append(PatternObservation(Pattern.LATEROCAPUT, side, 1))
        if rng.random() < 0.4:
            patterns.append(PatternObservation(Pattern.SHOULDER_ELEVATION, side.opposite, 1))
        return tuple(patterns)
    sagittal = rng.choice((Pattern.RETROCOLLIS, Pattern.ANTEROCOLLIS))
    return (PatternObservation(sagittal, None, rng.randint(2, 4)),)


def _twstrs_items(rng: random.Random, level: float) -> dict[str, int]:
    """Items scaled by `level` (0-1) with a little noise, each within its range."""
    items = {}
    for item in ITEMS:
        high = item.high if item.high is not None else PAIN_ITEM_MAX
        if item.subscale is Subscale.PAIN:
            high = PAIN_ITEM_MAX
        value = round(high * level + rng.uniform(-0.8, 0.8))
        items[item.name] = max(item.low, min(high, value))
    return items


def demo_history(patient, rng: random.Random, today: datetime.date, author) -> None:
    if _has_records(patient):
        return
    actor = Actor.command_line(author)
    age = _age_on(patient.date_of_birth, today)
    # Adult onset, never after the patient's present age.
    onset_age = max(min(18, age), min(age - 2, rng.randint(32, 56)))
    familial = rng.random() < 0.15
    services.diagnosis_version_create(
        patient=patient, based_on_version=None, actor=actor,
        details=services.DiagnosisDetails(
            onset_age=onset_age, regions=("neck",), course="static", variability="persistent",
            associated_features="isolated", nervous_system_pathology="none",
            aetiology="idiopathic", aetiology_subtype="familial" if familial else "sporadic",
            family_history=(("Mother", "Cervical dystonia"),) if familial else (),
            notes="Synthetic demo record."))
    # TWSTRS every 3 to 6 months, oldest first, ending within the last 3 months.
    count = rng.randint(4, 8)
    gaps = [rng.randint(90, 180) for _ in range(count - 1)]
    day = today - datetime.timedelta(days=rng.randint(7, 90) + sum(gaps))
    level = rng.uniform(0.45, 0.7)
    dates = []
    for index in range(count):
        dates.append(day)
        services.twstrs_create(patient=patient, assessed_on=day, actor=actor,
                               items=_twstrs_items(rng, level))
        level = max(0.1, min(0.9, level + rng.uniform(-0.12, 0.06)))
        if index < len(gaps):
            day += datetime.timedelta(days=gaps[index])
    # One to three examinations on TWSTRS dates, each with its muscles confirmed.
    phenotype = _patterns(rng)
    for examined_on in sorted(rng.sample(dates, rng.randint(1, min(3, len(dates))))):
        trick = rng.choice(("present", "absent"))
        examination = services.examination_create(
            patient=patient, actor=actor,
            details=services.ExaminationDetails(
                examined_on=examined_on, patterns=phenotype,
                tremor=rng.choice(("none", "none", "mild", "moderate")), sensory_trick=trick,
                sensory_trick_effect=(rng.choice(("complete", "partial", "little"))
                                      if trick == "present" else ""),
                notes="Synthetic demo record."))
        suggested = selectors.suggested_pairs(
            selectors.examination_suggested_muscles(examination))
        services.examination_muscles_confirm(examination=examination,
                                             muscles=sorted(suggested), suggested=suggested,
                                             actor=actor)

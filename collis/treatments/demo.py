"""Synthetic treatment histories for demo patients, written through the services.

Doses keep to the reference's figures (§5): onabotulinumtoxinA totals around the median
236 U (IQR 198-300) with SCM <= 100 U [13]; abobotulinumtoxinA from 500 U in 250 U steps
[14]; incobotulinumtoxinA 120 U or 240 U [15]; re-injection about every 12-14 weeks
[15][19]. The medicines are examples of the classes the reference names (anticholinergics,
muscle relaxants, benzodiazepines); their doses are illustrative demo values only."""

from __future__ import annotations

import datetime
import random

from collis.core.audit import Actor
from collis.treatments import services
from collis.treatments.models import Guidance, StopReason, TherapyKind

# Muscle plans for a rotational cervical dystonia, per product, each summing to a total
# from the reference: (muscle, side, units).
_PLANS = {
    "onabotulinumtoxinA": [
        [("sternocleidomastoid", "left", 50), ("splenius_capitis", "right", 90),
         ("levator_scapulae", "right", 50), ("trapezius", "right", 50)],  # 240 U
        [("sternocleidomastoid", "right", 40), ("splenius_capitis", "left", 80),
         ("semispinalis_capitis", "left", 50), ("levator_scapulae", "left", 40)],  # 210 U
    ],
    "abobotulinumtoxinA": [
        [("sternocleidomastoid", "left", 150), ("splenius_capitis", "right", 250),
         ("levator_scapulae", "right", 100)],  # 500 U
        [("sternocleidomastoid", "left", 200), ("splenius_capitis", "right", 300),
         ("trapezius", "right", 250)],  # 750 U (one 250 U step)
    ],
    "incobotulinumtoxinA": [
        [("sternocleidomastoid", "right", 40), ("splenius_capitis", "left", 50),
         ("levator_scapulae", "left", 30)],  # 120 U
        [("sternocleidomastoid", "right", 60), ("splenius_capitis", "left", 100),
         ("levator_scapulae", "left", 40), ("trapezius", "left", 40)],  # 240 U
    ],
}
_MEDICINES = [
    ("Trihexyphenidyl", "2", "mg", "three times a day", "Dry mouth and blurred vision"),
    ("Baclofen", "10", "mg", "three times a day", "Drowsiness"),
    ("Clonazepam", "0.5", "mg", "at night", "Daytime sleepiness"),
]


def _has_treatments(patient) -> bool:
    return (patient.toxin_cycles.exists() or patient.medications.exists()
            or patient.therapy_sessions.exists())


def demo_history(patient, rng: random.Random, today: datetime.date, author) -> None:
    """Create 4-10 toxin cycles (steady or waning benefit), a medicine or two and some
    physiotherapy sessions. Does nothing if the patient already has any of these."""
    if _has_treatments(patient):
        return
    actor = Actor.command_line(author)
    count = rng.randint(4, 10)
    waning = rng.random() < 0.5
    product = rng.choice(["onabotulinumtoxinA"] * 3 + ["abobotulinumtoxinA",
                                                        "incobotulinumtoxinA"])
    plans = _PLANS[product]
    # Work back from the latest cycle, 3-9 weeks ago, at 12-14 week intervals.
    dates = [today - datetime.timedelta(days=rng.randint(21, 63))]
    for _ in range(count - 1):
        dates.append(dates[-1] - datetime.timedelta(days=rng.randint(84, 98)))
    dates.reverse()
    cycles = []
    for index, given_on in enumerate(dates):
        plan = plans[min(index // 3, len(plans) - 1)] if waning else plans[0]
        cycle = services.toxin_cycle_create(
            patient=patient, given_on=given_on, product=product,
            batch_number=f"{product[:3].upper()}{rng.randint(10000, 99999)}",
            guidance=rng.choice([Guidance.EMG, Guidance.EMG, Guidance.ULTRASOUND,
                                 Guidance.LANDMARKS]),
            injector=author, site=patient.home_site,
            injections=[services.InjectionRow(muscle=m, side=s, units=u) for m, s, u in plan],
            actor=actor)
        cycles.append(cycle)
    # Review every cycle at its 12-week follow-up, if that has happened: the benefit it
    # reports (at most 12 weeks) can then have been seen.
    for index, cycle in enumerate(cycles):
        reviewed_on = cycle.given_on + datetime.timedelta(weeks=12)
        if reviewed_on > today:
            continue
        late = max(0, index - count // 2)
        if waning and late:
            benefit = max(10, 70 - late * rng.randint(12, 18))
            weeks = max(3, 11 - late * rng.randint(2, 3))
        else:
            benefit, weeks = rng.randint(60, 80), rng.randint(10, 12)
        dysphagia = rng.random() < 0.15
        services.toxin_review_create(
            cycle=cycle, reviewed_on=reviewed_on, peak_benefit_percent=benefit,
            benefit_weeks=weeks,
            side_effects=services.SideEffects(dysphagia=dysphagia,
                                              severity="mild" if dysphagia else ""),
            actor=actor)
    if waning and rng.random() < 0.6:
        services.resistance_test_create(
            patient=patient, tested_on=min(today, cycles[-1].given_on + datetime.timedelta(
                weeks=2)), kind=rng.choice(["frontalis", "extensor_digitorum_brevis"]),
            result=rng.choice(["resistant", "not_resistant", "inconclusive"]), actor=actor)
    for name, amount, unit, frequency, reason in rng.sample(_MEDICINES, rng.randint(1, 2)):
        started = dates[0] - datetime.timedelta(days=rng.randint(60, 400))
        medication = services.medication_start(
            patient=patient, drug_name=name, dose_amount=amount, dose_unit=unit,
            frequency=frequency, started_on=started, effect="Some benefit reported",
            actor=actor)
        if rng.random() < 0.5:
            services.medication_stop(medication=medication,
                                     stopped_on=started + datetime.timedelta(days=rng.randint(
                                         30, 180)), reason=reason, actor=actor)
    for _ in range(rng.randint(2, 6)):
        services.therapy_session_create(
            patient=patient, kind=TherapyKind.PHYSIOTHERAPY,
            session_on=today - datetime.timedelta(days=rng.randint(7, 365)), therapist=author,
            duration_minutes=rng.choice([30, 45, 60]),
            goals="Posture awareness and neck stretching programme", actor=actor)
    _demo_stop(patient, waning=waning, last_given_on=dates[-1], today=today, author=author,
               actor=actor)


def _demo_stop(patient, *, waning: bool, last_given_on: datetime.date, today: datetime.date,
               author, actor: Actor) -> None:
    """About a third of the waning patients stop because it stopped working, and a few
    others for another reason, a week to three weeks after their last cycle. The choice is
    seeded by the NHS number, so the draws of the rest of the demo do not move."""
    rng = random.Random(f"toxin-stop-{patient.nhs_number}")
    draw = rng.random()
    if waning and draw < 0.35:
        reason = rng.choice([StopReason.STOPPED_WORKING] * 3 + [StopReason.SURGERY_OR_DBS])
    elif not waning and draw < 0.1:
        reason = rng.choice([StopReason.SIDE_EFFECTS, StopReason.PATIENT_CHOICE])
    else:
        return
    services.toxin_stop_create(
        patient=patient, stopped_on=min(today, last_given_on + datetime.timedelta(
            days=rng.randint(7, 21))), decided_by=author, reason=reason,
        notes="Discussed in clinic", actor=actor)

"""The treatments record on the patient's timeline: toxin cycles (kind "toxin", which the
assessments charts use as markers), their reviews, resistance tests, medicines started and
stopped, and therapy sessions. Two queries whatever the number of records; no audit (the
timeline page audits once).

Entries that were corrected or entered in error stay on the timeline, marked so in their
title, under their own kind ("toxin_entered_in_error", ...) so that no chart or summary
that reads the timeline counts them."""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from collis.core.models import RecordStatus
from collis.core.prepared import patient_rows
from collis.core.presenters import date_long
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.domain.toxin import Product
from collis.treatments.models import (
    PRODUCT_LABELS,
    RESISTANCE_RESULT_CHOICES,
    RESISTANCE_TEST_CHOICES,
    Medication,
    ResistanceTest,
    TherapyKind,
    TherapySession,
    ToxinCycle,
    ToxinReview,
)

# The columns that reviews, resistance tests, medicines and therapy sessions share, so that
# one UNION query reads them all.
_ROW = ("source", "pk", "first_date", "second_date", "name", "amount", "unit", "frequency",
        "reason", "minutes", "status")
_MARKS = {RecordStatus.AMENDED: "superseded by a correction",
          RecordStatus.ENTERED_IN_ERROR: "entered in error"}
_TESTS = dict(RESISTANCE_TEST_CHOICES)
_RESULTS = dict(RESISTANCE_RESULT_CHOICES)


def timeline_events(patient) -> list[TimelineEvent]:
    return _toxin_events(patient) + _other_events(patient)


def _event(*, when, kind: str, title: str, status: str, detail: str = "",
           href: str = "") -> TimelineEvent:
    """An event; an entry no longer current is marked in its title and kind."""
    if status != RecordStatus.CURRENT:
        title, kind = f"{title} ({_MARKS[status]})", f"{kind}_{status}"
    return TimelineEvent(when=when, kind=kind, title=title, detail=detail, href=href)


def _cycle_href(patient, pk) -> str:
    return reverse("treatments:toxin_detail", kwargs={"patient_id": patient.pk, "pk": pk})


def _cycles(patient_id):
    """Query 1: every cycle with its total units and its number of injections."""
    return (ToxinCycle.objects.filter(patient=patient_id)
            .annotate(units=Sum("injections__units"), injection_count=Count("injections"))
            .order_by("given_on", "id")
            .values_list("pk", "given_on", "record_status", "product", "units",
                         "injection_count"))


def _toxin_events(patient) -> list[TimelineEvent]:
    return [_event(when=given_on, kind="toxin", status=status,
                   title=f"Botulinum toxin: {units or 0} units of "
                         f"{PRODUCT_LABELS[Product(product)]}",
                   detail=f"{injection_count} injections",
                   href=_cycle_href(patient, pk))
            for pk, given_on, status, product, units, injection_count
            in _CYCLES.rows(patient_id=patient.pk)]


def _others(patient_id):
    """Query 2: reviews, resistance tests, medicines and therapy sessions together."""
    text, date, number = CharField(), DateField(), IntegerField()
    empty = Value("", output_field=text)
    medicines = Medication.objects.filter(patient=patient_id).order_by().annotate(
        source=Value("medication", output_field=text), first_date=F("started_on"),
        second_date=F("stopped_on"), name=F("drug_name"), amount=F("dose_amount"),
        unit=F("dose_unit"), reason=F("stop_reason"), minutes=Value(0, output_field=number),
        status=F("record_status")).values_list(*_ROW)
    sessions = TherapySession.objects.filter(patient=patient_id).order_by().annotate(
        source=Value("therapy", output_field=text), first_date=F("session_on"),
        second_date=Value(None, output_field=date), name=F("kind"), amount=empty, unit=empty,
        frequency_=empty, reason=empty, minutes=F("duration_minutes"),
        status=F("record_status")).values_list(*_ROW[:7], "frequency_", *_ROW[8:])
    tests = ResistanceTest.objects.filter(patient=patient_id).order_by().annotate(
        source=Value("resistance", output_field=text), first_date=F("tested_on"),
        second_date=Value(None, output_field=date), name=F("kind"), amount=F("result"),
        unit=empty, frequency_=empty, reason=empty, minutes=Value(0, output_field=number),
        status=F("record_status")).values_list(*_ROW[:7], "frequency_", *_ROW[8:])
    # A review: its cycle's id and date, its benefit, its side effects as flags.
    reviews = ToxinReview.objects.filter(cycle__patient=patient_id).order_by().annotate(
        source=Value("review", output_field=text), cycle_pk=F("cycle_id"),
        first_date=F("reviewed_on"), second_date=F("cycle__given_on"),
        name=F("other_side_effect"), amount=Cast("peak_benefit_percent", output_field=text),
        unit=Case(When(dysphagia=True, then=Value("y")), default=empty, output_field=text),
        frequency_=Case(When(neck_weakness=True, then=Value("y")), default=empty,
                        output_field=text),
        reason=empty, minutes=F("benefit_weeks"), status=F("record_status"),
    ).values_list("source", "cycle_pk", *_ROW[2:7], "frequency_", *_ROW[8:])
    return medicines.union(sessions, tests, reviews, all=True)


# Both compiled once per process (collis.core.prepared): compiling them cost more than
# running them.
_CYCLES = patient_rows(_cycles)
_OTHERS = patient_rows(_others)


def _other_events(patient) -> list[TimelineEvent]:
    def href(name, pk):
        return reverse(f"treatments:{name}", kwargs={"patient_id": patient.pk, "pk": pk})

    events: list[TimelineEvent] = []
    for (source, pk, first, second, name, amount, unit, frequency, reason, minutes,
         status) in _OTHERS.rows(patient_id=patient.pk):
        if source == "medication":
            dose = f"{amount} {unit} {frequency}".strip()
            events.append(_event(when=first, kind="medication_start", status=status,
                                 title=f"Started {name}", detail=dose,
                                 href=href("medication_detail", pk)))
            if second:
                events.append(_event(when=second, kind="medication_stop", status=status,
                                     title=f"Stopped {name}", detail=reason,
                                     href=href("medication_detail", pk)))
        elif source == "therapy":
            events.append(_event(when=first, kind="therapy", status=status,
                                 title=f"{TherapyKind(name).label} session",
                                 detail=f"{minutes} minutes",
                                 href=href("therapy_detail", pk)))
        elif source == "resistance":
            events.append(_event(when=first, kind="resistance_test", status=status,
                                 title=f"{_TESTS[name]}: {_RESULTS[amount].lower()}",
                                 href=href("resistance_test_detail", pk)))
        else:
            effects = [label for flag, label in (
                (unit, "difficulty swallowing (dysphagia)"), (frequency, "neck weakness"),
                (name, name)) if flag]
            events.append(_event(
                when=first, kind="toxin_review", status=status,
                title=f"Toxin review: {amount}% benefit for {minutes} weeks",
                detail=f"Cycle of {date_long(second)}; "
                       f"{', '.join(effects) or 'no side effects'}",
                href=_cycle_href(patient, pk)))
    return events

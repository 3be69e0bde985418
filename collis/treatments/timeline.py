"""The treatments record on the patient's timeline: toxin cycles (kind "toxin", which the
assessments charts use as markers), their reviews, medicines started and stopped, and
therapy sessions. Two queries whatever the number of records; no audit (the timeline page
audits once)."""

from __future__ import annotations

from django.db.models import CharField, Count, DateField, F, IntegerField, Sum, Value
from django.urls import reverse

from collis.core.presenters import date_long
from collis.core.timeline import TimelineEvent
from collis.domain.toxin import Product
from collis.treatments.models import (
    PRODUCT_LABELS,
    Medication,
    TherapyKind,
    TherapySession,
    ToxinCycle,
)

# The columns that medicines and therapy sessions share, so one UNION query reads both.
_ROW = ("source", "pk", "first_date", "second_date", "name", "amount", "unit", "frequency",
        "reason", "minutes")


def timeline_events(patient) -> list[TimelineEvent]:
    return _toxin_events(patient) + _medication_and_therapy_events(patient)


def _toxin_events(patient) -> list[TimelineEvent]:
    """Query 1: every cycle with its review, its total units and its number of injections."""
    cycles = (ToxinCycle.objects.filter(patient=patient).select_related("review")
              .annotate(units=Sum("injections__units"), injection_count=Count("injections"))
              .order_by("given_on", "id"))
    events: list[TimelineEvent] = []
    for cycle in cycles:
        href = reverse("treatments:toxin_detail", kwargs={"patient_id": patient.pk,
                                                          "pk": cycle.pk})
        product = PRODUCT_LABELS[Product(cycle.product)]
        events.append(TimelineEvent(
            when=cycle.given_on, kind="toxin",
            title=f"Botulinum toxin: {cycle.units or 0} units of {product}",
            detail=f"{cycle.injection_count} injections", href=href))
        if cycle.reviewed:
            review = cycle.review
            effects = ", ".join(review.side_effects) or "no side effects"
            events.append(TimelineEvent(
                when=review.reviewed_on, kind="toxin_review",
                title=f"Toxin review: {review.peak_benefit_percent}% benefit for "
                      f"{review.benefit_weeks} weeks",
                detail=f"Cycle of {date_long(cycle.given_on)}; {effects}", href=href))
    return events


def _medication_and_therapy_events(patient) -> list[TimelineEvent]:
    """Query 2: medicines and therapy sessions together."""
    text, date = CharField(), DateField()
    medicines = Medication.objects.filter(patient=patient).order_by().annotate(
        source=Value("medication", output_field=text), first_date=F("started_on"),
        second_date=F("stopped_on"), name=F("drug_name"), amount=F("dose_amount"),
        unit=F("dose_unit"), reason=F("stop_reason"),
        minutes=Value(0, output_field=IntegerField())).values_list(*_ROW)
    sessions = TherapySession.objects.filter(patient=patient).order_by().annotate(
        source=Value("therapy", output_field=text), first_date=F("session_on"),
        second_date=Value(None, output_field=date), name=F("kind"),
        amount=Value("", output_field=text), unit=Value("", output_field=text),
        frequency_=Value("", output_field=text), reason=Value("", output_field=text),
        minutes=F("duration_minutes")).values_list(*_ROW[:7], "frequency_", *_ROW[8:])
    medication_href = reverse("treatments:medication_list", kwargs={"patient_id": patient.pk})
    therapy_href = reverse("treatments:therapy_list", kwargs={"patient_id": patient.pk})
    events: list[TimelineEvent] = []
    for (source, _pk, first, second, name, amount, unit, frequency, reason,
         minutes) in medicines.union(sessions, all=True):
        if source == "medication":
            dose = f"{amount} {unit} {frequency}".strip()
            events.append(TimelineEvent(when=first, kind="medication_start",
                                        title=f"Started {name}", detail=dose,
                                        href=medication_href))
            if second:
                events.append(TimelineEvent(when=second, kind="medication_stop",
                                            title=f"Stopped {name}", detail=reason,
                                            href=medication_href))
        else:
            events.append(TimelineEvent(when=first, kind="therapy",
                                        title=f"{TherapyKind(name).label} session",
                                        detail=f"{minutes} minutes", href=therapy_href))
    return events

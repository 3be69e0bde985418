"""The assessments app's events on the patient's timeline: diagnosis versions, neck
examinations and rating-scale assessments. One query (a UNION of the three tables)
whatever the number of records; no audit (the timeline page audits its read once).
Corrected and entered-in-error entries stay on it, tagged, so their pages stay reachable."""

from __future__ import annotations

from django.db.models import CharField, DateField, F, FloatField, IntegerField, Value
from django.db.models.functions import Cast, TruncDate

from collis.assessments.models import (
    DISTRIBUTION_LABELS,
    DiagnosisVersion,
    Examination,
    Scale,
    ScaleAssessment,
)
from collis.assessments.presenters import number, pattern_words, status_tag, words
from collis.core.models import RecordStatus
from collis.core.prepared import patient_rows
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent

# The columns every part of the UNION gives, in this order.
COLUMNS = ("t_kind", "t_id", "t_when", "t_version", "t_a", "t_b", "t_c", "t_total",
           "t_severity", "t_disability", "t_pain", "t_status")


def _text(value: str | None = None):
    return Value(value, output_field=CharField())


def _float(name: str | None = None):
    # A typed NULL: PostgreSQL would otherwise take an untyped NULL in a UNION as text.
    return Cast(name if name else Value(None), FloatField())


def _rows(queryset, **columns):
    return (queryset.order_by().annotate(**{name: columns[name] for name in COLUMNS})
            .values_list(*COLUMNS))


def _union(patient_id):
    diagnoses = _rows(
        DiagnosisVersion.objects.filter(patient=patient_id), t_kind=_text("diagnosis"),
        t_id=F("id"), t_when=TruncDate("created_at"), t_version=F("version"),
        t_a=F("distribution"), t_b=F("aetiology"), t_c=_text(""), t_total=_float(),
        t_severity=_float(), t_disability=_float(), t_pain=_float(),
        t_status=_text(RecordStatus.CURRENT.value))
    examinations = _rows(
        Examination.objects.filter(patient=patient_id), t_kind=_text("examination"),
        t_id=F("id"), t_when=Cast("examined_on", DateField()),
        t_version=Cast(Value(None), IntegerField()), t_a=F("dominant_pattern"),
        t_b=F("dominant_side"), t_c=F("tremor"), t_total=_float(), t_severity=_float(),
        t_disability=_float(), t_pain=_float(), t_status=F("record_status"))
    scales = _rows(
        ScaleAssessment.objects.filter(patient=patient_id), t_kind=_text("scale"), t_id=F("id"),
        t_when=Cast("assessed_on", DateField()),
        t_version=Cast(Value(None), IntegerField()), t_a=F("scale"), t_b=_text(""),
        t_c=_text(""), t_total=_float("total"), t_severity=_float("severity"),
        t_disability=_float("disability"), t_pain=_float("pain"), t_status=F("record_status"))
    return diagnoses.union(examinations, scales, all=True)


# Compiled once per process (collis.core.prepared): compiling the UNION cost more than
# running it.
_UNION = patient_rows(_union)


def timeline_events(patient) -> list[TimelineEvent]:
    events = []
    for kind, pk, when, version, a, b, c, total, severity, disability, pain, status in (
            _UNION.rows(patient_id=patient.pk)):
        tag = f" ({status_tag(status)})" if status_tag(status) else ""
        if kind == "diagnosis":
            detail = ", ".join(part for part in (
                words(a, DISTRIBUTION_LABELS) if a else "",
                f"aetiology {words(b).lower()}" if b else "") if part)
            events.append(TimelineEvent(
                when=when, kind="diagnosis", detail=detail,
                title=("Diagnosis recorded" if version == 1
                       else f"Diagnosis changed (version {version})"),
                href=reverse("assessments:diagnosis", args=[patient.pk])))
        elif kind == "examination":
            dominant = pattern_words(a, b).lower() if a else "none recorded"
            events.append(TimelineEvent(
                when=when, kind="examination", title=f"Neck examination{tag}",
                detail=f"Dominant pattern: {dominant}; tremor: {c}",
                href=reverse("assessments:examination_detail", args=[patient.pk, pk])))
        else:
            detail = f"Total {number(total)}"
            if a == Scale.TWSTRS:
                detail += (f" (severity {number(severity)}, disability {number(disability)}, "
                           f"pain {number(pain)})")
            events.append(TimelineEvent(
                when=when, kind="scale", title=f"{Scale(a).label}{tag}", detail=detail,
                href=reverse("assessments:scale_detail", args=[patient.pk, pk])))
    return events

"""A copy of the patient's data (UK GDPR right of access): Collis's own JSON, documented by
the JSON Schema of `DataExportOut` (served at /portal/my-data/schema.json), and a readable
PDF summary of the same data. The FHIR resources of the FHIR API replace the JSON's body
when that lands (ADR 0021); until then the record's parts use the JSON API's own schemas."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from collis.assessments.api import ScaleAssessmentOut
from collis.core.pdf import PdfDocument
from collis.core.presenters import date_long, format_nhs_number
from collis.patients.api import PatientOut
from collis.surgery.api import EpisodeOut
from collis.treatments.api import MedicationOut

FORMAT = "collis.patient-data"
FORMAT_VERSION = 1


class AppointmentOut(Schema):
    id: int
    kind: str = Field(description="The kind of appointment, in words")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    site: str
    clinician: str
    status: str


class QuestionnaireOut(Schema):
    questionnaire: str
    questionnaire_version: str
    reason: str
    due_on: datetime.date
    submitted_at: datetime.datetime
    answers: dict[str, int]
    disability: int | None = Field(None, description="TWSTRS disability section, 0-30")
    pain: float | None = Field(None, description="TWSTRS pain section, 0-20")


class DataExportOut(Schema):
    """Everything Collis holds about one patient that the portal can give them."""

    format: str = Field(FORMAT, description="Always 'collis.patient-data'")
    format_version: int = Field(FORMAT_VERSION, description="Changes when fields change")
    generated_at: datetime.datetime
    patient: PatientOut
    appointments: list[AppointmentOut]
    rating_scales: list[ScaleAssessmentOut]
    medications: list[MedicationOut]
    pathway_episodes: list[EpisodeOut]
    questionnaires: list[QuestionnaireOut] = Field(
        default_factory=list, description="Questionnaires you sent (patient-reported)")
    not_included: list[str] = Field(description="Parts of the record this file does not "
                                                "yet hold; ask the unit for them")


NOT_INCLUDED = [
    "Diagnosis, neck examinations and investigations",
    "Botulinum toxin treatment cycles",
    "Clinic letters",
    "The record of who has looked at your record (see that page of the portal)",
]


def _who(user) -> str | None:
    return user.display_name if user else None


def export_data(*, patient, appointments, scales, medications, episodes,
                questionnaires=()) -> DataExportOut:
    """The export, from records already read (and audited) by their apps' selectors."""
    from django.utils import timezone

    return DataExportOut(
        generated_at=timezone.now(),
        patient=PatientOut.from_orm(patient),
        appointments=[AppointmentOut(
            id=a.pk, kind=a.get_appointment_type_display(), starts_at=a.starts_at,
            ends_at=a.ends_at, site=a.session.room.site.name,
            clinician=a.clinician.display_name, status=a.status_label) for a in appointments],
        rating_scales=[{name: getattr(a, name) for name in ScaleAssessmentOut.model_fields
                        if name not in {"recorded_by", "recorded_at", "record_status"}}
                       | {"record_status": a.record_status, "recorded_by": _who(a.created_by),
                          "recorded_at": a.created_at} for a in scales],
        medications=[MedicationOut.from_orm(m) for m in medications],
        pathway_episodes=[{
            "id": e.pk, "state": e.state, "referrer_name": e.referrer_name,
            "referrer_gmc_number": e.referrer_gmc_number,
            "referrer_organisation": e.referrer_organisation,
            "referral_reason": e.referral_reason, "urgency": e.urgency,
            "referral_received_on": e.referral_received_on, "listed_on": e.listed_on,
            "priority": e.priority,
            "statuses": [{"state": s.state, "event": s.event, "reason": s.reason, "at": s.at,
                          "by": s.by.display_name, "by_role": s.by.role}
                         for s in e.statuses.all()],
        } for e in episodes],
        questionnaires=[QuestionnaireOut.from_orm(r) for r in questionnaires],
        not_included=NOT_INCLUDED,
    )


def _day(value) -> str:
    return date_long(value) if value else ""


def export_pdf(data: DataExportOut) -> bytes:
    """The same data as a summary to read and print."""
    from django.utils import timezone

    p = data.patient
    doc = PdfDocument("A copy of your data",
                      subtitle=f"Made on {_day(timezone.localtime(data.generated_at).date())}")
    doc.heading("About you")
    doc.key_values([
        ("Name", f"{p.given_name} {p.family_name}"),
        ("NHS number", format_nhs_number(p.nhs_number)),
        ("Date of birth", _day(p.date_of_birth)),
        ("Address", ", ".join(x for x in (p.address_line_1, p.address_line_2, p.town,
                                          p.postcode) if x)),
        ("Phone", p.phone or "None given"), ("Email", p.email or "None given"),
        ("GP practice", p.gp_practice or "None given"),
        ("GP practice email", p.gp_practice_email or "None given"),
        ("Home site", p.home_site.name),
    ])
    doc.heading("Appointments")
    if data.appointments:
        doc.table([["When", "What", "Where", "With", "Status"]] + [
            [f"{_day(timezone.localtime(a.starts_at).date())} "
             f"{timezone.localtime(a.starts_at):%H:%M}", a.kind, a.site, a.clinician, a.status]
            for a in data.appointments])
    else:
        doc.paragraph("None.")
    doc.heading("Rating scales")
    if data.rating_scales:
        doc.table([["Date", "Scale", "Severity", "Disability", "Pain", "Total"]] + [
            [_day(s.assessed_on), s.scale.upper(), *("" if v is None else f"{v:g}" for v in (
                s.severity, s.disability, s.pain, s.total))] for s in data.rating_scales])
    else:
        doc.paragraph("None.")
    doc.heading("Medicines")
    if data.medications:
        doc.table([["Medicine", "Dose", "How often", "Started", "Stopped"]] + [
            [m.drug_name, f"{m.dose_amount} {m.dose_unit}", m.frequency, _day(m.started_on),
             _day(m.stopped_on)] for m in data.medications])
    else:
        doc.paragraph("None.")
    doc.heading("Questionnaires you sent")
    if data.questionnaires:
        doc.table([["Sent", "Questionnaire", "Disability (0-30)", "Pain (0-20)"]] + [
            [_day(timezone.localtime(q.submitted_at).date()), q.questionnaire,
             "" if q.disability is None else str(q.disability),
             "" if q.pain is None else f"{q.pain:g}"] for q in data.questionnaires])
    else:
        doc.paragraph("None.")
    doc.heading("Assessment for surgery")
    if data.pathway_episodes:
        for e in data.pathway_episodes:
            doc.paragraph(f"Referred by {e.referrer_name} ({e.referrer_organisation}) on "
                          f"{_day(e.referral_received_on)}. Now: {e.state.replace('_', ' ')}.")
    else:
        doc.paragraph("None.")
    doc.heading("Not in this copy yet")
    doc.bullets(data.not_included)
    return doc.build()

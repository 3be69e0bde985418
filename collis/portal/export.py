"""A copy of the patient's data (UK GDPR right of access, ADR 0023): Collis's own JSON,
documented by the JSON Schema of `DataExportOut` (served at /portal/my-data/schema.json),
with the same record as a FHIR R4 Bundle inside it, and a readable PDF summary of the same
data.

Both are made from one `RecordCopy`: the record's parts as each app's selector read them
(scoped to the patient and audited). The parts hold current entries only (ADR 0009): where
an entry was corrected, the correction; an entry marked as entered in error is left out;
the diagnosis gives every version, as its history is the record. The FHIR Bundle is what
the FHIR API serves for the patient (`Patient/$everything`, ADR 0019), which follows FHIR's
own convention instead: an Observation entered in error is there, with that status, so
that a system that imported an earlier copy knows to withdraw it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ninja import Schema
from pydantic import Field

from collis.assessments.api import (
    DiagnosisOut,
    DiagnosisVersionOut,
    ExaminationOut,
    ScaleAssessmentOut,
)
from collis.core.pdf import PdfDocument
from collis.core.presenters import date_long, format_nhs_number
from collis.investigations.api import InvestigationOut as ApiInvestigationOut
from collis.mdt.api import DecisionOut, decision_out
from collis.outcomes.api import FollowUpOut, OperationOut, follow_up_out, operation_out
from collis.patients.api import PatientOut
from collis.surgery.api import EpisodeOut
from collis.treatments.api import (
    CycleOut,
    MedicationOut,
    ResistanceTestOut,
    ReviewOut,
    TherapySessionOut,
)

FORMAT = "collis.patient-data"
FORMAT_VERSION = 3

ENTRIES_NOTE = (
    "This copy holds the current entries of your record. Where an entry was corrected, it "
    "holds the correction; an entry marked as entered in error is left out. Your diagnosis "
    "is given with every earlier version. The unit keeps the earlier versions of corrected "
    "entries and the entries made in error; ask the unit if you want them.")

FHIR_NOTE = (
    "The same record in the standard format health systems exchange (HL7 FHIR R4, in the "
    "UK Core profiles' shape): a Bundle of type collection with the resources Collis's FHIR "
    "API serves about you (Patient, Organization, Condition for the diagnosis, Observation "
    "for each rating scale), and an Observation for each questionnaire you sent "
    "(patient-reported). It follows FHIR's convention for mistakes: an Observation entered "
    "in error is included with the status entered-in-error.")


# -- The JSON ---------------------------------------------------------------------------------

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


class InvestigationFileOut(Schema):
    """A file attached to an investigation: what it is, not its content."""

    original_name: str
    content_type: str
    size: int = Field(description="In bytes")
    sha256: str
    uploaded_at: datetime.datetime


class InvestigationOut(ApiInvestigationOut):
    files: list[InvestigationFileOut] = Field(description="Files attached to it (ask the "
                                                          "unit for copies)")


class DocumentOut(Schema):
    title: str
    description: str
    href: str = Field(description="Where to download it in the patient portal")


class SurgeryOut(Schema):
    """One pathway episode's surgical part: the MDT's current decision, the operation note
    and the follow-up after it (reviews, complications and further surgery)."""

    episode_id: int
    mdt_decision: DecisionOut | None = Field(None, description="The MDT's current decision")
    operation: OperationOut | None = None
    follow_up: FollowUpOut | None = Field(None, description="After the operation")


class DataExportOut(Schema):
    """Everything Collis holds about one patient that the portal can give them."""

    format: str = Field(FORMAT, description="Always 'collis.patient-data'")
    format_version: int = Field(FORMAT_VERSION, description="Changes when fields change")
    generated_at: datetime.datetime
    entries: str = Field(ENTRIES_NOTE, description="Which entries of the record this holds")
    patient: PatientOut
    diagnosis: DiagnosisOut = Field(description="The current diagnosis and every version, "
                                                "newest first")
    examinations: list[ExaminationOut] = Field(description="Neck examinations, newest first")
    toxin_cycles: list[CycleOut] = Field(description="Botulinum toxin treatments, oldest "
                                                     "first, with their injections and review")
    toxin_resistance_tests: list[ResistanceTestOut]
    rating_scales: list[ScaleAssessmentOut] = Field(description="Rating scales scored by your "
                                                                "clinicians, oldest first")
    questionnaires: list[QuestionnaireOut] = Field(
        default_factory=list, description="Questionnaires you sent (patient-reported)")
    medications: list[MedicationOut]
    therapy_sessions: list[TherapySessionOut]
    investigations: list[InvestigationOut]
    appointments: list[AppointmentOut]
    pathway_episodes: list[EpisodeOut]
    surgery: list[SurgeryOut] = Field(default_factory=list,
                                      description="Per pathway episode: the MDT's decision, "
                                                  "the operation and its follow-up")
    documents: list[DocumentOut] = Field(description="Documents you can download in the "
                                                     "portal")
    fhir: dict[str, Any] = Field(description=FHIR_NOTE)
    not_included: list[str] = Field(description="Parts of the record this file does not "
                                                "yet hold; ask the unit for them")


NOT_INCLUDED = [
    "Earlier versions of corrected entries, and entries made in error",
    "The files attached to investigations (this copy lists them)",
    "The surgery pathway's candidacy assessments and counselling sessions (this copy has "
    "the referral and its steps, the team's (MDT) decision, the operation and its "
    "follow-up; your consent form is among your documents)",
    "Your messages to the unit, and the reminders and questionnaire invitations sent to you",
    "The record of who has looked at your record (see that page of the portal)",
]


@dataclass(frozen=True)
class RecordCopy:
    """The record's parts, each read (and audited) by its app's selector: what the JSON and
    the PDF are made from. `fhir` is the FHIR Bundle (only the JSON holds it)."""

    patient: Any
    diagnosis: list = field(default_factory=list)  # every version, newest first
    examinations: list = field(default_factory=list)
    toxin_cycles: list = field(default_factory=list)
    toxin_resistance_tests: list = field(default_factory=list)
    scales: list = field(default_factory=list)
    questionnaires: list = field(default_factory=list)
    medications: list = field(default_factory=list)
    therapy_sessions: list = field(default_factory=list)
    investigations: list = field(default_factory=list)
    appointments: list = field(default_factory=list)
    episodes: list = field(default_factory=list)
    # Per episode (same order): {"decision", "operation", "follow_up"}, each None if absent.
    surgery: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    fhir: dict = field(default_factory=dict)
    generated_at: datetime.datetime | None = None


def _who(user) -> str | None:
    return user.display_name if user else None


def _fields(record, schema: type[Schema], **values) -> dict:
    """The schema's fields read from the record's attributes of the same names, except those
    given."""
    return {name: getattr(record, name) for name in schema.model_fields
            if name not in values} | values


def _examination(e) -> dict:
    return _fields(
        e, ExaminationOut, id=e.pk,
        patterns=[{"pattern": p.pattern, "side": p.side, "severity": p.severity}
                  for p in e.patterns.all()],
        muscles_confirmed=e.muscles_confirmed_at is not None,
        muscles=[{"muscle": m.muscle, "side": m.side, "suggested": m.suggested}
                 for m in e.muscles.all()],
        recorded_by=_who(e.created_by), recorded_at=e.created_at)


def _cycle(cycle) -> dict:
    review = cycle.review
    return _fields(
        cycle, CycleOut, id=cycle.pk, injector=cycle.injector.display_name,
        site=cycle.site.name,
        units_note=f"Units of {cycle.product}; units are not interchangeable between "
                   "products and are never converted [18].",
        injections=[{"muscle": i.muscle, "side": i.side, "units": i.units}
                    for i in cycle.injections.all()],
        review=None if review is None else _fields(review, ReviewOut),
        recorded_at=cycle.created_at,
        warnings_acknowledged=[w["code"] for w in cycle.warnings_acknowledged])


def _investigation(i) -> dict:
    return _fields(
        i, InvestigationOut, id=i.pk, recorded_at=i.created_at,
        active_muscles=[{"muscle": m.muscle, "side": m.side} for m in i.active_muscles.all()],
        files=[_fields(f, InvestigationFileOut) for f in i.all_files])


def export_data(copy: RecordCopy) -> DataExportOut:
    """The JSON copy of the record as read."""
    from django.utils import timezone

    history = [_fields(v, DiagnosisVersionOut, recorded_by=_who(v.created_by),
                       recorded_at=v.created_at) for v in copy.diagnosis]
    return DataExportOut(
        generated_at=copy.generated_at or timezone.now(),
        patient=PatientOut.from_orm(copy.patient),
        diagnosis={"current": history[0] if history else None, "history": history},
        examinations=[_examination(e) for e in copy.examinations],
        toxin_cycles=[_cycle(c) for c in copy.toxin_cycles],
        toxin_resistance_tests=[_fields(t, ResistanceTestOut, id=t.pk)
                                for t in copy.toxin_resistance_tests],
        rating_scales=[_fields(a, ScaleAssessmentOut, recorded_by=_who(a.created_by),
                               recorded_at=a.created_at) for a in copy.scales],
        questionnaires=[QuestionnaireOut.from_orm(r) for r in copy.questionnaires],
        medications=[MedicationOut.from_orm(m) for m in copy.medications],
        therapy_sessions=[_fields(s, TherapySessionOut, id=s.pk,
                                  therapist=s.therapist.display_name)
                          for s in copy.therapy_sessions],
        investigations=[_investigation(i) for i in copy.investigations],
        appointments=[AppointmentOut(
            id=a.pk, kind=a.get_appointment_type_display(), starts_at=a.starts_at,
            ends_at=a.ends_at, site=a.session.room.site.name,
            clinician=a.clinician.display_name, status=a.status_label)
            for a in copy.appointments],
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
        } for e in copy.episodes],
        surgery=[SurgeryOut(
            episode_id=e.pk,
            mdt_decision=decision_out(part["decision"]) if part["decision"] else None,
            operation=operation_out(part["operation"]) if part["operation"] else None,
            follow_up=follow_up_out(part["follow_up"]) if part["operation"] else None)
            for e, part in zip(copy.episodes, copy.surgery, strict=True)],
        documents=[DocumentOut(title=d.title, description=d.description, href=d.href)
                   for d in copy.documents],
        fhir=copy.fhir,
        not_included=NOT_INCLUDED,
    )


# -- The PDF ----------------------------------------------------------------------------------

def _day(value) -> str:
    return date_long(value) if value else ""


def _local_day(moment) -> str:
    from django.utils import timezone

    return _day(timezone.localtime(moment).date()) if moment else ""


def _num(value) -> str:
    return "" if value is None else f"{value:g}"


def _table_or_none(doc: PdfDocument, header: list[str], rows: list[list[str]]) -> None:
    if rows:
        doc.table([header, *rows])
    else:
        doc.paragraph("None.")


def _pdf_diagnosis(doc: PdfDocument, versions: list) -> None:
    from collis.assessments.presenters import DiagnosisPresenter

    doc.heading("Your diagnosis")
    if not versions:
        doc.paragraph("None recorded yet.")
        return
    current = DiagnosisPresenter(versions[0])
    doc.key_values([*current.axis_one_rows(), *current.axis_two_rows(),
                    ("Notes", versions[0].notes or "None"), ("Recorded", current.recorded)])
    if len(versions) > 1:
        doc.heading("How it has changed", level=3)
        doc.bullets(f"Version {v.version}, {DiagnosisPresenter(v).recorded}: "
                    + "; ".join(DiagnosisPresenter(v).change_lines())
                    for v in versions)


def _pdf_examinations(doc: PdfDocument, examinations: list) -> None:
    from collis.assessments.presenters import ExaminationPresenter

    doc.heading("Neck examinations")
    rows = []
    for e in examinations:
        shown = ExaminationPresenter(e)
        muscles = "; ".join(f"{muscle} ({side.lower()})"
                            for muscle, side, _how in shown.confirmed_muscles())
        rows.append([shown.date, shown.patterns_summary, shown.tremor, shown.sensory_trick,
                     muscles or "None confirmed"])
    _table_or_none(doc, ["Date", "Head and neck position", "Tremor", "Sensory trick",
                         "Muscles involved"], rows)


def _review_text(review) -> str:
    if review is None:
        return "Not reviewed yet"
    effects = [name for name, present in (("difficulty swallowing", review.dysphagia),
                                          ("neck weakness", review.neck_weakness)) if present]
    if review.other_side_effect:
        effects.append(review.other_side_effect)
    text = (f"{_day(review.reviewed_on)}: best effect {review.peak_benefit_percent}%, "
            f"lasting {review.benefit_weeks} weeks. Side effects: "
            f"{', '.join(effects) if effects else 'none'}")
    if review.side_effect_severity:
        text += f" ({review.get_side_effect_severity_display().lower()})"
    return text + "."


def _pdf_toxin(doc: PdfDocument, cycles: list, tests: list) -> None:
    from collis.treatments.presenters import RESULT_LABELS, TEST_LABELS

    doc.heading("Botulinum toxin treatment")
    _table_or_none(doc, ["Date", "Medicine and where", "Injections (units)", "Review"], [
        [_day(c.given_on),
         f"{c.product_label} at {c.site.name} by {c.injector.display_name}. Guided by: "
         f"{c.get_guidance_display()}.",
         "; ".join(f"{i.muscle_label.capitalize()} ({i.get_side_display().lower()}) "
                   f"{i.units}" for i in c.injections.all())
         + f". Total {c.total_units} units.",
         _review_text(c.review)] for c in cycles])
    if tests:
        doc.heading("Tests for resistance to the toxin", level=3)
        doc.table([["Date", "Test", "Result"]] + [
            [_day(t.tested_on), TEST_LABELS.get(t.kind, t.kind),
             RESULT_LABELS.get(t.result, t.result)] for t in tests])


def _pdf_surgery(doc: PdfDocument, part: dict) -> None:
    """One episode's MDT decision, operation and follow-up, in words."""
    decision, operation = part.get("decision"), part.get("operation")
    if decision is not None:
        doc.paragraph(f"The team (MDT) decided on {_local_day(decision.created_at)}: "
                      f"{decision.get_decision_display()}. {decision.discussion}")
    if operation is None:
        return
    doc.paragraph(f"Operation on {_day(operation.operated_on)} at {operation.site.name}, "
                  f"surgeon {operation.surgeon.display_name}.")
    _table_or_none(doc, ["Muscle", "Side", "Nerve"], [
        [d.get_muscle_display(), d.get_side_display(), d.nerve]
        for d in operation.divisions.all()])
    follow_up = part.get("follow_up")
    if follow_up is None:
        return
    _table_or_none(doc, ["Review", "Date", "Notes"], [
        [f"{r.months_after} months", _day(r.reviewed_on), r.notes]
        for r in follow_up.reviews])
    _table_or_none(doc, ["Complication", "Began", "Severity", "Now"], [
        [c.get_risk_code_display(), _day(c.onset_on), c.get_severity_display(),
         c.get_status_display() + (f" (resolved {_day(c.resolved_on)})" if c.resolved_on
                                   else "")] for c in follow_up.complications])
    for s in follow_up.further_surgeries:
        doc.paragraph(f"Further surgery on {_day(s.performed_on)}: {s.get_kind_display()}. "
                      f"{s.reason}")


def export_pdf(copy: RecordCopy) -> bytes:
    """The same record as a summary to read and print."""
    from django.utils import timezone

    from collis.investigations.models import InvestigationKind, ResultStatus
    from collis.treatments.models import TherapyKind

    p = copy.patient
    generated = copy.generated_at or timezone.now()
    doc = PdfDocument("A copy of your data",
                      subtitle=f"Made on {_local_day(generated)}")
    for level in (2, 3):  # a heading never ends a page without what it heads
        doc.styles[level].keepWithNext = True
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
    doc.heading("About this copy")
    doc.paragraph(ENTRIES_NOTE)
    _pdf_diagnosis(doc, copy.diagnosis)
    _pdf_examinations(doc, copy.examinations)
    _pdf_toxin(doc, copy.toxin_cycles, copy.toxin_resistance_tests)
    doc.heading("Rating scales scored by your clinicians")
    _table_or_none(doc, ["Date", "Scale", "Severity", "Disability", "Pain", "Total"], [
        [_day(s.assessed_on), s.get_scale_display(), _num(s.severity), _num(s.disability),
         _num(s.pain), _num(s.total)] for s in copy.scales])
    doc.heading("Questionnaires you sent (patient-reported)")
    _table_or_none(doc, ["Sent", "Asked", "Disability (0-30)", "Pain (0-20)"], [
        [_local_day(q.submitted_at), q.get_reason_display(), _num(q.disability),
         _num(q.pain)] for q in copy.questionnaires])
    doc.heading("Medicines")
    _table_or_none(doc, ["Medicine", "Dose", "How often", "Started", "Stopped"], [
        [m.drug_name, f"{m.dose_amount} {m.dose_unit}", m.frequency, _day(m.started_on),
         _day(m.stopped_on) + (f" ({m.stop_reason})" if m.stop_reason else "")]
        for m in copy.medications])
    doc.heading("Therapy")
    _table_or_none(doc, ["Date", "Therapy", "With", "Minutes", "Goals"], [
        [_day(s.session_on), TherapyKind(s.kind).label, s.therapist.display_name,
         str(s.duration_minutes), s.goals] for s in copy.therapy_sessions])
    doc.heading("Tests and scans")
    _table_or_none(doc, ["Date", "Test", "Result", "Report"], [
        [_day(i.performed_on), InvestigationKind(i.kind).label, ResultStatus(i.status).label,
         i.report + (f" Files: {', '.join(f.original_name for f in i.all_files)}."
                     if i.all_files else "")] for i in copy.investigations])
    doc.heading("Appointments")
    _table_or_none(doc, ["When", "What", "Where", "With", "Status"], [
        [f"{_local_day(a.starts_at)} {timezone.localtime(a.starts_at):%H:%M}",
         a.get_appointment_type_display(), a.session.room.site.name,
         a.clinician.display_name, a.status_label] for a in copy.appointments])
    doc.heading("Assessment for surgery")
    if copy.episodes:
        for e, part in zip(copy.episodes, copy.surgery or [{}] * len(copy.episodes),
                           strict=True):
            doc.paragraph(f"Referred by {e.referrer_name} ({e.referrer_organisation}) on "
                          f"{_day(e.referral_received_on)}. Now: {e.state.replace('_', ' ')}.")
            _pdf_surgery(doc, part)
    else:
        doc.paragraph("None.")
    doc.heading("Your documents")
    if copy.documents:
        doc.paragraph("Download these from 'Your documents' in the patient portal.")
    _table_or_none(doc, ["Document", "About"], [[d.title, d.description]
                                                for d in copy.documents])
    doc.heading("Not in this copy yet")
    doc.bullets(NOT_INCLUDED)
    doc.paragraph("To get these, ask the unit.")
    return doc.build()

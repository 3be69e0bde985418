"""Reads of stored candidacy assessments and of the facts an assessment would use, audited."""

from django.db.models import QuerySet

from collis.candidacy.facts import CollectedFacts, collect_case_facts
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.patients.models import Patient


def candidacy_assessment_list(*, patient: Patient,
                              actor: Actor) -> QuerySet[CandidacyAssessmentRecord]:
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="candidacy_assessments",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the candidacy assessments of {patient.nhs_number}")
    return patient.candidacy_assessments.select_related("assessed_by")


def candidacy_assessment_get(*, patient: Patient, pk: int,
                             actor: Actor) -> CandidacyAssessmentRecord:
    """One stored assessment of the (already scoped) patient; raises
    CandidacyAssessmentRecord.DoesNotExist if the patient has none with this id."""
    record = patient.candidacy_assessments.select_related("assessed_by").get(pk=pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="candidacy_assessment",
                 object_id=record.pk, patient_id=patient.pk,
                 summary=f"Viewed a candidacy assessment ({record.recommendation})")
    return record


def case_facts_preview(*, patient: Patient, actor: Actor) -> CollectedFacts:
    """The facts the record would give an assessment now, with their sources (before the
    clinician's answers), as the assessment form shows them; the read is audited."""
    preview = collect_case_facts(patient=patient, answers={})
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="case_facts",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary="Viewed the facts for a candidacy assessment")
    return preview

"""Reads of stored candidacy assessments, audited."""

from django.db.models import QuerySet

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
    record = patient.candidacy_assessments.select_related("assessed_by").get(pk=pk)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="candidacy_assessment",
                 object_id=record.pk, patient_id=patient.pk,
                 summary=f"Viewed a candidacy assessment ({record.recommendation})")
    return record

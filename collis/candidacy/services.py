"""Running and storing a candidacy assessment."""

from django.db import transaction

from collis.candidacy.facts import collect_case_facts
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import parse_case_facts
from collis.patients.models import Patient
from collis.policy.selectors import policy_in_force


@transaction.atomic
def candidacy_assess(*, patient: Patient, answers: dict[str, bool | str],
                     actor: Actor) -> CandidacyAssessmentRecord:
    """Build the case facts from the record and the clinician's answers, run the domain
    engine, and store facts, their sources and the result together."""
    collected = collect_case_facts(patient=patient, answers=answers,
                                   recorded_by=getattr(actor.user, "display_name", ""))
    facts = parse_case_facts(collected.facts)  # validates against the contract's schema
    in_force = policy_in_force()
    assessment = assess_candidacy(facts, in_force.candidacy)
    record = CandidacyAssessmentRecord(
        patient=patient, assessed_by=actor.user, ruleset=assessment.ruleset,
        recommendation=str(assessment.recommendation), facts=collected.facts,
        provenance=[s.as_dict() for s in collected.sources], result=assessment.as_dict(),
        policy=[value.as_dict() for value in in_force.candidacy.values()],
        policy_version=in_force.version,
    )
    record.full_clean()
    record.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="candidacy_assessment",
                 object_id=record.pk, patient_id=patient.pk,
                 summary=f"Assessed SD candidacy: {record.recommendation} ({record.ruleset})")
    return record

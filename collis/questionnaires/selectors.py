"""Reads of patient-reported questionnaires: the pathway facts their due dates follow, the
occasions due now for a patient, one occasion's draft, and the answers sent (for the
record, marked patient-reported). Reads that show patient data are audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, RecordStatus
from collis.domain.questionnaires import (
    Due,
    PathwayDates,
    Questionnaire,
    due_now,
    questionnaire_load,
)
from collis.patients.models import Patient
from collis.questionnaires.models import QuestionnaireResponse

# The questionnaire a unit asks on every occasion; more are added as data.
DEFAULT_QUESTIONNAIRE = "twstrs-patient"


def pathway_dates(patient: Patient, *, today: date | None = None) -> PathwayDates:
    """The record's facts that due dates follow, read afresh (not audited: it shows nothing
    by itself): toxin appointments still booked, toxin injections, the day the patient was
    listed for surgery and the day of the operation (current records only)."""
    from collis.domain.scheduling import AppointmentType
    from collis.outcomes.models import Operation
    from collis.scheduling.models import Appointment
    from collis.surgery.models import Episode
    from collis.treatments.models import ToxinCycle

    today = today or timezone.localdate()
    appointments = Appointment.objects.holding().filter(
        patient=patient, appointment_type=AppointmentType.TOXIN,
        status__in=["booked", "confirmed"])
    injections = ToxinCycle.objects.filter(patient=patient,
                                           record_status=RecordStatus.CURRENT)
    listed = (Episode.objects.filter(patient=patient, listed_on__isnull=False)
              .order_by("-listed_on").values_list("listed_on", flat=True).first())
    operated = (Operation.objects.filter(patient=patient, record_status=RecordStatus.CURRENT)
                .order_by("-operated_on").values_list("operated_on", flat=True).first())
    return PathwayDates(
        toxin_appointments=tuple(sorted({timezone.localtime(a.starts_at).date()
                                         for a in appointments})),
        toxin_injections=tuple(injections.values_list("given_on", flat=True)),
        surgical_baseline=listed, operation=operated)


def answered_occasions(patient: Patient, questionnaire: str) -> set[str]:
    return set(QuestionnaireResponse.objects.filter(
        patient=patient, questionnaire=questionnaire, submitted_at__isnull=False)
        .values_list("occasion", flat=True))


def occasions_due(patient: Patient, *, questionnaire: str = DEFAULT_QUESTIONNAIRE,
                  today: date | None = None) -> list[Due]:
    """The occasions open now and not yet answered, from the record as it is now."""
    today = today or timezone.localdate()
    return due_now(pathway_dates(patient, today=today), today=today,
                   answered=answered_occasions(patient, questionnaire))


@dataclass(frozen=True)
class DueQuestionnaire:
    due: Due
    questionnaire: Questionnaire
    draft: QuestionnaireResponse | None

    @property
    def answered_count(self) -> int:
        return len(self.draft.answers) if self.draft else 0


def questionnaire_due_list(*, patient: Patient, actor: Actor) -> list[DueQuestionnaire]:
    """The questionnaires due for the patient now, with what they have saved so far."""
    questionnaire = questionnaire_load(DEFAULT_QUESTIONNAIRE)
    due = occasions_due(patient)
    drafts = {r.occasion: r for r in QuestionnaireResponse.objects.filter(
        patient=patient, questionnaire=questionnaire.code, occasion__in=[d.key for d in due])}
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="questionnaires_due",
                 patient_id=patient.pk, summary="Viewed the questionnaires due")
    return [DueQuestionnaire(due=d, questionnaire=questionnaire, draft=drafts.get(d.key))
            for d in due]


def questionnaire_due_get(*, patient: Patient, occasion: str, actor: Actor
                          ) -> DueQuestionnaire:
    """One occasion due now (Http404 if it is not, or is another patient's)."""
    questionnaire = questionnaire_load(DEFAULT_QUESTIONNAIRE)
    found = next((d for d in occasions_due(patient) if d.key == occasion), None)
    if found is None:
        raise Http404("This questionnaire is not due.")
    draft = QuestionnaireResponse.objects.filter(
        patient=patient, questionnaire=questionnaire.code, occasion=occasion).first()
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="questionnaire_response",
                 object_id=draft.pk if draft else "", patient_id=patient.pk,
                 summary=f"Opened the questionnaire due {found.due_on}")
    return DueQuestionnaire(due=found, questionnaire=questionnaire, draft=draft)


def patient_reported_list(*, patient: Patient, actor: Actor) -> list[QuestionnaireResponse]:
    """The questionnaires the patient sent, newest first (for the record; audited)."""
    responses = list(QuestionnaireResponse.objects.filter(
        patient=patient, submitted_at__isnull=False).order_by("-submitted_at", "-pk"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="patient_reported",
                 patient_id=patient.pk,
                 summary=f"Viewed the patient-reported questionnaires of {patient.nhs_number}")
    return responses

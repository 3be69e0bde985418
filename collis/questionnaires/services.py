"""Writes of patient-reported questionnaires: answers saved as the patient goes, sent and
scored by the domain, each audited; and the invitation and reminder emails, each sent only
if the occasion is still due when it is sent."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, AuditChannel
from collis.domain.questionnaires import QuestionnaireError, answers_check, score_answers
from collis.patients.models import Patient
from collis.questionnaires.models import (
    InvitationKind,
    QuestionnaireEmail,
    QuestionnaireResponse,
)
from collis.questionnaires.selectors import DueQuestionnaire, occasions_due

logger = logging.getLogger(__name__)


@transaction.atomic
def questionnaire_answers_save(*, patient: Patient, due: DueQuestionnaire, answers: dict,
                               send: bool, actor: Actor) -> QuestionnaireResponse:
    """Keep the answers given so far (nothing is lost if the patient stops); with `send`,
    every question must be answered, and the domain scores them. Refused, naming the
    question, for an answer out of range; then nothing is saved."""
    questionnaire = due.questionnaire
    try:
        checked = answers_check(questionnaire, answers)
    except QuestionnaireError as error:
        code = str(error).split(":")[0]
        raise ValidationError({code: str(error).split(": ", 1)[-1].capitalize()}) from None
    response, _ = QuestionnaireResponse.objects.select_for_update().get_or_create(
        patient=patient, questionnaire=questionnaire.code, occasion=due.due.key,
        defaults={"questionnaire_version": questionnaire.version, "reason": due.due.reason,
                  "due_on": due.due.due_on})
    if response.is_submitted:
        raise ValidationError("You have already sent your answers to this questionnaire.")
    response.answers = {**response.answers, **checked}
    response.updated_at = timezone.now()
    if send:
        score = score_answers(questionnaire, response.answers)
        if not score.complete:
            raise ValidationError(dict.fromkeys(score.unanswered, "Answer this question"))
        response.disability = score.subscores.get("disability")
        response.pain = score.subscores.get("pain")
        response.submitted_at = response.updated_at
    response.full_clean()
    response.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if not send else AuditAction.CREATE,
                 object_type="questionnaire_response", object_id=response.pk,
                 patient_id=patient.pk,
                 summary=("The patient sent a questionnaire (patient-reported)" if send
                          else "The patient saved answers to a questionnaire"),
                 details={"questionnaire": questionnaire.code, "occasion": due.due.key,
                          "answered": len(response.answers)})
    return response


# -- Emails ------------------------------------------------------------------------------------

REMINDER_AFTER_DAYS = 7  # local policy (UNSOURCED): a reminder a week after the invitation


def questionnaire_emails_queue() -> int:
    """Queue an invitation for each occasion newly due, and a reminder for each still
    unanswered a week after its invitation, for every patient with a portal account. Each
    task checks again that the occasion is due before it sends. Returns the tasks queued."""
    from collis.questionnaires.tasks import questionnaire_email_send

    queued = 0
    patients = Patient.objects.filter(portal_account__isnull=False,
                                      portal_account__is_active=True)
    now = timezone.now()
    for patient in patients.iterator():
        for due in occasions_due(patient):
            sent = dict(QuestionnaireEmail.objects.filter(
                patient=patient, occasion=due.key).values_list("kind", "sent_at"))
            kind = None
            if InvitationKind.INVITATION not in sent:
                kind = InvitationKind.INVITATION
            elif InvitationKind.REMINDER not in sent and \
                    now - sent[InvitationKind.INVITATION] >= timedelta(days=REMINDER_AFTER_DAYS):
                kind = InvitationKind.REMINDER
            if kind:
                questionnaire_email_send.enqueue(str(patient.pk), due.key, kind)
                queued += 1
    return queued


def questionnaire_email_deliver(*, patient_id: str, occasion: str, kind: str) -> str:
    """Send one invitation or reminder, if the occasion is still due now (REDCap's "is the
    condition still true" rule: a cancelled appointment or an answer sent meanwhile stops
    it) and not already sent. Returns what happened."""
    patient = Patient.objects.select_related("portal_account").get(pk=patient_id)
    account = patient.portal_account
    due = next((d for d in occasions_due(patient) if d.key == occasion), None)
    if due is None or account is None or not account.is_active:
        return "no longer due"
    try:
        with transaction.atomic():
            QuestionnaireEmail.objects.create(patient=patient, questionnaire="twstrs-patient",
                                              occasion=occasion, kind=kind)
            first = "A reminder: " if kind == InvitationKind.REMINDER else ""
            EmailMessage(
                subject=f"{first}A questionnaire from the dystonia unit",
                body=(f"Dear {patient.given_name},\n\n"
                      f"{first}we would like to know how your neck affects your daily life "
                      f"({due.reason.label.lower()}). It takes about 5 minutes and you "
                      "can stop and come back later.\n\nSign in to your patient portal to "
                      "answer it.\n"),
                to=[account.email]).send()
            audit_record(actor=Actor(user=None, channel=AuditChannel.CLI),
                         action=AuditAction.CREATE, object_type="questionnaire_email",
                         patient_id=patient.pk,
                         summary=f"Questionnaire {kind} emailed to the patient",
                         details={"occasion": occasion})
    except IntegrityError:
        return "already sent"
    return "sent"

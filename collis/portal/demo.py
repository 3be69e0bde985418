"""A demo patient account for `make run`: the first demo patient with booked appointments
can sign in to the portal as `patient@example.com` with the demo password, then the code of
an authenticator app set up with the documented demo key (or a demo recovery code). Demo
only: a real account is made by the patient from an invitation. Loading twice changes
nothing."""

from __future__ import annotations

import base64
import binascii

from collis.core.audit import Actor, audit_record
from collis.core.models import AccountType, AuditAction, User

DEMO_USERNAME = "patient@example.com"
DEMO_PATIENT_PASSWORD = "collis-demo-patient"  # noqa: S105 - documented demo credential
# The authenticator key, as an app asks for it (base32) and as django-otp keeps it (hex).
DEMO_TOTP_BASE32 = "MNXWY3DJOMWWIZLNN4WXA33SORQWY2LL"
DEMO_RECOVERY_CODES = ("demo-recovery-1", "demo-recovery-2", "demo-recovery-3")


def demo_portal_load(patients) -> bool:
    """Give the first of `patients` a portal account; False if there already is one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from collis.portal.services import recovery_codes_store

    if not patients or User.objects.filter(username=DEMO_USERNAME).exists():
        return False
    patient = patients[0]
    account = User(username=DEMO_USERNAME, email=DEMO_USERNAME,
                   first_name=patient.given_name, last_name=patient.family_name,
                   account_type=AccountType.PATIENT, role="")
    account.set_password(DEMO_PATIENT_PASSWORD)
    account.full_clean()
    account.save()
    patient.portal_account = account
    patient.save(update_fields=["portal_account"])
    key = binascii.hexlify(base64.b32decode(DEMO_TOTP_BASE32)).decode()
    TOTPDevice.objects.create(user=account, name="Demo authenticator", key=key, confirmed=True)
    recovery_codes_store(account=account, codes=list(DEMO_RECOVERY_CODES))
    audit_record(actor=Actor.command_line(), action=AuditAction.CREATE,
                 object_type="portal_account", object_id=account.pk, patient_id=patient.pk,
                 summary="Demo data: a portal account for the demo patient")
    demo_questionnaire_answers_load(patient)
    return True


# The demo patient's answers to their first questionnaire (made-up answers, within each
# question's range; not clinical data).
DEMO_ANSWERS = {"work": 2, "activities_of_daily_living": 1, "driving": 2, "reading": 1,
                "television": 1, "activities_outside_home": 2, "pain_severity": 5,
                "pain_duration": 3, "pain_disability": 2}


def demo_questionnaire_answers_load(patient) -> bool:
    """The demo patient sends the questionnaire of the first occasion their record makes
    due (through the questionnaires service, scored by the domain), so the record and the
    FHIR API have patient-reported answers to show; False if the record makes none due."""
    from collis.domain.questionnaires import due_dates, questionnaire_load
    from collis.questionnaires.selectors import (
        DEFAULT_QUESTIONNAIRE,
        DueQuestionnaire,
        pathway_dates,
    )
    from collis.questionnaires.services import questionnaire_answers_save

    occasions = due_dates(pathway_dates(patient))
    if not occasions:
        return False
    questionnaire = questionnaire_load(DEFAULT_QUESTIONNAIRE)
    answers = {q.code: DEMO_ANSWERS.get(q.code, q.low) for q in questionnaire.questions}
    questionnaire_answers_save(
        patient=patient, due=DueQuestionnaire(due=occasions[0], questionnaire=questionnaire,
                                              draft=None),
        answers=answers, send=True, actor=Actor.command_line())
    return True

"""Reads of clinic letters, through the patient (read scoped by `patient_get`) and audited."""

from __future__ import annotations

from django.http import Http404

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.letters.models import ClinicLetter, LetterEmail, LetterState, LetterVersion


def letter_get(*, patient, letter_id, actor: Actor) -> ClinicLetter:
    try:
        letter = patient.clinic_letters.select_related(
            "appointment__session__room__site", "sent_by", "created_by", "patient").get(
            pk=letter_id)
    except (ClinicLetter.DoesNotExist, ValueError, TypeError):
        raise Http404("No clinic letter has this id.") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="clinic_letter",
                 object_id=letter.pk, patient_id=patient.pk, summary="Viewed a clinic letter")
    return letter


def letter_email_latest(letter: ClinicLetter) -> LetterEmail | None:
    """The email of the version sent last, if it was emailed (waiting, sent or failing)."""
    return letter.emails.order_by("-created_at", "-pk").first()


def letter_versions(letter: ClinicLetter) -> list[LetterVersion]:
    """Every version, newest first, with who wrote it and any correction's who and why."""
    return list(letter.versions.select_related("created_by", "status_changed_by")
                .order_by("-number"))


def letter_version_for_download(*, letter: ClinicLetter, number, actor: Actor) -> LetterVersion:
    try:
        version = letter.versions.select_related("created_by").get(number=number)
    except (LetterVersion.DoesNotExist, ValueError, TypeError):
        raise Http404("No version has this number.") from None
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, object_type="clinic_letter",
                 object_id=letter.pk, patient_id=letter.patient_id,
                 summary=f"Downloaded version {version.number} of a clinic letter")
    return version


def letters_for_patient(patient, actor: Actor) -> list[ClinicLetter]:
    """The patient's sent letters, newest first, each with the version that was sent: what
    the patient portal lists (the patient reads their own record only, by `patient_get`)."""
    letters = list(patient.clinic_letters.filter(state=LetterState.SENT)
                   .select_related("sent_version", "appointment", "sent_by")
                   .order_by("-sent_at", "-pk"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="clinic_letter",
                 patient_id=patient.pk, summary=f"Listed {len(letters)} sent clinic letter(s)")
    return letters


def letters_of_appointment(appointment) -> ClinicLetter | None:
    return ClinicLetter.objects.filter(appointment=appointment).first()

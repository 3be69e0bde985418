"""Writes of the patient portal: invitations (sent, re-sent, withdrawn), the patient's
account (password, then the second factor), its withdrawal, and a patient's questions to
the unit. Each write is audited against the patient's record (ADR 0021)."""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from collis.core.audit import Actor, audit_record
from collis.core.models import AccountType, AuditAction, User
from collis.patients.models import Patient
from collis.portal.models import (
    PortalInvitation,
    RecoveryCode,
    RecoveryCodeDevice,
    recovery_code_digest,
)
from collis.portal.nhs_login import NhsLoginIdentity, NhsLoginRefused, Refusal

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
INVALID_LINK = ("This link does not work. It may have been used already, replaced by a "
                "newer one, or withdrawn. Ask the unit to send you a new one.")
EXPIRED_LINK = ("This link has expired. Ask the unit to send you a new one.")


def _patient_for_update(patient: Patient) -> Patient:
    return Patient.objects.select_for_update(of=("self",)).get(pk=patient.pk)


def _invitation_email(*, invitation: PortalInvitation, link: str) -> None:
    """Send the invitation once it is stored. The link's secret is never stored, so the
    email cannot wait in an outbox for another try: a failure is logged and recorded on the
    invitation, and the patient's portal page tells staff to send a new one."""
    days = settings.COLLIS_PORTAL_INVITATION_DAYS
    body = (
        f"Dear {invitation.patient.given_name},\n\n"
        "The dystonia unit has invited you to its patient portal. There you can see your "
        "appointments, answer your questionnaires, read your documents and see who has "
        "looked at your record.\n\n"
        f"To make your account, open this link within {days} days:\n\n{link}\n\n"
        "You will need your date of birth. You will choose a password and set up an "
        "authenticator app on your phone.\n\n"
        "If you did not expect this email, you can ignore it.\n")
    message = EmailMessage(subject="Your invitation to the patient portal", body=body,
                           to=[invitation.email])
    try:
        message.send()
    except Exception as error:  # any failure of the mail server: a new one can be sent
        logger.exception("Could not send portal invitation %s", invitation.pk)
        PortalInvitation.objects.filter(pk=invitation.pk).update(
            email_failed_at=timezone.now(),
            email_error=f"{type(error).__name__}: {error}"[:300])


@transaction.atomic
def portal_invitation_send(*, patient: Patient, email: str, link_for, actor: Actor
                           ) -> PortalInvitation:
    """Invite the patient to the portal at `email`: a new one-time link (its digest kept),
    sent when the invitation is stored. Any earlier link still waiting stops working.
    `link_for(secret)` makes the absolute link. Refused for a patient who already has an
    account."""
    patient = _patient_for_update(patient)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter the patient's email address, like "
                                        "name@example.com"}) from None
    if patient.portal_account_id and patient.portal_account.is_active:
        raise ValidationError("This patient already has a portal account. Withdraw it "
                              "before inviting them again.")
    now = timezone.now()
    for earlier in patient.portal_invitations.filter(accepted_at__isnull=True,
                                                     revoked_at__isnull=True):
        earlier.revoked_at, earlier.revoked_by = now, actor.user
        earlier.save(update_fields=["revoked_at", "revoked_by"])
    secret = PortalInvitation.new_secret()
    invitation = PortalInvitation(
        patient=patient, email=email, token_digest=PortalInvitation.digest_of(secret),
        created_at=now, created_by=actor.user,
        expires_at=now + timedelta(days=settings.COLLIS_PORTAL_INVITATION_DAYS))
    invitation.full_clean()
    invitation.save()
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="portal_invitation",
                 object_id=invitation.pk, patient_id=patient.pk,
                 summary=f"Invited {patient.nhs_number} to the patient portal",
                 details={"expires_at": invitation.expires_at.isoformat()})
    link = link_for(secret)
    transaction.on_commit(lambda: _invitation_email(invitation=invitation, link=link))
    return invitation


@transaction.atomic
def portal_invitation_revoke(*, patient: Patient, invitation_id, actor: Actor
                             ) -> PortalInvitation:
    """Withdraw a waiting invitation: its link stops working."""
    try:
        invitation = patient.portal_invitations.select_for_update().get(pk=invitation_id)
    except (PortalInvitation.DoesNotExist, ValueError, TypeError):
        raise ValidationError("There is no such invitation for this patient.") from None
    if not invitation.is_pending:
        raise ValidationError(f"This invitation cannot be withdrawn: it is "
                              f"{invitation.status_label.lower()}.")
    invitation.revoked_at, invitation.revoked_by = timezone.now(), actor.user
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="portal_invitation",
                 object_id=invitation.pk, patient_id=patient.pk,
                 summary=f"Withdrew the portal invitation of {patient.nhs_number}")
    return invitation


@transaction.atomic
def portal_access_withdraw(*, patient: Patient, actor: Actor) -> User:
    """Close the patient's portal account: it can no longer sign in, and the record may be
    invited again (to a new account)."""
    patient = _patient_for_update(patient)
    account = patient.portal_account
    if account is None:
        raise ValidationError("This patient has no portal account.")
    account.is_active = False
    account.save(update_fields=["is_active"])
    patient.portal_account = None
    patient.save(update_fields=["portal_account"])
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="portal_account",
                 object_id=account.pk, patient_id=patient.pk,
                 summary=f"Withdrew the portal account of {patient.nhs_number}")
    return account


def portal_invitation_find(secret: str) -> PortalInvitation | None:
    """The invitation a link's secret belongs to, in any state, or None."""
    if not secret or len(secret) > 100:
        return None
    return (PortalInvitation.objects.select_related("patient")
            .filter(token_digest=PortalInvitation.digest_of(secret)).first())


def invitation_problem(invitation: PortalInvitation | None) -> str:
    """Why the link cannot be used, in words; empty when it can."""
    if invitation is None:
        return INVALID_LINK
    status = invitation.status
    if status == status.EXPIRED:
        return EXPIRED_LINK
    if status != status.PENDING:
        return INVALID_LINK
    return ""


@transaction.atomic
def portal_account_create(*, secret: str, date_of_birth: date, password: str,
                          actor: Actor) -> User:
    """Accept an invitation: check the patient's date of birth, make their account with the
    password, link it to their record and use up the link. The account can see nothing
    until its second factor is set up (`portal_totp_confirm`)."""
    invitation = portal_invitation_find(secret)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    invitation = PortalInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation_problem(invitation):  # accepted in another window meanwhile
        raise ValidationError(INVALID_LINK)
    patient = _patient_for_update(invitation.patient)
    if date_of_birth != patient.date_of_birth:
        audit_record(actor=actor, action=AuditAction.LOGIN_FAILED,
                     object_type="portal_invitation", object_id=invitation.pk,
                     summary="Portal invitation: the date of birth did not match")
        raise ValidationError({"date_of_birth": "The date of birth does not match our "
                                                "records. Check it and try again."})
    if patient.portal_account_id and patient.portal_account.is_active:
        raise ValidationError(INVALID_LINK)
    username = invitation.email.lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("An account with this email address already exists. Ask the "
                              "unit to invite you at another address.")
    account = User(username=username, email=invitation.email,
                   first_name=patient.given_name[:150], last_name=patient.family_name[:150],
                   account_type=AccountType.PATIENT, role="")
    try:
        validate_password(password, user=account)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    account.set_password(password)
    account.full_clean()
    account.save()
    patient.portal_account = account
    patient.save(update_fields=["portal_account"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=Actor(user=account, channel=actor.channel, ip_address=actor.ip_address,
                             user_agent=actor.user_agent, path=actor.path),
                 action=AuditAction.CREATE, object_type="portal_account",
                 object_id=account.pk, patient_id=patient.pk,
                 summary="The patient made their portal account")
    return account


def portal_account_for_nhs_login(*, identity: NhsLoginIdentity) -> User:
    """The active portal account that NHS login signs in: that of the patient record with
    NHS login's NHS number, whose date of birth matches too. NHS login never makes an
    account: without one (made from a staff invitation) it is refused (NhsLoginRefused)."""
    patient = (Patient.objects.select_related("portal_account")
               .filter(nhs_number=identity.nhs_number).first())
    if patient is None:
        raise NhsLoginRefused(Refusal.UNKNOWN, nhs_number=identity.nhs_number)
    if patient.date_of_birth != identity.date_of_birth:
        raise NhsLoginRefused(Refusal.DETAILS, nhs_number=identity.nhs_number)
    account = patient.portal_account
    if account is None or not account.is_active or account.account_type != AccountType.PATIENT:
        raise NhsLoginRefused(Refusal.NO_ACCOUNT, nhs_number=identity.nhs_number)
    return account


def portal_totp_device(*, account: User) -> TOTPDevice:
    """The account's authenticator device waiting to be confirmed (made on first asking), so
    that reloading the set-up page shows the same key."""
    device = TOTPDevice.objects.filter(user=account, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=account, name="Authenticator app",
                                           confirmed=False)
    return device


def portal_has_second_factor(account: User) -> bool:
    return TOTPDevice.objects.filter(user=account, confirmed=True).exists()


@dataclass(frozen=True)
class SecondFactor:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def portal_totp_confirm(*, account: User, code: str, actor: Actor) -> SecondFactor:
    """Confirm the authenticator app with a code it shows, and make a fresh set of recovery
    codes (shown once). Refused with a wrong code."""
    if portal_has_second_factor(account):
        raise ValidationError("Your account already has an authenticator app.")
    device = portal_totp_device(account=account)
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == device.digits) or not device.verify_token(code):
        raise ValidationError({"code": "The code is not right. Enter the 6 numbers your "
                                       "authenticator app shows now."})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = [recovery_code_new() for _ in range(RECOVERY_CODES)]
    recovery_codes_store(account=account, codes=codes)
    patient_id = Patient.objects.filter(portal_account=account).values_list(
        "pk", flat=True).first()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="portal_account",
                 object_id=account.pk, patient_id=patient_id,
                 summary="The patient set up their authenticator app and recovery codes")
    return SecondFactor(device=device, recovery_codes=codes)


def recovery_code_new() -> str:
    """A recovery code: 8 letters and digits (40 random bits, as django-otp makes them),
    easy to type; guesses are slowed down and only its keyed digest is kept."""
    return base64.b32encode(secrets.token_bytes(5)).decode().lower()


def recovery_codes_store(*, account: User, codes: list[str]) -> RecoveryCodeDevice:
    """Replace the account's recovery codes with `codes`, kept only as keyed digests."""
    RecoveryCodeDevice.objects.filter(user=account).delete()
    device = RecoveryCodeDevice.objects.create(user=account, name="Recovery codes",
                                               confirmed=True)
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device,
                                                   digest=recovery_code_digest(code))
                                      for code in codes])
    return device


def portal_second_factor_verify(*, account: User, code: str):
    """The device (authenticator app or recovery code, each used once) that accepts `code`,
    or None. django-otp slows down repeated wrong codes on each device."""
    code = "".join((code or "").split())
    if not code:
        return None
    # Six numbers are the app's code; anything else a recovery code. Each kind is tried only
    # on its own device, so that a mistyped app code does not slow down a recovery code.
    model = TOTPDevice if code.isdigit() and len(code) == 6 else RecoveryCodeDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=account, confirmed=True):
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def portal_question_send(*, patient: Patient, topic: str, question: str, actor: Actor):
    """A question from the patient to the unit (about an access to their record, or a
    request to cancel or move an appointment): an enquiry in the unit's inbox
    (collis.enquiries), already linked to the patient's record, acknowledged by email."""
    from collis.enquiries.models import ContactMethod, EnquirerType, Enquiry
    from collis.enquiries.services import EnquiryRefused, enquiry_submit

    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Enter your question"})
    account = actor.user
    data = {"name": patient.full_name, "enquirer_type": EnquirerType.PATIENT,
            "contact_method": ContactMethod.EMAIL, "email": account.email or patient.email,
            "phone": patient.phone, "contact_time": "", "topic": topic, "question": question,
            "nhs_number": patient.nhs_number, "site": patient.home_site}
    try:
        enquiry = enquiry_submit(data=data, client_address=actor.ip_address, actor=actor)
    except EnquiryRefused as refused:
        raise ValidationError(str(refused)) from None
    # From the portal, the sender is known: the enquiry is the patient's from the start.
    Enquiry.objects.filter(pk=enquiry.pk).update(patient=patient)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="enquiry",
                 object_id=enquiry.pk, patient_id=patient.pk,
                 summary=f"The patient sent a question through the portal ({enquiry.reference})")
    return enquiry


def portal_second_factor_slowed(account: User) -> bool:
    """Whether django-otp is making the patient wait after several wrong codes (after one,
    the wait is a second: not worth a message)."""
    return any(device.throttling_failure_count >= 3 and not device.verify_is_allowed()[0]
               for device in TOTPDevice.objects.filter(user=account, confirmed=True))

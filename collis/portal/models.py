"""Invitations to the patient portal. A patient's account is a `core.User` of the patient
account type, linked to exactly one record by `Patient.portal_account`; its second factor
is a django-otp TOTP device, with recovery codes kept only as keyed digests (ADR 0021)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from collis.patients.models import Patient


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be accepted"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Withdrawn"
    EXPIRED = "expired", "Expired"


class PortalInvitation(models.Model):
    """A one-time link, sent by email, that lets a registered patient make their portal
    account. Only the SHA-256 digest of the link's secret is stored; the link works once,
    until it expires, and not after it was withdrawn or replaced by a new one."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="portal_invitations")
    email = models.EmailField("Email address")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # When the email with the link could not be handed to the mail server, and why: staff
    # see it on the patient's portal page and send a new invitation.
    email_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Invitation to {self.email} ({self.status_label})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    def status_at(self, now=None) -> InvitationStatus:
        now = now or timezone.now()
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self) -> InvitationStatus:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING


RECOVERY_SALT = "collis.portal.recovery-code"


def recovery_code_digest(code: str, *, secret: str | None = None) -> str:
    """The keyed digest (HMAC-SHA256 under the installation's secret key) of a recovery
    code, as it is kept: someone who reads the database without the secret key cannot
    test guesses against it."""
    return salted_hmac(RECOVERY_SALT, "".join(code.split()).lower(), secret=secret,
                       algorithm="sha256").hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A patient's recovery codes as a django-otp device: each code works once, repeated
    wrong codes are slowed down, and only keyed digests are stored (django-otp's own static
    device keeps the codes as typed)."""

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        # The current secret key, then any older ones still accepted (a key rotated with
        # SECRET_KEY_FALLBACKS keeps the codes working).
        digests = [recovery_code_digest(str(token), secret=key)
                   for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]
        match = self.codes.filter(digest__in=digests).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE,
                               related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self):
        return "a recovery code"


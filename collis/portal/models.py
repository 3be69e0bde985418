"""Invitations to the patient portal. A patient's account is a `core.User` of the patient
account type, linked to exactly one record by `Patient.portal_account`; its second factor
is a django-otp TOTP device with a static device of recovery codes (ADR 0021)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

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

"""Patients with portal accounts, made through the portal's own services (invite, accept,
set up the second factor), and clients signed in as them."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from collis.core.audit import Actor
from collis.core.models import AuditChannel
from collis.portal import services

PATIENT_PASSWORD = "a quiet blue harbour 42"  # noqa: S105


def totp_now(device: TOTPDevice) -> str:
    """The code the patient's authenticator app shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=device.drift)
    return f"{code:0{device.digits}d}"


def invite(patient, *, by, email: str | None = None):
    """Invite the patient; returns (invitation, secret of its link)."""
    secrets = []
    invitation = services.portal_invitation_send(
        patient=patient, email=email or f"p{patient.nhs_number}@example.com",
        link_for=lambda secret: secrets.append(secret) or f"http://testserver/x/{secret}/",
        actor=Actor(user=by, channel=AuditChannel.WEB))
    return invitation, secrets[0]


def portal_account(patient, *, by, second_factor: bool = True):
    """A patient account for the record, made as the patient would make it; with its
    authenticator confirmed unless `second_factor` is False. Returns (account, recovery
    codes)."""
    _invitation, secret = invite(patient, by=by)
    actor = Actor(user=None, channel=AuditChannel.WEB)
    account = services.portal_account_create(secret=secret,
                                             date_of_birth=patient.date_of_birth,
                                             password=PATIENT_PASSWORD, actor=actor)
    codes = []
    if second_factor:
        device = services.portal_totp_device(account=account)
        second = services.portal_totp_confirm(account=account, code=totp_now(device),
                                              actor=Actor(user=account,
                                                          channel=AuditChannel.WEB))
        codes = second.recovery_codes
        # The code was used at set-up: let the next sign-in use the next one.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return account, codes


def portal_client(patient, *, by) -> Client:
    """A client signed in to the portal as the patient, second factor proved."""
    account, codes = portal_account(patient, by=by)
    client = Client()
    response = client.post("/portal/sign-in/", {"username": account.username,
                                                "password": PATIENT_PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post("/portal/sign-in/code/", {"code": codes[0]})
    assert response.status_code == 302 and "/portal/" in response["Location"]
    client.account = account
    client.patient = patient
    return client

"""Invitations (expiry, reuse, withdrawal, a new one replacing the old), the account made from
one, and the second factor."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from collis.core.audit import Actor
from collis.core.models import AccountType, AuditChannel, AuditEvent, User
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.portal import services
from collis.portal.models import InvitationStatus, PortalInvitation, RecoveryCode
from collis.portal.tests.factories import PATIENT_PASSWORD, invite, portal_account, totp_now

pytestmark = pytest.mark.django_db
ANYONE = Actor(user=None, channel=AuditChannel.WEB)


@pytest.fixture
def nurse(user_with_role):
    return user_with_role(Role.NURSE_SPECIALIST)


@pytest.fixture
def patient(sites):
    return PatientFactory(date_of_birth=date(1970, 5, 17))


def _accept(secret, patient, **overrides):
    values = {"secret": secret, "date_of_birth": patient.date_of_birth,
              "password": PATIENT_PASSWORD, "actor": ANYONE, **overrides}
    return services.portal_account_create(**values)


def test_an_invitation_stores_only_the_digest_of_its_link_and_is_emailed(
        patient, nurse, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, secret = invite(patient, by=nurse, email="ann@example.com")
    assert invitation.token_digest == PortalInvitation.digest_of(secret)
    assert secret not in str(PortalInvitation.objects.values_list().get())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ann@example.com"]
    assert secret in mail.outbox[0].body
    assert AuditEvent.objects.filter(object_type="portal_invitation",
                                     patient_id=patient.pk).exists()


def test_an_invitation_needs_a_real_email_address(patient, nurse):
    with pytest.raises(ValidationError) as error:
        invite(patient, by=nurse, email="not an address")
    assert "email" in error.value.message_dict
    assert not PortalInvitation.objects.exists()


def test_accepting_makes_a_patient_account_linked_to_the_record(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    account = _accept(secret, patient)
    patient.refresh_from_db()
    assert patient.portal_account == account
    assert account.account_type == AccountType.PATIENT and account.role == ""
    assert account.check_password(PATIENT_PASSWORD)
    assert PortalInvitation.objects.get().status == InvitationStatus.ACCEPTED


def test_a_link_works_once(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    _accept(secret, patient)
    with pytest.raises(ValidationError, match="does not work"):
        _accept(secret, patient, password="another long passphrase 7")
    assert User.objects.filter(account_type=AccountType.PATIENT).count() == 1


def test_a_link_stops_working_when_it_expires(patient, nurse):
    invitation, secret = invite(patient, by=nurse)
    PortalInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert services.invitation_problem(services.portal_invitation_find(secret)) \
        == services.EXPIRED_LINK
    with pytest.raises(ValidationError, match="expired"):
        _accept(secret, patient)
    assert not User.objects.filter(account_type=AccountType.PATIENT).exists()


def test_a_withdrawn_link_does_not_work(patient, nurse):
    invitation, secret = invite(patient, by=nurse)
    services.portal_invitation_revoke(patient=patient, invitation_id=invitation.pk,
                                      actor=Actor(user=nurse, channel=AuditChannel.WEB))
    with pytest.raises(ValidationError, match="does not work"):
        _accept(secret, patient)


def test_sending_again_replaces_the_earlier_link(patient, nurse):
    first, first_secret = invite(patient, by=nurse)
    _second, second_secret = invite(patient, by=nurse)
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    with pytest.raises(ValidationError):
        _accept(first_secret, patient)
    assert _accept(second_secret, patient).pk


def test_an_unknown_link_does_not_work(patient):
    with pytest.raises(ValidationError, match="does not work"):
        _accept("made-up", patient)


def test_the_date_of_birth_must_match_and_nothing_is_saved_when_it_does_not(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    with pytest.raises(ValidationError) as error:
        _accept(secret, patient, date_of_birth=date(1971, 5, 17))
    assert "date_of_birth" in error.value.message_dict
    assert not User.objects.filter(account_type=AccountType.PATIENT).exists()
    assert PortalInvitation.objects.get().status == InvitationStatus.PENDING


def test_a_weak_password_is_refused_on_its_field(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    with pytest.raises(ValidationError) as error:
        _accept(secret, patient, password="short")
    assert "password" in error.value.message_dict
    assert not User.objects.filter(account_type=AccountType.PATIENT).exists()


def test_a_patient_with_an_account_is_not_invited_again_until_it_is_closed(patient, nurse):
    portal_account(patient, by=nurse)
    with pytest.raises(ValidationError, match="already has a portal account"):
        invite(patient, by=nurse)
    account = services.portal_access_withdraw(patient=patient,
                                              actor=Actor(user=nurse, channel=AuditChannel.WEB))
    account.refresh_from_db()
    assert not account.is_active
    assert invite(patient, by=nurse)[0].is_pending


def test_the_second_factor_needs_the_right_code_and_gives_recovery_codes(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    account = _accept(secret, patient)
    actor = Actor(user=account, channel=AuditChannel.WEB)
    device = services.portal_totp_device(account=account)
    assert services.portal_totp_device(account=account) == device  # the same key on reload
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as error:
        services.portal_totp_confirm(account=account, code=wrong, actor=actor)
    assert "code" in error.value.message_dict
    assert not services.portal_has_second_factor(account)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    second = services.portal_totp_confirm(account=account, code=totp_now(device), actor=actor)
    assert services.portal_has_second_factor(account)
    assert len(second.recovery_codes) == services.RECOVERY_CODES
    kept = list(RecoveryCode.objects.filter(device__user=account).values_list("digest",
                                                                               flat=True))
    assert len(kept) == services.RECOVERY_CODES
    # Only keyed digests are kept: none of the codes is in the database as typed.
    assert not set(second.recovery_codes) & set(kept)
    assert all(len(digest) == 64 for digest in kept)


def test_a_recovery_code_works_once(patient, nurse):
    account, codes = portal_account(patient, by=nurse)
    assert services.portal_second_factor_verify(account=account, code=codes[0]) is not None
    assert services.portal_second_factor_verify(account=account, code=codes[0]) is None


def test_recovery_codes_survive_a_rotated_secret_key_and_not_a_lost_one(patient, nurse,
                                                                         settings):
    account, codes = portal_account(patient, by=nurse)
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old]
    assert services.portal_second_factor_verify(account=account, code=codes[0]) is not None
    settings.SECRET_KEY_FALLBACKS = []
    assert services.portal_second_factor_verify(account=account, code=codes[1]) is None


def test_the_authenticator_code_signs_in_and_a_wrong_one_does_not(patient, nurse):
    account, _codes = portal_account(patient, by=nurse)
    device = TOTPDevice.objects.get(user=account)
    assert services.portal_second_factor_verify(account=account, code="000000x") is None
    assert services.portal_second_factor_verify(account=account,
                                                code=totp_now(device)) == device

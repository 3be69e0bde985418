"""The portal's pages: the staff invitation page, accepting an invitation, the second factor
before anything is shown, the patients' own sign-in with lock-out, idle time-out and audit,
and the access log."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.portal.models import PortalInvitation
from collis.portal.tests.factories import (
    PATIENT_PASSWORD,
    invite,
    portal_account,
    portal_client,
    totp_now,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(user_with_role):
    return user_with_role(Role.NURSE_SPECIALIST)


@pytest.fixture
def patient(sites):
    return PatientFactory(date_of_birth=date(1970, 5, 17), email="ann@example.com")


def test_staff_invite_a_patient_from_their_record_and_the_email_carries_the_link(
        client_as, patient, django_capture_on_commit_callbacks):
    client = client_as(Role.MDT_COORDINATOR)
    page = client.get(f"/patients/{patient.pk}/portal-access/")
    assert page.status_code == 200
    assert 'value="ann@example.com"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/patients/{patient.pk}/portal-access/",
                               {"email": "ann@example.com"})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/portal/invitation/[^/\s]+/)", mail.outbox[0].body)
    assert link
    assert Client().get(link.group(1)).status_code == 200


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                   EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2)
def test_an_invitation_the_mail_server_refused_says_so_on_the_staff_page(
        client_as, patient, django_capture_on_commit_callbacks):
    client = client_as(Role.MDT_COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/patients/{patient.pk}/portal-access/",
                               {"email": "ann@example.com"})
    assert response.status_code == 302
    invitation = PortalInvitation.objects.get()
    assert invitation.email_failed_at and "ConnectionRefusedError" in invitation.email_error
    page = client.get(f"/patients/{patient.pk}/portal-access/").content.decode()
    assert "Email not sent" in page and "send a new invitation" in page


def test_a_bad_email_is_named_on_the_staff_page_and_nothing_is_sent(client_as, patient):
    response = client_as(Role.NURSE_SPECIALIST).post(
        f"/patients/{patient.pk}/portal-access/", {"email": "ann at example"})
    assert response.status_code == 200
    assert "Enter the patient&#39;s email address" in response.content.decode() or \
        "Enter a valid email address" in response.content.decode()
    assert not PortalInvitation.objects.exists()


def test_roles_without_the_capability_cannot_invite(client_as, patient):
    assert client_as(Role.PHYSIOTHERAPIST).get(
        f"/patients/{patient.pk}/portal-access/").status_code == 403
    assert client_as(Role.PHYSIOTHERAPIST).post(
        f"/patients/{patient.pk}/portal-access/", {"email": "a@example.com"}).status_code == 403
    assert not PortalInvitation.objects.exists()


def test_staff_withdraw_an_invitation_from_the_page(client_as, patient, nurse):
    invitation, secret = invite(patient, by=nurse)
    client = client_as(Role.NURSE_SPECIALIST)
    response = client.post(
        f"/patients/{patient.pk}/portal-access/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    assert Client().get(f"/portal/invitation/{secret}/").status_code == 404


def test_accepting_asks_for_the_second_factor_before_showing_anything(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    client = Client()
    response = client.post(f"/portal/invitation/{secret}/", {
        "date_of_birth-day": "17", "date_of_birth-month": "5", "date_of_birth-year": "1970",
        "password": PATIENT_PASSWORD, "password_again": PATIENT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/security/"
    # Signed in with a password only: every portal page sends them to set up the app.
    for path in ("/portal/", "/portal/access/"):
        assert client.get(path)["Location"] == "/portal/security/"
    page = client.get("/portal/security/")
    assert "<svg" in page.content.decode()
    patient.refresh_from_db()
    device = TOTPDevice.objects.get(user=patient.portal_account)
    response = client.post("/portal/security/", {"code": totp_now(device)})
    assert response["Location"] == "/portal/security/recovery-codes/"
    codes = client.get("/portal/security/recovery-codes/").content.decode()
    assert codes.count("<li><code>") == 10
    # Shown once.
    assert client.get("/portal/security/recovery-codes/").status_code == 302
    assert client.get("/portal/").status_code == 200


def test_a_wrong_date_of_birth_is_named_on_its_field(patient, nurse):
    _invitation, secret = invite(patient, by=nurse)
    response = Client().post(f"/portal/invitation/{secret}/", {
        "date_of_birth-day": "18", "date_of_birth-month": "5", "date_of_birth-year": "1970",
        "password": PATIENT_PASSWORD, "password_again": PATIENT_PASSWORD})
    assert response.status_code == 200
    assert "The date of birth does not match" in response.content.decode()


def test_signing_in_needs_the_password_then_a_code(patient, nurse):
    account, codes = portal_account(patient, by=nurse)
    client = Client()
    response = client.post("/portal/sign-in/", {"username": account.username,
                                                "password": PATIENT_PASSWORD})
    assert response["Location"] == "/portal/sign-in/code/"
    assert client.get("/portal/")["Location"] == "/portal/sign-in/code/"
    wrong = client.post("/portal/sign-in/code/", {"code": "123456"})
    assert "The code is not right" in wrong.content.decode()
    assert client.post("/portal/sign-in/code/", {"code": codes[1]}).status_code == 302
    assert client.get("/portal/").status_code == 200
    actions = list(AuditEvent.objects.filter(actor=account).values_list("action", flat=True))
    assert AuditAction.LOGIN in actions and AuditAction.LOGIN_FAILED in actions


def test_anyone_signed_out_is_sent_to_the_patients_sign_in(db):
    response = Client().get("/portal/access/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/?next=/portal/access/")


def test_staff_cannot_sign_in_to_the_portal_nor_use_its_pages(client_as, user_with_role):
    staff = user_with_role(Role.NEUROLOGIST)
    response = Client().post("/portal/sign-in/", {"username": staff.username,
                                                  "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    assert client_as(Role.NEUROLOGIST).get("/portal/").status_code == 403


def test_a_patient_cannot_sign_in_at_the_staff_sign_in(patient, nurse):
    account, _codes = portal_account(patient, by=nurse)
    response = Client().post("/login/", {"username": account.username,
                                         "password": PATIENT_PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session


def test_repeated_wrong_passwords_lock_the_patient_account(patient, nurse):
    account, _codes = portal_account(patient, by=nurse)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/portal/sign-in/", {"username": account.username, "password": "wrong"})
    response = client.post("/portal/sign-in/", {"username": account.username,
                                                "password": PATIENT_PASSWORD})
    assert response.status_code == 429


def test_an_idle_patient_is_signed_out_to_the_patients_sign_in(patient, nurse, settings):
    from datetime import timedelta

    client = portal_client(patient, by=nurse)
    settings.COLLIS_IDLE_TIMEOUT = timedelta(seconds=-1)
    response = client.get("/portal/access/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/")


def test_a_patient_signs_out(patient, nurse):
    client = portal_client(patient, by=nurse)
    assert client.post("/portal/sign-out/")["Location"] == "/portal/sign-in/"
    assert client.get("/portal/").status_code == 302


def test_the_home_page_sends_a_patient_to_their_portal(patient, nurse):
    client = portal_client(patient, by=nurse)
    assert client.get("/")["Location"] == "/portal/"


def test_the_access_log_shows_who_looked_and_their_role(client_as, patient, nurse):
    client = portal_client(patient, by=nurse)
    doctor = client_as(Role.NEUROLOGIST)
    doctor.user.first_name, doctor.user.last_name = "Grace", "Okafor"
    doctor.user.save()
    assert doctor.get(f"/patients/{patient.pk}/").status_code == 200
    page = client.get("/portal/access/").content.decode()
    assert "Grace Okafor" in page and "Neurologist" in page
    assert "Viewed the record of" in page
    assert "Ask about this" in page


def test_asking_about_an_access_sends_an_enquiry_linked_to_the_patient(client_as, patient,
                                                                        nurse):
    from collis.enquiries.models import Enquiry

    client = portal_client(patient, by=nurse)
    doctor = client_as(Role.NEUROLOGIST)
    doctor.get(f"/patients/{patient.pk}/")
    event = AuditEvent.objects.filter(actor=doctor.user, patient_id=patient.pk).first()
    page = client.get(f"/portal/access/{event.pk}/ask/")
    assert page.status_code == 200
    empty = client.post(f"/portal/access/{event.pk}/ask/", {"question": ""})
    assert "Enter your question" in empty.content.decode()
    response = client.post(f"/portal/access/{event.pk}/ask/",
                           {"question": "Why did you look?"})
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.patient == patient and "Why did you look?" in enquiry.question


def test_the_portal_pages_read_plainly(patient, nurse, readability):
    client = portal_client(patient, by=nurse)
    for path in ("/portal/", "/portal/access/"):
        html = client.get(path).content.decode()
        main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
        paragraphs = " ".join(re.sub(r"<[^>]+>", " ", p) for p in
                              re.findall(r"<p[^>]*>(.*?)</p>", main, re.S))
        assert readability.flesch_reading_ease(paragraphs) >= 60, (path, paragraphs)


def test_the_access_log_leaves_out_the_patients_own_visits_unless_asked(patient, nurse):
    client = portal_client(patient, by=nurse)
    client.get("/portal/appointments/")
    others = client.get("/portal/access/").content.decode()
    assert "Viewed the patient&#39;s appointments" not in others
    assert "Invited" in others  # the nurse's invitation
    own = client.get("/portal/access/?own=1").content.decode()
    assert "Viewed the patient&#39;s appointments" in own and ">You<" in own.replace(
        "\n", "").replace(" ", "")


def test_wrong_codes_slow_down_the_next_try_even_with_the_right_code(patient, nurse):
    account, _codes = portal_account(patient, by=nurse)
    device = TOTPDevice.objects.get(user=account)
    client = Client()
    client.post("/portal/sign-in/", {"username": account.username,
                                     "password": PATIENT_PASSWORD})
    client.post("/portal/sign-in/code/", {"code": "000000"})
    # As after several wrong codes in a row (each one doubles django-otp's wait).
    from django.utils import timezone

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now())
    refused = client.post("/portal/sign-in/code/", {"code": totp_now(device)})
    assert "Wait a minute" in refused.content.decode()
    assert client.get("/portal/").status_code == 302

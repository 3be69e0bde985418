"""Findings of the security probe, each a regression test: no caching of patient data,
idle sign-out from the last request, API tokens that expire and can be revoked, the admin's
sign-ins, changes and audit-log views audited, and an audit log that cannot be emptied."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.middleware import IdleTimeoutMiddleware
from collis.core.models import ApiToken, AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create, api_token_revoke
from collis.core.tests.factories import PASSWORD, UserFactory
from collis.patients.tests.factories import PatientFactory


@pytest.fixture
def patient(sites):
    return PatientFactory()


def test_pages_and_api_with_patient_data_are_never_cached(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    response = client.get(f"/patients/{patient.pk}/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    token = api_token_create(user=client.user, actor=Actor.command_line(client.user))
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert "no-store" in api.get(f"/api/v1/patients/{patient.pk}")["Cache-Control"]
    assert "no-store" in api.get("/api/v1/patients/not-a-patient")["Cache-Control"]


def seen(client) -> float:
    """The time of the last request, as the signed cookie the idle timeout reads says."""
    value = client.cookies[IdleTimeoutMiddleware.COOKIE].value
    return float(signing.Signer(salt=f"collis.idle.{client.session.session_key}")
                 .unsign(value))


def test_idle_time_counts_from_the_last_request_to_the_second(client_as):
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    first = seen(client)
    time.sleep(1.1)
    client.get("/")
    assert seen(client) - first >= 1


def test_a_request_does_not_write_the_session(client_as):
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not [q for q in queries.captured_queries if "core_usersession" in q["sql"]
                and q["sql"].startswith(("UPDATE", "INSERT"))]


@override_settings(COLLIS_IDLE_TIMEOUT=timedelta(seconds=60))
@pytest.mark.parametrize("cookie", ["another session", "forged", "none"])
def test_the_idle_time_of_another_session_or_a_forged_one_is_ignored(client_as, cookie):
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    session = client.session
    session[IdleTimeoutMiddleware.SESSION_KEY] -= 120   # signed in two minutes ago
    session.save()
    # A fresh time signed for another session, a forged one, or none, does not keep the
    # session alive: the time of sign-in counts.
    value = {"another session": IdleTimeoutMiddleware.cookie_value("other", time.time()),
             "forged": f"{time.time():.3f}:forged", "none": ""}[cookie]
    client.cookies[IdleTimeoutMiddleware.COOKIE] = value
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@override_settings(COLLIS_IDLE_TIMEOUT=timedelta(seconds=0))
def test_idle_sign_out_keeps_the_whole_address_to_return_to(client_as):
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    time.sleep(0.01)
    response = client.get("/patients/?q=ann&page=2")
    assert response.status_code == 302
    assert response["Location"].endswith("?next=/patients/%3Fq%3Dann%26page%3D2")


def test_an_api_token_expires_after_its_lifetime(db):
    user = UserFactory(role=Role.NEUROLOGIST)
    with override_settings(COLLIS_API_TOKEN_LIFETIME_DAYS=30):
        raw = api_token_create(user=user, actor=Actor.command_line(user))
    token = ApiToken.objects.get(user=user)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/patients?q=ann").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    assert api.get("/api/v1/patients?q=ann").status_code == 401


def test_a_revoked_api_token_stops_working_and_the_revocation_is_audited(db):
    user = UserFactory(role=Role.NEUROLOGIST)
    raw = api_token_create(user=user, actor=Actor.command_line(user))
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/patients?q=ann").status_code == 200
    api_token_revoke(token=ApiToken.objects.get(user=user), actor=Actor.command_line(user))
    assert api.get("/api/v1/patients?q=ann").status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).count() == 1


def test_admin_sign_ins_are_audited_whether_they_succeed_or_fail(db):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True,
                        organisation=None)
    client = Client()
    client.post("/admin/login/", {"username": admin.username, "password": "wrong"})
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert admin.username in failed.summary
    client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=admin).exists()


def test_admin_changes_to_accounts_and_sites_and_views_of_the_audit_log_are_audited(sites):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True,
                        organisation=None)
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    client = Client()
    client.force_login(admin)
    response = client.get(f"/admin/core/user/{nurse.pk}/change/")
    form = response.context["adminform"].form
    data = {name: ("" if value is None else value)
            for name, value in form.initial.items() if name not in {"password"}}
    data.update({"role": Role.NEUROLOGIST, "date_joined_0": "2026-01-01",
                 "date_joined_1": "09:00:00", "last_login_0": "", "last_login_1": "",
                 "groups": [], "user_permissions": []})
    response = client.post(f"/admin/core/user/{nurse.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    change = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="admin:core.user")
    assert change.object_id == str(nurse.pk) and "Role" in change.details["change"]
    site = sites[0]
    client.post(f"/admin/sites/site/{site.pk}/change/", {
        "code": site.code, "name": site.name, "address": site.address,
        "postcode": site.postcode, "phone": "020 7946 0000", "is_active": "on",
        "organisation": site.organisation_id})
    assert AuditEvent.objects.filter(object_type="admin:sites.site",
                                     object_id=str(site.pk)).exists()
    client.get("/admin/core/auditevent/")
    assert AuditEvent.objects.filter(object_type="audit_log", actor=admin).exists()


@override_settings(COLLIS_ALLOW_FLUSH=False)
def test_flush_refuses_a_database_with_audit_rows(db):
    audit_record(actor=Actor.command_line(), action=AuditAction.VIEW, summary="real")
    with pytest.raises(CommandError, match="audit log holds entries"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.filter(summary="real").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_the_audit_log_cannot_be_truncated_on_postgresql(db):
    from django.db import DatabaseError, transaction

    audit_record(actor=Actor.command_line(), action=AuditAction.VIEW, summary="kept")
    with pytest.raises(DatabaseError, match="TRUNCATE is not allowed"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.filter(summary="kept").exists()

import time
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from collis.core.middleware import IdleTimeoutMiddleware
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import PASSWORD, UserFactory

# "/" is the public home page for anyone not signed in (collis.public), the staff home
# for signed-in staff.
PUBLIC = ["/", "/login/", "/sites/", "/accessibility/"]
PRIVATE = ["/patients/", "/patients/new/", "/audit/", "/content/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC)
def test_anonymous_user_can_see_public_pages(client, path, sites):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", PRIVATE)
def test_anonymous_user_is_sent_to_sign_in_from_other_pages(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_anonymous_user_cannot_reach_the_admin(client):
    response = client.get("/admin/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_in_with_right_password_opens_home_and_is_audited(client):
    user = UserFactory(role=Role.NEUROLOGIST)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


@pytest.mark.django_db
def test_sign_in_with_wrong_password_shows_an_error_and_is_audited(client):
    user = UserFactory(role=Role.NEUROLOGIST)
    response = client.post("/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Your username or password is not right" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 1


@pytest.mark.django_db
def test_empty_sign_in_names_each_missing_field(client):
    body = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in body and "Enter your password" in body
    assert 'href="#username"' in body


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_is_locked_after_repeated_failed_sign_ins(client):
    user = UserFactory(role=Role.NEUROLOGIST)
    for _ in range(3):
        client.post("/login/", {"username": user.username, "password": "wrong"})
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert not Client().get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_patient_account_cannot_sign_in_to_the_staff_pages(client):
    from collis.core.models import AccountType, User

    patient = User(username="pt", account_type=AccountType.PATIENT)
    patient.set_password(PASSWORD)
    patient.save()
    response = client.post("/login/", {"username": "pt", "password": PASSWORD})
    assert response.status_code == 200
    assert "not right" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_does_not_redirect_to_another_site(client):
    user = UserFactory(role=Role.NEUROLOGIST)
    response = client.post("/login/?next=https://evil.example/",
                           {"username": user.username, "password": PASSWORD,
                            "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_sign_out_needs_post_and_ends_the_session(client_as):
    client = client_as(Role.NEUROLOGIST)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/patients/").status_code == 302
    assert "Staff sign in" in client.get("/").content.decode()  # the public home page
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()


def idle_for(client, seconds: float) -> None:
    """As if the client's last request had been `seconds` ago."""
    session = client.session
    session[IdleTimeoutMiddleware.SESSION_KEY] -= seconds
    session.save()
    client.cookies[IdleTimeoutMiddleware.COOKIE] = IdleTimeoutMiddleware.cookie_value(
        session.session_key, time.time() - seconds)


@pytest.mark.django_db
def test_idle_session_is_signed_out(client_as, settings):
    client = client_as(Role.NEUROLOGIST)
    assert client.get("/").status_code == 200
    idle_for(client, 31 * 60)
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/patients/").status_code == 302


@pytest.mark.django_db
def test_active_session_stays_signed_in(client_as, settings):
    settings.COLLIS_IDLE_TIMEOUT = timedelta(minutes=30)
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    idle_for(client, 29 * 60)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_pages_send_security_headers_and_a_content_security_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "'nonce-" in csp  # the one inline script carries the nonce
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_forms_are_protected_against_cross_site_requests():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory(role=Role.NEUROLOGIST)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "could not be sent" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role, visible, hidden", [
    (Role.PHYSIOTHERAPIST, ["Patients"], ["Audit log", "Administration"]),
    (Role.AUDITOR, ["Patients", "Audit log"], ["Administration"]),
    (Role.ADMINISTRATOR, ["Audit log", "Administration"], ["Patients"]),
    (Role.CLINICAL_LEAD, ["Patients", "Patient groups"], ["Administration"]),
    (Role.NEUROLOGIST, ["Patients"], ["Patient groups", "Audit log"]),
])
def test_navigation_shows_what_the_role_may_use(client_as, role, visible, hidden):
    body = client_as(role).get("/").content.decode()
    nav = body[body.index('class="nhsuk-header__navigation-list"'):]
    nav = nav[:nav.index("</ul>")]
    for label in visible:
        assert f">{label}<" in nav
    for label in hidden:
        assert f">{label}<" not in nav


@pytest.mark.django_db
def test_admin_is_only_for_administrators(client_as):
    assert client_as(Role.NEUROLOGIST).get("/admin/").status_code == 302
    assert client_as(Role.ADMINISTRATOR).get("/admin/").status_code == 200


@pytest.mark.django_db
def test_physiotherapist_cannot_open_the_audit_log(client_as):
    response = client_as(Role.PHYSIOTHERAPIST).get(reverse("core:audit_list"))
    assert response.status_code == 403
    assert "You cannot use this page" in response.content.decode()


@pytest.mark.django_db
def test_auditor_sees_the_audit_log_and_reading_it_is_audited(client_as):
    client = client_as(Role.AUDITOR)
    response = client.get(reverse("core:audit_list"), {"action": "login"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(object_type="audit_log", actor=client.user).exists()


@pytest.mark.django_db
def test_unknown_page_gives_the_nhs_styled_not_found_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

"""403s say in words what was refused ("Your role cannot view the audit log"), one wording
per capability, on every page, in services and in the API; never a capability code."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from collis.core.permissions import require
from collis.core.roles import REFUSALS, ROLE_CAPABILITIES, Capability, Role, refusal_message
from collis.core.tests.test_house_rules import _views
from collis.core.views import permission_denied

CODES = re.compile("|".join(sorted((re.escape(c.value) for c in Capability), key=len,
                                   reverse=True)))
PLACEHOLDERS = {"<uuid:patient_id>": "00000000-0000-0000-0000-000000000000"}


def _main(html: str) -> str:
    """The page's main content, tags removed: what the user reads."""
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _role_without(capability: Capability) -> Role:
    return next(role for role in Role if capability not in ROLE_CAPABILITIES[role])


def _pages_by_capability() -> dict[Capability, str]:
    """One page (its path, with placeholder ids) per capability that guards a page."""
    pages: dict[Capability, str] = {}
    for route, view in _views(get_resolver().url_patterns):
        capability = getattr(view, "required_capability", None)
        if capability is None or capability in pages or "GET" not in getattr(
                view, "http_methods", ("GET",)):
            continue
        path = "/" + route
        for placeholder, value in PLACEHOLDERS.items():
            path = path.replace(placeholder, value)
        pages[capability] = re.sub(r"<\w+:\w+>", "1", path)
    return pages


def test_every_capability_has_its_own_wording():
    assert set(REFUSALS) == set(Capability), (
        "Give each new capability its refusal in words in REFUSALS (collis/core/roles.py): "
        + ", ".join(sorted(set(Capability) - set(REFUSALS))))
    assert len(set(REFUSALS.values())) == len(REFUSALS), "Two capabilities share a wording"


@pytest.mark.parametrize("capability", list(Capability))
def test_the_refusal_names_what_was_refused_in_words(capability):
    message = refusal_message(capability)
    assert message == f"Your role cannot {REFUSALS[capability]}."
    assert not CODES.search(message) and "_" not in message


def test_the_audit_log_and_an_operation_are_refused_in_words():
    assert refusal_message(Capability.AUDIT_VIEW) == "Your role cannot view the audit log."
    assert refusal_message(Capability.OPERATION_RECORD) == "Your role cannot record an operation."


# Capabilities that some staff role lacks (one that every role has is refused to nobody).
REFUSABLE = [c for c in Capability if any(c not in ROLE_CAPABILITIES[r] for r in Role)]


@pytest.mark.django_db
@pytest.mark.parametrize("capability", REFUSABLE)
def test_every_capability_is_refused_on_the_403_page_in_words(capability, client_as):
    """The page a role without the capability is refused, or (for a capability that guards
    no page of its own) the 403 page of a view that requires it."""
    role = _role_without(capability)
    path = _pages_by_capability().get(capability)
    if path:
        response = client_as(role).get(path)
        assert response.status_code == 403, (path, response.status_code)
        html = response.content.decode()
    else:
        client = client_as(role)
        request = RequestFactory().get("/")
        request.user = client.user
        request.session = client.session
        view = require(capability)(lambda request: HttpResponse("not refused"))
        with pytest.raises(PermissionDenied) as refused:
            view(request)
        response = permission_denied(request, refused.value)
        assert response.status_code == 403
        html = response.content.decode()
    text = _main(html)
    assert "You cannot use this page" in text
    assert refusal_message(capability) in text
    assert not CODES.search(text), text


@pytest.mark.django_db
def test_the_audit_log_refused_to_a_physiotherapist_says_so_in_words(client_as):
    response = client_as(Role.PHYSIOTHERAPIST).get(reverse("core:audit_list"))
    assert response.status_code == 403
    text = _main(response.content.decode())
    assert "Your role cannot view the audit log." in text
    assert "Ask an administrator if you think your role should allow it." in text
    assert "audit_view" not in text and "audit view" not in text


def test_a_refusal_without_a_message_still_says_what_happened():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Your role does not allow you to use this page." in _main(response.content.decode())


@pytest.mark.django_db
def test_the_api_refuses_in_the_same_words(client):
    from collis.core.audit import Actor
    from collis.core.services import api_token_create
    from collis.core.tests.factories import UserFactory

    token = api_token_create(user=UserFactory(role=Role.ADMINISTRATOR),
                             actor=Actor.command_line())
    response = client.get("/api/v1/patients", {"q": "x"},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["detail"] == refusal_message(Capability.PATIENT_SEARCH)

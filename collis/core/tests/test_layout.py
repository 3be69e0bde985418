"""The layout's header and footer are rendered once per set of parameters and kept
(`collis.config.jinja2.render_once`): each user still sees their own name, navigation and
sign-out form with their own CSRF token."""

import re

import pytest

from collis.core.roles import Role


@pytest.mark.django_db
def test_each_user_sees_their_own_header_with_their_own_csrf_token(client_as):
    pages = {}
    for role in (Role.NEUROLOGIST, Role.AUDITOR, Role.NEUROLOGIST):
        client = client_as(role)
        body = client.get("/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        pages.setdefault(role, []).append((client.user.display_name, body, token))
    (first_name, first, first_token), (second_name, second, second_token) = pages[Role.NEUROLOGIST]
    assert first_name in first and second_name in second and first_name not in second
    assert first_token != second_token
    auditor_name, auditor, _ = pages[Role.AUDITOR][0]
    assert auditor_name in auditor and "Audit log" in auditor


@pytest.mark.django_db
def test_the_footer_is_on_every_page(client_as, client):
    assert "Accessibility statement" in client.get("/login/").content.decode()
    assert "Accessibility statement" in client_as(Role.NURSE_SPECIALIST).get("/").content.decode()


def test_markup_and_text_never_share_a_rendering():
    from markupsafe import Markup

    from collis.config.jinja2 import render_once
    from collis.core.nhsuk_forms.rendering import component_macro

    button = component_macro("button")
    assert "&lt;b&gt;" in str(render_once(button, {"text": "<b>x</b>"}))
    assert "<b>x</b>" in str(render_once(button, {"text": Markup("<b>x</b>")}))


def test_static_urls_are_kept_per_process_and_forgotten_when_the_settings_change(settings):
    from collis.config.jinja2 import static

    first = static("collis/collis.css")
    assert static("collis/collis.css") == first
    settings.STATIC_URL = "/elsewhere/"
    assert static("collis/collis.css").startswith("/elsewhere/")


@pytest.mark.django_db
def test_the_header_marks_the_section_being_shown_whatever_was_kept(client_as):
    # The header is kept per process by user, role, links and current section: a page of
    # another section, or the same role's other member, must not be given a kept copy.
    client = client_as(Role.NEUROLOGIST)

    def current(path):
        body = client.get(path).content.decode()
        nav = body[body.index('class="nhsuk-header__navigation-list"'):]
        nav = nav[:nav.index("</ul>")]
        return re.findall(r'aria-current="[a-z]+"><strong[^>]*>([^<]+)<', nav)

    assert current("/patients/") == ["Patients"]
    from django.urls import reverse

    assert current(reverse("surgery:worklist")) == ["My worklist"]
    assert current("/") == ["Home"]
    assert current("/patients/") == ["Patients"]


def test_navigation_links_follow_the_role_alone():
    from collis.core.models import AccountType, User
    from collis.core.navigation import navigation_links

    def user(role, account_type=AccountType.STAFF, active=True):
        return User(username=f"u-{role}", role=role, account_type=account_type,
                    is_active=active)

    auditor = [label for label, _href, _home in navigation_links(user(Role.AUDITOR))]
    assert "Audit log" in auditor and "My worklist" not in auditor
    neurologist = [label for label, _href, _home in navigation_links(user(Role.NEUROLOGIST))]
    assert "Patients" in neurologist and "Audit log" not in neurologist
    # An inactive account, or a patient's, may use nothing that needs a capability.
    for account in (user(Role.NEUROLOGIST, active=False),
                    user(Role.NEUROLOGIST, account_type=AccountType.PATIENT)):
        assert [label for label, *_ in navigation_links(account)] == ["Home", "Sites"]
    assert [label for label, *_ in navigation_links(None)] == ["Sites"]

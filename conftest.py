"""Fixtures shared by the apps' tests."""

import pytest
from django.test import Client

from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.sites.services import site_load_unit_sites


@pytest.fixture
def sites(db):
    """The unit's six sites (a flushed test database may have lost the migration's copy)."""
    site_load_unit_sites()
    from collis.sites.models import Site

    return list(Site.objects.order_by("code"))


@pytest.fixture
def user_with_role(db):
    def make(role: Role, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def client_as(db):
    """A test client signed in as a new user with the given role."""

    def make(role: Role):
        client = Client()
        user = UserFactory(role=role)
        client.force_login(user)
        client.user = user
        return client

    return make

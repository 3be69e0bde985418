"""Fixtures shared by the apps' tests. Django is imported inside the fixtures so that the
pure-Python domain tests (collis/domain) also run without Django installed."""

import pytest
from hypothesis import settings

# Property tests assert what holds for every example, never how fast one runs: a loaded
# machine (CI, or a developer's laptop running other work) must not fail them on time.
settings.register_profile("collis", deadline=None)
settings.load_profile("collis")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the public pages are cached, ADR 0013)."""
    try:
        from django.core.cache import caches
    except ImportError:  # the domain's tests run without Django
        yield
        return
    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def sites(db):
    """The unit's six sites (a flushed test database may have lost the migration's copy)."""
    from collis.sites.models import Site
    from collis.sites.services import site_load_unit_sites

    site_load_unit_sites()
    return list(Site.objects.order_by("code"))


@pytest.fixture
def user_with_role(db):
    from collis.core.tests.factories import UserFactory

    def make(role, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def client_as(db):
    """A test client signed in as a new user with the given role."""
    from django.test import Client

    from collis.core.tests.factories import UserFactory

    def make(role):
        client = Client()
        user = UserFactory(role=role)
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def readability(monkeypatch):
    """textstat, for readability tests, counting every word's syllables by hyphenation
    (pyphen), as textstat already does for words its pronouncing dictionary lacks: that
    dictionary is a separate download (NLTK's CMU dictionary) that a machine without the
    internet cannot fetch."""
    import textstat
    from textstat.backend.counts import _count_syllables

    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)
    if hasattr(_count_syllables.count_syllables, "cache_clear"):
        _count_syllables.count_syllables.cache_clear()
    return textstat

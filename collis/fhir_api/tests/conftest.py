import pytest

from collis.core.audit import Actor
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory


@pytest.fixture
def bearer(db):
    """Headers carrying a new API token of a member of staff with the role."""

    def make(role, **kwargs):
        user = UserFactory(role=role, **kwargs)
        return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
            user=user, actor=Actor.command_line())}

    return make


@pytest.fixture
def media(settings, tmp_path):
    """The files a test writes (bulk exports, documents) in its own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path

import pytest

from collis.core.audit import Actor
from collis.core.models import AccountType, ApiToken, AuditAction, AuditEvent, User
from collis.core.roles import Role
from collis.core.services import api_token_authenticate, api_token_create
from collis.core.tests.factories import UserFactory


@pytest.mark.django_db
def test_api_token_is_stored_only_as_a_digest_and_authenticates():
    user = UserFactory(role=Role.NEUROLOGIST)
    raw = api_token_create(user=user, actor=Actor.command_line())
    token = ApiToken.objects.get()
    assert raw not in (token.digest, token.prefix) and token.digest == ApiToken.digest_of(raw)
    assert api_token_authenticate(raw) == user
    assert api_token_authenticate(raw + "x") is None
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATE).count() == 1


@pytest.mark.django_db
def test_token_of_a_deactivated_user_no_longer_works():
    user = UserFactory(role=Role.NEUROLOGIST)
    raw = api_token_create(user=user, actor=Actor.command_line())
    user.is_active = False
    user.save()
    assert api_token_authenticate(raw) is None


@pytest.mark.django_db
def test_patients_cannot_have_api_tokens():
    patient = User.objects.create(username="pt", account_type=AccountType.PATIENT)
    with pytest.raises(ValueError):
        api_token_create(user=patient, actor=Actor.command_line())

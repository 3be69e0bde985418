"""The `collis` command, run as a user runs it."""

import pytest

from collis.cli import main
from collis.core.models import ApiToken, User
from collis.core.services import api_token_authenticate
from collis.patients.models import Patient


@pytest.mark.django_db
def test_demo_data_loads_once_and_a_second_run_changes_nothing(capsys):
    assert main(["demo-data", "--patients", "40"]) == 0
    out = capsys.readouterr().out
    assert "40 patients created" in out and "neurologist" in out and "collis-demo" in out
    numbers = set(Patient.objects.values_list("nhs_number", flat=True))
    assert main(["demo-data", "--patients", "40", "--no-logins"]) == 0
    assert "0 staff accounts and 0 patients created" in capsys.readouterr().out
    assert set(Patient.objects.values_list("nhs_number", flat=True)) == numbers
    assert all(n.startswith("999") for n in numbers)  # the range reserved for testing
    assert User.objects.filter(role__in=[
        "neurologist", "neurosurgeon", "physiotherapist", "nurse_specialist",
        "mdt_coordinator", "auditor", "administrator"]).count() == 8  # two neurosurgeons


@pytest.mark.django_db
def test_token_create_prints_a_working_token(capsys):
    main(["demo-data", "--patients", "0", "--no-logins"])
    capsys.readouterr()
    assert main(["token", "create", "neurologist"]) == 0
    raw = capsys.readouterr().out.strip()
    assert api_token_authenticate(raw).username == "neurologist"
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_token_create_for_unknown_user_fails_clearly(capsys):
    assert main(["token", "create", "nobody"]) == 2
    assert "no user is called 'nobody'" in capsys.readouterr().err

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.surgery.tests.factories import episode_at


def bearer(role):
    raw = api_token_create(user=UserFactory(role=role), actor=Actor.command_line())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_api_lists_episodes_with_every_move_and_audits_the_read(client, sites):
    episode = episode_at(State.TRIAGE)
    response = client.get(f"/api/v1/patients/{episode.patient_id}/episodes",
                          **bearer(Role.PHYSIOTHERAPIST))
    assert response.status_code == 200
    body = response.json()
    assert body[0]["state"] == "triage"
    assert [s["state"] for s in body[0]["statuses"]] == ["referral_received", "triage"]
    assert AuditEvent.objects.filter(channel=AuditChannel.API, object_type="episodes",
                                     patient_id=episode.patient_id).exists()


@pytest.mark.django_db
def test_api_refuses_roles_without_record_access(client, sites):
    episode = episode_at(State.TRIAGE)
    response = client.get(f"/api/v1/patients/{episode.patient_id}/episodes",
                          **bearer(Role.ADMINISTRATOR))
    assert response.status_code == 403


@pytest.mark.django_db
def test_api_another_units_patients_episodes_are_404(client, sites):
    from collis.patients.tests.factories import other_unit_patient

    episode = episode_at(State.TRIAGE, patient=other_unit_patient())
    response = client.get(f"/api/v1/patients/{episode.patient_id}/episodes",
                          **bearer(Role.NEUROSURGEON))
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient has this id."}
    assert not AuditEvent.objects.filter(channel=AuditChannel.API,
                                         patient_id=episode.patient_id).exists()

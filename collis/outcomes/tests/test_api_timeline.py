import datetime

import pytest

from collis.core.audit import Actor
from collis.core.models import AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.outcomes import services
from collis.outcomes.tests.factories import make_episode, operate, start_physio
from collis.outcomes.timeline import timeline_events
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(sites):
    episode = make_episode(PatientFactory())
    operate(episode)
    start_physio(episode)
    services.complication_create(
        episode=episode, risk_code="SD_HAEMATOMA", onset_on=datetime.date(2026, 3, 3),
        severity="moderate", status="resolved", resolved_on=datetime.date(2026, 3, 20),
        actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))
    return episode


def test_the_api_gives_the_operation_and_follow_up_and_audits_each_read(client, episode):
    user = UserFactory(role=Role.NEUROLOGIST)
    token = api_token_create(user=user, name="t", actor=Actor.command_line(user))
    base = f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    operation = client.get(base + "/operation", **auth).json()
    assert [d["muscle"] for d in operation["divisions"]] == ["sternocleidomastoid",
                                                             "splenius_capitis"]
    assert client.get(base + "/physiotherapy", **auth).json()["session_count"] == 6
    follow = client.get(base + "/follow-up", **auth).json()
    assert follow["complications"][0]["risk_code"] == "SD_HAEMATOMA"
    reads = AuditEvent.objects.filter(channel=AuditChannel.API, patient_id=episode.patient_id)
    # Each of the three reads once, with the patient and the episode each call showed.
    assert sorted(reads.values_list("object_type", flat=True)) == sorted(
        ["operation", "physio_programme", "follow_up"] + ["patient", "episode"] * 3)


def test_the_api_refuses_an_administrator(client, episode):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    token = api_token_create(user=admin, name="t", actor=Actor.command_line(admin))
    response = client.get(f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}"
                          "/operation", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403


def test_the_timeline_has_the_operation_and_complication_in_two_queries(
        episode, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        events = timeline_events(episode.patient)
    kinds = {e.kind for e in events}
    assert {"operation", "complication"} <= kinds
    operation = next(e for e in events if e.kind == "operation")
    assert "sternocleidomastoid (left)" in operation.detail

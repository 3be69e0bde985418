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


def test_the_api_gives_current_entries_only_with_their_status(client, episode):
    complication = episode.complications.get()
    actor = Actor.command_line(UserFactory(role=Role.NEUROSURGEON))
    services.complication_create(
        episode=episode, risk_code="SD_HAEMATOMA", onset_on=datetime.date(2026, 3, 4),
        severity="severe", status="ongoing", actor=actor, amends=complication,
        correction_reason="Severity and onset wrong")
    user = UserFactory(role=Role.NEUROLOGIST)
    token = api_token_create(user=user, name="t", actor=Actor.command_line(user))
    follow = client.get(f"/api/v1/patients/{episode.patient_id}/episodes/{episode.pk}"
                        "/follow-up", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [(c["severity"], c["record_status"]) for c in follow["complications"]] == [
        ("severe", "current")]
    assert follow["further_surgeries"] == []


def test_the_timeline_tags_corrected_entries_and_keeps_two_queries(
        episode, django_assert_max_num_queries):
    operation = episode.operations.get()
    complication = episode.complications.get()
    actor = Actor.command_line(UserFactory(role=Role.NEUROSURGEON))
    services.complication_mark_entered_in_error(complication=complication, reason="Duplicate",
                                                actor=actor)
    services.operation_create(
        episode=episode, actor=actor, amends=operation, correction_reason="Wrong level",
        details=services.OperationDetails(
            operated_on=operation.operated_on, site=operation.site, surgeon=operation.surgeon,
            anaesthetic="general", anaesthetist="Dr Birch",
            divisions=[services.Division("sternocleidomastoid", "left", "XI, lower branch")]))
    with django_assert_max_num_queries(2):
        events = timeline_events(episode.patient)
    kinds = sorted(e.kind for e in events)
    assert kinds == ["complication_entered_in_error", "operation", "operation_amended"]
    amended = next(e for e in events if e.kind == "operation_amended")
    assert amended.title == "Selective denervation (Superseded)"
    assert "splenius capitis (right)" in amended.detail
    current = next(e for e in events if e.kind == "operation")
    assert "splenius" not in current.detail

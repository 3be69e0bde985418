import datetime

import pytest
from django.test import Client

from collis.core.audit import Actor
from collis.core.models import AuditChannel, AuditEvent, User
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.mdt import services
from collis.mdt.models import Decision, FundingStatus
from collis.mdt.tests.factories import (
    assessment_for,
    coordinator_actor,
    decided,
    episode_at,
    meeting,
)
from collis.mdt.timeline import timeline_events

pytestmark = pytest.mark.django_db


def api_client(role) -> Client:
    token = api_token_create(user=UserFactory(role=role), actor=Actor.command_line())
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_lists_meetings_decisions_and_funding_and_audits_each_read(sites):
    episode = episode_at(State.AWAITING_MDT)
    m = meeting()
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient), item=item)
    episode.refresh_from_db()
    services.funding_request_create(episode=episode, route="prior_approval",
                                    commissioner="NHS England", actor=coordinator_actor())
    client = api_client(Role.NEUROSURGEON)
    meetings = client.get("/api/v1/mdt/meetings").json()
    assert meetings[0]["agenda"][0]["episode_id"] == episode.pk
    base = f"/api/v1/patients/{episode.patient.pk}/episodes/{episode.pk}"
    decisions = client.get(f"{base}/mdt-decisions").json()
    assert decisions[0]["decision"] == "sd" and decisions[0]["agrees_with_engine"] is True
    assert decisions[0]["planned"][0]["muscle"] == "sternocleidomastoid"
    funding = client.get(f"{base}/funding-requests").json()
    assert [c["code"] for c in funding[0]["procedure_codes"]] == ["A60.6", "Z92.3"]
    # Each response audits the patient it shows once, and each record it reads.
    reads = AuditEvent.objects.for_patient(episode.patient_id).filter(channel=AuditChannel.API)
    assert sorted(reads.values_list("object_type", flat=True)) == [
        "episode", "episode", "funding_requests", "mdt_decisions", "mdt_meeting", "patient",
        "patient"]


def test_the_api_refuses_a_role_without_record_view(sites):
    client = api_client(Role.AUDITOR)
    assert client.get("/api/v1/mdt/meetings").status_code == 403


def test_the_timeline_shows_decisions_and_funding_in_two_queries(sites,
                                                                 django_assert_num_queries):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    episode.refresh_from_db()
    request = services.funding_request_create(episode=episode, route="prior_approval",
                                              commissioner="ICB", actor=coordinator_actor())
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="R1", submitted_on=datetime.date(2026, 11, 1),
                                    actor=coordinator_actor())
    patient = episode.patient
    with django_assert_num_queries(2):
        events = timeline_events(patient)
    assert {e.kind for e in events} == {"mdt", "funding"}
    assert any("Selective denervation" in e.title for e in events)
    assert User.objects.exists()


def test_demo_history_decides_through_the_services_and_is_idempotent(sites):
    import random

    from collis.mdt.demo import demo_history
    from collis.mdt.models import MdtDecision

    episode = episode_at(State.AWAITING_MDT)
    assessment_for(episode.patient, "favourable")
    author = UserFactory(role=Role.MDT_COORDINATOR)
    today = datetime.date(2026, 11, 21)
    demo_history(episode.patient, random.Random("x"), today, author)
    demo_history(episode.patient, random.Random("x"), today, author)
    decision = MdtDecision.objects.get()
    assert decision.agenda_item.meeting.held_on == datetime.date(2026, 11, 19)
    episode.refresh_from_db()
    assert episode.state != State.AWAITING_MDT


def test_the_timeline_takes_one_query_for_a_patient_without_decisions(
        sites, django_assert_num_queries):
    patient = episode_at(State.AWAITING_MDT).patient
    with django_assert_num_queries(1):
        assert timeline_events(patient) == []


def test_the_api_answers_404_for_another_units_episode_and_hides_its_meetings(sites):
    from collis.patients.tests.factories import other_unit_site

    episode = episode_at(State.AWAITING_MDT)
    m = meeting()
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient), item=item)
    theirs = UserFactory(role=Role.NEUROSURGEON, organisation=other_unit_site().organisation)
    token = api_token_create(user=theirs, actor=Actor.command_line())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/mdt/meetings").json() == []
    base = f"/api/v1/patients/{episode.patient.pk}/episodes/{episode.pk}"
    for path in ("mdt-decisions", "funding-requests"):
        response = client.get(f"{base}/{path}")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No patient has this id."}
    assert not AuditEvent.objects.filter(channel=AuditChannel.API).exists()


def test_the_api_answers_404_for_an_episode_of_another_patient(sites):
    episode = episode_at(State.AWAITING_MDT)
    other = episode_at(State.AWAITING_MDT)
    response = api_client(Role.NEUROSURGEON).get(
        f"/api/v1/patients/{other.patient.pk}/episodes/{episode.pk}/mdt-decisions")
    assert response.status_code == 404
    assert response.json()["detail"]  # the episode getter's sentence

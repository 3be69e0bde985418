import threading

import pytest
from django.db import connection

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import Event, MoveRefused, State
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode, EpisodeStatus
from collis.surgery.services import episode_open, episode_transition
from collis.surgery.tests.factories import REFERRAL, episode_at


def actor(role):
    return Actor.command_line(UserFactory(role=role))


@pytest.mark.django_db
def test_opening_an_episode_records_the_referral_and_its_first_status(sites):
    episode = episode_open(patient=PatientFactory(), referral=REFERRAL,
                           actor=actor(Role.MDT_COORDINATOR))
    assert episode.state == State.REFERRAL_RECEIVED
    assert [s.state for s in episode.statuses.all()] == [State.REFERRAL_RECEIVED]
    assert AuditEvent.objects.filter(object_type="episode", action=AuditAction.CREATE).exists()


@pytest.mark.django_db
def test_a_move_adds_a_status_row_with_who_when_why_and_is_audited(sites):
    episode = episode_at(State.TRIAGE)
    neurologist = actor(Role.NEUROLOGIST)
    episode_transition(episode=episode, event=Event.ACCEPT, reason="Focal CD, toxin failing",
                       actor=neurologist)
    latest = EpisodeStatus.objects.filter(episode=episode).last()
    assert (latest.state, latest.by, latest.reason) == (State.WORK_UP, neurologist.user,
                                                        "Focal CD, toxin failing")
    assert Episode.objects.get(pk=episode.pk).state == State.WORK_UP
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="episode").last()
    assert event.details["to"] == "work_up" and event.patient_id == episode.patient_id


@pytest.mark.django_db
def test_a_move_not_in_the_table_is_refused_and_writes_nothing(sites):
    episode = episode_at(State.TRIAGE)
    before = EpisodeStatus.objects.count()
    with pytest.raises(MoveRefused, match="the pathway allows"):
        episode_transition(episode=episode, event=Event.RECORD_OPERATION,
                           actor=actor(Role.NEUROSURGEON))
    assert EpisodeStatus.objects.count() == before
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE


@pytest.mark.django_db
def test_a_role_not_allowed_is_refused(sites):
    episode = episode_at(State.COUNSELLING)
    with pytest.raises(MoveRefused, match="Your role cannot record consent"):
        episode_transition(episode=episode, event=Event.RECORD_CONSENT,
                           actor=actor(Role.PHYSIOTHERAPIST))


@pytest.mark.django_db
def test_status_history_is_append_only(sites):
    status = episode_at(State.TRIAGE).statuses.first()
    status.reason = "rewritten"
    with pytest.raises(PermissionError):
        status.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_conflicting_moves_at_once_cannot_both_succeed(sites):
    episode = episode_at(State.TRIAGE)
    accepting, declining = actor(Role.NEUROLOGIST), actor(Role.NEUROSURGEON)
    barrier = threading.Barrier(2)
    results = {}

    def move(name, event, who):
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            episode_transition(episode=Episode.objects.get(pk=episode.pk), event=event,
                               reason="decided at triage", actor=who)
            results[name] = "moved"
        except MoveRefused as refused:
            results[name] = str(refused)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=move, args=("accept", Event.ACCEPT, accepting)),
               threading.Thread(target=move, args=("decline", Event.DECLINE, declining))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()).count("moved") == 1
    refused = next(v for v in results.values() if v != "moved")
    assert "while the episode is at" in refused
    assert Episode.objects.get(pk=episode.pk).state in (State.WORK_UP, State.DECLINED)
    assert EpisodeStatus.objects.filter(episode=episode).count() == 3  # open, triage, one move

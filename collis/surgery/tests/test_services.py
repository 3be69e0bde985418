import datetime
import threading
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import Event, MoveRefused, State
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode, EpisodeStatus
from collis.surgery.services import episode_list_for_surgery, episode_open, episode_transition
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


# --- Chronology, the end of the pathway and the unit's own sites and staff ------------------

def _refusal(error) -> dict:
    return error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("received", "words"), [
    (datetime.date.today() + datetime.timedelta(days=1), "must be today or in the past"),
    (datetime.date(1974, 5, 16), "cannot be before the patient's date of birth"),
])
def test_a_referral_received_in_the_future_or_before_birth_is_refused_naming_the_field(
        sites, received, words):
    patient = PatientFactory(date_of_birth=datetime.date(1974, 5, 17))
    with pytest.raises(ValidationError) as refused:
        episode_open(patient=patient, referral=replace(REFERRAL, referral_received_on=received),
                     actor=actor(Role.MDT_COORDINATOR))
    assert list(_refusal(refused)) == ["referral_received_on"]
    assert words in _refusal(refused)["referral_received_on"][0]
    assert not Episode.objects.exists()


def _episode_opened_days_ago(days: int) -> Episode:
    """An episode at triage whose referral and first moves were recorded `days` ago."""
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    episode = Episode.objects.create(patient=PatientFactory(), opened_by=coordinator,
                                     state=State.TRIAGE, **REFERRAL.__dict__)
    then = timezone.now() - datetime.timedelta(days=days)
    for state in (State.REFERRAL_RECEIVED, State.TRIAGE):
        EpisodeStatus.objects.create(episode=episode, state=state, at=then, by=coordinator)
    return episode


@pytest.mark.django_db
def test_a_move_dated_on_an_earlier_day_keeps_that_day_and_the_history_in_order(sites):
    episode = _episode_opened_days_ago(10)
    day = timezone.localdate() - datetime.timedelta(days=5)
    episode_transition(episode=episode, event=Event.ACCEPT, reason="Focal CD", on=day,
                       actor=actor(Role.NEUROLOGIST))
    statuses = list(EpisodeStatus.objects.filter(episode=episode))
    assert statuses[-1].state == State.WORK_UP
    assert timezone.localdate(statuses[-1].at) == day
    assert [s.at for s in statuses] == sorted(s.at for s in statuses)
    audited = AuditEvent.objects.filter(object_type="episode", action=AuditAction.UPDATE)
    assert audited.order_by("id").last().details["on"] == str(day)
    # The next move cannot be dated before this one.
    with pytest.raises(ValidationError) as refused:
        episode_transition(episode=episode, event=Event.COMPLETE_WORK_UP,
                           on=day - datetime.timedelta(days=1), actor=actor(Role.NEUROLOGIST))
    assert "cannot be before the episode's previous step" in _refusal(refused)["moved_on"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "words"), [
    (1, "must be today or in the past"),
    (-3, "cannot be before the episode's previous step"),
])
def test_a_move_dated_in_the_future_or_before_the_previous_step_is_refused(sites, days, words):
    episode = episode_at(State.TRIAGE)
    with pytest.raises(ValidationError) as refused:
        episode_transition(episode=episode, event=Event.ACCEPT, reason="Focal CD",
                           on=datetime.date.today() + datetime.timedelta(days=days),
                           actor=actor(Role.NEUROLOGIST))
    assert list(_refusal(refused)) == ["moved_on"]
    assert words in _refusal(refused)["moved_on"][0]
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE


@pytest.mark.django_db
def test_a_move_dated_before_the_referral_or_the_birth_is_refused(sites):
    episode = episode_at(State.TRIAGE)
    before_referral = REFERRAL.referral_received_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        episode_transition(episode=episode, event=Event.ACCEPT, reason="Focal CD",
                           on=before_referral, actor=actor(Role.NEUROLOGIST))
    assert _refusal(refused) == {"moved_on": [
        "The date of this step cannot be before the date the referral was received "
        "(1 October 2026)"]}
    with pytest.raises(ValidationError, match="before the patient's date of birth"):
        episode_transition(episode=episode, event=Event.ACCEPT, reason="Focal CD",
                           on=datetime.date(1970, 1, 1), actor=actor(Role.NEUROLOGIST))
    assert EpisodeStatus.objects.filter(episode=episode).count() == 2


def _approved(decided_on=datetime.date(2026, 11, 25)):
    """An episode whose funding was approved on `decided_on`, through the MDT services."""
    from collis.mdt import services as mdt
    from collis.mdt.models import FundingStatus
    from collis.mdt.tests.factories import coordinator_actor, decided

    episode = episode_at(State.AWAITING_MDT)
    coordinator = coordinator_actor()
    decided(episode, actor=coordinator)
    episode.refresh_from_db()
    request = mdt.funding_request_create(episode=episode, route="prior_approval",
                                         commissioner="Example ICB", actor=coordinator)
    mdt.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                               reference="PA-1", submitted_on=decided_on, actor=coordinator)
    mdt.funding_request_update(request=request, status=FundingStatus.APPROVED,
                               decided_on=decided_on,
                               expires_on=decided_on + datetime.timedelta(days=180),
                               actor=coordinator)
    episode.refresh_from_db()
    assert episode.state == State.FUNDING_APPROVED
    return episode


def _list(episode, listed_on, site, surgeon=None, who=None):
    return episode_list_for_surgery(
        episode=episode, listed_on=listed_on, priority="soon", listing_site=site,
        surgeon=surgeon or UserFactory(role=Role.NEUROSURGEON),
        actor=who or actor(Role.NEUROSURGEON))


@pytest.mark.django_db
def test_the_listing_date_cannot_be_before_funding_was_approved(sites):
    episode = _approved(decided_on=datetime.date(2026, 11, 25))
    with pytest.raises(ValidationError) as refused:
        _list(episode, datetime.date(2026, 11, 24), sites[0])
    assert _refusal(refused) == {"listed_on": [
        "The date listed cannot be before the date funding was approved (25 November 2026)"]}
    assert Episode.objects.get(pk=episode.pk).listed_on is None
    listed = _list(Episode.objects.get(pk=episode.pk), datetime.date(2026, 11, 25), sites[0])
    assert listed.state == State.LISTED and listed.listed_on == datetime.date(2026, 11, 25)


@pytest.mark.django_db
def test_a_listing_dated_in_the_future_is_refused(sites):
    episode = episode_at(State.FUNDING_APPROVED)
    with pytest.raises(ValidationError) as refused:
        _list(episode, datetime.date.today() + datetime.timedelta(days=1), sites[0])
    assert list(_refusal(refused)) == ["listed_on"]


@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.WITHDRAWN, State.DECLINED, State.DISCHARGED])
def test_an_episode_that_left_the_pathway_is_never_listed(sites, state):
    episode = episode_at(state)
    with pytest.raises(MoveRefused, match="Cannot put on the waiting list while the episode is"):
        _list(episode, datetime.date(2026, 11, 26), sites[0])
    episode.refresh_from_db()
    assert (episode.state, episode.listed_on, episode.listing_site) == (state, None, None)


@pytest.mark.django_db
def test_a_listing_at_another_units_site_or_with_its_surgeon_is_refused(sites):
    from collis.patients.tests.factories import other_unit_site

    elsewhere = other_unit_site()
    their_surgeon = UserFactory(role=Role.NEUROSURGEON, organisation=elsewhere.organisation)
    episode = episode_at(State.FUNDING_APPROVED)
    with pytest.raises(ValidationError) as refused:
        _list(episode, datetime.date(2026, 11, 26), elsewhere, surgeon=their_surgeon)
    assert _refusal(refused) == {"listing_site": ["Choose one of your unit's sites."],
                                 "surgeon": ["Choose a surgeon of your unit."]}
    assert Episode.objects.get(pk=episode.pk).state == State.FUNDING_APPROVED

"""The MDT's reads are scoped to who asks and audit themselves."""

import inspect

import pytest
from django.http import Http404

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent, AuditEventPatient
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State, Task, states_where
from collis.mdt import selectors, services
from collis.mdt.models import Decision, MdtAgendaItem
from collis.mdt.tests.factories import (
    assessment_for,
    coordinator_actor,
    decided,
    episode_at,
    meeting,
)
from collis.patients.tests.factories import other_unit_patient, other_unit_site

pytestmark = pytest.mark.django_db


def _their_staff(role=Role.MDT_COORDINATOR):
    return UserFactory(role=role, organisation=other_unit_site().organisation)


def _their_episode_on(m, state=State.AWAITING_MDT):
    """Another unit's episode on our meeting's agenda: the service refuses that, so it is
    written directly, as data from before the check (or a bug) would be."""
    episode = episode_at(state, patient=other_unit_patient(given_name="Theirs"))
    MdtAgendaItem.objects.create(meeting=m, episode=episode,
                                 created_by=UserFactory(role=Role.MDT_COORDINATOR))
    return episode


@pytest.mark.parametrize("selector", [
    selectors.meeting_list, selectors.meeting_get, selectors.episodes_awaiting_mdt,
    selectors.agenda_item_get, selectors.decision_list, selectors.decision_get_to_correct,
    selectors.decision_letter_get, selectors.funding_list, selectors.funding_get,
    selectors.funding_pdf_get])
def test_every_read_needs_an_actor(selector):
    actor = inspect.signature(selector).parameters["actor"]
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default is inspect.Parameter.empty


def test_the_agenda_shows_only_patients_the_actor_may_see_and_audits_them(sites):
    m = meeting()
    ours = episode_at(State.AWAITING_MDT)
    services.agenda_item_add(meeting=m, episode=ours, actor=coordinator_actor())
    theirs = _their_episode_on(m)
    found = selectors.meeting_get(meeting_id=m.pk, actor=coordinator_actor())
    assert [i.episode for i in found.items.all()] == [ours]
    assert AuditEvent.objects.for_patient(
               ours.patient_id).filter(object_type="mdt_meeting").count() == 1
    assert not AuditEvent.objects.for_patient(
                   theirs.patient_id).filter(object_type="mdt_meeting").exists()
    listed = selectors.meeting_list(actor=coordinator_actor()).get()
    assert listed.item_count == 1


def test_another_units_staff_do_not_see_the_meeting(sites):
    m = meeting()
    services.agenda_item_add(meeting=m, episode=episode_at(State.AWAITING_MDT),
                             actor=coordinator_actor())
    actor = Actor.command_line(_their_staff())
    assert not selectors.meeting_list(actor=actor).exists()
    with pytest.raises(Http404, match="There is no MDT meeting with this number."):
        selectors.meeting_get(meeting_id=m.pk, actor=actor)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_the_chooser_asks_the_pathway_table_and_offers_only_visible_patients(sites):
    m = meeting()
    assert states_where(Task.ADD_TO_MDT_AGENDA) == {State.AWAITING_MDT}
    waiting = episode_at(State.AWAITING_MDT)
    episode_at(State.WORK_UP)
    episode_at(State.AWAITING_MDT, patient=other_unit_patient())
    offered = selectors.episodes_awaiting_mdt(meeting=m, actor=coordinator_actor())
    assert offered == [waiting]
    choice = AuditEvent.objects.get(object_type="mdt_agenda_choice")
    assert list(AuditEventPatient.objects.filter(event=choice)
                .values_list("patient_id", flat=True)) == [waiting.patient_id]


def test_an_agenda_item_of_a_patient_out_of_reach_is_not_found(sites):
    m = meeting()
    theirs = _their_episode_on(m)
    item = MdtAgendaItem.objects.get(episode=theirs)
    with pytest.raises(Http404, match="This meeting has no such agenda item."):
        selectors.agenda_item_get(meeting_id=m.pk, item_id=item.pk, actor=coordinator_actor())
    assert not AuditEvent.objects.for_patient(
                   theirs.patient_id).filter(action=AuditAction.VIEW).exists()


def test_an_agenda_item_audits_the_patient_shown_and_the_item(sites):
    m = meeting()
    episode = episode_at(State.AWAITING_MDT)
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    decided(episode, Decision.OTHER, item=item)
    found = selectors.agenda_item_get(meeting_id=m.pk, item_id=item.pk,
                                      actor=coordinator_actor())
    assert [d.decision for d in found.decisions.all()] == [Decision.OTHER]
    reads = AuditEvent.objects.for_patient(episode.patient_id).filter(action=AuditAction.VIEW)
    assert sorted(reads.values_list("object_type", flat=True)) == ["mdt_agenda_item",
                                                                   "patient"]


def test_the_outcome_letter_and_the_funding_pdf_are_audited_as_downloads(sites):
    episode = episode_at(State.AWAITING_MDT)
    decision = decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    episode.refresh_from_db()
    request = services.funding_request_create(episode=episode, route="prior_approval",
                                              commissioner="ICB", actor=coordinator_actor())
    actor = coordinator_actor()
    selectors.decision_letter_get(episode=episode, decision_id=decision.pk, actor=actor)
    selectors.funding_pdf_get(episode=episode, request_id=request.pk, actor=actor)
    downloads = AuditEvent.objects.for_patient(
                    episode.patient_id).filter(action=AuditAction.DOWNLOAD)
    assert sorted(downloads.values_list("summary", flat=True)) == [
        f"Downloaded the MDT outcome letter of episode {episode.pk}",
        f"Downloaded the funding request of episode {episode.pk}"]


def test_a_decision_or_request_of_another_episode_is_not_found(sites):
    episode = episode_at(State.AWAITING_MDT)
    decision = decided(episode, Decision.SD)
    other = episode_at(State.AWAITING_MDT)
    with pytest.raises(Http404, match="This episode has no such decision."):
        selectors.decision_letter_get(episode=other, decision_id=decision.pk,
                                      actor=coordinator_actor())
    with pytest.raises(Http404, match="This episode has no such funding request."):
        selectors.funding_get(episode=other, request_id=1, actor=coordinator_actor())
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()

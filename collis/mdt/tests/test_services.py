import datetime
import io

import pypdf
import pytest
from django.core.exceptions import ValidationError

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.funding import FundingRefused
from collis.domain.pathway import MoveRefused, State
from collis.mdt import documents, services
from collis.mdt.models import Decision, FundingStatus, MdtDecision
from collis.mdt.presenters import missing_core_roles
from collis.mdt.tests.factories import (
    PLAN,
    assessment_for,
    coordinator_actor,
    decided,
    episode_at,
    meeting,
)
from collis.surgery.models import EpisodeStatus

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(("recommendation", "decision", "agrees"), [
    ("favourable", Decision.SD, True), ("possible", Decision.SD_MYECTOMY, True),
    ("favourable", Decision.CONTINUE_TOXIN, False), ("not_indicated", Decision.REVIEW_TOXIN, True),
    ("not_indicated", Decision.SD, False), ("unfavourable", Decision.GPI_DBS, True),
    ("unfavourable", Decision.SD, False), ("insufficient_information", Decision.OTHER, False),
])
def test_the_agreement_table_says_which_decisions_agree_with_each_recommendation(
        recommendation, decision, agrees):
    assert services.agrees_with_engine(recommendation, decision) is agrees


def test_a_meeting_without_a_physiotherapist_is_warned_about_not_refused(sites):
    people = [UserFactory(role=Role.NEUROLOGIST), UserFactory(role=Role.NEUROSURGEON)]
    m = meeting(attendees=people)
    assert m.attendees.count() == 2
    assert missing_core_roles(m.attendees.all()) == ["physiotherapist"]
    assert AuditEvent.objects.filter(object_type="mdt_meeting",
                                     action=AuditAction.CREATE).exists()


def test_only_episodes_awaiting_the_mdt_join_the_agenda_and_only_once(sites):
    m = meeting()
    waiting, early = episode_at(State.AWAITING_MDT), episode_at(State.WORK_UP)
    item = services.agenda_item_add(meeting=m, episode=waiting, actor=coordinator_actor())
    assert AuditEvent.objects.filter(object_type="mdt_agenda_item", object_id=str(item.pk),
                                     patient_id=waiting.patient_id).exists()
    with pytest.raises(ValidationError, match="already on the agenda"):
        services.agenda_item_add(meeting=m, episode=waiting, actor=coordinator_actor())
    with pytest.raises(MoveRefused, match="that is done while it is at 'Awaiting MDT'"):
        services.agenda_item_add(meeting=m, episode=early, actor=coordinator_actor())


def test_a_meeting_is_held_at_one_of_the_units_own_sites(sites):
    from collis.mdt.models import MdtMeeting
    from collis.patients.tests.factories import other_unit_site

    with pytest.raises(ValidationError) as refused:
        services.meeting_create(held_on=datetime.date(2026, 11, 20), site=other_unit_site(),
                                attendees=[], actor=coordinator_actor())
    assert refused.value.message_dict == {"site": ["Choose one of your unit's sites."]}
    assert not MdtMeeting.objects.exists()


def test_an_episode_of_another_units_patient_never_joins_the_agenda(sites):
    from collis.patients.tests.factories import other_unit_patient

    m = meeting()
    theirs = episode_at(State.AWAITING_MDT, patient=other_unit_patient())
    with pytest.raises(ValidationError, match="a patient of another unit"):
        services.agenda_item_add(meeting=m, episode=theirs, actor=coordinator_actor())
    assert not m.items.exists()


def test_a_decision_agreeing_with_the_engine_is_stored_with_it_and_moves_the_episode(sites):
    episode = episode_at(State.AWAITING_MDT)
    assessment = assessment_for(episode.patient, "favourable")
    record = decided(episode, Decision.SD, assessment=assessment)
    record.refresh_from_db()
    assert record.agrees_with_engine is True
    assert (record.engine_recommendation, record.engine_ruleset) == (
        "favourable", "collis-sd-candidacy/1")
    assert record.planned.get().muscle == "sternocleidomastoid"
    episode.refresh_from_db()
    assert episode.state == State.MDT_DECIDED
    status = EpisodeStatus.objects.filter(episode=episode).last()
    assert status.event == "record_mdt_decision" and "Selective denervation" in status.reason
    assert AuditEvent.objects.filter(object_type="mdt_decision", action=AuditAction.CREATE,
                                     patient_id=episode.patient_id).exists()


def test_a_departure_without_a_reason_is_refused_and_nothing_is_saved(sites):
    episode = episode_at(State.AWAITING_MDT)
    assessment = assessment_for(episode.patient, "favourable")
    with pytest.raises(ValidationError) as error:
        services.mdt_decision_create(episode=episode, decision=Decision.CONTINUE_TOXIN,
                                     discussion="Prefers toxin", assessment=assessment,
                                     actor=coordinator_actor())
    assert "departs from the engine" in error.value.message_dict["departure_reason"][0]
    assert not MdtDecision.objects.exists()
    episode.refresh_from_db()
    assert episode.state == State.AWAITING_MDT


def test_a_departure_with_a_reason_keeps_both_the_decision_and_the_engine(sites):
    episode = episode_at(State.AWAITING_MDT)
    assessment = assessment_for(episode.patient, "favourable")
    record = services.mdt_decision_create(
        episode=episode, decision=Decision.CONTINUE_TOXIN, discussion="Patient prefers toxin",
        assessment=assessment, departure_reason="The patient declines surgery for now",
        actor=coordinator_actor())
    assert record.agrees_with_engine is False
    assert record.engine_recommendation == "favourable"
    assert record.departure_reason == "The patient declines surgery for now"


def test_a_decision_without_an_assessment_is_kept_as_made_without_one(sites):
    episode = episode_at(State.AWAITING_MDT)
    record = decided(episode, Decision.SD)
    assert record.assessment is None and record.agrees_with_engine is None
    assert "without a stored candidacy assessment" in AuditEvent.objects.get(
        object_type="mdt_decision").summary


def test_a_surgical_decision_needs_planned_muscles(sites):
    episode = episode_at(State.AWAITING_MDT)
    with pytest.raises(ValidationError) as error:
        services.mdt_decision_create(episode=episode, decision=Decision.SD, discussion="x",
                                     assessment=None, actor=coordinator_actor())
    assert "planned" in error.value.message_dict


def test_a_role_the_pathway_does_not_allow_rolls_the_decision_back(sites):
    episode = episode_at(State.AWAITING_MDT)
    nurse = coordinator_actor().__class__.command_line(UserFactory(role=Role.NURSE_SPECIALIST))
    with pytest.raises(MoveRefused, match="Your role cannot"):
        decided(episode, Decision.SD, actor=nurse)
    assert not MdtDecision.objects.exists()


def test_a_decision_is_never_changed_and_a_correction_is_a_new_row(sites):
    episode = episode_at(State.AWAITING_MDT)
    first = decided(episode, Decision.SD)
    first.discussion = "edited"
    with pytest.raises(PermissionError):
        first.save()
    episode.refresh_from_db()
    with pytest.raises(ValidationError):
        services.mdt_decision_create(episode=episode, decision=Decision.SD_MYECTOMY,
                                     discussion="Add myectomy", assessment=None,
                                     planned=[services.PlannedRow("sternocleidomastoid",
                                                                  "left", "spinal accessory")],
                                     corrects=first, actor=coordinator_actor())
    second = services.mdt_decision_create(
        episode=episode, decision=Decision.SD_MYECTOMY, discussion="Add myectomy",
        assessment=None, planned=[services.PlannedRow("sternocleidomastoid", "left",
                                                      "spinal accessory")],
        corrects=first, correction_reason="Myectomy was agreed but not written down",
        actor=coordinator_actor())
    assert list(MdtDecision.objects.current()) == [second]
    assert EpisodeStatus.objects.filter(episode=episode, state=State.MDT_DECIDED).count() == 1


def test_the_outcome_letter_names_the_decision_the_planned_muscles_and_the_actions(sites):
    episode = episode_at(State.AWAITING_MDT)
    owner = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Surgeon")
    record = services.mdt_decision_create(
        episode=episode, decision=Decision.SD, discussion="Rotation-dominant, toxin failing",
        assessment=assessment_for(episode.patient),
        planned=[services.PlannedRow(p["muscle"], p["side"], p["target"]) for p in PLAN],
        actions=[services.ActionRow("Request funding", owner, datetime.date(2026, 12, 1))],
        agenda_item=None, actor=coordinator_actor())
    text = pdf_text(documents.outcome_letter_pdf(record))
    assert "Selective denervation" in text
    assert "Sternocleidomastoid" in text and "Splenius capitis" in text
    assert "Request funding" in text and "Sam Surgeon" in text
    assert "Dr Ivo Inkwell" in text


def _funding_request(sites_episode=None):
    episode = sites_episode or episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    episode.refresh_from_db()
    return services.funding_request_create(episode=episode, route="prior_approval",
                                           commissioner="NHS England (demo)",
                                           actor=coordinator_actor())


def test_a_funding_request_is_drawn_up_from_the_favouring_findings_and_the_decision(sites):
    request = _funding_request()
    codes = [e["code"] for e in request.evidence]
    assert codes == ["ROTATION_DOMINANT", "SECONDARY_NON_RESPONSE", "MDT_DECISION"]
    assert [c["code"] for c in request.procedure_codes] == ["A60.6", "Z92.3"]
    text = pdf_text(documents.funding_request_pdf(request))
    assert "A60.6" in text and "Z92.3" in text
    assert "[27] [37]" in text and "[26]" in text and "[24]" in text
    assert "Rotation-dominant cervical dystonia" in text


def test_funding_is_refused_without_a_decision_for_selective_denervation(sites):
    episode = episode_at(State.AWAITING_MDT)
    services.mdt_decision_create(episode=episode, decision=Decision.CONTINUE_TOXIN,
                                 discussion="Toxin", assessment=None,
                                 actor=coordinator_actor())
    episode.refresh_from_db()
    with pytest.raises(ValidationError, match="selective denervation"):
        services.funding_request_create(episode=episode, route="prior_approval",
                                        commissioner="x", actor=coordinator_actor())


def test_submitting_then_approving_moves_the_episode_and_keeps_the_history(sites):
    request = _funding_request()
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="PA-123", submitted_on=datetime.date(2026, 11, 1),
                                    actor=coordinator_actor())
    request.episode.refresh_from_db()
    assert request.episode.state == State.FUNDING_REQUESTED
    services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                    decided_on=datetime.date(2026, 11, 10),
                                    expires_on=datetime.date(2027, 5, 10),
                                    actor=coordinator_actor())
    request.refresh_from_db()
    assert request.status == "approved" and request.reference == "PA-123"
    assert request.episode.state == State.FUNDING_APPROVED
    assert [c.status for c in request.changes.all()] == ["draft", "submitted", "approved"]
    assert AuditEvent.objects.filter(object_type="funding_request",
                                     action=AuditAction.UPDATE).count() == 2


def test_funding_validation_names_each_problem(sites):
    request = _funding_request()
    with pytest.raises(ValidationError) as error:
        services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                        actor=coordinator_actor())
    assert set(error.value.message_dict) == {"reference", "submitted_on"}
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="IFR-9", submitted_on=datetime.date(2026, 11, 5),
                                    actor=coordinator_actor())
    with pytest.raises(ValidationError) as error:
        services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                        decided_on=datetime.date(2026, 11, 1),
                                        expires_on=datetime.date(2026, 10, 1),
                                        actor=coordinator_actor())
    assert "after the date the request was submitted" in error.value.message_dict[
        "decided_on"][0]
    with pytest.raises(ValidationError) as error:
        services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                        decided_on=datetime.date(2026, 11, 6),
                                        expires_on=datetime.date(2026, 11, 6),
                                        actor=coordinator_actor())
    assert "expire after" in error.value.message_dict["expires_on"][0]
    with pytest.raises(ValidationError) as error:
        services.funding_request_update(request=request, status=FundingStatus.DECLINED,
                                        decided_on=datetime.date(2026, 11, 6),
                                        actor=coordinator_actor())
    assert "reason" in error.value.message_dict


def test_declined_funding_needs_a_reason_and_a_new_request_can_follow(sites):
    request = _funding_request()
    actor = coordinator_actor()
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="IFR-1", submitted_on=datetime.date(2026, 11, 5),
                                    actor=actor)
    services.funding_request_update(request=request, status=FundingStatus.DECLINED,
                                    decided_on=datetime.date(2026, 11, 9),
                                    reason="Criteria not met locally", actor=actor)
    request.episode.refresh_from_db()
    assert request.episode.state == State.FUNDING_DECLINED
    again = services.funding_request_create(episode=request.episode, route="prior_approval",
                                            commissioner="ICB", actor=actor)
    assert again.status == "draft"


# --- the pathway and funding tables refuse, whoever calls -------------------------------

def test_a_correction_is_refused_once_the_episode_has_moved_on(sites):
    request = _funding_request()
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="PA-1", submitted_on=datetime.date(2026, 11, 1),
                                    actor=coordinator_actor())
    episode = request.episode
    episode.refresh_from_db()
    with pytest.raises(MoveRefused, match="Cannot correct the MDT decision while the "
                                          "episode is at 'Funding requested'"):
        services.mdt_decision_create(
            episode=episode, decision=Decision.OTHER, discussion="x", assessment=None,
            corrects=request.decision, correction_reason="Wrong", actor=coordinator_actor())


def test_a_role_the_funding_table_does_not_allow_is_refused_before_anything_is_written(sites):
    request = _funding_request()
    surgeon = coordinator_actor().__class__.command_line(UserFactory(role=Role.NEUROSURGEON))
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="PA-1", submitted_on=datetime.date(2026, 11, 1),
                                    actor=surgeon)
    with pytest.raises(FundingRefused, match="Your role cannot record funding approval"):
        services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                        decided_on=datetime.date(2026, 11, 9),
                                        expires_on=datetime.date(2027, 5, 9), actor=surgeon)
    request.refresh_from_db()
    assert request.status == "submitted"
    assert [c.status for c in request.changes.all()] == ["draft", "submitted"]


def test_a_change_not_in_the_funding_table_is_refused_with_what_is_allowed(sites):
    request = _funding_request()
    with pytest.raises(FundingRefused, match="A draft request cannot become approved. It "
                                             "can become submitted."):
        services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                        decided_on=datetime.date(2026, 11, 9),
                                        expires_on=datetime.date(2027, 5, 9),
                                        actor=coordinator_actor())


def test_a_funding_request_is_drawn_up_only_where_the_pathway_allows_it(sites):
    request = _funding_request()
    episode = request.episode
    assert "already has a funding request in progress" in services.funding_request_create_refusal(
        episode=episode, role="mdt_coordinator")
    assert services.funding_request_create_refusal(episode=episode, role="neurologist") == (
        "Your role cannot draw up a funding request.")
    listed = episode_at(State.LISTED)
    with pytest.raises(FundingRefused, match="Cannot draw up a funding request while the "
                                             "episode is at 'Listed for surgery'"):
        services.funding_request_create(episode=listed, route="prior_approval",
                                        commissioner="ICB", actor=coordinator_actor())


def test_only_roles_the_table_allows_put_an_episode_on_the_agenda(sites):
    physio = coordinator_actor().__class__.command_line(UserFactory(role=Role.PHYSIOTHERAPIST))
    with pytest.raises(MoveRefused, match="Your role cannot put the episode on"):
        services.agenda_item_add(meeting=meeting(), episode=episode_at(State.AWAITING_MDT),
                                 actor=physio)


# --- Chronology, the end of the pathway, and the unit's own staff ---------------------------

LEFT_THE_PATHWAY = [State.WITHDRAWN, State.DECLINED, State.DISCHARGED]


def _force(episode, state):
    """Put the episode at `state` as if the pathway had taken it there (a status row)."""
    from collis.surgery.models import Episode

    EpisodeStatus.objects.create(episode=episode, state=state, by=UserFactory(),
                                 reason="set up by a test")
    Episode.objects.filter(pk=episode.pk).update(state=state)
    episode.refresh_from_db()
    return episode


def test_a_meeting_may_be_set_for_a_future_day_but_takes_no_decision_before_it(sites):
    episode = episode_at(State.AWAITING_MDT)
    next_week = datetime.date.today() + datetime.timedelta(days=7)
    m = meeting(held_on=next_week)
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    with pytest.raises(ValidationError) as refused:
        decided(episode, Decision.SD, item=item)
    assert refused.value.message_dict == {"decision": [
        f"An MDT decision cannot be before the date of its meeting "
        f"({next_week.day} {next_week:%B %Y})"]}
    assert not MdtDecision.objects.exists()
    episode.refresh_from_db()
    assert episode.state == State.AWAITING_MDT


def test_a_decision_on_the_day_of_its_meeting_is_recorded(sites):
    episode = episode_at(State.AWAITING_MDT)
    m = meeting(held_on=datetime.date.today())
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    assert decided(episode, Decision.SD, item=item).agenda_item == item


def test_a_meeting_is_attended_by_the_units_own_staff(sites):
    from collis.mdt.models import MdtMeeting
    from collis.patients.tests.factories import other_unit_site

    theirs = UserFactory(role=Role.NEUROLOGIST, organisation=other_unit_site().organisation)
    with pytest.raises(ValidationError) as refused:
        meeting(attendees=[UserFactory(role=Role.NEUROSURGEON), theirs])
    assert refused.value.message_dict == {
        "attendees": ["Choose attendees from your unit's staff."]}
    assert not MdtMeeting.objects.exists()


def test_an_action_owned_by_another_units_staff_is_refused(sites):
    from collis.patients.tests.factories import other_unit_site

    episode = episode_at(State.AWAITING_MDT)
    theirs = UserFactory(role=Role.NEUROLOGIST, organisation=other_unit_site().organisation)
    with pytest.raises(ValidationError) as refused:
        services.mdt_decision_create(
            episode=episode, decision=Decision.CONTINUE_TOXIN, discussion="Toxin for now",
            assessment=None, actor=coordinator_actor(),
            actions=[services.ActionRow("Write to the GP", theirs, datetime.date(2026, 12, 9))])
    assert refused.value.message_dict == {
        "actions": ["Choose the owner of action 1 from the unit's staff"]}
    assert not MdtDecision.objects.exists()


@pytest.mark.parametrize("state", LEFT_THE_PATHWAY)
def test_no_decision_is_recorded_for_an_episode_that_left_the_pathway(sites, state):
    episode = _force(episode_at(State.AWAITING_MDT), state)
    with pytest.raises(MoveRefused, match="Cannot record the MDT decision while the episode"):
        decided(episode, Decision.SD)
    assert not MdtDecision.objects.exists()
    assert episode.statuses.last().state == state


@pytest.mark.parametrize("state", LEFT_THE_PATHWAY)
def test_no_funding_request_is_drawn_up_for_an_episode_that_left_the_pathway(sites, state):
    from collis.mdt.models import FundingRequest

    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD)
    _force(episode, state)
    with pytest.raises(FundingRefused, match="Cannot draw up a funding request while"):
        services.funding_request_create(episode=episode, route="prior_approval",
                                        commissioner="ICB", actor=coordinator_actor())
    assert not FundingRequest.objects.exists()
    assert services.funding_request_create_refusal(episode=episode, role=Role.MDT_COORDINATOR)


@pytest.mark.parametrize("state", LEFT_THE_PATHWAY)
@pytest.mark.parametrize(("status", "fields"), [
    (FundingStatus.SUBMITTED, {"reference": "PA-1",
                               "submitted_on": datetime.date(2026, 11, 22)}),
    (FundingStatus.APPROVED, {"decided_on": datetime.date(2026, 11, 25),
                              "expires_on": datetime.date(2027, 5, 25)}),
])
def test_no_funding_request_changes_once_the_episode_left_the_pathway(sites, state, status,
                                                                      fields):
    request = _funding_request()
    if status == FundingStatus.APPROVED:
        services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                        reference="PA-1", submitted_on=datetime.date(2026, 11, 22),
                                        actor=coordinator_actor())
    _force(request.episode, state)
    before = request.changes.count()
    with pytest.raises(FundingRefused, match="while the episode is at"):
        services.funding_request_update(request=request, status=status,
                                        actor=coordinator_actor(), **fields)
    assert request.changes.count() == before
    request.refresh_from_db()
    assert request.status != status


def test_funding_dates_in_the_future_or_before_the_meeting_are_refused_naming_the_field(sites):
    episode = episode_at(State.AWAITING_MDT)
    m = meeting(held_on=datetime.date(2026, 11, 20))
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    decided(episode, Decision.SD, item=item)
    episode.refresh_from_db()
    request = services.funding_request_create(episode=episode, route="prior_approval",
                                              commissioner="ICB", actor=coordinator_actor())
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    for submitted_on, words in [
            (tomorrow, "The date the request was submitted must be today or in the past"),
            (datetime.date(2026, 11, 19), "The date the request was submitted cannot be "
                                          "before the MDT decision (20 November 2026)")]:
        with pytest.raises(ValidationError) as refused:
            services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                            reference="PA-1", submitted_on=submitted_on,
                                            actor=coordinator_actor())
        assert refused.value.message_dict == {"submitted_on": [words]}
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference="PA-1", submitted_on=datetime.date(2026, 11, 20),
                                    actor=coordinator_actor())
    with pytest.raises(ValidationError) as refused:
        services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                        decided_on=tomorrow,
                                        expires_on=tomorrow + datetime.timedelta(days=180),
                                        actor=coordinator_actor())
    assert refused.value.message_dict == {
        "decided_on": ["The date of the decision must be today or in the past"]}
    request.refresh_from_db()
    assert request.status == FundingStatus.SUBMITTED

"""Pages of the MDT: meetings and their agendas, the decision for each agenda item, an
episode's decisions with their outcome letters, and funding requests. Meetings and agenda
items are read through the MDT's selectors, scoped to the user's unit; an episode's pages
read the patient through `patient_get` and the episode through `episode_get`. The selectors
audit what they read."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.candidacy.presenters import AssessmentPresenter
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.pdf import pdf_response
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.candidacy.plan import merge_plan_rows
from collis.domain.funding import funding_targets, funding_targets_open
from collis.domain.pathway import Event, MoveRefused, Task, states_where
from collis.mdt import documents, presenters, selectors, services
from collis.mdt.forms import (
    AgendaAddForm,
    CorrectionForm,
    DecisionForm,
    FundingCreateForm,
    FundingUpdateForm,
    MeetingForm,
)
from collis.mdt.models import FundingStatus
from collis.patients.presenters import PatientPresenter
from collis.patients.selectors import patient_get
from collis.surgery.presenters import episode_crumbs
from collis.surgery.selectors import episode_get, role_of, step_open

HOME = {"text": "Home", "href": "/"}
# Where a service's error about the planned rows shows: on the first muscle of the plan.
DECISION_FIELDS = {"planned": "muscle_1"}


def _meetings_crumb():
    return {"text": "MDT meetings", "href": reverse("mdt:meeting_list")}


def _meeting_crumb(meeting):
    return {"text": f"{meeting.held_on:%-d %B %Y}",
            "href": reverse("mdt:meeting_detail", args=[meeting.pk])}


def _episode(request, patient_id, episode_id):
    """The patient and their episode, both scoped to the user and audited (404 otherwise)."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    return patient, episode_get(patient=patient, episode_id=episode_id, actor=actor)


def _refusals_shown(save):
    """Run a service for `form_submit`: a move the pathway (or the funding table) refuses
    becomes an error on the form as a whole, in the table's words."""

    def run(data):
        try:
            return save(data)
        except MoveRefused as refused:
            raise ValidationError(str(refused)) from refused

    return run


# --- Meetings ---------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def meeting_list(request):
    return render(request, "mdt/meeting_list.jinja", {
        "title": "MDT meetings",
        "meetings": selectors.meeting_list(actor=Actor.from_request(request)),
        "can_create": can(request.user, Capability.MDT_RECORD),
        "breadcrumbs": [HOME, {"text": "MDT meetings", "href": ""}],
    })


@require(Capability.MDT_RECORD)
@methods("GET", "POST")
def meeting_create(request):
    form = MeetingForm(request.POST if request.method == "POST" else None,
                       user=request.user)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.meeting_create(
                held_on=data["held_on"], site=data["site"], attendees=list(data["attendees"]),
                actor=Actor.from_request(request)),
            redirect_to=lambda meeting: reverse("mdt:meeting_detail", args=[meeting.pk]),
            message="The meeting is created. Add episodes to its agenda.")
        if response:
            return response
    return render(request, "mdt/meeting_form.jinja", {
        "title": "Create an MDT meeting", "form": form,
        "breadcrumbs": [HOME, _meetings_crumb(), {"text": "Create a meeting", "href": ""}],
    })


def _meeting_page(request, meeting, agenda_form=None, status=200):
    """The meeting (from `selectors.meeting_get`) with its agenda, and the chooser of
    episodes to add for a user who may record."""
    can_record = can(request.user, Capability.MDT_RECORD)
    if can_record and agenda_form is None:
        agenda_form = AgendaAddForm(episodes=selectors.episodes_awaiting_mdt(
            meeting=meeting, actor=Actor.from_request(request)))
    attendees = sorted(meeting.attendees.all(), key=lambda u: (u.role, u.last_name))
    return render(request, "mdt/meeting_detail.jinja", {
        "title": f"MDT meeting, {meeting.held_on:%-d %B %Y}", "meeting": meeting,
        "attendees": attendees, "missing_roles": presenters.missing_core_roles(attendees),
        "items": list(meeting.items.all()), "agenda_form": agenda_form,
        "can_record": can_record,
        "breadcrumbs": [HOME, _meetings_crumb(), {"text": f"{meeting.held_on:%-d %B %Y}",
                                                  "href": ""}],
    }, status=status)


@require(Capability.RECORD_VIEW)
def meeting_detail(request, meeting_id):
    meeting = selectors.meeting_get(meeting_id=meeting_id, actor=Actor.from_request(request))
    return _meeting_page(request, meeting)


@require(Capability.MDT_RECORD)
@methods("POST")
def agenda_add(request, meeting_id):
    actor = Actor.from_request(request)
    meeting = selectors.meeting_get(meeting_id=meeting_id, actor=actor)
    form = AgendaAddForm(request.POST, episodes=selectors.episodes_awaiting_mdt(
        meeting=meeting, actor=actor))
    response = form_submit(
        request, form,
        _refusals_shown(lambda data: services.agenda_item_add(
            meeting=meeting, episode=data["episode"], actor=actor)),
        redirect_to=reverse("mdt:meeting_detail", args=[meeting.pk]),
        message="The episode is on the agenda.")
    return response or _meeting_page(request, meeting, agenda_form=form, status=400)


@require(Capability.MDT_RECORD)
@methods("POST")
def agenda_fill(request, meeting_id):
    """Put every episode awaiting the MDT on the agenda at once (the agenda from the
    pathway); a refusal is said on the meeting's page and nothing is added."""
    actor = Actor.from_request(request)
    meeting = selectors.meeting_get(meeting_id=meeting_id, actor=actor)
    episodes = selectors.episodes_awaiting_mdt(meeting=meeting, actor=actor)
    try:
        added = services.agenda_fill(meeting=meeting, episodes=episodes, actor=actor)
    except (ValidationError, MoveRefused) as refused:
        words = " ".join(getattr(refused, "messages", [str(refused)]))
        messages.error(request, f"Nothing was added: {words}")
    else:
        messages.success(request, f"{added} episode{'s' if added != 1 else ''} awaiting the "
                                  f"MDT {'are' if added != 1 else 'is'} on the agenda.")
    return redirect(reverse("mdt:meeting_detail", args=[meeting.pk]))


@require(Capability.RECORD_VIEW)
@methods("GET", "POST")
def agenda_item(request, meeting_id, item_id):
    """The episode's stored candidacy assessment, its decisions, and the decision form."""
    actor = Actor.from_request(request)
    item = selectors.agenda_item_get(meeting_id=meeting_id, item_id=item_id, actor=actor)
    episode, patient = item.episode, item.episode.patient
    assessment = selectors.latest_assessment(patient)
    can_record = can(request.user, Capability.MDT_RECORD)
    too_early = services.meeting_decision_refusal(item.meeting)
    form = None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("Your role cannot record an MDT decision.")
        form = DecisionForm(request.POST, user=request.user)
        response = form_submit(
            request, form,
            _refusals_shown(lambda data: services.mdt_decision_create(
                episode=episode, decision=data["decision"], discussion=data["discussion"],
                assessment=assessment, departure_reason=data["departure_reason"],
                planned=data["planned"], actions=data["actions"], agenda_item=item,
                actor=actor)),
            redirect_to=reverse("mdt:episode_decisions", args=[patient.pk, episode.pk]),
            message="The MDT decision is recorded.", field_for=DECISION_FIELDS)
        if response:
            return response
    elif can_record and step_open(episode=episode, step=Event.RECORD_MDT_DECISION,
                                  user=request.user) and not too_early:
        plan = assessment.result.get("denervation_plan", []) if assessment else []
        # One muscle on two sides is one row, even in a plan stored by an older ruleset.
        form = DecisionForm(initial=DecisionForm.initial_from_plan(merge_plan_rows(plan)),
                            user=request.user)
    return render(request, "mdt/agenda_item.jinja", {
        "title": f"MDT: episode {episode.pk}", "item": item, "meeting": item.meeting,
        "episode": episode, "patient": patient, "form": form,
        "decisions": list(item.decisions.all()),
        "assessment": AssessmentPresenter(assessment) if assessment else None,
        "agreeing_labels": presenters.agreeing_labels(assessment.recommendation)
        if assessment else [], "presenters": presenters,
        "can_assess": can(request.user, Capability.CANDIDACY_ASSESS),
        "too_early": too_early,
        # Whether the episode is where the pathway table takes an MDT decision.
        "awaiting_decision": episode.state in states_where(Event.RECORD_MDT_DECISION),
        "breadcrumbs": [HOME, _meetings_crumb(), _meeting_crumb(item.meeting),
                        {"text": PatientPresenter(patient).name, "href": ""}],
    }, status=400 if form is not None and form.errors else 200)


# --- An episode's decisions and letters -------------------------------------------------

@require(Capability.RECORD_VIEW)
def episode_decisions(request, patient_id, episode_id):
    patient, episode = _episode(request, patient_id, episode_id)
    decisions = selectors.decision_list(episode=episode, actor=Actor.from_request(request))
    return render(request, "mdt/episode_decisions.jinja", {
        "title": f"MDT decisions, episode {episode.pk}", "patient": patient, "episode": episode,
        "decisions": decisions, "presenters": presenters,
        "can_correct": can(request.user, Capability.MDT_RECORD)
        and step_open(episode=episode, step=Task.CORRECT_MDT_DECISION, user=request.user),
        "breadcrumbs": episode_crumbs(episode, {"text": "MDT decisions", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def decision_letter(request, patient_id, episode_id, decision_id):
    patient, episode = _episode(request, patient_id, episode_id)
    decision = selectors.decision_letter_get(episode=episode, decision_id=decision_id,
                                             actor=Actor.from_request(request))
    return pdf_response(documents.outcome_letter_pdf(decision),
                        f"mdt-outcome-{patient.nhs_number}-{decision.pk}.pdf")


@require(Capability.MDT_RECORD)
@methods("GET", "POST")
def decision_correct(request, patient_id, episode_id, decision_id):
    """Record a correction of the episode's current decision, as a new decision."""
    patient, episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    original = selectors.decision_get_to_correct(episode=episode, decision_id=decision_id,
                                                 actor=actor)
    assessment = original.assessment
    if request.method == "POST":
        form = CorrectionForm(request.POST, user=request.user)
        response = form_submit(
            request, form,
            _refusals_shown(lambda data: services.mdt_decision_create(
                episode=episode, decision=data["decision"], discussion=data["discussion"],
                assessment=assessment, departure_reason=data["departure_reason"],
                planned=data["planned"], actions=data["actions"],
                agenda_item=original.agenda_item, corrects=original,
                correction_reason=data["correction_reason"], actor=actor)),
            redirect_to=reverse("mdt:episode_decisions", args=[patient.pk, episode.pk]),
            message="The correction is recorded.", field_for=DECISION_FIELDS)
        if response:
            return response
    else:
        initial = {"decision": original.decision, "discussion": original.discussion,
                   "departure_reason": original.departure_reason}
        initial |= DecisionForm.initial_from_plan(
            [{"muscle": p.muscle, "side": p.side, "target": p.target}
             for p in original.planned.all()])
        form = CorrectionForm(initial=initial, user=request.user)
    return render(request, "mdt/decision_correct.jinja", {
        "title": "Correct the MDT decision", "patient": patient, "episode": episode,
        "original": original, "form": form, "presenters": presenters,
        "assessment": AssessmentPresenter(assessment) if assessment else None,
        "breadcrumbs": episode_crumbs(episode, {
            "text": "MDT decisions",
            "href": reverse("mdt:episode_decisions", args=[patient.pk, episode.pk])},
            {"text": "Correct", "href": ""}),
    }, status=400 if form.errors else 200)


# --- Funding ----------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def funding(request, patient_id, episode_id):
    patient, episode = _episode(request, patient_id, episode_id)
    requests = selectors.funding_list(episode=episode, actor=Actor.from_request(request))
    decision = selectors.current_decision(episode)
    return render(request, "mdt/funding.jinja", {
        "title": f"Funding requests, episode {episode.pk}", "patient": patient,
        "episode": episode, "requests": requests, "decision": decision,
        "can_request": can(request.user, Capability.FUNDING_RECORD)
        and not services.funding_request_create_refusal(episode=episode,
                                                        role=role_of(request.user)),
        "breadcrumbs": episode_crumbs(episode, {"text": "Funding", "href": ""}),
    })


@require(Capability.FUNDING_RECORD)
@methods("GET", "POST")
def funding_new(request, patient_id, episode_id):
    patient, episode = _episode(request, patient_id, episode_id)
    form = FundingCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            _refusals_shown(lambda data: services.funding_request_create(
                episode=episode, route=data["route"], commissioner=data["commissioner"],
                actor=Actor.from_request(request))),
            redirect_to=lambda funding_request: reverse(
                "mdt:funding_detail", args=[patient.pk, episode.pk, funding_request.pk]),
            message="The funding request is drawn up from the record. "
                    "Check it, then record when it is submitted.")
        if response:
            return response
    return render(request, "mdt/funding_new.jinja", {
        "title": "Request funding", "patient": patient, "episode": episode, "form": form,
        "breadcrumbs": episode_crumbs(episode, {
            "text": "Funding", "href": reverse("mdt:funding", args=[patient.pk, episode.pk])},
            {"text": "Request funding", "href": ""}),
    }, status=400 if form.errors else 200)


@require(Capability.RECORD_VIEW)
@methods("GET", "POST")
def funding_detail(request, patient_id, episode_id, request_id):
    patient, episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    funding_request = selectors.funding_get(episode=episode, request_id=request_id,
                                            actor=actor)
    has_page = can(request.user, Capability.FUNDING_RECORD)
    # The page offers the changes open to the user now; a POST of any change the funding
    # table has from this status goes to the service, which refuses with its message.
    offered = [FundingStatus(s) for s in funding_targets_open(
        funding_request.status, role_of(request.user), episode.state)] if has_page else []
    form = None
    if request.method == "POST":
        reachable = [FundingStatus(s) for s in funding_targets(funding_request.status)]
        if not has_page or not reachable:
            raise PermissionDenied("Your role cannot change this funding request.")
        form = FundingUpdateForm(request.POST, statuses=reachable)
        response = form_submit(
            request, form,
            _refusals_shown(lambda data: services.funding_request_update(
                request=funding_request, status=data["status"], actor=actor,
                reference=data["reference"], submitted_on=data["submitted_on"],
                decided_on=data["decided_on"], expires_on=data["expires_on"],
                reason=data["reason"])),
            redirect_to=reverse("mdt:funding_detail",
                                args=[patient.pk, episode.pk, funding_request.pk]),
            message="The funding request is updated.")
        if response:
            return response
    elif offered:
        form = FundingUpdateForm(statuses=offered)
    return render(request, "mdt/funding_detail.jinja", {
        "title": "Funding request", "patient": patient, "episode": episode,
        "funding_request": funding_request, "form": form, "presenters": presenters,
        "decision": funding_request.decision, "case": presenters.FundingCase(funding_request),
        "breadcrumbs": episode_crumbs(episode, {
            "text": "Funding", "href": reverse("mdt:funding", args=[patient.pk, episode.pk])},
            {"text": "Funding request", "href": ""}),
    }, status=400 if form is not None and form.errors else 200)


@require(Capability.RECORD_VIEW)
def funding_pdf(request, patient_id, episode_id, request_id):
    patient, episode = _episode(request, patient_id, episode_id)
    funding_request = selectors.funding_pdf_get(episode=episode, request_id=request_id,
                                                actor=Actor.from_request(request))
    return pdf_response(documents.funding_request_pdf(funding_request),
                        f"funding-request-{patient.nhs_number}-{funding_request.pk}.pdf")

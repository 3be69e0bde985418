"""Pages of the MDT: meetings and their agendas, the decision for each agenda item, an
episode's decisions with their outcome letters, and funding requests."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from collis.candidacy.presenters import AssessmentPresenter
from collis.core.audit import Actor
from collis.core.models import AuditAction
from collis.core.pdf import pdf_response
from collis.core.permissions import require
from collis.core.roles import Capability, can
from collis.domain.pathway import MoveRefused, State
from collis.mdt import documents, presenters, selectors, services
from collis.mdt.forms import (
    AgendaAddForm,
    CorrectionForm,
    DecisionForm,
    FundingCreateForm,
    FundingUpdateForm,
)
from collis.mdt.models import FundingRequest, MdtAgendaItem, MdtDecision, MdtMeeting
from collis.patients.models import Patient
from collis.patients.presenters import PatientPresenter
from collis.surgery.models import Episode
from collis.surgery.presenters import episode_crumbs

HOME = {"text": "Home", "href": "/"}


def _meetings_crumb():
    return {"text": "MDT meetings", "href": reverse("mdt:meeting_list")}


def _meeting_crumb(meeting):
    return {"text": f"{meeting.held_on:%-d %B %Y}",
            "href": reverse("mdt:meeting_detail", args=[meeting.pk])}



def _episode_crumbs(patient, episode, *tail):
    return episode_crumbs(episode, *tail)

def _episode(patient_id, episode_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    try:
        return patient, selectors.episode_get(patient=patient, episode_id=episode_id)
    except Episode.DoesNotExist:
        raise Http404("This patient has no pathway episode with this number.") from None


def _apply_errors(form, error: ValidationError, field_for: dict | None = None):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = (field_for or {}).get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- Meetings ---------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def meeting_list(request):
    return render(request, "mdt/meeting_list.jinja", {
        "title": "MDT meetings", "meetings": selectors.meeting_list(),
        "can_create": can(request.user, Capability.MDT_RECORD),
        "breadcrumbs": [HOME, {"text": "MDT meetings", "href": ""}],
    })


@require(Capability.MDT_RECORD)
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    from collis.mdt.forms import MeetingForm

    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(
            held_on=form.cleaned_data["held_on"], site=form.cleaned_data["site"],
            attendees=list(form.cleaned_data["attendees"]), actor=Actor.from_request(request))
        messages.success(request, "The meeting is created. Add episodes to its agenda.")
        return redirect("mdt:meeting_detail", meeting_id=meeting.pk)
    return render(request, "mdt/meeting_form.jinja", {
        "title": "Create an MDT meeting", "form": form,
        "breadcrumbs": [HOME, _meetings_crumb(), {"text": "Create a meeting", "href": ""}],
    })


def _meeting_page(request, meeting_id, agenda_form=None, status=200):
    try:
        meeting = selectors.meeting_get(meeting_id=meeting_id, actor=Actor.from_request(request))
    except MdtMeeting.DoesNotExist:
        raise Http404("There is no MDT meeting with this number.") from None
    can_record = can(request.user, Capability.MDT_RECORD)
    if can_record and agenda_form is None:
        agenda_form = AgendaAddForm(episodes=selectors.episodes_awaiting_mdt(
            meeting, actor=Actor.from_request(request)))
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
    return _meeting_page(request, meeting_id)


@require(Capability.MDT_RECORD)
@require_POST
def agenda_add(request, meeting_id):
    meeting = get_object_or_404(MdtMeeting, pk=meeting_id)
    form = AgendaAddForm(request.POST, episodes=selectors.episodes_awaiting_mdt(meeting))
    if form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, episode=form.cleaned_data["episode"],
                                     actor=Actor.from_request(request))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The episode is on the agenda.")
            return redirect("mdt:meeting_detail", meeting_id=meeting.pk)
    return _meeting_page(request, meeting_id, agenda_form=form, status=400)


@require(Capability.RECORD_VIEW)
@require_http_methods(["GET", "POST"])
def agenda_item(request, meeting_id, item_id):
    """The episode's stored candidacy assessment, its decisions, and the decision form."""
    actor = Actor.from_request(request)
    try:
        item = selectors.agenda_item_get(meeting_id=meeting_id, item_id=item_id, actor=actor)
    except MdtAgendaItem.DoesNotExist:
        raise Http404("This meeting has no such agenda item.") from None
    episode, patient = item.episode, item.episode.patient
    assessment = selectors.latest_assessment(patient)
    can_record = can(request.user, Capability.MDT_RECORD)
    form = None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("Your role cannot record an MDT decision.")
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.mdt_decision_record(
                    episode=episode, decision=data["decision"], discussion=data["discussion"],
                    assessment=assessment, departure_reason=data["departure_reason"],
                    planned=data["planned"], actions=data["actions"], agenda_item=item,
                    actor=actor)
            except ValidationError as error:
                _apply_errors(form, error, {"planned": "muscle_1"})
            except MoveRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The MDT decision is recorded.")
                return redirect("mdt:episode_decisions", patient_id=patient.pk,
                                episode_id=episode.pk)
    elif can_record and episode.state == State.AWAITING_MDT:
        plan = assessment.result.get("denervation_plan", []) if assessment else []
        form = DecisionForm(initial=DecisionForm.initial_from_plan(plan))
    decisions = list(item.decisions.select_related("recorded_by").order_by("-recorded_at"))
    return render(request, "mdt/agenda_item.jinja", {
        "title": f"MDT: episode {episode.pk}", "item": item, "meeting": item.meeting,
        "episode": episode, "patient": patient, "form": form, "decisions": decisions,
        "assessment": AssessmentPresenter(assessment) if assessment else None,
        "agreeing_labels": presenters.agreeing_labels(assessment.recommendation)
        if assessment else [], "presenters": presenters,
        "can_assess": can(request.user, Capability.CANDIDACY_ASSESS),
        "breadcrumbs": [HOME, _meetings_crumb(), _meeting_crumb(item.meeting),
                        {"text": PatientPresenter(patient).name, "href": ""}],
    }, status=400 if form is not None and form.errors else 200)


# --- An episode's decisions and letters -------------------------------------------------

@require(Capability.RECORD_VIEW)
def episode_decisions(request, patient_id, episode_id):
    patient, episode = _episode(patient_id, episode_id)
    decisions = selectors.decision_list(episode=episode, actor=Actor.from_request(request))
    return render(request, "mdt/episode_decisions.jinja", {
        "title": f"MDT decisions, episode {episode.pk}", "patient": patient, "episode": episode,
        "decisions": decisions, "presenters": presenters,
        "can_correct": can(request.user, Capability.MDT_RECORD)
        and episode.state == State.MDT_DECIDED,
        "breadcrumbs": _episode_crumbs(patient, episode, {"text": "MDT decisions",
                                                          "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def decision_letter(request, patient_id, episode_id, decision_id):
    patient, episode = _episode(patient_id, episode_id)
    try:
        decision = selectors.decision_get(episode=episode, decision_id=decision_id)
    except MdtDecision.DoesNotExist:
        raise Http404("This episode has no such decision.") from None
    data = documents.outcome_letter_pdf(decision)
    selectors.audit_view(actor=Actor.from_request(request), action=AuditAction.DOWNLOAD,
                         object_type="mdt_decision", object_id=decision.pk,
                         patient_id=patient.pk,
                         summary=f"Downloaded the MDT outcome letter of episode {episode.pk}")
    return pdf_response(data, f"mdt-outcome-{patient.nhs_number}-{decision.pk}.pdf")


@require(Capability.MDT_RECORD)
@require_http_methods(["GET", "POST"])
def decision_correct(request, patient_id, episode_id, decision_id):
    """Record a correction of the episode's current decision, as a new decision."""
    patient, episode = _episode(patient_id, episode_id)
    try:
        original = selectors.decision_get(episode=episode, decision_id=decision_id)
    except MdtDecision.DoesNotExist:
        raise Http404("This episode has no such decision.") from None
    actor = Actor.from_request(request)
    assessment = original.assessment
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.mdt_decision_record(
                    episode=episode, decision=data["decision"], discussion=data["discussion"],
                    assessment=assessment, departure_reason=data["departure_reason"],
                    planned=data["planned"], actions=data["actions"],
                    agenda_item=original.agenda_item, corrects=original,
                    correction_reason=data["correction_reason"], actor=actor)
            except ValidationError as error:
                _apply_errors(form, error, {"planned": "muscle_1", "corrects": None})
            else:
                messages.success(request, "The correction is recorded.")
                return redirect("mdt:episode_decisions", patient_id=patient.pk,
                                episode_id=episode.pk)
    else:
        initial = {"decision": original.decision, "discussion": original.discussion,
                   "departure_reason": original.departure_reason}
        initial |= DecisionForm.initial_from_plan(
            [{"muscle": p.muscle, "side": p.side, "target": p.target}
             for p in original.planned.all()])
        form = CorrectionForm(initial=initial)
    selectors.audit_view(actor=actor, object_type="mdt_decision", object_id=original.pk,
                         patient_id=patient.pk,
                         summary=f"Opened the MDT decision of episode {episode.pk} to correct it")
    return render(request, "mdt/decision_correct.jinja", {
        "title": "Correct the MDT decision", "patient": patient, "episode": episode,
        "original": original, "form": form, "presenters": presenters,
        "assessment": AssessmentPresenter(assessment) if assessment else None,
        "breadcrumbs": _episode_crumbs(patient, episode, {
            "text": "MDT decisions",
            "href": reverse("mdt:episode_decisions", args=[patient.pk, episode.pk])},
            {"text": "Correct", "href": ""}),
    }, status=400 if form.errors else 200)


# --- Funding ----------------------------------------------------------------------------

def _can_request_funding(user, episode, decision) -> bool:
    return (can(user, Capability.FUNDING_RECORD) and decision is not None
            and decision.is_surgical
            and episode.state in (State.MDT_DECIDED, State.FUNDING_DECLINED))


@require(Capability.RECORD_VIEW)
def funding(request, patient_id, episode_id):
    patient, episode = _episode(patient_id, episode_id)
    requests = selectors.funding_list(episode=episode, actor=Actor.from_request(request))
    decision = selectors.current_decision(episode)
    return render(request, "mdt/funding.jinja", {
        "title": f"Funding requests, episode {episode.pk}", "patient": patient,
        "episode": episode, "requests": requests, "decision": decision,
        "can_request": _can_request_funding(request.user, episode, decision)
        and not any(r.status in ("draft", "submitted") for r in requests),
        "breadcrumbs": _episode_crumbs(patient, episode, {"text": "Funding", "href": ""}),
    })


@require(Capability.FUNDING_RECORD)
@require_http_methods(["GET", "POST"])
def funding_new(request, patient_id, episode_id):
    patient, episode = _episode(patient_id, episode_id)
    form = FundingCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            funding_request = services.funding_request_create(
                episode=episode, route=form.cleaned_data["route"],
                commissioner=form.cleaned_data["commissioner"],
                actor=Actor.from_request(request))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The funding request is drawn up from the record. "
                                      "Check it, then record when it is submitted.")
            return redirect("mdt:funding_detail", patient_id=patient.pk, episode_id=episode.pk,
                            request_id=funding_request.pk)
    return render(request, "mdt/funding_new.jinja", {
        "title": "Request funding", "patient": patient, "episode": episode, "form": form,
        "breadcrumbs": _episode_crumbs(patient, episode, {
            "text": "Funding", "href": reverse("mdt:funding", args=[patient.pk, episode.pk])},
            {"text": "Request funding", "href": ""}),
    }, status=400 if form.errors else 200)


@require(Capability.RECORD_VIEW)
@require_http_methods(["GET", "POST"])
def funding_detail(request, patient_id, episode_id, request_id):
    patient, episode = _episode(patient_id, episode_id)
    actor = Actor.from_request(request)
    try:
        funding_request = selectors.funding_get(episode=episode, request_id=request_id)
    except FundingRequest.DoesNotExist:
        raise Http404("This episode has no such funding request.") from None
    statuses = services.NEXT_STATUSES[funding_request.status]
    can_update = can(request.user, Capability.FUNDING_RECORD) and bool(statuses)
    form = None
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied("Your role cannot change this funding request.")
        form = FundingUpdateForm(request.POST, statuses=statuses)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.funding_request_update(
                    request=funding_request, status=data["status"], actor=actor,
                    reference=data["reference"], submitted_on=data["submitted_on"],
                    decided_on=data["decided_on"], expires_on=data["expires_on"],
                    reason=data["reason"])
            except ValidationError as error:
                _apply_errors(form, error)
            except MoveRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The funding request is updated.")
                return redirect("mdt:funding_detail", patient_id=patient.pk,
                                episode_id=episode.pk, request_id=funding_request.pk)
    elif can_update:
        form = FundingUpdateForm(statuses=statuses)
    selectors.audit_view(actor=actor, object_type="funding_request",
                         object_id=funding_request.pk, patient_id=patient.pk,
                         summary=f"Viewed a funding request of episode {episode.pk}")
    return render(request, "mdt/funding_detail.jinja", {
        "title": "Funding request", "patient": patient, "episode": episode,
        "funding_request": funding_request, "form": form, "presenters": presenters,
        "decision": funding_request.decision,
        "breadcrumbs": _episode_crumbs(patient, episode, {
            "text": "Funding", "href": reverse("mdt:funding", args=[patient.pk, episode.pk])},
            {"text": "Funding request", "href": ""}),
    }, status=400 if form is not None and form.errors else 200)


@require(Capability.RECORD_VIEW)
def funding_pdf(request, patient_id, episode_id, request_id):
    patient, episode = _episode(patient_id, episode_id)
    try:
        funding_request = selectors.funding_get(episode=episode, request_id=request_id)
    except FundingRequest.DoesNotExist:
        raise Http404("This episode has no such funding request.") from None
    data = documents.funding_request_pdf(funding_request)
    selectors.audit_view(actor=Actor.from_request(request), action=AuditAction.DOWNLOAD,
                         object_type="funding_request", object_id=funding_request.pk,
                         patient_id=patient.pk,
                         summary=f"Downloaded the funding request of episode {episode.pk}")
    return pdf_response(data, f"funding-request-{patient.nhs_number}-{funding_request.pk}.pdf")

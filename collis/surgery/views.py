"""Pages of the pathway: a patient's episodes, a referral, an episode with its history,
work-up and next steps, generic moves, listing, the waiting list and worklists. The patient
is read through `patient_get` and the episode through `episode_get`, both scoped to the
user's unit and audited."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.pathway import MOVE_BY_EVENT, STATE_LABELS, Event, MoveRefused, State
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.surgery import documents, selectors, services
from collis.surgery.forms import ListingForm, MoveForm, ReferralForm, WaitingListFilterForm
from collis.surgery.presenters import (
    GENERIC_MOVES,
    episode_crumbs,
    episode_pages,
    next_action,
    waiting_since_referral,
    worklist_move_allowed,
)

_crumbs = record_crumbs
NO_EPISODE = "This patient has no pathway episode with this number."


def _pathway_crumb(patient):
    return {"text": "Pathway", "href": reverse("surgery:episode_list", args=[patient.pk])}


def _patient(request, patient_id):
    return patient_get(patient_id=patient_id, actor=Actor.from_request(request))


def _episode(request, patient, episode_id):
    """The patient's episode (404 if the patient has no such episode)."""
    try:
        return selectors.episode_get(patient=patient, episode_id=episode_id,
                                     actor=Actor.from_request(request))
    except ObjectDoesNotExist:
        raise Http404(NO_EPISODE) from None


def _refused(move):
    """Run a pathway move for `form_submit`: a refused move becomes the ValidationError it
    shows on the form (on the field it names, else on the whole form)."""

    def run(data):
        try:
            return move(data)
        except MoveRefused as refused:
            field = getattr(refused, "field", "") or NON_FIELD_ERRORS
            raise ValidationError({field: str(refused)}) from refused

    return run


@require(Capability.RECORD_VIEW)
def episode_list(request, patient_id):
    patient = _patient(request, patient_id)
    episodes = selectors.episode_list(patient=patient, actor=Actor.from_request(request))
    return render(request, "surgery/episode_list.jinja", {
        "title": "Surgical pathway", "patient": patient, "episodes": episodes,
        "can_refer": can(request.user, Capability.REFERRAL_RECORD),
        "breadcrumbs": _crumbs(patient, {"text": "Pathway", "href": ""}),
    })


@require(Capability.REFERRAL_RECORD)
@methods("GET", "POST")
def episode_create(request, patient_id):
    patient = _patient(request, patient_id)
    form = ReferralForm(request.POST if request.method == "POST" else None,
                        request.FILES if request.method == "POST" else None)

    def save(data):
        data = dict(data)
        letter = data.pop("referral_letter")
        return services.episode_open(patient=patient, referral=services.ReferralDetails(**data),
                                     letter=letter, actor=Actor.from_request(request))

    if request.method == "POST":
        done = form_submit(
            request, form, save,
            redirect_to=lambda episode: reverse("surgery:episode_detail",
                                                args=[patient.pk, episode.pk]),
            message="The referral is recorded and a pathway episode opened.")
        if done:
            return done
    return render(request, "surgery/referral_form.jinja", {
        "title": "Record a referral", "patient": patient, "form": form,
        "breadcrumbs": _crumbs(patient, _pathway_crumb(patient),
                               {"text": "Record a referral", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def episode_detail(request, patient_id, episode_id):
    patient = _patient(request, patient_id)
    try:
        episode = _episode(request, patient, episode_id)
    except Http404:
        return render(request, "core/error.jinja", {
            "title": "Episode not found", "message": NO_EPISODE}, status=404)
    role = getattr(request.user, "role", "")
    moves = [m for m in selectors.available_moves(episode, role)
             if m.event in GENERIC_MOVES or m.event == Event.LIST_FOR_SURGERY]
    return render(request, "surgery/episode_detail.jinja", {
        "title": f"Pathway episode {episode.pk}", "patient": patient, "episode": episode,
        "history": selectors.episode_history(episode),
        "work_up": selectors.work_up_checklist(patient), "moves": moves,
        "pages": episode_pages(episode, request.user), "State": State,
        "breadcrumbs": _crumbs(patient, _pathway_crumb(patient),
                               {"text": f"Episode {episode.pk}", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def referral_letter(request, patient_id, episode_id):
    """The referral letter, to permitted users only; every download is audited."""
    episode = _episode(request, _patient(request, patient_id), episode_id)
    letter = documents.referral_letter_open(episode=episode, actor=Actor.from_request(request))
    if letter is None:
        return render(request, "core/error.jinja", {
            "title": "No referral letter", "message": "No letter is attached to this referral."},
            status=404)
    response = FileResponse(letter.file, as_attachment=True, filename=letter.filename,
                            content_type=letter.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(Capability.RECORD_VIEW)
@methods("GET", "POST")
def episode_move(request, patient_id, episode_id, event):
    patient = _patient(request, patient_id)
    episode = _episode(request, patient, episode_id)
    try:
        move = MOVE_BY_EVENT[Event(event)]
    except ValueError:
        move = None
    if move is None or move.event not in GENERIC_MOVES:
        return render(request, "core/error.jinja", {
            "title": "Page not found", "message": "This step is not made on this page."},
            status=404)
    form = MoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refused(lambda data: services.episode_transition(
                episode=episode, event=move.event, reason=data["reason"],
                on=data["moved_on"], actor=Actor.from_request(request))),
            redirect_to=reverse("surgery:episode_detail", args=[patient.pk, episode.pk]),
            message=f"{move.label}: done. The episode is now at "
                    f"'{STATE_LABELS[move.target]}'.")
        if done:
            return done
    return render(request, "surgery/move_form.jinja", {
        "title": move.label, "patient": patient, "episode": episode, "move": move,
        "form": form, "state_label": STATE_LABELS[State(episode.state)],
        "breadcrumbs": episode_crumbs(episode, {"text": move.label, "href": ""}),
    })


@require(Capability.RECORD_VIEW)
@methods("GET", "POST")
def episode_listing(request, patient_id, episode_id):
    patient = _patient(request, patient_id)
    episode = _episode(request, patient, episode_id)
    form = ListingForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refused(lambda data: services.episode_list_for_surgery(
                episode=episode, actor=Actor.from_request(request), **data)),
            redirect_to=reverse("surgery:episode_detail", args=[patient.pk, episode.pk]),
            message="The patient is on the waiting list.")
        if done:
            return done
    return render(request, "surgery/listing_form.jinja", {
        "title": "Put on the waiting list", "patient": patient, "episode": episode,
        "form": form,
        "breadcrumbs": episode_crumbs(episode, {"text": "Waiting list", "href": ""}),
    })


@require(Capability.WAITING_LIST_VIEW)
def waiting_list(request):
    form = WaitingListFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.waiting_list(site=filters.get("site"), surgeon=filters.get("surgeon"),
                                  priority=filters.get("priority") or "",
                                  actor=Actor.from_request(request))
    return render(request, "surgery/waiting_list.jinja", {
        "title": "Waiting list", "form": form, "rows": rows,
        "days_waiting": selectors.days_waiting,
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Waiting list", "href": ""}],
    })


@require(Capability.RECORD_VIEW)
def worklist(request):
    rows = selectors.worklist(user=request.user, actor=Actor.from_request(request))
    role = selectors.role_of(request.user)
    return render(request, "surgery/worklist.jinja", {
        "title": "My worklist", "rows": rows,
        "actions": {e.pk: next_action(e, role) for e in rows},
        "waited": waiting_since_referral,
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "My worklist", "href": ""}],
    })


@require(Capability.RECORD_VIEW)
@methods("GET", "POST")
def worklist_move(request, patient_id, episode_id):
    """The next step of an episode made from a worklist with one button (a move that needs
    no reason and no page of its own), through the pathway's one transition function and
    its table of who may; then back to the worklist it was made from."""
    patient = _patient(request, patient_id)
    episode = _episode(request, patient, episode_id)
    if request.method == "GET":  # a link followed, not the button: nothing moves
        return redirect(reverse("surgery:episode_detail",
                                kwargs={"patient_id": patient.pk, "episode_id": episode.pk}))
    event = request.POST.get("event", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("surgery:worklist")
    if not worklist_move_allowed(event):
        messages.error(request, "This step is not made from the worklist: open the episode.")
        return redirect(back)
    move = MOVE_BY_EVENT[Event(event)]
    try:
        services.episode_transition(episode=episode, event=move.event,
                                    actor=Actor.from_request(request))
    except MoveRefused as refused:
        messages.error(request, f"{patient.given_name} {patient.family_name}: {refused}")
    else:
        messages.success(request, f"{patient.given_name} {patient.family_name}: "
                                  f"{move.label.lower()}, done. The episode is now at "
                                  f"'{STATE_LABELS[move.target]}'.")
    return redirect(back)

"""Pages of the pathway: a patient's episodes, a referral, an episode with its history,
work-up and next steps, generic moves, listing, the waiting list and worklists."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.permissions import require
from collis.core.roles import Capability, can
from collis.domain.pathway import MOVE_BY_EVENT, STATE_LABELS, Event, MoveRefused, State
from collis.patients.models import Patient
from collis.patients.presenters import record_crumbs
from collis.surgery import selectors, services
from collis.surgery.forms import ListingForm, MoveForm, ReferralForm, WaitingListFilterForm
from collis.surgery.models import Episode
from collis.surgery.presenters import GENERIC_MOVES, episode_pages

_crumbs = record_crumbs

def _pathway_crumb(patient):
    return {"text": "Pathway", "href": reverse("surgery:episode_list", args=[patient.pk])}


@require(Capability.RECORD_VIEW)
def episode_list(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    episodes = selectors.episode_list(patient=patient, actor=Actor.from_request(request))
    return render(request, "surgery/episode_list.jinja", {
        "title": "Surgical pathway", "patient": patient, "episodes": episodes,
        "can_refer": can(request.user, Capability.REFERRAL_RECORD),
        "breadcrumbs": _crumbs(patient, {"text": "Pathway", "href": ""}),
    })


@require(Capability.REFERRAL_RECORD)
@require_http_methods(["GET", "POST"])
def episode_create(request, patient_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    form = ReferralForm(request.POST if request.method == "POST" else None,
                        request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        letter = data.pop("referral_letter")
        episode = services.episode_open(patient=patient,
                                        referral=services.ReferralDetails(**data),
                                        letter=letter, actor=Actor.from_request(request))
        messages.success(request, "The referral is recorded and a pathway episode opened.")
        return redirect("surgery:episode_detail", patient_id=patient.pk, episode_id=episode.pk)
    return render(request, "surgery/referral_form.jinja", {
        "title": "Record a referral", "patient": patient, "form": form,
        "breadcrumbs": _crumbs(patient, _pathway_crumb(patient),
                               {"text": "Record a referral", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def episode_detail(request, patient_id, episode_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    try:
        episode = selectors.episode_get(patient=patient, episode_id=episode_id,
                                        actor=Actor.from_request(request))
    except Episode.DoesNotExist:
        return render(request, "core/error.jinja", {
            "title": "Episode not found",
            "message": "This patient has no pathway episode with this number."}, status=404)
    role = getattr(request.user, "role", "")
    moves = [m for m in selectors.available_moves(episode, role)
             if m.event in GENERIC_MOVES or m.event == Event.LIST_FOR_SURGERY]
    return render(request, "surgery/episode_detail.jinja", {
        "title": f"Pathway episode {episode.pk}", "patient": patient, "episode": episode,
        "work_up": selectors.work_up_checklist(patient), "moves": moves,
        "pages": episode_pages(episode, request.user), "State": State,
        "breadcrumbs": _crumbs(patient, _pathway_crumb(patient),
                               {"text": f"Episode {episode.pk}", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def referral_letter(request, patient_id, episode_id):
    """The referral letter, to permitted users only; every download is audited."""
    episode = get_object_or_404(Episode, patient_id=patient_id, pk=episode_id)
    if not episode.referral_letter:
        return render(request, "core/error.jinja", {
            "title": "No referral letter", "message": "No letter is attached to this referral."},
            status=404)
    audit_record(actor=Actor.from_request(request), action=AuditAction.DOWNLOAD,
                 object_type="referral_letter", object_id=episode.pk,
                 patient_id=episode.patient_id,
                 summary=f"Downloaded the referral letter of episode {episode.pk}")
    response = FileResponse(episode.referral_letter.open("rb"), as_attachment=True,
                            filename=f"referral-letter-episode-{episode.pk}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(Capability.RECORD_VIEW)
@require_http_methods(["GET", "POST"])
def episode_move(request, patient_id, episode_id, event):
    patient = get_object_or_404(Patient, pk=patient_id)
    episode = get_object_or_404(Episode, patient=patient, pk=episode_id)
    try:
        move = MOVE_BY_EVENT[Event(event)]
    except ValueError:
        move = None
    if move is None or move.event not in GENERIC_MOVES:
        return render(request, "core/error.jinja", {
            "title": "Page not found", "message": "This step is not made on this page."},
            status=404)
    form = MoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_transition(episode=episode, event=move.event,
                                        reason=form.cleaned_data["reason"],
                                        actor=Actor.from_request(request))
        except MoveRefused as refused:
            form.add_error("reason" if "reason" in str(refused) else None, str(refused))
        else:
            messages.success(request, f"{move.label}: done. The episode is now at "
                                      f"'{STATE_LABELS[move.target]}'.")
            return redirect("surgery:episode_detail", patient_id=patient.pk,
                            episode_id=episode.pk)
    return render(request, "surgery/move_form.jinja", {
        "title": move.label, "patient": patient, "episode": episode, "move": move,
        "form": form, "state_label": STATE_LABELS[State(episode.state)],
        "breadcrumbs": _crumbs(patient, _pathway_crumb(patient), {
            "text": f"Episode {episode.pk}", "href": reverse(
                "surgery:episode_detail", args=[patient.pk, episode.pk])},
            {"text": move.label, "href": ""}),
    })


@require(Capability.RECORD_VIEW)
@require_http_methods(["GET", "POST"])
def episode_listing(request, patient_id, episode_id):
    patient = get_object_or_404(Patient, pk=patient_id)
    episode = get_object_or_404(Episode, patient=patient, pk=episode_id)
    form = ListingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_list_for_surgery(episode=episode, actor=Actor.from_request(request),
                                              **form.cleaned_data)
        except MoveRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The patient is on the waiting list.")
            return redirect("surgery:episode_detail", patient_id=patient.pk,
                            episode_id=episode.pk)
    return render(request, "surgery/listing_form.jinja", {
        "title": "Put on the waiting list", "patient": patient, "episode": episode,
        "form": form,
        "breadcrumbs": _crumbs(patient, _pathway_crumb(patient), {
            "text": f"Episode {episode.pk}", "href": reverse(
                "surgery:episode_detail", args=[patient.pk, episode.pk])},
            {"text": "Waiting list", "href": ""}),
    })


@require(Capability.WAITING_LIST_VIEW)
def waiting_list(request):
    form = WaitingListFilterForm(request.GET or None)
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
    return render(request, "surgery/worklist.jinja", {
        "title": "My worklist", "rows": rows,
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "My worklist", "href": ""}],
    })

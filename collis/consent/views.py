"""Pages of counselling and consent for a pathway episode: the overview, the decision aid
(page and PDF), recording counselling, recording consent and the consent form PDF."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from collis.consent import pdfs, selectors, services
from collis.consent.forms import ConsentForm, CounsellingForm
from collis.consent.models import CounsellingSession
from collis.consent.presenters import decision_aid, figure_text, plan_rows, sources_text
from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.core.pdf import pdf_response
from collis.core.permissions import require
from collis.core.roles import Capability, can
from collis.domain.pathway import MoveRefused, State
from collis.surgery.models import Episode
from collis.surgery.presenters import episode_crumbs

COUNSELLING_STATES = (State.LISTED, State.COUNSELLING)


def _episode(patient_id, episode_id) -> Episode:
    try:
        return selectors.episode_for_patient(patient_id=patient_id, episode_id=episode_id)
    except Episode.DoesNotExist:
        raise Http404("This patient has no pathway episode with this number.") from None


_crumbs = episode_crumbs

def _overview_crumb(episode):
    return {"text": "Counselling and consent", "href": reverse(
        "consent:episode_consent", kwargs={"patient_id": episode.patient_id,
                                           "episode_id": episode.pk})}


@require(Capability.RECORD_VIEW)
def episode_consent(request, patient_id, episode_id):
    """The episode's counselling sessions and consent, with the next step for the role."""
    episode = _episode(patient_id, episode_id)
    actor = Actor.from_request(request)
    sessions = selectors.counselling_list(episode=episode, actor=actor)
    consent = selectors.consent_get(episode=episode, actor=actor)
    latest = sessions[0] if sessions else None
    return render(request, "consent/episode_consent.jinja", {
        "title": "Counselling and consent", "patient": episode.patient, "episode": episode,
        "sessions": sessions, "consent": consent,
        "plan": plan_rows(consent.planned_denervation) if consent else [],
        "first_signing_date": services.first_signing_date(latest) if latest else None,
        "cooling_off_days": services.cooling_off_days(),
        "can_counsel": (can(request.user, Capability.COUNSELLING_RECORD)
                        and episode.state in COUNSELLING_STATES),
        "can_consent": (can(request.user, Capability.CONSENT_RECORD)
                        and episode.state == State.COUNSELLING and latest is not None),
        "breadcrumbs": _crumbs(episode, {"text": "Counselling and consent", "href": ""}),
    })


def _audit_decision_aid(request, episode, action):
    verb = "Downloaded" if action == AuditAction.DOWNLOAD else "Viewed"
    audit_record(actor=Actor.from_request(request), action=action, object_type="decision_aid",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"{verb} the decision aid for episode {episode.pk}")


@require(Capability.RECORD_VIEW)
def decision_aid_page(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    _audit_decision_aid(request, episode, AuditAction.VIEW)
    return render(request, "consent/decision_aid.jinja", {
        "title": "Decision aid: treatment options for cervical dystonia",
        "patient": episode.patient, "episode": episode, "aid": decision_aid(),
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Decision aid", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def decision_aid_pdf(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    data = pdfs.decision_aid_pdf(patient=episode.patient, aid=decision_aid())
    _audit_decision_aid(request, episode, AuditAction.DOWNLOAD)
    return pdf_response(data, f"decision-aid-episode-{episode.pk}.pdf")


@require(Capability.COUNSELLING_RECORD)
@require_http_methods(["GET", "POST"])
def counselling_new(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    form = CounsellingForm(request.POST if request.method == "POST" else None,
                           initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.counselling_record(
                episode=episode, held_on=form.cleaned_data["held_on"],
                answers=form.answers(), acknowledged=form.acknowledged(),
                notes=form.cleaned_data.get("notes") or "", actor=Actor.from_request(request))
        except MoveRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The counselling session and the risks disclosed are "
                                      "recorded.")
            return redirect("consent:counselling_detail", patient_id=episode.patient_id,
                            episode_id=episode.pk, session_id=session.pk)
    # The form shows patient data (the episode and the aid for them): audit the read.
    _audit_decision_aid(request, episode, AuditAction.VIEW)
    return render(request, "consent/counselling_form.jinja", {
        "title": "Record counselling", "patient": episode.patient, "episode": episode,
        "form": form, "aid": decision_aid(), "figure_text": figure_text,
        "sources_text": sources_text,
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Record counselling", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def counselling_detail(request, patient_id, episode_id, session_id):
    episode = _episode(patient_id, episode_id)
    try:
        session = selectors.counselling_get(episode=episode, session_id=session_id,
                                            actor=Actor.from_request(request))
    except CounsellingSession.DoesNotExist:
        raise Http404("This episode has no counselling session with this number.") from None
    return render(request, "consent/counselling_detail.jinja", {
        "title": f"Counselling on {session.held_on:%-d %B %Y}", "patient": episode.patient,
        "episode": episode, "session": session, "sources_text": sources_text,
        "first_signing_date": services.first_signing_date(session),
        "cooling_off_days": services.cooling_off_days(),
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Counselling session", "href": ""}),
    })


@require(Capability.CONSENT_RECORD)
@require_http_methods(["GET", "POST"])
def consent_new(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    actor = Actor.from_request(request)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                episode=episode, signature_method=form.cleaned_data["signature_method"],
                patient_typed_name=form.cleaned_data.get("patient_typed_name") or "",
                patient_signed_on=form.cleaned_data["patient_signed_on"],
                surgeon_signed_on=timezone.localdate(), actor=actor)
        except (services.ConsentRefused, MoveRefused) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The consent is recorded. Download the consent form "
                                      "for the notes.")
            return redirect("consent:episode_consent", patient_id=episode.patient_id,
                            episode_id=episode.pk)
    sessions = selectors.counselling_list(episode=episode, actor=actor)
    latest = sessions[0] if sessions else None
    plan, plan_source = services.planned_denervation(episode)
    return render(request, "consent/consent_form.jinja", {
        "title": "Record consent", "patient": episode.patient, "episode": episode,
        "form": form, "session": latest, "plan": plan_rows(plan), "plan_source": plan_source,
        "procedure": services.SD_PROCEDURE,
        "first_signing_date": services.first_signing_date(latest) if latest else None,
        "cooling_off_days": services.cooling_off_days(),
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Record consent", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def consent_pdf(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    consent = selectors.consent_get(episode=episode, actor=Actor.from_request(request),
                                    action=AuditAction.DOWNLOAD)
    if consent is None:
        raise Http404("No consent is recorded for this episode.")
    return pdf_response(pdfs.consent_form_pdf(consent=consent),
                        f"consent-episode-{episode.pk}.pdf")

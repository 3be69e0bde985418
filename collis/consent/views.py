"""Pages of counselling and consent for a pathway episode: the overview, the decision aid
(page and PDF), recording counselling, recording consent and the consent form PDF. The
patient is read through `patient_get` and the episode through `episode_get`, both scoped to
the user's unit and audited; forms run through `form_submit`."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from collis.consent import pdfs, selectors, services
from collis.consent.forms import (
    ConfirmationForm,
    ConsentForm,
    CounsellingForm,
    consent_details,
)
from collis.consent.presenters import (
    ANAESTHETIC,
    CAPACITY_NOTE,
    PATIENT_STATEMENT,
    PROFESSIONAL_STATEMENT,
    aid_versions,
    alternatives_text,
    consent_counselling_note,
    correction_note,
    counselling_initial,
    counselling_pathway_notice,
    counselling_rows,
    figure_text,
    plan_rows,
    procedure_plain,
    shown_versions_text,
    sources_text,
    understanding_rows,
    understanding_so_far,
    yes_no_text,
)
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.forms import EnteredInErrorForm
from collis.core.models import AuditAction
from collis.core.pdf import pdf_response
from collis.core.permissions import methods, require
from collis.core.presenters import date_long
from collis.core.roles import Capability, can
from collis.domain.pathway import Event, MoveRefused, Task
from collis.patients.selectors import patient_get
from collis.policy.presenters import CONSENT_KEYS, notice_for, policy_notice
from collis.surgery.models import Episode
from collis.surgery.presenters import episode_crumbs
from collis.surgery.selectors import episode_get, step_open

_crumbs = episode_crumbs


def _episode(request, patient_id, episode_id) -> Episode:
    """The patient's episode, both scoped to the user's unit (404 otherwise) and audited."""
    actor = Actor.from_request(request)
    return episode_get(patient=patient_get(patient_id=patient_id, actor=actor),
                       episode_id=episode_id, actor=actor)


def _cooling_off_notice(consent, session):
    """"Local policy, not yet signed off" for the cooling-off period the page relies on: the
    consent's, else the latest session's."""
    if consent is not None:
        return notice_for(consent.policy_version_id, on=consent.created_at.date(),
                          keys=CONSENT_KEYS)
    if session is not None:
        return policy_notice(services.session_policy(session), CONSENT_KEYS,
                             stored=session.policy_version_id is not None)
    return None


def _refusals_shown(save):
    """Run a service for `form_submit`: a refusal of the pathway (MoveRefused) or of consent
    (ConsentRefused) becomes the ValidationError the form shows."""

    def run(data):
        try:
            return save(data)
        except (MoveRefused, services.ConsentRefused) as refused:
            field = getattr(refused, "field", "") or NON_FIELD_ERRORS
            raise ValidationError({field: str(refused)}) from refused

    return run


def _overview_crumb(episode):
    return {"text": "Counselling and consent", "href": reverse(
        "consent:episode_consent", kwargs={"patient_id": episode.patient_id,
                                           "episode_id": episode.pk})}


@require(Capability.RECORD_VIEW)
def episode_consent(request, patient_id, episode_id):
    """The episode's counselling sessions and consent, with the next step for the role."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    every = selectors.counselling_list(episode=episode, actor=actor)
    sessions = [s for s in every if s.is_current]
    consent = selectors.consent_get(episode=episode, actor=actor)
    latest = sessions[0] if sessions else None  # newest first: what consent rests on
    return render(request, "consent/episode_consent.jinja", {
        "title": "Counselling and consent", "patient": episode.patient, "episode": episode,
        "sessions": sessions, "corrected": [s for s in every if not s.is_current],
        "aid_versions": aid_versions(), "shown_versions_text": shown_versions_text,
        "consent": consent,
        "consent_note": consent_counselling_note(consent) if consent else "",
        "plan": plan_rows(consent.planned_denervation) if consent else [],
        "procedure_plain": procedure_plain(consent.planned_denervation) if consent else "",
        "understood": understanding_rows(consent) if consent else [],
        "alternatives_text": alternatives_text, "yes_no_text": yes_no_text,
        "confirmations": list(consent.confirmations.all()) if consent else [],
        "can_confirm": consent is not None and can(request.user, Capability.CONSENT_RECORD),
        "first_signing_date": services.first_signing_date(latest) if latest else None,
        "cooling_off_from": services.cooling_off_starts(latest) if latest else None,
        "cooling_off_days": services.cooling_off_days(latest),
        "policy_notice": _cooling_off_notice(consent, latest),
        "can_counsel": (can(request.user, Capability.COUNSELLING_RECORD)
                        and step_open(episode=episode, step=Task.RECORD_COUNSELLING,
                                      user=request.user)),
        "can_consent": (can(request.user, Capability.CONSENT_RECORD) and latest is not None
                        and step_open(episode=episode, step=Event.RECORD_CONSENT,
                                      user=request.user)),
        "breadcrumbs": _crumbs(episode, {"text": "Counselling and consent", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def decision_aid_page(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    aid = selectors.decision_aid_get(episode=episode, actor=Actor.from_request(request))
    return render(request, "consent/decision_aid.jinja", {
        "title": "Decision aid: treatment options for cervical dystonia",
        "patient": episode.patient, "episode": episode, "aid": aid,
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Decision aid", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def decision_aid_pdf(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    aid = selectors.decision_aid_get(episode=episode, actor=Actor.from_request(request),
                                     action=AuditAction.DOWNLOAD)
    return pdf_response(pdfs.decision_aid_pdf(patient=episode.patient, aid=aid),
                        f"decision-aid-clinician-episode-{episode.pk}.pdf")


@require(Capability.RECORD_VIEW)
def patient_aid_page(request, patient_id, episode_id):
    """The decision aid in plain English, as the patient reads it."""
    episode = _episode(request, patient_id, episode_id)
    aid, version = selectors.patient_aid_get(episode=episode,
                                             actor=Actor.from_request(request))
    return render(request, "consent/patient_aid.jinja", {
        "title": aid.title, "patient": episode.patient, "episode": episode, "aid": aid,
        "version": version,
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Decision aid for the patient", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def patient_aid_pdf(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    aid, version = selectors.patient_aid_get(episode=episode,
                                             actor=Actor.from_request(request),
                                             action=AuditAction.DOWNLOAD)
    return pdf_response(pdfs.patient_aid_pdf(patient=episode.patient, aid=aid,
                                             version=version),
                        f"decision-aid-patient-episode-{episode.pk}.pdf")


def _session_href(episode, session) -> str:
    return reverse("consent:counselling_detail", kwargs={
        "patient_id": episode.patient_id, "episode_id": episode.pk, "session_id": session.pk})


@require(Capability.COUNSELLING_RECORD)
@methods("GET", "POST")
def counselling_new(request, patient_id, episode_id):
    """Record counselling; with `?amends=<id>`, correct that session (pre-filled from it,
    with the reason for the correction)."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    amends = (selectors.counselling_get(episode=episode, session_id=request.GET["amends"],
                                        actor=actor)
              if request.GET.get("amends") else None)
    initial = (counselling_initial(amends) if amends is not None
               else {"held_on": timezone.localdate()})
    form = CounsellingForm(request.POST if request.method == "POST" else None,
                           initial=initial, amending=amends is not None)
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refusals_shown(lambda data: services.counselling_session_create(
                episode=episode, held_on=data["held_on"], answers=form.answers(),
                acknowledged=form.acknowledged(), discussed=form.discussed(),
                aids_shown=data["aids_shown"],
                notes=data.get("notes") or "",
                actor=actor, amends=amends,
                correction_reason=data.get("correction_reason") or "")),
            redirect_to=lambda session: _session_href(episode, session),
            message=("The counselling session is corrected: the original stays in its "
                     "history." if amends is not None else
                     "The counselling session and the risks disclosed are recorded."))
        if done:
            return done
    # The form shows the decision aid for the patient: an audited read.
    aid = selectors.decision_aid_get(episode=episode, actor=actor)
    title = "Correct the counselling session" if amends is not None else "Record counselling"
    return render(request, "consent/counselling_form.jinja", {
        "title": title, "patient": episode.patient, "episode": episode,
        "form": form, "aid": aid, "figure_text": figure_text, "amends": amends,
        "sources_text": sources_text,
        "pathway_notice": "" if amends is not None else counselling_pathway_notice(episode),
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": title, "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def counselling_detail(request, patient_id, episode_id, session_id):
    episode = _episode(request, patient_id, episode_id)
    session = selectors.counselling_get(episode=episode, session_id=session_id,
                                        actor=Actor.from_request(request))
    may_correct = session.is_current and can(request.user, Capability.COUNSELLING_RECORD)
    return render(request, "consent/counselling_detail.jinja", {
        "title": f"Counselling on {session.held_on:%-d %B %Y}", "patient": episode.patient,
        "episode": episode, "session": session, "sources_text": sources_text,
        "shown_versions_text": shown_versions_text,
        "sd_risk_count": len(services.sd_risk_codes()),
        "first_signing_date": services.first_signing_date(session),
        "recorded_on": services.recorded_on(session),
        "cooling_off_days": services.cooling_off_days(session),
        "policy_notice": _cooling_off_notice(None, session),
        "correction_note": correction_note(session),
        "history": selectors.counselling_history(session), "entry_pk": session.pk,
        "detail_href": lambda version: _session_href(episode, version),
        "may_correct": may_correct,
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Counselling session", "href": ""}),
    })


@require(Capability.COUNSELLING_RECORD)
@methods("GET", "POST")
def counselling_entered_in_error(request, patient_id, episode_id, session_id):
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    session = selectors.counselling_get(episode=episode, session_id=session_id, actor=actor)
    form = EnteredInErrorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refusals_shown(lambda data: services.counselling_session_mark_entered_in_error(
                session=session, reason=data["correction_reason"], actor=actor)),
            redirect_to=_session_href(episode, session),
            message="The counselling session is marked as entered in error. It stays in the "
                    "record's history.")
        if done:
            return done
    return render(request, "core/entered_in_error.jinja", {
        "title": "Mark the counselling session as entered in error",
        "patient": episode.patient, "episode": episode, "form": form,
        "entry_rows": counselling_rows(session),
        "cancel_href": _session_href(episode, session),
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Entered in error", "href": ""}),
    })


@require(Capability.CONSENT_RECORD)
@methods("GET", "POST")
def consent_new(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refusals_shown(lambda data: services.consent_create(
                episode=episode, signature_method=data["signature_method"],
                patient_typed_name=data.get("patient_typed_name") or "",
                patient_signed_on=data["patient_signed_on"],
                surgeon_signed_on=timezone.localdate(), details=consent_details(data),
                actor=actor)),
            redirect_to=reverse("consent:episode_consent", kwargs={
                "patient_id": episode.patient_id, "episode_id": episode.pk}),
            message="The consent is recorded. Download the consent form for the notes.")
        if done:
            return done
    sessions = [s for s in selectors.counselling_list(episode=episode, actor=actor)
                if s.is_current]
    latest = sessions[0] if sessions else None  # newest first: what consent rests on
    plan, plan_source = services.planned_denervation(episode)
    return render(request, "consent/consent_form.jinja", {
        "title": "Record consent", "patient": episode.patient, "episode": episode,
        "form": form, "session": latest, "plan": plan_rows(plan), "plan_source": plan_source,
        "procedure": services.SD_PROCEDURE, "procedure_plain": procedure_plain(plan),
        "understanding": understanding_so_far(services.risk_understanding(episode)),
        "anaesthetic": ANAESTHETIC, "professional_statement": PROFESSIONAL_STATEMENT,
        "patient_statement": PATIENT_STATEMENT, "capacity_note": CAPACITY_NOTE,
        "first_signing_date": services.first_signing_date(latest) if latest else None,
        "cooling_off_from": services.cooling_off_starts(latest) if latest else None,
        "cooling_off_days": services.cooling_off_days(latest),
        "policy_notice": _cooling_off_notice(None, latest),
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Record consent", "href": ""}),
    })


@require(Capability.RECORD_VIEW)
def consent_pdf(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    consent = selectors.consent_get(episode=episode, actor=Actor.from_request(request),
                                    action=AuditAction.DOWNLOAD)
    if consent is None:
        raise Http404("No consent is recorded for this episode.")
    return pdf_response(pdfs.consent_form_pdf(consent=consent),
                        f"consent-episode-{episode.pk}.pdf")


@require(Capability.CONSENT_RECORD)
@methods("GET", "POST")
def consent_confirm(request, patient_id, episode_id):
    """Record the confirmation of consent on the day of surgery; with `?amends=<id>`,
    correct that confirmation (the original stays in the history)."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    consent = selectors.consent_get(episode=episode, actor=actor)
    if consent is None:
        raise Http404("No consent is recorded for this episode.")
    amends = (selectors.confirmation_get(consent=consent,
                                         confirmation_id=request.GET["amends"])
              if request.GET.get("amends") else None)
    initial = ({"confirmed_on": amends.confirmed_on, "notes": amends.notes,
                "still_wants_to_proceed": "yes" if amends.still_wants_to_proceed else "no"}
               if amends is not None else {"confirmed_on": timezone.localdate()})
    form = ConfirmationForm(request.POST if request.method == "POST" else None,
                            initial=initial, amending=amends is not None)
    overview = reverse("consent:episode_consent", kwargs={"patient_id": episode.patient_id,
                                                          "episode_id": episode.pk})
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refusals_shown(lambda data: services.consent_confirmation_create(
                consent=consent, confirmed_on=data["confirmed_on"],
                still_wants_to_proceed=data["still_wants_to_proceed"] == "yes",
                notes=data.get("notes") or "", actor=actor, amends=amends,
                correction_reason=data.get("correction_reason") or "")),
            redirect_to=overview,
            message=("The confirmation is corrected: the original stays in its history."
                     if amends is not None else
                     "The confirmation of consent on the day of surgery is recorded."))
        if done:
            return done
    title = ("Correct the confirmation of consent" if amends is not None
             else "Confirm consent on the day of surgery")
    return render(request, "consent/confirmation_form.jinja", {
        "title": title, "patient": episode.patient, "episode": episode, "consent": consent,
        "form": form, "amends": amends,
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode), {"text": title, "href": ""}),
    })


@require(Capability.CONSENT_RECORD)
@methods("GET", "POST")
def confirmation_entered_in_error(request, patient_id, episode_id, confirmation_id):
    """Mark a confirmation of consent entered in error: it stays in the consent's list."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    consent = selectors.consent_get(episode=episode, actor=actor)
    if consent is None:
        raise Http404("No consent is recorded for this episode.")
    confirmation = selectors.confirmation_get(consent=consent, confirmation_id=confirmation_id)
    overview = reverse("consent:episode_consent", kwargs={"patient_id": episode.patient_id,
                                                          "episode_id": episode.pk})
    form = EnteredInErrorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = form_submit(
            request, form,
            _refusals_shown(lambda data: services.consent_confirmation_mark_entered_in_error(
                confirmation=confirmation, reason=data["correction_reason"], actor=actor)),
            redirect_to=overview,
            message="The confirmation is marked as entered in error. It stays in the "
                    "consent's history.")
        if done:
            return done
    return render(request, "core/entered_in_error.jinja", {
        "title": "Mark the confirmation of consent as entered in error",
        "patient": episode.patient, "episode": episode, "form": form,
        "entry_rows": [("Date of the confirmation", date_long(confirmation.confirmed_on)),
                       ("Confirmed by", confirmation.created_by.display_name)],
        "cancel_href": overview,
        "breadcrumbs": _crumbs(episode, _overview_crumb(episode),
                               {"text": "Entered in error", "href": ""}),
    })

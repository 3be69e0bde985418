"""Pages after SD: the operation note, the physiotherapy programme and its sessions, and
follow-up (schedule, reviews, complications, further surgery, outcome, discharge)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from collis.assessments.models import Scale, ScaleAssessment
from collis.core.audit import Actor
from collis.core.permissions import require
from collis.core.presenters import date_long
from collis.core.roles import Capability, can
from collis.domain.pathway import STATE_LABELS, MoveRefused, State
from collis.outcomes import presenters, selectors, services
from collis.outcomes.forms import (
    ComplicationForm,
    FurtherSurgeryForm,
    OperationForm,
    PhysioProgrammeForm,
    PhysioSessionForm,
    ReasonForm,
    ReviewForm,
    StartFollowUpForm,
)
from collis.outcomes.models import Operation, PhysioSession
from collis.outcomes.schedules import PHYSIO_SOURCES, REVIEW_POLICY_LABEL, is_review_month
from collis.surgery.models import Episode
from collis.surgery.presenters import episode_crumbs


def _episode(patient_id, episode_id) -> Episode:
    return get_object_or_404(Episode.objects.select_related("patient"), patient_id=patient_id,
                             pk=episode_id)


_crumbs = episode_crumbs

def _page(request, template, episode, title, crumbs, **context):
    return render(request, template, {
        "title": title, "patient": episode.patient, "episode": episode,
        "state_label": STATE_LABELS[State(episode.state)], "breadcrumbs": crumbs,
        "muscle_words": presenters.muscle_words, "risk_name": presenters.risk_name,
        "months_words": presenters.months_words, "num": presenters.number, **context})


def _refused(form, error):
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(error))


def _back(episode, name):
    return redirect(f"outcomes:{name}", patient_id=episode.patient_id, episode_id=episode.pk)


# ---------------------------------------------------------------------------- operation

@require(Capability.RECORD_VIEW)
def operation_detail(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    operation = selectors.operation_get(episode=episode, actor=Actor.from_request(request))
    can_record = (operation is None and episode.state == State.CONSENTED
                  and can(request.user, Capability.OPERATION_RECORD))
    return _page(request, "outcomes/operation_detail.jinja", episode, "Operation note",
                 _crumbs(episode, {"text": "Operation note", "href": ""}),
                 operation=operation, can_record=can_record)


@require(Capability.OPERATION_RECORD)
@require_http_methods(["GET", "POST"])
def operation_record(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    if Operation.objects.filter(episode=episode).exists():
        return _back(episode, "operation_detail")
    form = OperationForm(request.POST if request.method == "POST" else None,
                         initial={"surgeon": episode.surgeon_id, "site": episode.listing_site_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.OperationDetails(
            operated_on=data["operated_on"], site=data["site"], surgeon=data["surgeon"],
            anaesthetic=data["anaesthetic"], anaesthetist=data["anaesthetist"],
            divisions=data["divisions"], myectomy=data["myectomy"] == "yes",
            myectomy_muscles=data["myectomy_muscles"], findings=data["findings"],
            complication_codes=data["complication_codes"],
            complication_notes=data["complication_notes"])
        try:
            services.operation_record(episode=episode, details=details,
                                      actor=Actor.from_request(request))
        except (MoveRefused, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, "The operation note is recorded. The episode is now at "
                                      "'Operated'.")
            return _back(episode, "operation_detail")
    targets = [(label, services.default_nerve(value)) for value, label in
               form.fields["myectomy_muscles"].choices]
    return _page(request, "outcomes/operation_form.jinja", episode, "Record the operation note",
                 _crumbs(episode, {"text": "Record the operation note", "href": ""}),
                 form=form, targets=targets)


# ------------------------------------------------------------------------ physiotherapy

@require(Capability.RECORD_VIEW)
def physio_programme(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    programme = selectors.physio_programme_get(episode=episode,
                                               actor=Actor.from_request(request))
    may = can(request.user, Capability.PHYSIO_PROGRAMME_RECORD)
    return _page(request, "outcomes/physio_programme.jinja", episode,
                 "Physiotherapy after surgery",
                 _crumbs(episode, {"text": "Physiotherapy", "href": ""}),
                 programme=programme, can_record=may, sources=PHYSIO_SOURCES,
                 can_start=may and programme is None and episode.state == State.OPERATED)


@require(Capability.PHYSIO_PROGRAMME_RECORD)
@require_http_methods(["GET", "POST"])
def physio_programme_start(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    form = PhysioProgrammeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.physio_programme_start(episode=episode, actor=Actor.from_request(request),
                                            **form.cleaned_data)
        except (MoveRefused, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, "The physiotherapy programme has started.")
            return _back(episode, "physio_programme")
    return _page(request, "outcomes/physio_programme_form.jinja", episode,
                 "Start the physiotherapy programme",
                 _crumbs(episode, {"text": "Physiotherapy", "href": reverse(
                     "outcomes:physio_programme", args=[episode.patient_id, episode.pk])},
                     {"text": "Start the programme", "href": ""}),
                 form=form, sources=PHYSIO_SOURCES)


@require(Capability.PHYSIO_PROGRAMME_RECORD)
@require_http_methods(["GET", "POST"])
def physio_session_record(request, patient_id, episode_id, session_id):
    episode = _episode(patient_id, episode_id)
    session = get_object_or_404(PhysioSession, programme__episode=episode, pk=session_id)
    initial = {"attendance": session.attendance if session.attendance != "scheduled" else "",
               "held_on": session.held_on, "exercises": session.exercises,
               "notes": session.notes}
    form = PhysioSessionForm(request.POST if request.method == "POST" else None,
                             initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.physio_session_record(session=session, actor=Actor.from_request(request),
                                           **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Session {session.number} is recorded.")
            return _back(episode, "physio_programme")
    return _page(request, "outcomes/physio_session_form.jinja", episode,
                 f"Record session {session.number}",
                 _crumbs(episode, {"text": "Physiotherapy", "href": reverse(
                     "outcomes:physio_programme", args=[episode.patient_id, episode.pk])},
                     {"text": f"Session {session.number}", "href": ""}),
                 form=form, session=session)


# ---------------------------------------------------------------------------- follow-up

@require(Capability.RECORD_VIEW)
def follow_up(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    data = selectors.follow_up_get(episode=episode, actor=Actor.from_request(request))
    role = getattr(request.user, "role", "")
    may = can(request.user, Capability.FOLLOW_UP_RECORD)
    return _page(request, "outcomes/follow_up.jinja", episode, "Follow-up after surgery",
                 _crumbs(episode, {"text": "Follow-up", "href": ""}),
                 data=data, outcome=presenters.outcome_rows(data.baseline, data.reviews),
                 policy_label=REVIEW_POLICY_LABEL, can_record=may and data.operation is not None
                 and episode.state in (State.POST_OPERATIVE_PHYSIOTHERAPY, State.FOLLOW_UP),
                 can_start=may and episode.state == State.POST_OPERATIVE_PHYSIOTHERAPY,
                 can_discharge=episode.state == State.FOLLOW_UP
                 and role in ("neurologist", "neurosurgeon"))


@require(Capability.FOLLOW_UP_RECORD)
@require_http_methods(["GET", "POST"])
def follow_up_start(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    form = StartFollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_start(episode=episode, reason=form.cleaned_data["reason"],
                                     actor=Actor.from_request(request))
        except MoveRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "Follow-up has started.")
            return _back(episode, "follow_up")
    return _page(request, "outcomes/reason_form.jinja", episode, "Start follow-up",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Start follow-up",
                                                           "href": ""}),
                 form=form, button_label="Start follow-up")


def _follow_crumb(episode):
    return {"text": "Follow-up", "href": reverse("outcomes:follow_up",
                                                 args=[episode.patient_id, episode.pk])}


def _scale_choices(patient, scale):
    return [(str(a.pk), f"{date_long(a.assessed_on)}: total {presenters.number(a.total)}")
            for a in ScaleAssessment.objects.filter(patient=patient, scale=scale)
            .order_by("-assessed_on", "-id")[:20]]


@require(Capability.FOLLOW_UP_RECORD)
@require_http_methods(["GET", "POST"])
def review_record(request, patient_id, episode_id, months):
    episode = _episode(patient_id, episode_id)
    if not is_review_month(months):
        return render(request, "core/error.jinja", {
            "title": "Page not found", "message": "There is no review at this point."},
            status=404)
    form = ReviewForm(request.POST if request.method == "POST" else None,
                      twstrs_choices=_scale_choices(episode.patient, Scale.TWSTRS),
                      tsui_choices=_scale_choices(episode.patient, Scale.TSUI))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = {key: ScaleAssessment.objects.get(pk=data[key]) if data[key] else None
                    for key in ("twstrs_existing", "tsui_existing")}
        details = services.ReviewDetails(
            months_after=months, reviewed_on=data["reviewed_on"],
            twstrs_severity=data["twstrs_severity"], twstrs_disability=data["twstrs_disability"],
            twstrs_pain=data["twstrs_pain"], tsui_total=data["tsui_total"],
            notes=data["notes"], **existing)
        try:
            services.review_record(episode=episode, details=details,
                                   actor=Actor.from_request(request))
        except (MoveRefused, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, f"The {presenters.months_words(months)} is recorded.")
            return _back(episode, "follow_up")
    title = f"Record the {presenters.months_words(months)}"
    return _page(request, "outcomes/review_form.jinja", episode, title,
                 _crumbs(episode, _follow_crumb(episode), {"text": title, "href": ""}),
                 form=form, months=months)


@require(Capability.FOLLOW_UP_RECORD)
@require_http_methods(["GET", "POST"])
def complication_record(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    form = ComplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complication_record(episode=episode, actor=Actor.from_request(request),
                                         **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, "The complication is recorded.")
            return _back(episode, "follow_up")
    return _page(request, "outcomes/complication_form.jinja", episode, "Record a complication",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Record a complication",
                                                           "href": ""}), form=form)


@require(Capability.FOLLOW_UP_RECORD)
@require_http_methods(["GET", "POST"])
def further_surgery_record(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    form = FurtherSurgeryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.further_surgery_record(episode=episode, actor=Actor.from_request(request),
                                            **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, "The further surgery is recorded.")
            return _back(episode, "follow_up")
    return _page(request, "outcomes/further_surgery_form.jinja", episode,
                 "Record reoperation or conversion to DBS",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Further surgery",
                                                           "href": ""}), form=form)


@require(Capability.FOLLOW_UP_RECORD)
@require_http_methods(["GET", "POST"])
def discharge(request, patient_id, episode_id):
    episode = _episode(patient_id, episode_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_discharge(episode=episode, reason=form.cleaned_data["reason"],
                                         actor=Actor.from_request(request))
        except MoveRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The patient is discharged from the pathway.")
            return _back(episode, "follow_up")
    return _page(request, "outcomes/reason_form.jinja", episode, "Discharge from follow-up",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Discharge", "href": ""}),
                 form=form, button_label="Discharge")

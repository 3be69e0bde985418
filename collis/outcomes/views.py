"""Pages after SD: the operation note, the physiotherapy programme and its sessions, and
follow-up (schedule, reviews, complications, further surgery, outcome, discharge). The
patient is read through `patient_get` and the episode through `episode_get`, both scoped to
the user's unit and audited; the episode's records through this app's selectors; forms run
through `form_submit`, and the services ask the pathway table whether the step is allowed."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.assessments.models import Scale
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.pathway import STATE_LABELS, Event, MoveRefused, State, Task
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
from collis.outcomes.schedules import PHYSIO_SOURCES, REVIEW_POLICY_LABEL, is_review_month
from collis.patients.selectors import patient_get
from collis.surgery.models import Episode
from collis.surgery.presenters import episode_crumbs
from collis.surgery.selectors import episode_get, step_open

_crumbs = episode_crumbs


def _episode(request, patient_id, episode_id) -> Episode:
    """The patient's episode, both scoped to the user's unit (404 otherwise) and audited."""
    actor = Actor.from_request(request)
    return episode_get(patient=patient_get(patient_id=patient_id, actor=actor),
                       episode_id=episode_id, actor=actor)


def _refusals_shown(save):
    """Run a service for `form_submit`: a step the pathway refuses (MoveRefused) becomes
    the ValidationError the form shows (on the field it names, else on the whole form)."""

    def run(data):
        try:
            return save(data)
        except MoveRefused as refused:
            field = getattr(refused, "field", "") or NON_FIELD_ERRORS
            raise ValidationError({field: str(refused)}) from refused

    return run


def _submit(request, form, save, episode, page, message):
    """POST: validate, save through the service, then back to the episode's `page`."""
    return form_submit(request, form, _refusals_shown(save),
                       redirect_to=_url(episode, page), message=message)


def _page(request, template, episode, title, crumbs, **context):
    return render(request, template, {
        "title": title, "patient": episode.patient, "episode": episode,
        "state_label": STATE_LABELS[State(episode.state)], "breadcrumbs": crumbs,
        "muscle_words": presenters.muscle_words, "risk_name": presenters.risk_name,
        "months_words": presenters.months_words, "num": presenters.number, **context})


def _url(episode, name):
    return reverse(f"outcomes:{name}", kwargs={"patient_id": episode.patient_id,
                                               "episode_id": episode.pk})


# ---------------------------------------------------------------------------- operation

@require(Capability.RECORD_VIEW)
def operation_detail(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    operation = selectors.operation_get(episode=episode, actor=Actor.from_request(request))
    can_record = (operation is None and can(request.user, Capability.OPERATION_RECORD)
                  and step_open(episode=episode, step=Event.RECORD_OPERATION,
                                user=request.user))
    return _page(request, "outcomes/operation_detail.jinja", episode, "Operation note",
                 _crumbs(episode, {"text": "Operation note", "href": ""}),
                 operation=operation, can_record=can_record)


@require(Capability.OPERATION_RECORD)
@methods("GET", "POST")
def operation_create(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    if selectors.operation_recorded(episode=episode):
        return redirect(_url(episode, "operation_detail"))
    form = OperationForm(request.POST if request.method == "POST" else None,
                         initial={"surgeon": episode.surgeon_id, "site": episode.listing_site_id})

    def save(data):
        details = services.OperationDetails(
            operated_on=data["operated_on"], site=data["site"], surgeon=data["surgeon"],
            anaesthetic=data["anaesthetic"], anaesthetist=data["anaesthetist"],
            divisions=data["divisions"], myectomy=data["myectomy"] == "yes",
            myectomy_muscles=data["myectomy_muscles"], findings=data["findings"],
            complication_codes=data["complication_codes"],
            complication_notes=data["complication_notes"])
        return services.operation_create(episode=episode, details=details,
                                         actor=Actor.from_request(request))

    if request.method == "POST":
        done = _submit(request, form, save, episode, "operation_detail",
                       "The operation note is recorded. The episode is now at 'Operated'.")
        if done:
            return done
    targets = [(label, services.default_nerve(value)) for value, label in
               form.fields["myectomy_muscles"].choices]
    return _page(request, "outcomes/operation_form.jinja", episode, "Record the operation note",
                 _crumbs(episode, {"text": "Record the operation note", "href": ""}),
                 form=form, targets=targets)


# ------------------------------------------------------------------------ physiotherapy

def _physio_crumb(episode):
    return {"text": "Physiotherapy", "href": _url(episode, "physio_programme")}


@require(Capability.RECORD_VIEW)
def physio_programme(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    programme = selectors.physio_programme_get(episode=episode,
                                               actor=Actor.from_request(request))
    has_page = can(request.user, Capability.PHYSIO_PROGRAMME_RECORD)
    return _page(request, "outcomes/physio_programme.jinja", episode,
                 "Physiotherapy after surgery",
                 _crumbs(episode, {"text": "Physiotherapy", "href": ""}),
                 programme=programme, sources=PHYSIO_SOURCES,
                 can_record=has_page and step_open(
                     episode=episode, step=Task.RECORD_PHYSIO_SESSION, user=request.user),
                 can_start=has_page and programme is None and step_open(
                     episode=episode, step=Event.START_PHYSIOTHERAPY, user=request.user))


@require(Capability.PHYSIO_PROGRAMME_RECORD)
@methods("GET", "POST")
def physio_programme_start(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = PhysioProgrammeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.physio_programme_start(
                           episode=episode, actor=Actor.from_request(request), **data),
                       episode, "physio_programme", "The physiotherapy programme has started.")
        if done:
            return done
    return _page(request, "outcomes/physio_programme_form.jinja", episode,
                 "Start the physiotherapy programme",
                 _crumbs(episode, _physio_crumb(episode),
                         {"text": "Start the programme", "href": ""}),
                 form=form, sources=PHYSIO_SOURCES)


@require(Capability.PHYSIO_PROGRAMME_RECORD)
@methods("GET", "POST")
def physio_session_update(request, patient_id, episode_id, session_id):
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    session = selectors.physio_session_get(episode=episode, session_id=session_id,
                                           actor=actor)
    initial = {"attendance": session.attendance if session.attendance != "scheduled" else "",
               "held_on": session.held_on, "exercises": session.exercises,
               "notes": session.notes}
    form = PhysioSessionForm(request.POST if request.method == "POST" else None,
                             initial=initial)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.physio_session_update(
                           session=session, actor=actor, **data),
                       episode, "physio_programme", f"Session {session.number} is recorded.")
        if done:
            return done
    return _page(request, "outcomes/physio_session_form.jinja", episode,
                 f"Record session {session.number}",
                 _crumbs(episode, _physio_crumb(episode),
                         {"text": f"Session {session.number}", "href": ""}),
                 form=form, session=session)


# ---------------------------------------------------------------------------- follow-up

def _follow_crumb(episode):
    return {"text": "Follow-up", "href": _url(episode, "follow_up")}


@require(Capability.RECORD_VIEW)
def follow_up(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    data = selectors.follow_up_get(episode=episode, actor=Actor.from_request(request))
    has_page = can(request.user, Capability.FOLLOW_UP_RECORD)
    operated = data.operation is not None

    def step_open_now(step):
        return step_open(episode=episode, step=step, user=request.user)

    # After the operation the pathway allows discharge only from follow-up.
    return _page(request, "outcomes/follow_up.jinja", episode, "Follow-up after surgery",
                 _crumbs(episode, {"text": "Follow-up", "href": ""}),
                 data=data, outcome=presenters.outcome_rows(data.baseline, data.reviews),
                 policy_label=REVIEW_POLICY_LABEL,
                 can_record=has_page and operated
                 and step_open_now(Task.RECORD_FOLLOW_UP_REVIEW),
                 can_start=has_page and step_open_now(Event.START_FOLLOW_UP),
                 can_discharge=has_page and operated and step_open_now(Event.DISCHARGE))


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def follow_up_start(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = StartFollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.follow_up_start(
                           episode=episode, reason=data["reason"],
                           actor=Actor.from_request(request)),
                       episode, "follow_up", "Follow-up has started.")
        if done:
            return done
    return _page(request, "outcomes/reason_form.jinja", episode, "Start follow-up",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Start follow-up",
                                                           "href": ""}),
                 form=form, button_label="Start follow-up")


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def follow_up_review_create(request, patient_id, episode_id, months):
    episode = _episode(request, patient_id, episode_id)
    if not is_review_month(months):
        return render(request, "core/error.jinja", {
            "title": "Page not found", "message": "There is no review at this point."},
            status=404)
    actor = Actor.from_request(request)
    scales = selectors.review_scales(patient=episode.patient, actor=actor)
    form = ReviewForm(request.POST if request.method == "POST" else None,
                      twstrs_choices=presenters.scale_choices(scales[Scale.TWSTRS]),
                      tsui_choices=presenters.scale_choices(scales[Scale.TSUI]))

    def save(data):
        offered = {str(a.pk): a for assessments in scales.values() for a in assessments}
        details = services.ReviewDetails(
            months_after=months, reviewed_on=data["reviewed_on"],
            twstrs_severity=data["twstrs_severity"], twstrs_disability=data["twstrs_disability"],
            twstrs_pain=data["twstrs_pain"], tsui_total=data["tsui_total"],
            notes=data["notes"], **{key: offered.get(data[key]) if data[key] else None
                                    for key in ("twstrs_existing", "tsui_existing")})
        return services.follow_up_review_create(episode=episode, details=details, actor=actor)

    if request.method == "POST":
        done = _submit(request, form, save, episode, "follow_up",
                       f"The {presenters.months_words(months)} is recorded.")
        if done:
            return done
    title = f"Record the {presenters.months_words(months)}"
    return _page(request, "outcomes/review_form.jinja", episode, title,
                 _crumbs(episode, _follow_crumb(episode), {"text": title, "href": ""}),
                 form=form, months=months)


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def complication_create(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = ComplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.complication_create(
                           episode=episode, actor=Actor.from_request(request), **data),
                       episode, "follow_up", "The complication is recorded.")
        if done:
            return done
    return _page(request, "outcomes/complication_form.jinja", episode, "Record a complication",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Record a complication",
                                                           "href": ""}), form=form)


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def further_surgery_create(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = FurtherSurgeryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.further_surgery_create(
                           episode=episode, actor=Actor.from_request(request), **data),
                       episode, "follow_up", "The further surgery is recorded.")
        if done:
            return done
    return _page(request, "outcomes/further_surgery_form.jinja", episode,
                 "Record reoperation or conversion to DBS",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Further surgery",
                                                           "href": ""}), form=form)


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def discharge(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.follow_up_discharge(
                           episode=episode, reason=data["reason"],
                           actor=Actor.from_request(request)),
                       episode, "follow_up", "The patient is discharged from the pathway.")
        if done:
            return done
    return _page(request, "outcomes/reason_form.jinja", episode, "Discharge from follow-up",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Discharge", "href": ""}),
                 form=form, button_label="Discharge")

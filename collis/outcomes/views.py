"""Pages after SD: the operation note, the physiotherapy programme and its sessions, and
follow-up (schedule, reviews, complications, further surgery, outcome, discharge). The
patient is read through `patient_get` and the episode through `episode_get`, both scoped to
the user's unit and audited; the episode's records through this app's selectors; forms run
through `form_submit`, and the services ask the pathway table whether the step is allowed.

Every entry has a page of its own that shows its history, and, to a role that may record
it and while it is current, "Correct this entry" (the entry's form with `?amends=<id>`, or
the session's own form) and "Mark as entered in error". The pages of reviews,
complications, further surgery and sessions are one generic view driven by `ENTRY_KINDS`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.assessments.models import Scale
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.forms import EnteredInErrorForm
from collis.core.nhsuk_forms.scoping import unit_scope
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
    division_rows_for,
    divisions_initial,
)
from collis.outcomes.schedules import PHYSIO_SOURCES, is_review_month, review_policy_label
from collis.patients.selectors import patient_get
from collis.policy.presenters import FOLLOW_UP_KEYS, policy_notice
from collis.policy.selectors import policy_in_force
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


def _submit(request, form, save, redirect_to, message):
    """POST: validate, save through the service, then on to `redirect_to`."""
    return form_submit(request, form, _refusals_shown(save), redirect_to=redirect_to,
                       message=message)


def _page(request, template, episode, title, crumbs, **context):
    return render(request, template, {
        "title": title, "patient": episode.patient, "episode": episode,
        "state_label": STATE_LABELS[State(episode.state)], "breadcrumbs": crumbs,
        "muscle_words": presenters.muscle_words, "risk_name": presenters.risk_name,
        "months_words": presenters.months_words, "num": presenters.number,
        "total": presenters.review_total, "status_tag": presenters.status_tag, **context})


def _url(episode, name, **kwargs):
    return reverse(f"outcomes:{name}", kwargs={"patient_id": episode.patient_id,
                                               "episode_id": episode.pk, **kwargs})


def _amends(request, get):
    """The entry `?amends=<id>` names, read through its selector (404 if the episode has
    none with that id), or None."""
    entry_id = request.GET.get("amends")
    return get(entry_id) if entry_id else None


def _correction_message(amends, new_message):
    return ("The entry is corrected: the original stays in its history." if amends is not None
            else new_message)


# ---------------------------------------------------------------------------- operation

def _operation_page(request, episode, operation, *, title, crumbs, can_record=False):
    may_correct = (operation is not None and operation.is_current
                   and can(request.user, Capability.OPERATION_RECORD))
    return _page(request, "outcomes/operation_detail.jinja", episode, title, crumbs,
                 operation=operation, can_record=can_record, may_correct=may_correct,
                 rows=presenters.operation_rows(operation) if operation else [],
                 plan=presenters.plan_words(operation.consent.planned_denervation)
                 if operation and operation.consent else [],
                 plan_source=presenters.plan_source(operation) if operation else "",
                 note=presenters.correction_note(operation) if operation else "",
                 history=selectors.history(operation) if operation else [],
                 entry_pk=operation.pk if operation else None,
                 corrected=selectors.operation_corrected_list(episode=episode),
                 detail_href=lambda version: _url(episode, "operation_version", pk=version.pk))


@require(Capability.RECORD_VIEW)
def operation_detail(request, patient_id, episode_id):
    """The episode's current operation note."""
    episode = _episode(request, patient_id, episode_id)
    operation = selectors.operation_get(episode=episode, actor=Actor.from_request(request))
    can_record = (operation is None and can(request.user, Capability.OPERATION_RECORD)
                  and step_open(episode=episode, step=Event.RECORD_OPERATION,
                                user=request.user))
    return _operation_page(request, episode, operation, title="Operation note",
                           crumbs=_crumbs(episode, {"text": "Operation note", "href": ""}),
                           can_record=can_record)


@require(Capability.RECORD_VIEW)
def operation_version(request, patient_id, episode_id, pk):
    """One version of the episode's operation note, current or corrected."""
    episode = _episode(request, patient_id, episode_id)
    operation = selectors.operation_version_get(episode=episode, operation_id=pk,
                                                actor=Actor.from_request(request))
    return _operation_page(request, episode, operation, title="Operation note",
                           crumbs=_crumbs(episode, {"text": "Operation note",
                                                    "href": _url(episode, "operation_detail")},
                                          {"text": "A version", "href": ""}))


@require(Capability.OPERATION_RECORD)
@methods("GET", "POST")
def operation_create(request, patient_id, episode_id):
    """Record the operation note, pre-filled from the plan of the consent it is done under;
    with `?amends=<id>`, correct that note."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    amends = _amends(request, lambda entry_id: selectors.operation_version_get(
        episode=episode, operation_id=entry_id, actor=actor))
    if amends is None and selectors.operation_recorded(episode=episode):
        return redirect(_url(episode, "operation_detail"))
    consent = (amends.consent if amends is not None and amends.consent
               else services.consent_for_operation(episode))
    plan = consent.planned_denervation if consent else []
    if amends is not None:
        initial = presenters.operation_initial(amends)
        rows = [{"muscle": d.muscle, "side": d.side, "nerve": d.nerve}
                for d in amends.divisions.all()]
    else:
        initial = {"surgeon": episode.surgeon_id, "site": episode.listing_site_id}
        rows = presenters.plan_initial(plan)
    form = OperationForm(request.POST if request.method == "POST" else None,
                         initial=initial | divisions_initial(rows),
                         rows=division_rows_for(rows), amending=amends is not None)
    unit_scope(form, request.user)  # surgeons and sites of the user's unit (ADR 0006)

    def save(data):
        details = services.OperationDetails(
            operated_on=data["operated_on"], started_at=data["started_at"], site=data["site"],
            surgeon=data["surgeon"], anaesthetic=data["anaesthetic"],
            anaesthetist=data["anaesthetist"], divisions=data["divisions"],
            myectomy=data["myectomy"] == "yes", myectomy_muscles=data["myectomy_muscles"],
            findings=data["findings"], complication_codes=data["complication_codes"],
            complication_notes=data["complication_notes"],
            outside_plan_reason=data["outside_plan_reason"])
        return services.operation_create(
            episode=episode, details=details, actor=actor, amends=amends,
            correction_reason=data.get("correction_reason") or "")

    if request.method == "POST":
        done = _submit(request, form, save,
                       lambda operation: _url(episode, "operation_detail"),
                       _correction_message(amends, "The operation note is recorded. The "
                                                   "episode is now at 'Operated'."))
        if done:
            return done
    targets = [(label, services.default_nerve(value)) for value, label in
               form.fields["myectomy_muscles"].choices]
    title = "Correct the operation note" if amends else "Record the operation note"
    return _page(request, "outcomes/operation_form.jinja", episode, title,
                 _crumbs(episode, {"text": title, "href": ""}),
                 form=form, targets=targets, amends=amends, consent=consent,
                 plan=presenters.plan_words(plan))


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
                       _url(episode, "physio_programme"),
                       "The physiotherapy programme has started.")
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
    """Record a scheduled session; a session already recorded is corrected here (a new
    version, with the reason)."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    session = selectors.physio_session_get(episode=episode, session_id=session_id,
                                           actor=actor)
    amending = session.attendance != "scheduled"
    initial = {"attendance": session.attendance if amending else "",
               "held_on": session.held_on, "exercises": session.exercises,
               "notes": session.notes}
    form = PhysioSessionForm(request.POST if request.method == "POST" else None,
                             initial=initial, amending=amending)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.physio_session_record(
                           session=session, actor=actor, attendance=data["attendance"],
                           held_on=data["held_on"], exercises=data["exercises"],
                           notes=data["notes"],
                           correction_reason=data.get("correction_reason") or ""),
                       _url(episode, "physio_programme"),
                       _correction_message(session if amending else None,
                                           f"Session {session.number} is recorded."))
        if done:
            return done
    title = (f"Correct session {session.number}" if amending
             else f"Record session {session.number}")
    return _page(request, "outcomes/physio_session_form.jinja", episode, title,
                 _crumbs(episode, _physio_crumb(episode),
                         {"text": f"Session {session.number}", "href": ""}),
                 form=form, session=session, amends=session if amending else None)


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
                 data=data, outcome=presenters.outcome_rows(data.baseline, data.reviews,
                                                            data.policy.candidacy),
                 policy_label=review_policy_label(data.policy.policy),
                 baseline_rule=selectors.BASELINE_RULE,
                 window_weeks=services.review_window_weeks(data.policy.policy),
                 policy_notice=policy_notice(
                     data.policy, FOLLOW_UP_KEYS,
                     stored=data.operation is None or data.operation.policy_version_id is not None),
                 entry_href=lambda entry: _url(episode, ENTRY_BY_MODEL[type(entry).__name__],
                                               pk=entry.pk),
                 entry_words=_entry_words,
                 can_record=has_page and operated
                 and step_open_now(Task.RECORD_FOLLOW_UP_REVIEW),
                 can_start=has_page and step_open_now(Event.START_FOLLOW_UP),
                 can_discharge=has_page and operated and step_open_now(Event.DISCHARGE))


def _entry_words(entry) -> str:
    """A corrected follow-up entry in a few words, for the follow-up page's list."""
    name = type(entry).__name__
    if name == "FollowUpReview":
        return f"{presenters.months_words(entry.months_after)}, {entry.reviewed_on:%d/%m/%Y}"
    if name == "Complication":
        return f"Complication: {entry.get_risk_code_display()}, {entry.onset_on:%d/%m/%Y}"
    return f"{entry.get_kind_display()}, {entry.performed_on:%d/%m/%Y}"


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def follow_up_start(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = StartFollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.follow_up_start(
                           episode=episode, reason=data["reason"],
                           actor=Actor.from_request(request)),
                       _url(episode, "follow_up"), "Follow-up has started.")
        if done:
            return done
    return _page(request, "outcomes/reason_form.jinja", episode, "Start follow-up",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Start follow-up",
                                                           "href": ""}),
                 form=form, button_label="Start follow-up")


def _review_initial(review) -> dict:
    return {"reviewed_on": review.reviewed_on, "notes": review.notes,
            "twstrs_existing": str(review.twstrs_id) if review.twstrs_id else "",
            "tsui_existing": str(review.tsui_id) if review.tsui_id else ""}


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def follow_up_review_create(request, patient_id, episode_id, months):
    episode = _episode(request, patient_id, episode_id)
    operation = services.operation_current(episode)
    policy = (selectors.schedule_policy(operation) if operation is not None
              else policy_in_force()).policy
    if not is_review_month(months, policy):
        return render(request, "core/error.jinja", {
            "title": "Page not found", "message": "There is no review at this point."},
            status=404)
    actor = Actor.from_request(request)
    amends = _amends(request, lambda entry_id: selectors.follow_up_review_get(
        episode=episode, review_id=entry_id, actor=actor))
    scales = selectors.review_scales(patient=episode.patient, actor=actor)
    form = ReviewForm(request.POST if request.method == "POST" else None,
                      initial=_review_initial(amends) if amends else None,
                      twstrs_choices=presenters.scale_choices(scales[Scale.TWSTRS]),
                      tsui_choices=presenters.scale_choices(scales[Scale.TSUI]),
                      amending=amends is not None)

    def save(data):
        offered = {str(a.pk): a for assessments in scales.values() for a in assessments}
        details = services.ReviewDetails(
            months_after=months, reviewed_on=data["reviewed_on"],
            twstrs_severity=data["twstrs_severity"], twstrs_disability=data["twstrs_disability"],
            twstrs_pain=data["twstrs_pain"], tsui_total=data["tsui_total"],
            notes=data["notes"], **{key: offered.get(data[key]) if data[key] else None
                                    for key in ("twstrs_existing", "tsui_existing")})
        return services.follow_up_review_create(
            episode=episode, details=details, actor=actor, amends=amends,
            correction_reason=data.get("correction_reason") or "")

    if request.method == "POST":
        done = _submit(request, form, save, _url(episode, "follow_up"),
                       _correction_message(amends, f"The {presenters.months_words(months)} "
                                                   f"is recorded."))
        if done:
            return done
    title = (f"Correct the {presenters.months_words(months)}" if amends
             else f"Record the {presenters.months_words(months)}")
    return _page(request, "outcomes/review_form.jinja", episode, title,
                 _crumbs(episode, _follow_crumb(episode), {"text": title, "href": ""}),
                 form=form, months=months, amends=amends,
                 window_weeks=services.review_window_weeks(policy))


def _simple_entry_form(request, *, form_class, kind: str, get, initial, create, message,
                       template, title, patient_id, episode_id):
    """The form page of a complication or further surgery: new, or with `?amends=<id>`
    correcting one."""
    episode = _episode(request, patient_id, episode_id)
    actor = Actor.from_request(request)
    amends = _amends(request, lambda entry_id: get(episode=episode, entry_id=entry_id,
                                                   actor=actor))
    form = form_class(request.POST if request.method == "POST" else None,
                      initial=initial(amends) if amends else None,
                      amending=amends is not None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: create(
                           episode=episode, actor=actor, amends=amends, **data),
                       _url(episode, "follow_up"), _correction_message(amends, message))
        if done:
            return done
    title = f"Correct the {kind}" if amends else title
    return _page(request, template, episode, title,
                 _crumbs(episode, _follow_crumb(episode), {"text": title, "href": ""}),
                 form=form, amends=amends)


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def complication_create(request, patient_id, episode_id):
    return _simple_entry_form(
        request, patient_id=patient_id, episode_id=episode_id, form_class=ComplicationForm,
        kind="complication",
        get=lambda episode, entry_id, actor: selectors.complication_get(
            episode=episode, complication_id=entry_id, actor=actor),
        initial=lambda c: {"risk_code": c.risk_code, "onset_on": c.onset_on,
                           "severity": c.severity, "status": c.status,
                           "resolved_on": c.resolved_on, "notes": c.notes},
        create=services.complication_create, message="The complication is recorded.",
        template="outcomes/complication_form.jinja", title="Record a complication")


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def further_surgery_create(request, patient_id, episode_id):
    return _simple_entry_form(
        request, patient_id=patient_id, episode_id=episode_id, form_class=FurtherSurgeryForm,
        kind="further surgery",
        get=lambda episode, entry_id, actor: selectors.further_surgery_get(
            episode=episode, surgery_id=entry_id, actor=actor),
        initial=lambda s: {"kind": s.kind, "performed_on": s.performed_on,
                           "reason": s.reason},
        create=services.further_surgery_create, message="The further surgery is recorded.",
        template="outcomes/further_surgery_form.jinja",
        title="Record reoperation or conversion to DBS")


@require(Capability.FOLLOW_UP_RECORD)
@methods("GET", "POST")
def discharge(request, patient_id, episode_id):
    episode = _episode(request, patient_id, episode_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _submit(request, form, lambda data: services.follow_up_discharge(
                           episode=episode, reason=data["reason"],
                           actor=Actor.from_request(request)),
                       _url(episode, "follow_up"), "The patient is discharged from the pathway.")
        if done:
            return done
    return _page(request, "outcomes/reason_form.jinja", episode, "Discharge from follow-up",
                 _crumbs(episode, _follow_crumb(episode), {"text": "Discharge", "href": ""}),
                 form=form, button_label="Discharge")


# ------------------------------------------------------- entries: their pages and errors

@dataclass(frozen=True)
class EntryKind:
    """One kind of correctable entry after SD, for its page and its entered-in-error page."""

    name: str  # the URL names: <name>_detail, <name>_entered_in_error
    title: str  # "Complication"
    capability: Capability  # who may correct it (the service checks the pathway's roles)
    get: Callable  # (episode, entry_id, actor) -> entry, through a selector
    rows: Callable  # entry -> [(label, value)]
    mark: Callable  # (entry, reason, actor) -> entry, the service
    correct_href: Callable  # (episode, entry) -> the form that corrects it
    parent: Callable  # episode -> the crumb of the page listing it
    parent_page: str  # the URL name that page


ENTRY_KINDS = {kind.name: kind for kind in (
    EntryKind(
        "physio_session", "Physiotherapy session", Capability.PHYSIO_PROGRAMME_RECORD,
        lambda episode, entry_id, actor: selectors.physio_session_get(
            episode=episode, session_id=entry_id, actor=actor),
        presenters.session_rows,
        lambda entry, reason, actor: services.physio_session_mark_entered_in_error(
            session=entry, reason=reason, actor=actor),
        lambda episode, entry: _url(episode, "physio_session_update", session_id=entry.pk),
        _physio_crumb, "physio_programme"),
    EntryKind(
        "follow_up_review", "Follow-up review", Capability.FOLLOW_UP_RECORD,
        lambda episode, entry_id, actor: selectors.follow_up_review_get(
            episode=episode, review_id=entry_id, actor=actor),
        presenters.review_rows,
        lambda entry, reason, actor: services.follow_up_review_mark_entered_in_error(
            review=entry, reason=reason, actor=actor),
        lambda episode, entry: _url(episode, "follow_up_review_create",
                                    months=entry.months_after) + f"?amends={entry.pk}",
        _follow_crumb, "follow_up"),
    EntryKind(
        "complication", "Complication", Capability.FOLLOW_UP_RECORD,
        lambda episode, entry_id, actor: selectors.complication_get(
            episode=episode, complication_id=entry_id, actor=actor),
        presenters.complication_rows,
        lambda entry, reason, actor: services.complication_mark_entered_in_error(
            complication=entry, reason=reason, actor=actor),
        lambda episode, entry: _url(episode, "complication_create") + f"?amends={entry.pk}",
        _follow_crumb, "follow_up"),
    EntryKind(
        "further_surgery", "Further surgery", Capability.FOLLOW_UP_RECORD,
        lambda episode, entry_id, actor: selectors.further_surgery_get(
            episode=episode, surgery_id=entry_id, actor=actor),
        presenters.further_surgery_rows,
        lambda entry, reason, actor: services.further_surgery_mark_entered_in_error(
            surgery=entry, reason=reason, actor=actor),
        lambda episode, entry: _url(episode, "further_surgery_create") + f"?amends={entry.pk}",
        _follow_crumb, "follow_up"),
    EntryKind(
        "operation", "Operation note", Capability.OPERATION_RECORD,
        lambda episode, entry_id, actor: selectors.operation_version_get(
            episode=episode, operation_id=entry_id, actor=actor),
        presenters.operation_rows,
        lambda entry, reason, actor: services.operation_mark_entered_in_error(
            operation=entry, reason=reason, actor=actor),
        lambda episode, entry: _url(episode, "operation_create") + f"?amends={entry.pk}",
        lambda episode: {"text": "Operation note", "href": _url(episode, "operation_detail")},
        "operation_detail"),
)}
ENTRY_BY_MODEL = {"FollowUpReview": "follow_up_review_detail",
                  "Complication": "complication_detail",
                  "FurtherSurgery": "further_surgery_detail"}


def _entry_detail_view(kind: EntryKind):
    @require(Capability.RECORD_VIEW)
    def view(request, patient_id, episode_id, pk):
        episode = _episode(request, patient_id, episode_id)
        entry = kind.get(episode, pk, Actor.from_request(request))
        may_correct = entry.is_current and can(request.user, kind.capability) and not (
            kind.name == "physio_session" and entry.attendance == "scheduled")
        return _page(request, "outcomes/entry_detail.jinja", episode, kind.title,
                     _crumbs(episode, kind.parent(episode), {"text": kind.title, "href": ""}),
                     entry=entry, rows=kind.rows(entry),
                     note=presenters.correction_note(entry),
                     history=selectors.history(entry), entry_pk=entry.pk,
                     detail_href=lambda version: _url(episode, f"{kind.name}_detail",
                                                      pk=version.pk),
                     may_correct=may_correct, correct_href=kind.correct_href(episode, entry),
                     error_href=_url(episode, f"{kind.name}_entered_in_error", pk=entry.pk),
                     back_href=_url(episode, kind.parent_page))

    view.__name__ = f"{kind.name}_detail"
    return view


def _entered_in_error_view(kind: EntryKind):
    @require(kind.capability)
    @methods("GET", "POST")
    def view(request, patient_id, episode_id, pk):
        episode = _episode(request, patient_id, episode_id)
        actor = Actor.from_request(request)
        entry = kind.get(episode, pk, actor)
        detail = (_url(episode, "operation_version", pk=entry.pk) if kind.name == "operation"
                  else _url(episode, f"{kind.name}_detail", pk=entry.pk))
        form = EnteredInErrorForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            done = _submit(request, form, lambda data: kind.mark(
                               entry, data["correction_reason"], actor), detail,
                           f"The {kind.title.lower()} is marked as entered in error. It stays "
                           f"in the record's history.")
            if done:
                return done
        title = f"Mark the {kind.title.lower()} as entered in error"
        return render(request, "core/entered_in_error.jinja", {
            "title": title, "patient": episode.patient, "episode": episode, "form": form,
            "entry_rows": kind.rows(entry), "cancel_href": detail,
            "breadcrumbs": _crumbs(episode, kind.parent(episode),
                                   {"text": "Entered in error", "href": ""})})

    view.__name__ = f"{kind.name}_entered_in_error"
    return view


physio_session_detail = _entry_detail_view(ENTRY_KINDS["physio_session"])
follow_up_review_detail = _entry_detail_view(ENTRY_KINDS["follow_up_review"])
complication_detail = _entry_detail_view(ENTRY_KINDS["complication"])
further_surgery_detail = _entry_detail_view(ENTRY_KINDS["further_surgery"])
operation_entered_in_error = _entered_in_error_view(ENTRY_KINDS["operation"])
physio_session_entered_in_error = _entered_in_error_view(ENTRY_KINDS["physio_session"])
follow_up_review_entered_in_error = _entered_in_error_view(ENTRY_KINDS["follow_up_review"])
complication_entered_in_error = _entered_in_error_view(ENTRY_KINDS["complication"])
further_surgery_entered_in_error = _entered_in_error_view(ENTRY_KINDS["further_surgery"])

"""Pages of the diagnosis, neck examinations and rating scales of a patient's record. Each
reads the patient through `patient_get` (scoped to the user's unit, audited) and the
patient's records through this app's selectors; forms run through `form_submit`."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from collis.assessments import selectors, services
from collis.assessments.forms import (
    DiagnosisForm,
    ExaminationForm,
    ExaminationMusclesForm,
    TsuiForm,
    TwstrsItemsForm,
    TwstrsSubscoresForm,
)
from collis.assessments.models import EntryMode, Scale
from collis.assessments.presenters import (
    DiagnosisPresenter,
    ExaminationPresenter,
    ScalesPresenter,
    correction_notice,
    number,
    twstrs_item_rows,
)
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.forms import EnteredInErrorForm
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.scales.tsui import ITEM_NAMES as TSUI_ITEM_NAMES
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get


def _crumbs(patient, *pages):
    """Home > Patients > the patient > pages (text, href)..., the last being the current."""
    return record_crumbs(patient, *({"text": text, "href": href} for text, href in pages))


# -------------------------------------------------------------------------- corrections

def amended_entry(request, getter, *, patient, actor):
    """The entry a create page corrects (`?amends=<id>`), read through the app's selector
    (Http404 if it is not one of this patient's), or None."""
    raw = request.GET.get("amends", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such entry")
    return getter(patient=patient, pk=int(raw), actor=actor)


def already_corrected(request, entry, detail_href: str) -> HttpResponseRedirect:
    """Opening the correction of an entry no longer current: back to it, saying why."""
    messages.warning(request, f"This entry was already "
                              f"{entry.get_record_status_display().lower()}, so it cannot be "
                              "corrected again: correct the current version instead.")
    return HttpResponseRedirect(detail_href)


def entered_in_error_page(request, *, patient, entry, mark, what: str, entry_rows,
                          detail_href: str, crumbs):
    """The page that marks an entry as entered in error: a reason, then the service
    `mark(reason)` (which checks the role and that the entry is still current)."""
    if request.method == "GET" and not entry.is_current:
        return already_corrected(request, entry, detail_href)
    form = EnteredInErrorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(request, form, lambda data: mark(data["correction_reason"]),
                               redirect_to=detail_href,
                               message=f"The {what} is marked as entered in error. It stays "
                                       "in the record's history.")
        if response:
            return response
    title = f"Mark the {what} as entered in error"
    return render(request, "core/entered_in_error.jinja", {
        "title": title, "patient": patient, "form": form, "entry_rows": entry_rows,
        "cancel_href": detail_href, "breadcrumbs": crumbs + [{"text": title, "href": ""}]})

# ----------------------------------------------------------------------------- diagnosis

@require(Capability.RECORD_VIEW)
def diagnosis(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    versions = selectors.diagnosis_history(patient=patient, actor=actor)
    return render(request, "assessments/diagnosis.jinja", {
        "title": "Diagnosis and classification", "patient": patient,
        "current": DiagnosisPresenter(versions[0]) if versions else None,
        "history": [DiagnosisPresenter(v) for v in versions],
        "can_edit": can(request.user, Capability.DIAGNOSIS_RECORD),
        "breadcrumbs": _crumbs(patient, ("Diagnosis", "")),
    })


DIAGNOSIS_CONFLICT = ("Someone else saved a new version of the diagnosis while you were "
                      "editing. Your changes have not been saved. Check the current version, "
                      "then save again.")


@require(Capability.DIAGNOSIS_RECORD)
@methods("GET", "POST")
def diagnosis_edit(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    conflict = None
    if request.method == "POST":
        form = DiagnosisForm(request.POST)
        try:
            response = form_submit(
                request, form,
                lambda data: services.diagnosis_version_create(
                    patient=patient, details=form.details(),
                    based_on_version=data.get("based_on_version"), actor=actor),
                redirect_to=reverse("assessments:diagnosis", args=[patient.pk]),
                message="The diagnosis is saved as a new version.")
        except services.DiagnosisConflict:
            # Nothing was saved: show the version saved meanwhile (an audited read) beside
            # what was typed, and base the next save on it.
            conflict = selectors.diagnosis_for_change(patient=patient, actor=actor)
            data = request.POST.copy()
            data["based_on_version"] = str(conflict.version) if conflict else ""
            form = DiagnosisForm(data)
            form.is_valid()
            form.add_error(None, DIAGNOSIS_CONFLICT)
        else:
            if response:
                return response
    else:
        current = selectors.diagnosis_for_change(patient=patient, actor=actor)
        form = DiagnosisForm(initial=DiagnosisForm.initial_from(current))
    # The form changes the version it is based on; without one it records the first.
    title = ("Change the diagnosis" if form["based_on_version"].value()
             else "Record the diagnosis")
    return render(request, "assessments/diagnosis_form.jinja", {
        "title": title, "patient": patient, "form": form, "conflict": conflict,
        "current": DiagnosisPresenter(conflict) if conflict else None,
        "breadcrumbs": _crumbs(patient, ("Diagnosis", reverse("assessments:diagnosis",
                                                              args=[patient.pk])),
                               (title, "")),
    })


# --------------------------------------------------------------------------- examination

@require(Capability.RECORD_VIEW)
def examination_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    examinations = selectors.examination_list(patient=patient, actor=actor)
    return render(request, "assessments/examination_list.jinja", {
        "title": "Neck examination", "patient": patient,
        "rows": [ExaminationPresenter(e) for e in examinations],
        "can_record": can(request.user, Capability.EXAMINATION_RECORD),
        "breadcrumbs": _crumbs(patient, ("Neck examination", "")),
    })


def _examination_href(patient, examination) -> str:
    return reverse("assessments:examination_detail", args=[patient.pk, examination.pk])


@require(Capability.EXAMINATION_RECORD)
@methods("GET", "POST")
def examination_create(request, patient_id):
    """Record a neck examination or, with `?amends=<id>`, correct one."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends = amended_entry(request, selectors.examination_get, patient=patient, actor=actor)
    if amends is not None and request.method == "GET" and not amends.is_current:
        return already_corrected(request, amends, _examination_href(patient, amends))
    if request.method == "POST":
        form = ExaminationForm(request.POST, amending=amends is not None)
    else:
        form = ExaminationForm(initial=ExaminationForm.initial_from(amends) if amends else None,
                               amending=amends is not None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.examination_create(
                patient=patient, details=form.details(), actor=actor, amends=amends,
                correction_reason=data.get("correction_reason", "")),
            redirect_to=lambda examination: _examination_href(patient, examination),
            message=("The correction is saved; the examination it replaces is kept in the "
                     "history. Check the involved muscles below." if amends else
                     "The examination is recorded. Confirm the involved muscles below."))
        if response:
            return response
    list_crumb = ("Neck examination", reverse("assessments:examination_list",
                                              args=[patient.pk]))
    if amends is None:
        title, crumbs = "Record a neck examination", [list_crumb]
        action = reverse("assessments:examination_create", args=[patient.pk])
    else:
        when = ExaminationPresenter(amends).date
        title = f"Correct the neck examination of {when}"
        crumbs = [list_crumb, (when, _examination_href(patient, amends))]
        action = (reverse("assessments:examination_create", args=[patient.pk])
                  + f"?amends={amends.pk}")
    return render(request, "assessments/examination_form.jinja", {
        "title": title, "patient": patient, "form": form, "action": action,
        "amends": amends, "cancel_href": _examination_href(patient, amends) if amends else "",
        "breadcrumbs": _crumbs(patient, *crumbs, (title, "")),
    })


def _examination_page(request, patient, examination, form=None):
    suggestions = selectors.examination_suggested_muscles(examination)
    suggested = selectors.suggested_pairs(suggestions)
    presenter = ExaminationPresenter(examination)
    history = selectors.examination_history(examination)
    # Only a current entry is confirmed or corrected; the role is checked again on POST.
    can_record = (can(request.user, Capability.EXAMINATION_RECORD)
                  and examination.is_current)
    if form is None and can_record:
        confirmed = {(m.muscle, m.side) for m in examination.muscles.all()}
        form = ExaminationMusclesForm(
            initial=ExaminationMusclesForm.initial_for(
                confirmed if examination.muscles_confirmed_at else suggested),
            amending=examination.muscles_confirmed_at is not None, reason_required=False)
    title = f"Neck examination of {presenter.date}"
    detail_href = lambda version: _examination_href(patient, version)  # noqa: E731
    return render(request, "assessments/examination_detail.jinja", {
        "title": title, "patient": patient, "examination": examination,
        "presenter": presenter, "suggestions": presenter.suggestion_rows(suggestions),
        "form": form, "can_record": can_record,
        "history": history, "entry_pk": examination.pk, "detail_href": detail_href,
        "describe": lambda v: f"examined {ExaminationPresenter(v).date}",
        "notice": correction_notice(examination, history, detail_href),
        "hints": {side: {m: "Suggested" for m, s in suggested if s == side}
                  for side in ("left", "right")},
        "breadcrumbs": _crumbs(patient, ("Neck examination",
                                         reverse("assessments:examination_list",
                                                 args=[patient.pk])), (presenter.date, "")),
    })


@require(Capability.RECORD_VIEW)
def examination_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    examination = selectors.examination_get(patient=patient, pk=pk, actor=actor)
    return _examination_page(request, patient, examination)


@require(Capability.EXAMINATION_RECORD)
@methods("POST")
def examination_muscles(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    examination = selectors.examination_get(patient=patient, pk=pk, actor=actor)
    form = ExaminationMusclesForm(request.POST,
                                  amending=examination.muscles_confirmed_at is not None,
                                  reason_required=False)
    suggested = selectors.suggested_pairs(selectors.examination_suggested_muscles(examination))

    def confirmed(holder) -> str:
        if holder.pk != examination.pk:
            return ("The involved muscles are corrected: this is the new version of the "
                    "examination, and the one before is kept in its history.")
        return "The involved muscles are confirmed."

    response = form_submit(
        request, form,
        lambda data: services.examination_muscles_confirm(
            examination=examination, muscles=form.muscles(), suggested=suggested, actor=actor,
            correction_reason=data.get("correction_reason", "")),
        redirect_to=lambda holder: _examination_href(patient, holder), message=confirmed)
    return response or _examination_page(request, patient, examination, form=form)


@require(Capability.EXAMINATION_RECORD)
@methods("GET", "POST")
def examination_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    examination = selectors.examination_get(patient=patient, pk=pk, actor=actor)
    presenter = ExaminationPresenter(examination)
    detail = _examination_href(patient, examination)
    return entered_in_error_page(
        request, patient=patient, entry=examination,
        what=f"neck examination of {presenter.date}",
        mark=lambda reason: services.examination_mark_entered_in_error(
            examination=examination, reason=reason, actor=actor),
        entry_rows=[("Date", presenter.date), ("Dominant pattern", presenter.dominant),
                    ("Patterns", presenter.patterns_summary), ("Tremor", presenter.tremor)],
        detail_href=detail,
        crumbs=record_crumbs(patient, {"text": "Neck examination",
                                       "href": reverse("assessments:examination_list",
                                                       args=[patient.pk])},
                             {"text": presenter.date, "href": detail}))


# -------------------------------------------------------------------------------- scales

@require(Capability.RECORD_VIEW)
def scale_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    assessments = selectors.scale_list(patient=patient, actor=actor)
    presenter = ScalesPresenter(assessments, patient_reported=tuple(
        selectors.patient_reported_scores(patient=patient, actor=actor)))
    return render(request, "assessments/scale_list.jinja", {
        "title": "Rating scales", "patient": patient, "presenter": presenter, "num": number,
        "twstrs_rows": presenter.twstrs_rows(), "tsui_rows": presenter.tsui_rows(),
        "patient_reported_rows": presenter.patient_reported_rows(),
        "tsui_items": TSUI_ITEM_NAMES,
        "chart": presenter.chart(selectors.chart_markers(patient)),
        "can_record": can(request.user, Capability.SCALE_RECORD),
        "breadcrumbs": _crumbs(patient, ("Rating scales", "")),
    })


@require(Capability.RECORD_VIEW)
def scale_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    assessment = selectors.scale_get(patient=patient, pk=pk, actor=actor)
    title = f"{assessment.get_scale_display()} of {assessment.assessed_on:%-d %B %Y}"
    history = selectors.scale_history(assessment)
    detail_href = lambda version: _scale_href(patient, version)  # noqa: E731
    return render(request, "assessments/scale_detail.jinja", {
        "title": title, "patient": patient, "assessment": assessment, "num": number,
        "item_rows": twstrs_item_rows(assessment) if assessment.scale == Scale.TWSTRS else [],
        "can_correct": (can(request.user, Capability.SCALE_RECORD)
                        and assessment.is_current),
        "correct_kind": _scale_kind(assessment),
        "history": history, "entry_pk": assessment.pk, "detail_href": detail_href,
        "describe": lambda v: f"total {number(v.total)}, assessed {v.assessed_on:%-d %B %Y}",
        "notice": correction_notice(assessment, history, detail_href),
        "breadcrumbs": _crumbs(patient, ("Rating scales",
                                         reverse("assessments:scale_list", args=[patient.pk])),
                               (title, "")),
    })


def _scale_href(patient, assessment) -> str:
    return reverse("assessments:scale_detail", args=[patient.pk, assessment.pk])


def _scale_kind(assessment) -> str:
    """The entry page that corrects an assessment: the way it was entered."""
    if assessment.scale == Scale.TSUI:
        return "tsui"
    return "twstrs" if assessment.entry_mode == EntryMode.ITEMS else "twstrs_subscores"


# The three ways of entering a scale: (form, title, save). `amends` and the reason pass
# straight to the service, which checks them.
def _correction(form, amends) -> dict:
    return {"amends": amends,
            "correction_reason": form.cleaned_data.get("correction_reason", "")}


def _save_twstrs_items(patient, form, actor, amends):
    return services.twstrs_create(patient=patient, assessed_on=form.cleaned_data["assessed_on"],
                                  items=form.items, notes=form.cleaned_data["notes"],
                                  actor=actor, **_correction(form, amends))


def _save_twstrs_subscores(patient, form, actor, amends):
    return services.twstrs_create_from_subscores(
        patient=patient, assessed_on=form.cleaned_data["assessed_on"],
        notes=form.cleaned_data["notes"], actor=actor, **_correction(form, amends),
        **{name: form.subscores.get(name) for name in ("severity", "disability", "pain")})


def _save_tsui(patient, form, actor, amends):
    return services.tsui_create(patient=patient, assessed_on=form.cleaned_data["assessed_on"],
                                items=form.items, total=form.total,
                                notes=form.cleaned_data["notes"], actor=actor,
                                **_correction(form, amends))


SCALE_ENTRY = {
    "twstrs": (TwstrsItemsForm, "Enter a TWSTRS item by item", _save_twstrs_items),
    "twstrs_subscores": (TwstrsSubscoresForm, "Enter TWSTRS subscores",
                         _save_twstrs_subscores),
    "tsui": (TsuiForm, "Enter a Tsui scale", _save_tsui),
}


def _scale_saved(assessment) -> str:
    total = ("not scored (some items are missing)" if assessment.total is None
             else f"{assessment.total:g}")
    what = "correction of the " if assessment.supersedes_id else ""
    return (f"The {what}{assessment.get_scale_display()} of "
            f"{assessment.assessed_on:%-d %B %Y} is saved: total {total}.")


@require(Capability.SCALE_RECORD)
@methods("GET", "POST")
def scale_create(request, patient_id, kind):
    if kind not in SCALE_ENTRY:
        raise Http404("No such scale")
    form_class, title, save = SCALE_ENTRY[kind]
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends = amended_entry(request, selectors.scale_get, patient=patient, actor=actor)
    if amends is not None and request.method == "GET" and not amends.is_current:
        return already_corrected(request, amends, _scale_href(patient, amends))
    if request.method == "POST":
        form = form_class(request.POST, amending=amends is not None)
        response = form_submit(request, form, lambda data: save(patient, form, actor, amends),
                               redirect_to=reverse("assessments:scale_list",
                                                   args=[patient.pk]),
                               message=_scale_saved)
        if response:
            return response
    else:
        form = form_class(initial=form_class.initial_from(amends) if amends else None,
                          amending=amends is not None)
    list_crumb = ("Rating scales", reverse("assessments:scale_list", args=[patient.pk]))
    action = reverse("assessments:scale_create", args=[patient.pk, kind])
    crumbs = [list_crumb]
    if amends is not None:
        when = f"{amends.get_scale_display()} of {amends.assessed_on:%-d %B %Y}"
        title = f"Correct the {when}"
        action += f"?amends={amends.pk}"
        crumbs.append((when, _scale_href(patient, amends)))
    return render(request, "assessments/scale_form.jinja", {
        "title": title, "patient": patient, "form": form, "kind": kind, "action": action,
        "amends": amends, "cancel_href": _scale_href(patient, amends) if amends else "",
        "breadcrumbs": _crumbs(patient, *crumbs, (title, "")),
    })


@require(Capability.SCALE_RECORD)
@methods("GET", "POST")
def scale_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    assessment = selectors.scale_get(patient=patient, pk=pk, actor=actor)
    when = f"{assessment.get_scale_display()} of {assessment.assessed_on:%-d %B %Y}"
    detail = _scale_href(patient, assessment)
    return entered_in_error_page(
        request, patient=patient, entry=assessment, what=when,
        mark=lambda reason: services.scale_mark_entered_in_error(
            assessment=assessment, reason=reason, actor=actor),
        entry_rows=[("Scale", assessment.get_scale_display()),
                    ("Date", f"{assessment.assessed_on:%-d %B %Y}"),
                    ("Total", number(assessment.total))],
        detail_href=detail,
        crumbs=record_crumbs(patient, {"text": "Rating scales",
                                       "href": reverse("assessments:scale_list",
                                                       args=[patient.pk])},
                             {"text": when, "href": detail}))

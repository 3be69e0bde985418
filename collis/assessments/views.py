"""Pages of the diagnosis, neck examinations and rating scales of a patient's record. Each
reads the patient through `patient_get` (scoped to the user's unit, audited) and the
patient's records through this app's selectors; forms run through `form_submit`."""

from django.http import Http404
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
from collis.assessments.models import Scale
from collis.assessments.presenters import (
    DiagnosisPresenter,
    ExaminationPresenter,
    ScalesPresenter,
    number,
    twstrs_item_rows,
)
from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.domain.scales.tsui import ITEM_NAMES as TSUI_ITEM_NAMES
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get


def _crumbs(patient, *pages):
    """Home > Patients > the patient > pages (text, href)..., the last being the current."""
    return record_crumbs(patient, *({"text": text, "href": href} for text, href in pages))

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


@require(Capability.EXAMINATION_RECORD)
@methods("GET", "POST")
def examination_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = ExaminationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.examination_create(patient=patient, details=form.details(),
                                                     actor=actor),
            redirect_to=lambda examination: reverse("assessments:examination_detail",
                                                    args=[patient.pk, examination.pk]),
            message="The examination is recorded. Confirm the involved muscles below.")
        if response:
            return response
    return render(request, "assessments/examination_form.jinja", {
        "title": "Record a neck examination", "patient": patient, "form": form,
        "breadcrumbs": _crumbs(patient, ("Neck examination",
                                         reverse("assessments:examination_list",
                                                 args=[patient.pk])),
                               ("Record a neck examination", "")),
    })


def _examination_page(request, patient, examination, form=None):
    suggestions = selectors.examination_suggested_muscles(examination)
    suggested = selectors.suggested_pairs(suggestions)
    presenter = ExaminationPresenter(examination)
    can_record = can(request.user, Capability.EXAMINATION_RECORD)
    if form is None and can_record:
        confirmed = {(m.muscle, m.side) for m in examination.muscles.all()}
        form = ExaminationMusclesForm(initial=ExaminationMusclesForm.initial_for(
            confirmed if examination.muscles_confirmed_at else suggested))
    title = f"Neck examination of {presenter.date}"
    return render(request, "assessments/examination_detail.jinja", {
        "title": title, "patient": patient, "examination": examination,
        "presenter": presenter, "suggestions": presenter.suggestion_rows(suggestions),
        "form": form, "can_record": can_record,
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
    form = ExaminationMusclesForm(request.POST)
    suggested = selectors.suggested_pairs(selectors.examination_suggested_muscles(examination))
    response = form_submit(
        request, form,
        lambda data: services.examination_muscles_confirm(
            examination=examination, muscles=form.muscles(), suggested=suggested, actor=actor),
        redirect_to=reverse("assessments:examination_detail", args=[patient.pk, pk]),
        message="The involved muscles are confirmed.")
    return response or _examination_page(request, patient, examination, form=form)


# -------------------------------------------------------------------------------- scales

@require(Capability.RECORD_VIEW)
def scale_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    assessments = selectors.scale_list(patient=patient, actor=actor)
    presenter = ScalesPresenter(assessments)
    return render(request, "assessments/scale_list.jinja", {
        "title": "Rating scales", "patient": patient, "presenter": presenter, "num": number,
        "twstrs_rows": presenter.twstrs_rows(), "tsui_rows": presenter.tsui_rows(),
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
    return render(request, "assessments/scale_detail.jinja", {
        "title": title, "patient": patient, "assessment": assessment, "num": number,
        "item_rows": twstrs_item_rows(assessment) if assessment.scale == Scale.TWSTRS else [],
        "breadcrumbs": _crumbs(patient, ("Rating scales",
                                         reverse("assessments:scale_list", args=[patient.pk])),
                               (title, "")),
    })


# The three ways of entering a scale: (form, title, save).
def _save_twstrs_items(patient, form, actor):
    return services.twstrs_create(patient=patient, assessed_on=form.cleaned_data["assessed_on"],
                                  items=form.items, notes=form.cleaned_data["notes"],
                                  actor=actor)


def _save_twstrs_subscores(patient, form, actor):
    return services.twstrs_create_from_subscores(
        patient=patient, assessed_on=form.cleaned_data["assessed_on"],
        notes=form.cleaned_data["notes"], actor=actor,
        **{name: form.subscores.get(name) for name in ("severity", "disability", "pain")})


def _save_tsui(patient, form, actor):
    return services.tsui_create(patient=patient, assessed_on=form.cleaned_data["assessed_on"],
                                items=form.items, total=form.total,
                                notes=form.cleaned_data["notes"], actor=actor)


SCALE_ENTRY = {
    "twstrs": (TwstrsItemsForm, "Enter a TWSTRS item by item", _save_twstrs_items),
    "twstrs_subscores": (TwstrsSubscoresForm, "Enter TWSTRS subscores",
                         _save_twstrs_subscores),
    "tsui": (TsuiForm, "Enter a Tsui scale", _save_tsui),
}


def _scale_saved(assessment) -> str:
    total = ("not scored (some items are missing)" if assessment.total is None
             else f"{assessment.total:g}")
    return (f"The {assessment.get_scale_display()} of {assessment.assessed_on:%-d %B %Y} "
            f"is saved: total {total}.")


@require(Capability.SCALE_RECORD)
@methods("GET", "POST")
def scale_create(request, patient_id, kind):
    if kind not in SCALE_ENTRY:
        raise Http404("No such scale")
    form_class, title, save = SCALE_ENTRY[kind]
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(request, form, lambda data: save(patient, form, actor),
                               redirect_to=reverse("assessments:scale_list",
                                                   args=[patient.pk]),
                               message=_scale_saved)
        if response:
            return response
    return render(request, "assessments/scale_form.jinja", {
        "title": title, "patient": patient, "form": form, "kind": kind,
        "breadcrumbs": _crumbs(patient, ("Rating scales",
                                         reverse("assessments:scale_list", args=[patient.pk])),
                               (title, "")),
    })

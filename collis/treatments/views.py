"""Pages of the treatments record: botulinum toxin cycles, reviews and resistance tests,
medication and therapy sessions, each with its page, its correction (the create page with
`?amends=<id>`) and its "entered in error" page. Thin: forms validate, services write and
check, selectors read (the patient through patient_get, scoped to the user's unit and
audited)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.forms import EnteredInErrorForm
from collis.core.permissions import methods, require
from collis.core.presenters import date_long
from collis.core.roles import Capability, can
from collis.patients.models import Patient
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.treatments import presenters, selectors, services
from collis.treatments.forms import (
    MedicationForm,
    MedicationStopForm,
    ResistanceTestForm,
    TherapySessionForm,
    ToxinCycleForm,
    ToxinReviewForm,
    ToxinStopForm,
)
from collis.treatments.models import (
    Medication,
    ResistanceTest,
    TherapySession,
    ToxinCycle,
    ToxinReview,
    ToxinStop,
)

SECTIONS = {"toxin": ("Botulinum toxin", "treatments:toxin_list"),
            "medication": ("Medication", "treatments:medication_list"),
            "therapy": ("Therapy", "treatments:therapy_list")}


def _crumbs(patient: Patient, section: str, *current: str) -> list[dict]:
    label, url_name = SECTIONS[section]
    if not current:
        return record_crumbs(patient, {"text": label, "href": ""})
    return record_crumbs(
        patient, {"text": label, "href": reverse(url_name, kwargs={"patient_id": patient.pk})},
        {"text": current[0], "href": ""})


def _found(read: Callable, *missing: type[Exception]):
    """The entry a selector reads, or 404 (another patient's entry is never found)."""
    try:
        return read()
    except missing:
        raise Http404("No such entry for this patient") from None


def _cycle(patient: Patient, pk: int, actor: Actor) -> ToxinCycle:
    return _found(lambda: selectors.toxin_cycle_get(patient=patient, pk=pk, actor=actor),
                  ToxinCycle.DoesNotExist)


def _medication(patient: Patient, pk: int, actor: Actor) -> Medication:
    return _found(lambda: selectors.medication_get(patient=patient, pk=pk, actor=actor),
                  Medication.DoesNotExist)


def _test(patient: Patient, pk: int, actor: Actor) -> ResistanceTest:
    return _found(lambda: selectors.resistance_test_get(patient=patient, pk=pk, actor=actor),
                  ResistanceTest.DoesNotExist)


def _stop(patient: Patient, pk: int, actor: Actor) -> ToxinStop:
    return _found(lambda: selectors.toxin_stop_get(patient=patient, pk=pk, actor=actor),
                  ToxinStop.DoesNotExist)


def _session(patient: Patient, pk: int, actor: Actor) -> TherapySession:
    return _found(lambda: selectors.therapy_session_get(patient=patient, pk=pk, actor=actor),
                  TherapySession.DoesNotExist)


def _amends(request) -> int | None:
    """The id in `?amends=<id>`: the entry a create page corrects."""
    value = request.GET.get("amends", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such entry to correct")
    return int(value)


def _already_corrected(request, entry, href: str):
    """A correction of an entry that is no longer current: say so, back to its page."""
    messages.info(request, f"This entry was already {entry.get_record_status_display().lower()}"
                           ": correct the current version instead.")
    return redirect(href)


def _entered_in_error_page(request, *, patient: Patient, entry, title: str, section: str,
                           rows: list[tuple[str, str]], back: str, mark: Callable[[str], object]):
    """The one "Mark as entered in error" page: the entry, the reason, the service."""
    if not entry.is_current:
        return _already_corrected(request, entry, back)
    form = EnteredInErrorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(request, form, lambda data: mark(data["correction_reason"]),
                               redirect_to=back,
                               message="The entry is marked as entered in error. It stays in "
                                       "the record's history.")
        if response:
            return response
    return render(request, "core/entered_in_error.jinja", {
        "title": title, "patient": patient, "form": form, "entry_rows": rows,
        "cancel_href": back, "breadcrumbs": _crumbs(patient, section, title),
    })


def _entry_page(request, *, patient: Patient, entry, section: str, title: str,
                rows: list[tuple[str, str]], capability: Capability, correct_href: str,
                error_href: str, describe: Callable, extra: dict | None = None):
    """The page of one resistance test, medicine or therapy session: what it says, its
    status, its history, and (for roles that may) its corrections."""
    may = can(request.user, capability) and entry.is_current
    return render(request, "treatments/entry_detail.jinja", {
        "title": title, "patient": patient, "entry": entry, "rows": rows, "p": presenters,
        "history": selectors.entry_history(entry), "describe": describe,
        "successor": selectors.entry_successor(entry),
        "correct_href": correct_href if may else "", "error_href": error_href if may else "",
        "back_href": reverse(SECTIONS[section][1], kwargs={"patient_id": patient.pk}),
        "back_text": f"All {SECTIONS[section][0].lower()}" if section != "toxin"
        else "All botulinum toxin", "breadcrumbs": _crumbs(patient, section, title),
        **(extra or {}),
    })


# Botulinum toxin ---------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def toxin_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    record = selectors.toxin_record_get(patient=patient, actor=actor)
    return render(request, "treatments/toxin_list.jinja", {
        "title": "Botulinum toxin", "patient": patient, "record": record,
        "bars": presenters.benefit_bars(record.cycles),
        "chart": presenters.benefit_chart(record.cycles),
        "p": presenters,
        "can_record": can(request.user, Capability.TOXIN_RECORD),
        "corrected_cycles": selectors.corrected_entries(patient=patient, model=ToxinCycle),
        "corrected_tests": selectors.corrected_entries(patient=patient, model=ResistanceTest),
        "corrected_stops": selectors.corrected_entries(patient=patient, model=ToxinStop),
        "breadcrumbs": _crumbs(patient, "toxin"),
    })


def toxin_cycle_submit(request, form: ToxinCycleForm, *, patient: Patient,
                       amends: ToxinCycle | None, save: Callable, redirect_to: Callable):
    """The POST of a toxin cycle form: returns (redirect or None, warnings shown). Warnings
    (a short interval, units above a limit) are shown once; the clinician may then record
    it anyway (units above a limit need a reason). Impossible units are refused on their
    row. `save(cleaned_data, acknowledged_codes)` calls the service."""
    if not form.is_valid():
        return None, ()
    data = form.cleaned_data
    check = selectors.proposed_cycle_check(
        patient=patient, given_on=data["given_on"], product=data["product"],
        injections=data["injections"], replacing=amends)
    warnings = check.warnings
    codes = sorted({w.code for w in warnings})
    if check.units.refusals:
        form.units_refusals_apply(check.units.refusals)
        return None, ()
    # A warning, not a refusal: the clinician sees it once, then may proceed. Until they
    # have seen these very warnings, the page is shown again with them.
    if warnings and data["acknowledged"] != ",".join(codes):
        form.data = form.data.copy()
        form.data["acknowledged"] = ",".join(codes)
        return None, warnings
    response = form_submit(
        request, form, lambda data: save(data, codes), redirect_to=redirect_to,
        message=lambda cycle: f"The cycle of {date_long(cycle.given_on)} is recorded: "
                              f"{cycle.total_units} units.")
    return response, warnings


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_create(request, patient_id):
    """Record a cycle, or with `?amends=<id>` its corrected version. Warnings (a short
    interval, units above a limit) are shown once; the clinician may then record it anyway
    (units above a limit need a reason). Impossible units are refused on their row."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends_pk = _amends(request)
    amends = _cycle(patient, amends_pk, actor) if amends_pk else None
    if amends is not None and not amends.is_current:
        return _already_corrected(request, amends, reverse(
            "treatments:toxin_detail", kwargs={"patient_id": patient.pk, "pk": amends.pk}))
    warnings = ()
    if request.method == "POST":
        form = ToxinCycleForm(request.POST, amending=amends is not None, user=request.user)
        response, warnings = toxin_cycle_submit(
            request, form, patient=patient, amends=amends,
            save=lambda data, codes: services.toxin_cycle_create(
                patient=patient, given_on=data["given_on"], product=data["product"],
                batch_number=data["batch_number"], batch_expires_on=data["batch_expires_on"],
                guidance=data["guidance"], injector=data["injector"], site=data["site"],
                injections=data["injections"], notes=data["notes"],
                warnings_acknowledged=codes, warnings_reason=data["warnings_reason"],
                amends=amends, correction_reason=data.get("correction_reason", ""),
                actor=actor),
            redirect_to=lambda cycle: reverse(
                "treatments:toxin_detail", kwargs={"patient_id": patient.pk, "pk": cycle.pk}))
        if response:
            return response
    elif amends is not None:
        form = ToxinCycleForm(initial=ToxinCycleForm.initial_from(amends), amending=True,
                              user=request.user)
    else:
        form = ToxinCycleForm(initial={"injector": request.user.pk,
                                       "site": patient.home_site_id}, user=request.user)
    title = (f"Correct the toxin cycle of {date_long(amends.given_on)}" if amends
             else "Record a toxin cycle")
    return render(request, "treatments/toxin_form.jinja", {
        "title": title, "patient": patient, "form": form, "amends": amends,
        "warnings": warnings, "p": presenters,
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.RECORD_VIEW)
def toxin_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    cycle = _cycle(patient, pk, actor)
    title = f"Toxin cycle of {date_long(cycle.given_on)}"
    may = can(request.user, Capability.TOXIN_RECORD)
    return render(request, "treatments/toxin_detail.jinja", {
        "title": title, "patient": patient, "cycle": cycle, "p": presenters,
        "can_record": may and cycle.is_current,
        "history": selectors.toxin_cycle_history(cycle),
        "successor": selectors.entry_successor(cycle),
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    cycle = _cycle(patient, pk, actor)
    return _entered_in_error_page(
        request, patient=patient, entry=cycle, section="toxin",
        title=f"Mark the toxin cycle of {date_long(cycle.given_on)} as entered in error",
        rows=presenters.cycle_rows(cycle),
        back=reverse("treatments:toxin_detail", kwargs={"patient_id": patient.pk,
                                                         "pk": cycle.pk}),
        mark=lambda reason: services.toxin_cycle_mark_entered_in_error(
            cycle=cycle, reason=reason, actor=actor))


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_review(request, patient_id, pk):
    """Review a cycle, or with `?amends=<review id>` correct its review."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    cycle = _cycle(patient, pk, actor)
    detail = reverse("treatments:toxin_detail", kwargs={"patient_id": patient.pk,
                                                        "pk": cycle.pk})
    amends_pk = _amends(request)
    amends = _found(lambda: selectors.toxin_review_get(cycle=cycle, pk=amends_pk),
                    ToxinReview.DoesNotExist) if amends_pk else None
    if amends is not None and not amends.is_current:
        return _already_corrected(request, amends, detail)
    if not cycle.is_current:
        messages.info(request, f"This cycle was {cycle.get_record_status_display().lower()}: "
                               "review the current version instead.")
        return redirect(detail)
    if amends is None and cycle.reviewed:
        messages.info(request, "This cycle has already been reviewed.")
        return redirect(detail)
    if request.method == "POST":
        form = ToxinReviewForm(request.POST, amending=amends is not None)
        response = form_submit(
            request, form,
            lambda data: services.toxin_review_create(
                cycle=cycle, reviewed_on=data["reviewed_on"],
                peak_benefit_percent=data["peak_benefit_percent"],
                benefit_weeks=data["benefit_weeks"], side_effects=data["side_effect_record"],
                notes=data["notes"], amends=amends,
                correction_reason=data.get("correction_reason", ""), actor=actor),
            redirect_to=reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}),
            message=f"The review of the cycle of {date_long(cycle.given_on)} is recorded.")
        if response:
            return response
    else:
        form = ToxinReviewForm(initial=ToxinReviewForm.initial_from(amends) if amends else None,
                               amending=amends is not None)
    title = (f"Correct the review of the cycle of {date_long(cycle.given_on)}" if amends
             else f"Review the cycle of {date_long(cycle.given_on)}")
    return render(request, "treatments/toxin_review_form.jinja", {
        "title": title, "patient": patient, "cycle": cycle, "form": form,
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_review_entered_in_error(request, patient_id, pk):
    """Mark the cycle's current review as entered in error."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    cycle = _cycle(patient, pk, actor)
    back = reverse("treatments:toxin_detail", kwargs={"patient_id": patient.pk,
                                                      "pk": cycle.pk})
    review = cycle.review
    if review is None:
        messages.info(request, "This cycle has no current review.")
        return redirect(back)
    return _entered_in_error_page(
        request, patient=patient, entry=review, section="toxin",
        title=f"Mark the review of the cycle of {date_long(cycle.given_on)} as entered in "
              "error", rows=presenters.review_rows(review), back=back,
        mark=lambda reason: services.toxin_review_mark_entered_in_error(
            review=review, reason=reason, actor=actor))


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def resistance_test_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends_pk = _amends(request)
    amends = _test(patient, amends_pk, actor) if amends_pk else None
    if amends is not None and not amends.is_current:
        return _already_corrected(request, amends, presenters.entry_href(amends))
    if request.method == "POST":
        form = ResistanceTestForm(request.POST, amending=amends is not None)
        response = form_submit(
            request, form,
            lambda data: services.resistance_test_create(
                patient=patient, tested_on=data["tested_on"], kind=data["kind"],
                result=data["result"], notes=data["notes"], amends=amends,
                correction_reason=data.get("correction_reason", ""), actor=actor),
            redirect_to=reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}),
            message="The resistance test is recorded.")
        if response:
            return response
    else:
        form = ResistanceTestForm(
            initial=ResistanceTestForm.initial_from(amends) if amends else None,
            amending=amends is not None)
    title = "Correct the resistance test" if amends else "Record a resistance test"
    return render(request, "treatments/simple_form.jinja", {
        "title": title, "patient": patient, "form": form,
        "section": "toxin", "submit": "Save the resistance test",
        "info": presenters.resistance_test_info(),
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.RECORD_VIEW)
def resistance_test_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    test = _test(patient, pk, actor)
    kwargs = {"patient_id": patient.pk}
    return _entry_page(
        request, patient=patient, entry=test, section="toxin",
        title=f"Resistance test of {date_long(test.tested_on)}",
        rows=presenters.test_rows(test), capability=Capability.TOXIN_RECORD,
        correct_href=reverse("treatments:resistance_test_create", kwargs=kwargs)
        + f"?amends={test.pk}",
        error_href=reverse("treatments:resistance_test_entered_in_error",
                           kwargs={**kwargs, "pk": test.pk}),
        describe=presenters.describe_test)


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def resistance_test_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    test = _test(patient, pk, actor)
    return _entered_in_error_page(
        request, patient=patient, entry=test, section="toxin",
        title=f"Mark the resistance test of {date_long(test.tested_on)} as entered in error",
        rows=presenters.test_rows(test), back=presenters.entry_href(test),
        mark=lambda reason: services.resistance_test_mark_entered_in_error(
            test=test, reason=reason, actor=actor))


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_stop_create(request, patient_id):
    """Record that toxin was stopped, who decided and why; with `?amends=<id>` correct it."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends_pk = _amends(request)
    amends = _stop(patient, amends_pk, actor) if amends_pk else None
    if amends is not None and not amends.is_current:
        return _already_corrected(request, amends, presenters.entry_href(amends))
    if request.method == "POST":
        form = ToxinStopForm(request.POST, amending=amends is not None)
        response = form_submit(
            request, form,
            lambda data: services.toxin_stop_create(
                patient=patient, stopped_on=data["stopped_on"], decided_by=data["decided_by"],
                reason=data["reason"], reason_other=data["reason_other"], notes=data["notes"],
                amends=amends, correction_reason=data.get("correction_reason", ""),
                actor=actor),
            redirect_to=reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk}),
            message="The stop of botulinum toxin is recorded.")
        if response:
            return response
    else:
        form = ToxinStopForm(initial=ToxinStopForm.initial_from(amends) if amends
                             else {"decided_by": request.user.pk}, amending=amends is not None)
    title = ("Correct the stop of botulinum toxin" if amends
             else "Record that botulinum toxin was stopped")
    return render(request, "treatments/simple_form.jinja", {
        "title": title, "patient": patient, "form": form,
        "section": "toxin", "submit": "Save the stop of toxin",
        "lead": presenters.STOP_LEAD,
        "breadcrumbs": _crumbs(patient, "toxin", title),
    })


@require(Capability.RECORD_VIEW)
def toxin_stop_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    stop = _stop(patient, pk, actor)
    kwargs = {"patient_id": patient.pk}
    return _entry_page(
        request, patient=patient, entry=stop, section="toxin",
        title=f"Botulinum toxin stopped on {date_long(stop.stopped_on)}",
        rows=presenters.stop_rows(stop), capability=Capability.TOXIN_RECORD,
        correct_href=reverse("treatments:toxin_stop_create", kwargs=kwargs)
        + f"?amends={stop.pk}",
        error_href=reverse("treatments:toxin_stop_entered_in_error",
                           kwargs={**kwargs, "pk": stop.pk}),
        describe=presenters.describe_stop)


@require(Capability.TOXIN_RECORD)
@methods("GET", "POST")
def toxin_stop_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    stop = _stop(patient, pk, actor)
    return _entered_in_error_page(
        request, patient=patient, entry=stop, section="toxin",
        title=f"Mark the stop of botulinum toxin of {date_long(stop.stopped_on)} as entered "
              "in error",
        rows=presenters.stop_rows(stop), back=presenters.entry_href(stop),
        mark=lambda reason: services.toxin_stop_mark_entered_in_error(
            stop=stop, reason=reason, actor=actor))


# Medication --------------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def medication_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    medications = selectors.medication_list(patient=patient, actor=actor)
    return render(request, "treatments/medication_list.jinja", {
        "title": "Medication", "patient": patient,
        "current": [m for m in medications if m.is_ongoing],
        "stopped": [m for m in medications if not m.is_ongoing],
        "corrected": selectors.corrected_entries(patient=patient, model=Medication),
        "p": presenters,
        "can_record": can(request.user, Capability.MEDICATION_RECORD),
        "breadcrumbs": _crumbs(patient, "medication"),
    })


@require(Capability.MEDICATION_RECORD)
@methods("GET", "POST")
def medication_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends_pk = _amends(request)
    amends = _medication(patient, amends_pk, actor) if amends_pk else None
    if amends is not None and not amends.is_current:
        return _already_corrected(request, amends, presenters.entry_href(amends))
    with_stop = amends is not None and amends.stopped_on is not None
    if request.method == "POST":
        form = MedicationForm(request.POST, amending=amends is not None, with_stop=with_stop)
        response = form_submit(
            request, form,
            lambda data: services.medication_start(patient=patient, **data, amends=amends,
                                                   actor=actor),
            redirect_to=reverse("treatments:medication_list",
                                kwargs={"patient_id": patient.pk}),
            message=lambda medication: f"{medication.drug_name} is recorded.")
        if response:
            return response
    else:
        form = MedicationForm(initial=MedicationForm.initial_from(amends) if amends else None,
                              amending=amends is not None, with_stop=with_stop)
    title = f"Correct {amends.drug_name}" if amends else "Record a medicine"
    return render(request, "treatments/simple_form.jinja", {
        "title": title, "patient": patient, "form": form,
        "section": "medication", "submit": "Save the medicine",
        "breadcrumbs": _crumbs(patient, "medication", title),
    })


@require(Capability.RECORD_VIEW)
def medication_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    medication = _medication(patient, pk, actor)
    kwargs = {"patient_id": patient.pk}
    may_stop = (can(request.user, Capability.MEDICATION_RECORD) and medication.is_current
                and medication.is_ongoing)
    return _entry_page(
        request, patient=patient, entry=medication, section="medication",
        title=f"{medication.drug_name} from {date_long(medication.started_on)}",
        rows=presenters.medication_rows(medication), capability=Capability.MEDICATION_RECORD,
        correct_href=reverse("treatments:medication_create", kwargs=kwargs)
        + f"?amends={medication.pk}",
        error_href=reverse("treatments:medication_entered_in_error",
                           kwargs={**kwargs, "pk": medication.pk}),
        describe=presenters.describe_medication,
        extra={"stop_href": reverse("treatments:medication_stop",
                                    kwargs={**kwargs, "pk": medication.pk})
               if may_stop else ""})


@require(Capability.MEDICATION_RECORD)
@methods("GET", "POST")
def medication_stop(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    medication = _medication(patient, pk, actor)
    if not medication.is_current:
        return _already_corrected(request, medication, presenters.entry_href(medication))
    if not medication.is_ongoing:
        messages.info(request, f"{medication.drug_name} is already recorded as stopped.")
        return redirect("treatments:medication_list", patient_id=patient.pk)
    form = MedicationStopForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.medication_stop(
                medication=medication, stopped_on=data["stopped_on"],
                reason=data["stop_reason"], actor=actor),
            redirect_to=reverse("treatments:medication_list",
                                kwargs={"patient_id": patient.pk}),
            message=f"{medication.drug_name} is recorded as stopped.")
        if response:
            return response
    title = f"Stop {medication.drug_name}"
    return render(request, "treatments/simple_form.jinja", {
        "title": title, "patient": patient, "form": form, "section": "medication",
        "submit": "Record that it stopped",
        "lead": f"{medication.drug_name} {medication.dose}, started "
                f"{date_long(medication.started_on)}.",
        "breadcrumbs": _crumbs(patient, "medication", title),
    })


@require(Capability.MEDICATION_RECORD)
@methods("GET", "POST")
def medication_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    medication = _medication(patient, pk, actor)
    return _entered_in_error_page(
        request, patient=patient, entry=medication, section="medication",
        title=f"Mark {medication.drug_name} as entered in error",
        rows=presenters.medication_rows(medication), back=presenters.entry_href(medication),
        mark=lambda reason: services.medication_mark_entered_in_error(
            medication=medication, reason=reason, actor=actor))


# Therapy -----------------------------------------------------------------------------------

@require(Capability.RECORD_VIEW)
def therapy_list(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    sessions = selectors.therapy_session_list(patient=patient, actor=actor)
    return render(request, "treatments/therapy_list.jinja", {
        "title": "Therapy", "patient": patient, "sessions": sessions,
        "corrected": selectors.corrected_entries(patient=patient, model=TherapySession),
        "p": presenters,
        "can_record": can(request.user, Capability.THERAPY_RECORD),
        "breadcrumbs": _crumbs(patient, "therapy"),
    })


@require(Capability.THERAPY_RECORD)
@methods("GET", "POST")
def therapy_create(request, patient_id):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    amends_pk = _amends(request)
    amends = _session(patient, amends_pk, actor) if amends_pk else None
    if amends is not None and not amends.is_current:
        return _already_corrected(request, amends, presenters.entry_href(amends))
    initial = (TherapySessionForm.initial_from(amends) if amends
               else {"therapist": request.user.pk})
    form = TherapySessionForm(request.POST if request.method == "POST" else None,
                              initial=initial, amending=amends is not None,
                              user=request.user)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.therapy_session_create(patient=patient, **data,
                                                         amends=amends, actor=actor),
            redirect_to=reverse("treatments:therapy_list", kwargs={"patient_id": patient.pk}),
            message=lambda session: f"The {session.get_kind_display().lower()} session of "
                                    f"{date_long(session.session_on)} is recorded.")
        if response:
            return response
    title = "Correct the therapy session" if amends else "Record a therapy session"
    return render(request, "treatments/simple_form.jinja", {
        "title": title, "patient": patient, "form": form,
        "section": "therapy", "submit": "Save the session",
        "breadcrumbs": _crumbs(patient, "therapy", title),
    })


@require(Capability.RECORD_VIEW)
def therapy_detail(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    session = _session(patient, pk, actor)
    kwargs = {"patient_id": patient.pk}
    return _entry_page(
        request, patient=patient, entry=session, section="therapy",
        title=f"{session.get_kind_display()} session of {date_long(session.session_on)}",
        rows=presenters.session_rows(session), capability=Capability.THERAPY_RECORD,
        correct_href=reverse("treatments:therapy_create", kwargs=kwargs)
        + f"?amends={session.pk}",
        error_href=reverse("treatments:therapy_entered_in_error",
                           kwargs={**kwargs, "pk": session.pk}),
        describe=presenters.describe_session)


@require(Capability.THERAPY_RECORD)
@methods("GET", "POST")
def therapy_entered_in_error(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    session = _session(patient, pk, actor)
    return _entered_in_error_page(
        request, patient=patient, entry=session, section="therapy",
        title=f"Mark the therapy session of {date_long(session.session_on)} as entered in "
              "error", rows=presenters.session_rows(session),
        back=presenters.entry_href(session),
        mark=lambda reason: services.therapy_session_mark_entered_in_error(
            session=session, reason=reason, actor=actor))

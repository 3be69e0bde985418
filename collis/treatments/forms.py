"""Forms of the treatments record. They validate and clean; services save (and check the
chronology and plausibility, for the pages and the API alike). A create form opened to
correct an entry (`amending=True`) asks for the reason for the correction."""

from __future__ import annotations

from functools import partial

from django import forms

from collis.core.forms import CorrectionReasonMixin
from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    DecimalField,
    HiddenTextField,
    IntegerField,
    ModelSelectField,
    MuscleSideRows,
    RadiosField,
    RowColumn,
    RowMessages,
    SelectField,
    StaffChoiceField,
    TextareaField,
    TextField,
)
from collis.core.nhsuk_forms.scoping import unit_scope
from collis.core.roles import Capability
from collis.sites.models import Site
from collis.treatments.models import (
    INJECTION_ROWS,
    MAX_UNITS_PER_INJECTION,
    MUSCLE_CHOICES,
    PRODUCT_CHOICES,
    RESISTANCE_RESULT_CHOICES,
    RESISTANCE_TEST_CHOICES,
    SIDE_CHOICES,
    DoseUnit,
    Guidance,
    Severity,
    StopReason,
    TherapyKind,
)
from collis.treatments.services import InjectionRow, SideEffects

EXAMPLE_DATE = "For example, 21 11 2026"

INJECTIONS = MuscleSideRows(
    muscles=MUSCLE_CHOICES, sides=SIDE_CHOICES, count=INJECTION_ROWS,
    columns=(RowColumn("units", "Units", partial(
        IntegerField, min_value=1, max_value=MAX_UNITS_PER_INJECTION,
        width=5, autocomplete="off")),),
    row_heading="Injection {n}", make_row=InjectionRow,
    messages=RowMessages(
        duplicate="{Where} is entered in {rows} {first} and {n}: enter it once with its "
                  "total units",
        none_entered="Enter at least one muscle injected, with its side and units"))


class AmendableForm(CorrectionReasonMixin):
    """A create form that may correct an entry: when `amending`, the reason for the
    correction is required (and comes last); otherwise the form has no such field."""

    def __init__(self, *args, amending: bool = False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.amending = amending
        if user is not None:
            unit_scope(self, user)  # staff and sites of the user's unit only (ADR 0006)
        if amending:
            reason = self.fields.pop("correction_reason")
            reason.required = True
            reason.error_messages["required"] = "Give the reason for the correction"
            self.fields["correction_reason"] = reason
        else:
            del self.fields["correction_reason"]


class ToxinCycleForm(AmendableForm):
    """A cycle with a fixed number of injection rows; blank rows are ignored."""

    given_on = DateField(label="Date of the injections",
                         label_text="The date of the injections", past_only=True,
                         hint=EXAMPLE_DATE)
    product = SelectField(label="Product", choices=[("", "Choose a product"), *PRODUCT_CHOICES],
                          hint="Units are recorded in this product's own units and never "
                               "converted to another product's.",
                          error_messages={"required": "Choose the product"})
    batch_number = TextField(label="Batch number", max_length=40,
                             width=10, spellcheck=False,
                             autocomplete="off",
                             error_messages={"required": "Enter the batch number"})
    batch_expires_on = DateField(label="Batch expiry date (optional)",
                                 label_text="The batch expiry date", required=False,
                                 hint="As printed on the vial, for example, 31 12 2027")
    guidance = RadiosField(label="Guidance", choices=Guidance.choices,
                           error_messages={"required": "Choose how the injections were "
                                                       "guided"})
    injector = StaffChoiceField(label="Injector", capability=Capability.TOXIN_RECORD,
                                empty_label="Choose the injector",
                                error_messages={"required": "Choose the injector",
                                                "invalid_choice": "Choose a member of staff "
                                                                  "who injects toxin"})
    site = ModelSelectField(label="Site", queryset=Site.objects.active(),
                            empty_label="Choose a site",
                            error_messages={"required": "Choose the site",
                                            "invalid_choice": "Choose one of the unit's sites"})
    notes = TextareaField(label="Notes (optional)", required=False)
    acknowledged = HiddenTextField(required=False)
    warnings_reason = TextareaField(
        label="Why record it anyway?", required=False, max_length=500, rows=3,
        hint="Needed when the units are above a limit. It is kept with the cycle.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.injection_rows = INJECTIONS.bind(self)

    def clean(self):
        cleaned = super().clean()
        cleaned["injections"] = self.injection_rows.clean()
        return cleaned

    def units_refusals_apply(self, refusals) -> None:
        """Put the domain's refusals of units (collis.domain.toxin.UnitsRefusal) on the row
        they are about, or on the whole form for the session's total."""
        rows = {}
        for n in range(1, INJECTION_ROWS + 1):
            names = INJECTIONS.names(n)
            key = (self.cleaned_data.get(names["muscle"]), self.cleaned_data.get(names["side"]))
            rows.setdefault(key, names["units"])
        injections = self.cleaned_data.get("injections") or []
        for refusal in refusals:
            field = None
            if refusal.index is not None and refusal.index < len(injections):
                row = injections[refusal.index]
                field = rows.get((row.muscle, row.side))
            self.add_error(field, refusal.detail)

    @staticmethod
    def initial_from(cycle) -> dict:
        """The fields of a cycle being corrected, as entered."""
        return {"given_on": cycle.given_on, "product": cycle.product,
                "batch_number": cycle.batch_number,
                "batch_expires_on": cycle.batch_expires_on, "guidance": cycle.guidance,
                "injector": cycle.injector_id, "site": cycle.site_id, "notes": cycle.notes,
                **INJECTIONS.initial((i.muscle, i.side, i.units)
                                     for i in cycle.injections.all())}


class ToxinReviewForm(AmendableForm):
    SIDE_EFFECT_CHOICES = [("dysphagia", "Difficulty swallowing (dysphagia)"),
                           ("neck_weakness", "Neck weakness"), ("other", "Other")]

    reviewed_on = DateField(label="Date of the review", label_text="The date of the review",
                            past_only=True, hint=EXAMPLE_DATE)
    peak_benefit_percent = IntegerField(
        label="Peak benefit (%)", error_name="Peak benefit", min_value=0, max_value=100,
        allow_suffix="%", width=3, autocomplete="off",
        hint="The patient's estimate of the best improvement, from 0 to 100",
        error_messages={"required": "Enter the peak benefit"})
    benefit_weeks = IntegerField(
        label="Weeks of benefit", min_value=0, max_value=52, width=3,
        autocomplete="off", hint="How many weeks the benefit lasted, from 0 to 52",
        error_messages={"required": "Enter the weeks of benefit"})
    side_effects = CheckboxesField(label="Side effects", required=False,
                                   choices=SIDE_EFFECT_CHOICES, hint="Select all that apply")
    other_side_effect = TextField(label="Other side effect", required=False, max_length=200,
                                  hint="Only if you selected Other")
    side_effect_severity = RadiosField(
        label="Severity of side effects", required=False, choices=Severity.choices,
        inline=True, clear_label="No side effects", hint="The most severe side effect")
    notes = TextareaField(label="Notes (optional)", required=False)

    @staticmethod
    def initial_from(review) -> dict:
        chosen = [name for name, ticked in (("dysphagia", review.dysphagia),
                                            ("neck_weakness", review.neck_weakness),
                                            ("other", bool(review.other_side_effect)))
                  if ticked]
        return {"reviewed_on": review.reviewed_on,
                "peak_benefit_percent": review.peak_benefit_percent,
                "benefit_weeks": review.benefit_weeks, "side_effects": chosen,
                "other_side_effect": review.other_side_effect,
                "side_effect_severity": review.side_effect_severity, "notes": review.notes}

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("side_effects") or []
        other = (cleaned.get("other_side_effect") or "").strip()
        severity = cleaned.get("side_effect_severity") or ""
        if "other" in chosen and not other:
            self.add_error("other_side_effect", "Enter the other side effect")
        if other and "other" not in chosen:
            chosen = [*chosen, "other"]
        if chosen and not severity:
            self.add_error("side_effect_severity", "Choose the severity of the side effects")
        if severity and not chosen:
            self.add_error("side_effect_severity", "Choose a side effect, or leave the severity "
                                                   "blank when there were none")
        cleaned["side_effect_record"] = SideEffects(
            dysphagia="dysphagia" in chosen, neck_weakness="neck_weakness" in chosen,
            other=other if "other" in chosen else "", severity=severity)
        return cleaned


class ResistanceTestForm(AmendableForm):
    tested_on = DateField(label="Date of the test", label_text="The date of the test",
                          past_only=True, hint=EXAMPLE_DATE)
    kind = RadiosField(label="Test", choices=RESISTANCE_TEST_CHOICES,
                       error_messages={"required": "Choose the test"})
    result = RadiosField(label="Result", choices=RESISTANCE_RESULT_CHOICES,
                         error_messages={"required": "Choose the result"})
    notes = TextareaField(label="Notes (optional)", required=False)

    @staticmethod
    def initial_from(test) -> dict:
        return {"tested_on": test.tested_on, "kind": test.kind, "result": test.result,
                "notes": test.notes}


class ToxinStopForm(AmendableForm):
    stopped_on = DateField(label="Date toxin was stopped",
                           label_text="The date toxin was stopped", past_only=True,
                           hint="The date of the decision, on or after the last cycle. "
                                + EXAMPLE_DATE)
    decided_by = StaffChoiceField(label="Clinician responsible for the decision",
                                  capability=Capability.TOXIN_RECORD,
                                  empty_label="Choose the clinician",
                                  error_messages={"required": "Choose the clinician "
                                                              "responsible for the decision",
                                                  "invalid_choice": "Choose a member of staff "
                                                                    "who injects toxin"})
    reason = RadiosField(label="Reason for stopping", choices=StopReason.choices,
                         error_messages={"required": "Choose the reason for stopping"})
    reason_other = TextField(label="If another reason, what it was", max_length=200,
                             required=False)
    notes = TextareaField(label="Notes (optional)", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == StopReason.OTHER and not cleaned.get("reason_other"):
            self.add_error("reason_other", "Enter the other reason for stopping")
        return cleaned

    @staticmethod
    def initial_from(stop) -> dict:
        return {"stopped_on": stop.stopped_on, "decided_by": stop.decided_by_id,
                "reason": stop.reason, "reason_other": stop.reason_other,
                "notes": stop.notes}


class MedicationForm(AmendableForm):
    drug_name = TextField(label="Medicine", max_length=120,
                          hint="For example, trihexyphenidyl",
                          error_messages={"required": "Enter the name of the medicine"})
    # Kept as the text typed ("0.5"): the record shows the dose as the clinician wrote it.
    dose_amount = DecimalField(label="Dose", min_value=0, exclusive_min=True, coerce=str,
                               hint="For example, 2",
                               error_messages={"required": "Enter the dose",
                                               "invalid": "Dose must be a number, like 2 or 0.5",
                                               "min_value": "Dose must be more than 0"})
    dose_unit = SelectField(label="Unit", choices=[("", "Choose a unit"), *DoseUnit.choices],
                            error_messages={"required": "Choose the unit of the dose",
                                            "invalid_choice": "Choose the unit of the dose "
                                                              "from the list"})
    frequency = TextField(label="How often", max_length=80,
                          hint="For example, three times a day",
                          error_messages={"required": "Enter how often it is taken"})
    started_on = DateField(label="Start date", label_text="The start date", past_only=True,
                           hint=EXAMPLE_DATE)
    effect = TextareaField(label="Effect (optional)", required=False)
    side_effects = TextareaField(label="Side effects (optional)", required=False)
    # Only when correcting a medicine recorded as stopped: its stop is corrected with it.
    stopped_on = DateField(label="Stop date", label_text="The stop date", past_only=True,
                           required=False, hint="Leave it empty if the medicine was never "
                                                "stopped. " + EXAMPLE_DATE)
    stop_reason = TextField(label="Reason for stopping", max_length=300, required=False)

    def __init__(self, *args, with_stop: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_stop:
            del self.fields["stopped_on"], self.fields["stop_reason"]

    @staticmethod
    def initial_from(medication) -> dict:
        return {name: getattr(medication, name) for name in (
            "drug_name", "dose_amount", "dose_unit", "frequency", "started_on", "effect",
            "side_effects", "stopped_on", "stop_reason")}


class MedicationStopForm(forms.Form):
    stopped_on = DateField(label="Stop date", label_text="The stop date", past_only=True,
                           hint=EXAMPLE_DATE)
    stop_reason = TextField(label="Reason for stopping", max_length=300,
                            error_messages={"required": "Enter the reason for stopping"})


class TherapySessionForm(AmendableForm):
    kind = RadiosField(label="Kind of therapy", choices=TherapyKind.choices,
                       error_messages={"required": "Choose the kind of therapy"})
    session_on = DateField(label="Date of the session", label_text="The date of the session",
                           past_only=True, hint=EXAMPLE_DATE)
    therapist = StaffChoiceField(label="Therapist", capability=Capability.THERAPY_RECORD,
                                 empty_label="Choose the therapist",
                                 error_messages={"required": "Choose the therapist"})
    duration_minutes = IntegerField(label="Duration (minutes)", error_name="Duration",
                                    unit="of minutes", min_value=1, max_value=480,
                                    error_messages={"required": "Enter the duration of the "
                                                                "session in minutes"})
    goals = TextareaField(label="Goals (optional)", required=False)
    notes = TextareaField(label="Notes (optional)", required=False)

    @staticmethod
    def initial_from(session) -> dict:
        return {"kind": session.kind, "session_on": session.session_on,
                "therapist": session.therapist_id,
                "duration_minutes": session.duration_minutes, "goals": session.goals,
                "notes": session.notes}

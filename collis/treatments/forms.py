"""Forms of the treatments record. They validate and clean; services save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from collis.core.forms import NhsDateField
from collis.core.models import AccountType, User
from collis.core.roles import ROLE_CAPABILITIES, Capability
from collis.sites.models import Site
from collis.treatments.models import (
    INJECTION_ROWS,
    MAX_UNITS_PER_INJECTION,
    MUSCLE_CHOICES,
    PRODUCT_CHOICES,
    RESISTANCE_RESULT_CHOICES,
    RESISTANCE_TEST_CHOICES,
    SIDE_CHOICES,
    Guidance,
    Severity,
    TherapyKind,
)
from collis.treatments.services import InjectionRow, SideEffects

MUSCLE_LABELS = dict(MUSCLE_CHOICES)
SIDE_LABELS = dict(SIDE_CHOICES)


def staff_who_can(capability: Capability):
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    return User.objects.filter(account_type=AccountType.STAFF, is_active=True,
                               role__in=roles).order_by("last_name", "first_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.role_label})"


class ToxinCycleForm(forms.Form):
    """A cycle with a fixed number of injection rows; blank rows are ignored."""

    given_on = NhsDateField(label="Date of the injections",
                            label_text="The date of the injections", past_only=True,
                            help_text="For example, 21 11 2026")
    product = forms.ChoiceField(label="Product", choices=[("", "Choose a product"),
                                                          *PRODUCT_CHOICES],
                                error_messages={"required": "Choose the product"})
    batch_number = forms.CharField(label="Batch number", max_length=40,
                                   error_messages={"required": "Enter the batch number"})
    guidance = forms.ChoiceField(label="Guidance", choices=Guidance.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choose how the injections "
                                                             "were guided"})
    injector = StaffChoiceField(label="Injector", queryset=User.objects.none(),
                                empty_label="Choose the injector",
                                error_messages={"required": "Choose the injector",
                                                "invalid_choice": "Choose a member of staff "
                                                                  "who injects toxin"})
    site = forms.ModelChoiceField(label="Site", queryset=Site.objects.active(),
                                  empty_label="Choose a site",
                                  error_messages={"required": "Choose the site",
                                                  "invalid_choice": "Choose one of the "
                                                                    "unit's sites"})
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)
    acknowledged = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["injector"].queryset = staff_who_can(Capability.TOXIN_RECORD)
        for i in range(1, INJECTION_ROWS + 1):
            self.fields[f"muscle_{i}"] = forms.ChoiceField(
                label=f"Muscle {i}", required=False,
                choices=[("", "Choose a muscle"), *MUSCLE_CHOICES])
            self.fields[f"side_{i}"] = forms.ChoiceField(
                label=f"Side {i}", required=False, choices=[("", "Choose a side"), *SIDE_CHOICES])
            self.fields[f"units_{i}"] = forms.CharField(label=f"Units {i}", required=False,
                                                        max_length=10)

    def rows(self):
        """(number, muscle field, side field, units field) for each row, for the template."""
        return [(i, self[f"muscle_{i}"], self[f"side_{i}"], self[f"units_{i}"])
                for i in range(1, INJECTION_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        injections: list[InjectionRow] = []
        seen: dict[tuple[str, str], int] = {}
        for i in range(1, INJECTION_ROWS + 1):
            muscle = cleaned.get(f"muscle_{i}") or ""
            side = cleaned.get(f"side_{i}") or ""
            units_text = (cleaned.get(f"units_{i}") or "").strip()
            if not (muscle or side or units_text):
                continue  # a blank row
            name = MUSCLE_LABELS[muscle].lower() if muscle else f"row {i}"
            where = f"{name} ({SIDE_LABELS[side].lower()})" if side else name
            ok = True
            if not muscle:
                self.add_error(f"muscle_{i}", f"Choose the muscle for row {i}")
                ok = False
            if not side:
                self.add_error(f"side_{i}", f"Choose the side for {name}")
                ok = False
            if not units_text:
                self.add_error(f"units_{i}", f"Enter the units for {where}")
                ok = False
            elif not units_text.isdigit() or not 1 <= int(units_text) <= MAX_UNITS_PER_INJECTION:
                self.add_error(f"units_{i}", f"Units for {where} must be a whole number from 1 "
                                             f"to {MAX_UNITS_PER_INJECTION}")
                ok = False
            if ok:
                if (muscle, side) in seen:
                    self.add_error(f"muscle_{i}", f"{where.capitalize()} is entered in rows "
                                                  f"{seen[(muscle, side)]} and {i}: enter it "
                                                  "once with its total units")
                    continue
                seen[(muscle, side)] = i
                injections.append(InjectionRow(muscle=muscle, side=side, units=int(units_text)))
        if not injections and not any(f"muscle_{i}" in self.errors or f"units_{i}" in self.errors
                                      or f"side_{i}" in self.errors
                                      for i in range(1, INJECTION_ROWS + 1)):
            self.add_error("muscle_1", "Enter at least one muscle injected, with its side and "
                                       "units")
        cleaned["injections"] = injections
        return cleaned


class ToxinReviewForm(forms.Form):
    SIDE_EFFECT_CHOICES = [("dysphagia", "Difficulty swallowing (dysphagia)"),
                           ("neck_weakness", "Neck weakness"), ("other", "Other")]

    reviewed_on = NhsDateField(label="Date of the review", label_text="The date of the review",
                               past_only=True, help_text="For example, 21 11 2026")
    peak_benefit_percent = forms.CharField(
        label="Peak benefit (%)", max_length=5,
        help_text="The patient's estimate of the best improvement, from 0 to 100",
        error_messages={"required": "Enter the peak benefit"})
    benefit_weeks = forms.CharField(
        label="Weeks of benefit", max_length=5,
        help_text="How many weeks the benefit lasted, from 0 to 52",
        error_messages={"required": "Enter the weeks of benefit"})
    side_effects = forms.MultipleChoiceField(label="Side effects", required=False,
                                             choices=SIDE_EFFECT_CHOICES,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text="Select all that apply")
    other_side_effect = forms.CharField(label="Other side effect", required=False,
                                        max_length=200)
    side_effect_severity = forms.ChoiceField(
        label="Severity of side effects", required=False, choices=Severity.choices,
        widget=forms.RadioSelect, help_text="The most severe side effect")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, cycle=None, **kwargs):
        self.cycle = cycle
        super().__init__(*args, **kwargs)

    @staticmethod
    def _whole(value: str, low: int, high: int, message: str) -> int:
        value = (value or "").strip().rstrip("%").strip()
        if not value.isdigit() or not low <= int(value) <= high:
            raise ValidationError(message)
        return int(value)

    def clean_peak_benefit_percent(self):
        return self._whole(self.cleaned_data["peak_benefit_percent"], 0, 100,
                           "Peak benefit must be a whole number from 0 to 100")

    def clean_benefit_weeks(self):
        return self._whole(self.cleaned_data["benefit_weeks"], 0, 52,
                           "Weeks of benefit must be a whole number from 0 to 52")

    def clean_reviewed_on(self):
        value = self.cleaned_data["reviewed_on"]
        if value and self.cycle is not None and value < self.cycle.given_on:
            raise ValidationError("The date of the review must be on or after the date of the "
                                  "injections")
        return value

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


class ResistanceTestForm(forms.Form):
    tested_on = NhsDateField(label="Date of the test", label_text="The date of the test",
                             past_only=True, help_text="For example, 21 11 2026")
    kind = forms.ChoiceField(label="Test", choices=RESISTANCE_TEST_CHOICES,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Choose the test"})
    result = forms.ChoiceField(label="Result", choices=RESISTANCE_RESULT_CHOICES,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose the result"})
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)


class MedicationForm(forms.Form):
    drug_name = forms.CharField(label="Medicine", max_length=120,
                                help_text="For example, trihexyphenidyl",
                                error_messages={"required": "Enter the name of the medicine"})
    dose_amount = forms.CharField(label="Dose", max_length=20, help_text="For example, 2",
                                  error_messages={"required": "Enter the dose"})
    dose_unit = forms.CharField(label="Unit", max_length=20, help_text="For example, mg",
                                error_messages={"required": "Enter the unit of the dose"})
    frequency = forms.CharField(label="How often", max_length=80,
                                help_text="For example, three times a day",
                                error_messages={"required": "Enter how often it is taken"})
    started_on = NhsDateField(label="Start date", label_text="The start date", past_only=True,
                              help_text="For example, 21 11 2026")
    effect = forms.CharField(label="Effect (optional)", required=False, widget=forms.Textarea)
    side_effects = forms.CharField(label="Side effects (optional)", required=False,
                                   widget=forms.Textarea)

    def clean_dose_amount(self):
        value = self.cleaned_data["dose_amount"].strip()
        try:
            number = float(value)
        except ValueError:
            raise ValidationError("Dose must be a number, like 2 or 0.5") from None
        if number <= 0:
            raise ValidationError("Dose must be more than 0")
        return value


class MedicationStopForm(forms.Form):
    stopped_on = NhsDateField(label="Stop date", label_text="The stop date", past_only=True,
                              help_text="For example, 21 11 2026")
    stop_reason = forms.CharField(label="Reason for stopping", max_length=300,
                                  error_messages={"required": "Enter the reason for stopping"})

    def __init__(self, *args, medication=None, **kwargs):
        self.medication = medication
        super().__init__(*args, **kwargs)

    def clean_stopped_on(self):
        value = self.cleaned_data["stopped_on"]
        if value and self.medication is not None and value < self.medication.started_on:
            raise ValidationError("The stop date must be on or after the start date")
        return value


class TherapySessionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of therapy", choices=TherapyKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of therapy"})
    session_on = NhsDateField(label="Date of the session", label_text="The date of the session",
                              past_only=True, help_text="For example, 21 11 2026")
    therapist = StaffChoiceField(label="Therapist", queryset=User.objects.none(),
                                 empty_label="Choose the therapist",
                                 error_messages={"required": "Choose the therapist"})
    duration_minutes = forms.CharField(label="Duration (minutes)", max_length=5,
                                       error_messages={"required": "Enter the duration of the "
                                                                   "session in minutes"})
    goals = forms.CharField(label="Goals (optional)", required=False, widget=forms.Textarea)
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = staff_who_can(Capability.THERAPY_RECORD)

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"].strip()
        if not value.isdigit() or not 1 <= int(value) <= 480:
            raise ValidationError("Duration must be a whole number of minutes from 1 to 480")
        return int(value)

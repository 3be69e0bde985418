"""Forms of counselling and consent. They validate; services save."""

from __future__ import annotations

from django import forms

from collis.consent.models import SignatureMethod
from collis.consent.presenters import AID_KINDS, VALUES_QUESTIONS
from collis.core.forms import CorrectionReasonMixin
from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    RadiosField,
    SingleCheckboxField,
    TextareaField,
    TextField,
)
from collis.domain.risks import Intervention, risks_for


def _sd_risks():
    return risks_for(Intervention.SELECTIVE_DENERVATION)


class CounsellingForm(CorrectionReasonMixin, forms.Form):
    """The decision-aid conversation: what matters to the patient, and each risk of
    selective denervation discussed and understood (every one must be ticked). With
    `amending`, it corrects a session and asks why (the service requires the reason)."""

    held_on = DateField(label="Date of the counselling session",
                        label_text="The date of the counselling session", past_only=True)
    aids_shown = CheckboxesField(
        label="Which versions of the decision aid did the patient see?",
        choices=list(AID_KINDS.items()),
        hint="The patient version is in plain English; the clinician version has every "
             "figure with its source. Select all that apply.",
        error_messages={"required": "Select which versions of the decision aid the patient "
                                    "saw"})
    notes = TextareaField(label="Notes (optional)", required=False, max_length=4000, rows=3)

    def __init__(self, *args, amending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.amending = amending
        if not amending:
            del self.fields["correction_reason"]
        for q in VALUES_QUESTIONS:
            self.fields[f"values_{q.code}"] = TextareaField(
                label=q.question, required=q.required, max_length=2000, hint=q.hint, rows=3,
                error_messages={"required": f"Enter the patient's answer to "
                                            f"'{q.question}'"})
        for risk in _sd_risks():
            self.fields[f"ack_{risk.code}"] = SingleCheckboxField(
                label=f"{risk.name}: discussed and understood", required=False)

    def values_fields(self):
        return [self[f"values_{q.code}"] for q in VALUES_QUESTIONS]

    def risk_fields(self):
        return [(risk, self[f"ack_{risk.code}"]) for risk in _sd_risks()]

    def clean(self):
        data = super().clean()
        for risk in _sd_risks():
            if not data.get(f"ack_{risk.code}"):
                self.add_error(f"ack_{risk.code}",
                               f"Confirm that '{risk.name}' was discussed with the patient "
                               f"and understood")
        return data

    def answers(self) -> dict[str, str]:
        return {q.code: self.cleaned_data.get(f"values_{q.code}", "") for q in VALUES_QUESTIONS}

    def acknowledged(self) -> frozenset[str]:
        return frozenset(r.code for r in _sd_risks() if self.cleaned_data.get(f"ack_{r.code}"))


class ConsentForm(forms.Form):
    signature_method = RadiosField(
        label="How did the patient sign?", choices=SignatureMethod.choices,
        error_messages={"required": "Select how the patient signed"})
    patient_typed_name = TextField(
        label="Patient's name, typed by them as a signature", required=False, max_length=200)
    patient_signed_on = DateField(label="Date the patient signed",
                                  label_text="The date the patient signed", past_only=True)

    def clean(self):
        data = super().clean()
        if (data.get("signature_method") == SignatureMethod.TYPED
                and not (data.get("patient_typed_name") or "").strip()):
            self.add_error("patient_typed_name",
                           "Enter the patient's name as they typed it as a signature")
        return data

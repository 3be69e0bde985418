"""Forms of counselling and consent. They validate; services save."""

from __future__ import annotations

from django import forms

from collis.consent.models import SignatureMethod
from collis.consent.presenters import (
    AID_KINDS,
    ALTERNATIVES,
    VALUES_QUESTIONS,
    figure_text,
    sources_text,
)
from collis.core.forms import CorrectionReasonMixin
from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    RadiosField,
    SingleCheckboxField,
    TextareaField,
    TextField,
    YesNoField,
)
from collis.domain.risks import Intervention, risks_for


def _sd_risks():
    return risks_for(Intervention.SELECTIVE_DENERVATION)


UNDERSTOOD, NOT_YET_UNDERSTOOD, NOT_DISCUSSED = "understood", "discussed", "not_discussed"
UNDERSTANDING_CHOICES = [
    (UNDERSTOOD, "Discussed and understood"),
    (NOT_YET_UNDERSTOOD, "Discussed, not yet understood: to confirm at a later session"),
    (NOT_DISCUSSED, "Not discussed at this session"),
]


def _risk_hint(risk) -> str:
    """The risk as shown to the patient, with its figures and sources, for the form."""
    parts = [risk.patient_description,
             *(f"Figure: {figure_text(f).rstrip('.')}." for f in risk.figures)]
    if risk.frequency_note:
        parts.append(risk.frequency_note)
    parts.append(f"Sources: {sources_text(risk.sources)}.")
    return " ".join(parts)


class CounsellingForm(CorrectionReasonMixin, forms.Form):
    """The decision-aid conversation: what matters to the patient, and for each risk of
    selective denervation whether it was discussed and understood, discussed and still to
    be confirmed later, or not discussed (an answer for every risk). With `amending`, it
    corrects a session and asks why (the service requires the reason)."""

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
            self.fields[f"risk_{risk.code}"] = RadiosField(
                label=risk.name, choices=UNDERSTANDING_CHOICES, hint=_risk_hint(risk),
                error_messages={"required": f"Select whether '{risk.name}' was discussed "
                                            f"and understood"})

    def values_fields(self):
        return [self[f"values_{q.code}"] for q in VALUES_QUESTIONS]

    def risk_fields(self):
        return [self[f"risk_{risk.code}"] for risk in _sd_risks()]

    def _risks_with(self, *answers) -> frozenset[str]:
        return frozenset(r.code for r in _sd_risks()
                         if self.cleaned_data.get(f"risk_{r.code}") in answers)

    def answers(self) -> dict[str, str]:
        return {q.code: self.cleaned_data.get(f"values_{q.code}", "") for q in VALUES_QUESTIONS}

    def acknowledged(self) -> frozenset[str]:
        return self._risks_with(UNDERSTOOD)

    def discussed(self) -> frozenset[str]:
        return self._risks_with(UNDERSTOOD, NOT_YET_UNDERSTOOD)


class ConsentForm(forms.Form):
    """The consent form's sections, then the patient's signature (the page's order, which
    the error summary follows)."""

    field_order = ["intended_benefits", "extra_procedures", "alternatives_discussed",
                   "interpreter_used", "interpreter_name", "patient_has_capacity",
                   "signature_method", "patient_typed_name", "patient_signed_on"]
    signature_method = RadiosField(
        label="How did the patient sign?", choices=SignatureMethod.choices,
        error_messages={"required": "Select how the patient signed"})
    patient_typed_name = TextField(
        label="Patient's name, typed by them as a signature", required=False, max_length=200)
    patient_signed_on = DateField(label="Date the patient signed",
                                  label_text="The date the patient signed", past_only=True)
    intended_benefits = TextareaField(
        label="Intended benefits", max_length=4000, rows=3,
        hint="In the patient's terms, for example less pulling and pain in the neck and a "
             "more natural head position.",
        error_messages={"required": "Enter the benefits the operation is intended to bring"})
    extra_procedures = TextareaField(
        label="Extra procedures that may become necessary", max_length=4000, rows=2,
        hint="Write 'None expected' if there are none.",
        error_messages={"required": "Enter any extra procedures that may become necessary, "
                                    "or write that none are expected"})
    alternatives_discussed = CheckboxesField(
        label="Alternatives discussed", choices=list(ALTERNATIVES.items()),
        hint="The form must record that no treatment was discussed as an alternative.",
        error_messages={"required": "Select the alternatives discussed, including 'No "
                                    "further treatment'"})
    interpreter_used = YesNoField(
        label="Was an interpreter used?",
        error_messages={"required": "Select whether an interpreter was used"})
    interpreter_name = TextField(label="The interpreter's name", required=False,
                                 max_length=200, hint="Only when an interpreter was used.")
    patient_has_capacity = SingleCheckboxField(
        label="The patient has capacity to consent to this operation",
        error_messages={"required": "Confirm that the patient has capacity to consent: "
                                    "where they lack capacity, this form does not apply"})

    def clean(self):
        data = super().clean()
        if (data.get("signature_method") == SignatureMethod.TYPED
                and not (data.get("patient_typed_name") or "").strip()):
            self.add_error("patient_typed_name",
                           "Enter the patient's name as they typed it as a signature")
        if (data.get("interpreter_used") == YesNoField.YES
                and not (data.get("interpreter_name") or "").strip()):
            self.add_error("interpreter_name", "Enter the name of the interpreter")
        return data


def consent_details(data):
    """The consent form's sections, from a valid ConsentForm's cleaned data, as the service
    takes them."""
    from collis.consent.services import ConsentDetails

    return ConsentDetails(
        intended_benefits=data["intended_benefits"],
        extra_procedures=data["extra_procedures"],
        alternatives_discussed=tuple(data["alternatives_discussed"]),
        interpreter_used=data["interpreter_used"] == YesNoField.YES,
        interpreter_name=data.get("interpreter_name") or "",
        patient_has_capacity=bool(data.get("patient_has_capacity")))


class ConfirmationForm(CorrectionReasonMixin, forms.Form):
    """The confirmation of consent on the day of surgery."""

    confirmed_on = DateField(label="Date of the confirmation",
                             label_text="The date of the confirmation", past_only=True)
    still_wants_to_proceed = YesNoField(
        label="Does the patient still want to go ahead with the operation?",
        error_messages={"required": "Select whether the patient still wants to go ahead"})
    notes = TextareaField(label="Notes", required=False, max_length=4000, rows=3,
                          hint="Needed when the patient does not want to go ahead: what they "
                               "said and what happens next.")

    def __init__(self, *args, amending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not amending:
            del self.fields["correction_reason"]

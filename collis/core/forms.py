"""The sign-in form and the audit log's filter. The NHS.UK fields themselves live in
`collis.core.nhsuk_forms`; `NhsDateField` and `NhsDateWidget` are imported from here too."""

from django import forms

from collis.core.nhsuk_forms import (
    DateField,
    NhsDateField,
    NhsDateWidget,
    SelectField,
    TextareaField,
    TextField,
)

__all__ = ["AuditExportForm", "AuditFilterForm", "CorrectionReasonMixin", "EnteredInErrorForm",
           "LoginForm", "NhsDateField", "NhsDateWidget"]


class LoginForm(forms.Form):
    username = TextField(label="Username", max_length=150, autocomplete="username",
                         spellcheck=False, classes="nhsuk-u-width-two-thirds",
                         error_messages={"required": "Enter your username"})
    password = TextField(label="Password", type="password", autocomplete="current-password",
                         classes="nhsuk-u-width-two-thirds",
                         error_messages={"required": "Enter your password"})


class AuditFilterForm(forms.Form):
    username = TextField(label="Username", required=False, max_length=150, spellcheck=False)
    action = SelectField(label="Action", required=False)
    patient = TextField(label="Patient's NHS number", required=False, max_length=40, width=10,
                        inputmode="numeric", spellcheck=False)
    on = DateField(label="Date", label_text="The date", required=False, past_only=True)

    def __init__(self, *args, **kwargs):
        from collis.core.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *AuditAction.choices]

    def clean_patient(self):
        from collis.patients.models import nhs_number_normalise, validate_nhs_number

        value = nhs_number_normalise(self.cleaned_data["patient"])
        if value:
            validate_nhs_number(value)
        return value


class AuditExportForm(forms.Form):
    start = DateField(label="From", label_text="The first day", past_only=True,
                      error_messages={"required": "Enter the first day of the export"})
    end = DateField(label="To", label_text="The last day", past_only=True,
                    error_messages={"required": "Enter the last day of the export"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The last day must be the same as or after the first day")
        return cleaned


class EnteredInErrorForm(forms.Form):
    """Mark an entry as entered in error: the reason is required and kept with the entry."""

    correction_reason = TextareaField(
        label="Why was this entered in error?", max_length=500, rows=3,
        hint="For example, recorded on the wrong patient, or a duplicate of another entry. "
             "The entry stays in the record's history, marked as entered in error.",
        error_messages={"required": "Give the reason the entry was entered in error"})


class CorrectionReasonMixin(forms.Form):
    """Added to an app's create form when it amends an entry (`?amends=<id>`)."""

    correction_reason = TextareaField(
        label="Reason for the correction", max_length=500, rows=3, required=False,
        hint="What was wrong with the entry this corrects. The original stays in the "
             "record's history.")

"""The sign-in form and the audit log's filter. The NHS.UK fields themselves live in
`collis.core.nhsuk_forms`; `NhsDateField` and `NhsDateWidget` are imported from here too."""

from django import forms

from collis.core.nhsuk_forms import (
    DateField,
    NhsDateField,
    NhsDateWidget,
    SelectField,
    TextField,
)

__all__ = ["AuditFilterForm", "LoginForm", "NhsDateField", "NhsDateWidget"]


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
    on = DateField(label="Date", label_text="The date", required=False, past_only=True)

    def __init__(self, *args, **kwargs):
        from collis.core.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *AuditAction.choices]

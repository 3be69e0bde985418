"""The portal's forms: the staff invitation, the patient's account and second factor,
signing in, and a question to the unit. Fields from collis.core.nhsuk_forms (ADR 0008)."""

from django import forms

from collis.core.nhsuk_forms import DateField, RadiosField, TextareaField, TextField


class InvitationForm(forms.Form):
    email = TextField(label="Patient's email address", type="email", autocomplete="off",
                      spellcheck=False, max_length=254,
                      hint="We will send a link to this address. It works once, for a few "
                           "days.",
                      error_messages={"required": "Enter the patient's email address"})


class AccountForm(forms.Form):
    date_of_birth = DateField(label="Your date of birth", label_text="Your date of birth",
                              past_only=True, hint="For example, 15 3 1984")
    password = TextField(label="Choose a password", type="password",
                         autocomplete="new-password",
                         hint="At least 12 characters. A few words you will remember "
                              "work well.",
                         error_messages={"required": "Choose a password"})
    password_again = TextField(label="Type your password again", type="password",
                               autocomplete="new-password",
                               error_messages={"required": "Type your password again"})

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("password") and cleaned.get("password_again")
                and cleaned["password"] != cleaned["password_again"]):
            self.add_error("password_again", "The two passwords are not the same")
        return cleaned


class CodeForm(forms.Form):
    code = TextField(label="Code from your authenticator app", width=10,
                     inputmode="numeric", autocomplete="one-time-code", spellcheck=False,
                     max_length=20,
                     error_messages={"required": "Enter the code from your authenticator "
                                                 "app"})


class SignInCodeForm(forms.Form):
    code = TextField(label="Code from your authenticator app, or a recovery code", width=10,
                     autocomplete="one-time-code", spellcheck=False, max_length=20,
                     hint="The app shows 6 numbers. A recovery code has letters and "
                          "numbers and works once.",
                     error_messages={"required": "Enter a code"})


class SignInForm(forms.Form):
    username = TextField(label="Email address", max_length=150, autocomplete="username",
                         spellcheck=False, type="email",
                         error_messages={"required": "Enter your email address"})
    password = TextField(label="Password", type="password", autocomplete="current-password",
                         error_messages={"required": "Enter your password"})


class QuestionForm(forms.Form):
    question = TextareaField(label="Your question", max_length=2000,
                             error_messages={"required": "Enter your question"})


class AppointmentRequestForm(forms.Form):
    change = RadiosField(label="What would you like to do?", choices=[
        ("cancel", "Cancel this appointment"),
        ("rebook", "Move it to another day or time"),
    ], error_messages={"required": "Choose whether to cancel or move the appointment"})
    details = TextareaField(label="Anything we should know (optional)", required=False,
                            max_length=2000,
                            hint="For example, days or times that suit you better.")


def questionnaire_form(questionnaire, data=None, initial=None):
    """A form of the questionnaire's questions (collis.domain.questionnaires), each a row
    of radios from its lowest to its highest number; none required, so that the patient
    can save part of it and come back."""
    words = questionnaire.scale_words

    def label(value, question):
        if value == question.low and words.get("low"):
            return f"{value} ({words['low']})"
        if value == question.high and words.get("high"):
            return f"{value} ({words['high']})"
        return str(value)

    fields = {
        q.code: RadiosField(label=q.text, required=False, inline=True, legend_size="s",
                            choices=[(str(v), label(v, q)) for v in q.values])
        for q in questionnaire.questions}
    form_class = type("QuestionnaireForm", (forms.Form,), fields)
    return form_class(data, initial={k: str(v) for k, v in (initial or {}).items()})

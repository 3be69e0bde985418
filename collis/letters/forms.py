"""Forms of clinic letters. They validate; services save."""

from __future__ import annotations

from django import forms

from collis.core.nhsuk_forms import RadiosField, TextareaField, TextField
from collis.core.nhsuk_forms.fields import HiddenIntegerField
from collis.letters.models import SECTIONS, SentHow

SECTION_HINTS = {
    "recipients": "One recipient a line",
    "treatment": "Lines starting with a dash print as a list",
}


class LetterEditForm(forms.Form):
    version = HiddenIntegerField(label="Version")

    def __init__(self, *args, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field, heading in SECTIONS:
            self.fields[field] = TextareaField(
                label=heading, required=field in ("recipients", "clinic_summary", "plan"),
                max_length=4000, rows=6 if field in ("treatment", "plan") else 3,
                hint=SECTION_HINTS.get(field))
        if correcting:
            self.fields["correction_reason"] = TextareaField(
                label="Why are you correcting a letter that was sent?", max_length=500,
                rows=2, hint="The version that was sent is kept as it was sent.")


class LetterSendForm(forms.Form):
    version = HiddenIntegerField(label="Version")
    how = RadiosField(label="How is the letter sent?", choices=SentHow.choices)
    to = TextField(label="GP practice email address (if emailing)", required=False,
                   max_length=254, hint="A secure NHS address, such as name@nhs.net")


class LetterErrorForm(forms.Form):
    version = HiddenIntegerField(label="Version")
    reason = TextareaField(label="Why was this letter entered in error?", max_length=500,
                           rows=3, hint="For example, written about the wrong patient")

"""The patient's choice of contact about appointments. The form validates; the service saves."""

from django import forms

from collis.core.nhsuk_forms.fields import YesNoField


class ContactPreferenceForm(forms.Form):
    email_ok = YesNoField(label="May we email the patient about appointments?",
                          hint="Confirmations, reminders and cancellations, with a calendar "
                               "file")
    sms_ok = YesNoField(label="May we send the patient text messages about appointments?",
                        hint="A short text to their mobile phone")

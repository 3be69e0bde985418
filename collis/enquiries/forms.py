"""The public contact form and the team's forms on an enquiry."""

from __future__ import annotations

import re

import nhs_number
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from collis.core.nhsuk_forms import (
    HiddenIntegerField,
    HiddenTextField,
    ModelSelectField,
    RadiosField,
    SelectField,
    StaffChoiceField,
    TextareaField,
    TextField,
    UnitScopedForm,
)
from collis.core.roles import Capability
from collis.enquiries.models import (
    STATUS_MOVES,
    ContactMethod,
    EnquirerType,
    EnquiryStatus,
    Topic,
)
from collis.patients.models import nhs_number_normalise
from collis.sites.models import Site

QUESTION_MAX = 3000
# The name of the hidden field that only automatic programs fill in.
HONEYPOT = "website"


class EnquiryForm(forms.Form):
    """What a member of the public tells us: plain words, every message naming the field."""

    name = TextField(label="Your name", max_length=120, autocomplete="name", spellcheck=False,
                     error_messages={"required": "Enter your name"})
    enquirer_type = RadiosField(
        label="Who are you?", legend_size=None,
        choices=[(EnquirerType.PATIENT, "I am a patient"),
                 (EnquirerType.RELATIVE, "I am a relative or carer"),
                 (EnquirerType.PROFESSIONAL, "I am a health professional")],
        error_messages={"required": "Select whether you are a patient, a relative or carer, "
                                    "or a health professional"})
    topic = RadiosField(
        label="What is your question about?", choices=Topic.choices, legend_size=None,
        error_messages={"required": "Select what your question is about"})
    question = TextareaField(
        label="Your question", max_length=QUESTION_MAX, rows=6,
        hint="Tell us what you would like to know. Do not include details of other people.",
        error_messages={"required": "Enter your question",
                        "max_length": f"Your question must be {QUESTION_MAX:,} characters "
                                      "or fewer"})
    site = ModelSelectField(
        label="Which site would you like to go to? (optional)",
        queryset=Site.objects.active(), required=False, empty_label="No preference",
        error_messages={"invalid_choice": "Choose one of our sites, or no preference"})
    contact_method = RadiosField(
        label="How should we contact you?", choices=ContactMethod.choices, inline=True,
        legend_size=None, error_messages={"required": "Select email or phone"})
    email = TextField(
        label="Email address", required=False, max_length=254, type="email",
        autocomplete="email", spellcheck=False,
        hint="We will send our reply here. Leave it blank if you only want a phone call.",
        validators=[EmailValidator(message="Enter an email address in the correct format, "
                                           "like name@example.com")])
    phone = TextField(label="Phone number (optional)", required=False, max_length=30,
                      type="tel", autocomplete="tel", width=20,
                      hint="Include the area code, like 020 7946 0000")
    contact_time = TextField(label="When is a good time to call you? (optional)",
                             required=False, max_length=120,
                             hint="For example, weekday mornings")
    nhs_number = TextField(
        label="NHS number (optional)", required=False, max_length=40, width=10,
        inputmode="numeric", spellcheck=False,
        hint="This is a 10 digit number, like 999 123 4567. It is on letters from the NHS "
             "and in the NHS App. It helps us find your records.")
    website = TextField(label="Leave this box empty", required=False, max_length=200,
                        autocomplete="off")

    def __init__(self, data=None, *args, **kwargs):
        # The hidden box is read once and never drawn again with what was typed in it, so
        # that a person whose browser filled it in can send the form again as it stands.
        self.honeypot = ""
        if data is not None:
            data = data.copy()
            self.honeypot = data.pop(HONEYPOT, [""])[-1] if hasattr(data, "getlist") \
                else data.pop(HONEYPOT, "")
        super().__init__(data, *args, **kwargs)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not re.fullmatch(r"\+?[0-9 ()\-]{7,30}", phone):
            raise ValidationError("Enter a phone number using only numbers, spaces and "
                                  "brackets, like 020 7946 0000")
        return phone

    def clean_nhs_number(self):
        value = nhs_number_normalise(self.cleaned_data["nhs_number"])
        if value and not (re.fullmatch(r"[0-9]{10}", value) and nhs_number.is_valid(value)):
            raise ValidationError("Enter a real NHS number, which is 10 digits, or leave it "
                                  "blank")
        return value

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("contact_method")
        if method == ContactMethod.EMAIL and not cleaned.get("email") \
                and "email" not in self.errors:
            self.add_error("email", "Enter your email address, or choose phone")
        if method == ContactMethod.PHONE and not cleaned.get("phone") \
                and "phone" not in self.errors:
            self.add_error("phone", "Enter your phone number, or choose email")
        return cleaned


# -- The team's forms ----------------------------------------------------------------------

class InboxFilterForm(forms.Form):
    status = SelectField(label="Status", required=False,
                         choices=[("", "Not closed"), *EnquiryStatus.choices, ("all", "Any")])
    assigned = SelectField(label="Assigned to", required=False,
                           choices=[("", "Anyone"), ("me", "Me"), ("nobody", "Nobody")])


class StatusForm(forms.Form):
    status = SelectField(label="New status", choices=[("", "Choose a status"),
                                                      *EnquiryStatus.choices],
                         error_messages={"required": "Choose a status"})
    note = TextareaField(label="Note (optional)", required=False, rows=2, max_length=2000)

    def offer_moves_from(self, status: str) -> None:
        """Offer only the statuses the table allows after `status` (the service checks
        again whatever is sent)."""
        self.fields["status"].choices = [("", "Choose a status")] + [
            (value, label) for value, label in EnquiryStatus.choices
            if value in STATUS_MOVES[status]]


class AssignForm(UnitScopedForm):
    assigned_to = StaffChoiceField(label="Assign to", capability=Capability.ENQUIRY_ANSWER,
                                   required=False, empty_label="Nobody")


class NoteForm(forms.Form):
    text = TextareaField(label="Note for the team", rows=3, max_length=5000,
                         hint="The enquirer does not see notes.",
                         error_messages={"required": "Enter the note"})


class ReplyForm(forms.Form):
    body = TextareaField(label="Your reply", rows=8, max_length=10000,
                         hint="Write in plain English. Collis adds the greeting, your name "
                              "and the reference.",
                         error_messages={"required": "Enter your reply"})


class PatientLinkForm(forms.Form):
    """The patient chosen from those offered (the service reads them through the scoped
    selector: one outside the unit, or no patient, is not found)."""

    patient_id = HiddenTextField(error_messages={"required": "Choose the patient"})


class EmailRetryForm(forms.Form):
    email_id = HiddenIntegerField(error_messages={"required": "Choose the email"})


class BookingRequestForm(forms.Form):
    """A button alone: marking the enquiry needs nothing more."""

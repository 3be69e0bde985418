"""Forms of the patient registry. They validate and clean; services save."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from collis.core.nhsuk_forms import (
    DateField,
    HiddenIntegerField,
    ModelSelectField,
    RadiosField,
    TextField,
    UnitScopedForm,
    sites_of,
)
from collis.patients.models import Patient, Sex, nhs_number_normalise, validate_nhs_number
from collis.patients.selectors import DUPLICATE_NHS_NUMBER, nhs_number_taken

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


class PatientSearchForm(forms.Form):
    q = TextField(label="NHS number or name", required=False, max_length=120,
                  spellcheck=False, autocomplete="off",
                  hint="For example, 943 476 5919, or Smith, or Jo Smith")
    dob = DateField(label="Date of birth", label_text="Date of birth", required=False,
                    past_only=True, hint="For example, 15 3 1984")

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("q") or "").strip()
        digits = nhs_number_normalise(text)
        if digits.isdigit() and len(digits) == 10:
            try:
                validate_nhs_number(digits)
            except ValidationError as error:
                self.add_error("q", error)
        elif digits.isdigit():
            self.add_error("q", "NHS number must be 10 digits")
        return cleaned


class PatientForm(UnitScopedForm):
    """A patient's registry details; the home site is one of the user's unit's (`user=`)."""

    # Room for a number pasted in spaced or compatibility digits (a mathematical digit is two
    # UTF-16 units to a browser's maxlength); the field then folds it to 10 ASCII digits.
    nhs_number = TextField(label="NHS number", max_length=40, width=10,
                           inputmode="numeric", spellcheck=False,
                           hint="10 digits, for example 943 476 5919",
                           error_messages={"required": "Enter the NHS number"})
    given_name = TextField(label="Given name", max_length=100, autocomplete="off",
                           spellcheck=False, error_messages={"required": "Enter the given name"})
    family_name = TextField(label="Family name", max_length=100, autocomplete="off",
                            spellcheck=False,
                            error_messages={"required": "Enter the family name"})
    date_of_birth = DateField(label="Date of birth", label_text="Date of birth",
                              past_only=True, hint="For example, 15 3 1984")
    sex = RadiosField(label="Sex", choices=Sex.choices, inline=True,
                      error_messages={"required": "Select the patient's sex"})
    address_line_1 = TextField(label="Address line 1", max_length=100, autocomplete="off",
                               error_messages={"required": "Enter address line 1"})
    address_line_2 = TextField(label="Address line 2 (optional)", max_length=100,
                               required=False, autocomplete="off")
    town = TextField(label="Town or city", max_length=60, classes="nhsuk-u-width-two-thirds",
                     autocomplete="off", error_messages={"required": "Enter the town or city"})
    postcode = TextField(label="Postcode", max_length=10, width=10,
                         autocomplete="off", error_messages={"required": "Enter the postcode"})
    phone = TextField(label="Phone number (optional)", max_length=20, required=False,
                      type="tel", classes="nhsuk-u-width-two-thirds", autocomplete="off")
    email = TextField(label="Email address (optional)", required=False, max_length=320,
                      type="email", autocomplete="off", spellcheck=False,
                      validators=[EmailValidator(message="Enter an email address in the "
                                                         "correct format, like "
                                                         "name@example.com")])
    gp_practice = TextField(label="GP practice (optional)", max_length=120, required=False)
    gp_practice_email = TextField(
        label="GP practice email (optional)", required=False, max_length=254, type="email",
        hint="Where clinic letters to the GP are emailed", autocomplete="off",
        spellcheck=False, validators=[EmailValidator(message="Enter the GP practice email in "
                                                             "the correct format, like "
                                                             "practice@nhs.net")])
    referring_consultant = TextField(label="Referring consultant (optional)", max_length=120,
                                     required=False)
    home_site = ModelSelectField(
        label="Home site", queryset=sites_of(None), empty_label="Choose a site",
        error_messages={"required": "Choose the patient's home site",
                        "invalid_choice": "Choose one of your unit's sites."})
    version = HiddenIntegerField(required=False)

    def __init__(self, *args, patient: Patient | None = None, **kwargs):
        self.patient = patient
        super().__init__(*args, **kwargs)

    def clean_nhs_number(self):
        # Folded to ASCII digits first (fullwidth and mathematical digits are the same
        # number), so that no spelling of a registered number registers it again.
        value = nhs_number_normalise(self.cleaned_data["nhs_number"])
        validate_nhs_number(value)
        if nhs_number_taken(value, patient=self.patient):
            raise ValidationError(DUPLICATE_NHS_NUMBER)
        return value

    def clean_given_name(self):
        return self.cleaned_data["given_name"].strip()

    def clean_family_name(self):
        return self.cleaned_data["family_name"].strip()

    def clean_postcode(self):
        value = re.sub(r"\s+", "", self.cleaned_data["postcode"].upper())
        match = POSTCODE.match(value)
        if not match:
            raise ValidationError("Enter a real postcode, like SW1A 1AA")
        return f"{match.group(1)} {match.group(2)}"

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value and not re.fullmatch(r"\+?[\d ()-]{10,20}", value):
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 7700 900 982")
        digits = re.sub(r"\D", "", value)
        if value and not 10 <= len(digits) <= 15:
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 7700 900 982")
        return value

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value.year < 1900:
            raise ValidationError("Date of birth must be after 1 January 1900")
        return value

    @classmethod
    def initial_from(cls, patient: Patient) -> dict:
        return {name: getattr(patient, name) for name in cls.base_fields if name != "home_site"
                } | {"home_site": patient.home_site_id}

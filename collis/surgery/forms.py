"""Forms of the pathway: a referral, a move along the pathway, and listing for surgery."""

import re

from django import forms

from collis.core.nhsuk_forms import (
    DateField,
    FileUploadField,
    ModelSelectField,
    RadiosField,
    SelectField,
    StaffChoiceField,
    TextareaField,
    TextField,
    UnitScopedForm,
    sites_of,
)
from collis.core.roles import Capability
from collis.surgery.models import Priority, Urgency

# Surgeons are the staff who may record an operation.
SURGEONS = Capability.OPERATION_RECORD


class ReferralForm(forms.Form):
    referrer_name = TextField(label="Referring consultant", max_length=120,
                              error_messages={"required": "Enter the referring consultant's "
                                                          "name"})
    referrer_gmc_number = TextField(
        label="GMC number", max_length=7, hint="7 digits", width=10,
        inputmode="numeric",
        error_messages={"required": "Enter the referring consultant's GMC number",
                        "max_length": "GMC number must be 7 digits"})
    referrer_organisation = TextField(
        label="Organisation", max_length=160,
        error_messages={"required": "Enter the referring consultant's organisation"})
    referral_reason = TextareaField(
        label="Reason for referral", error_messages={"required": "Enter the reason for referral"})
    urgency = RadiosField(label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE,
                          inline=True, error_messages={"required": "Choose the urgency"})
    referral_received_on = DateField(label="Date the referral was received",
                                     label_text="The date the referral was received",
                                     past_only=True)
    referral_letter = FileUploadField(label="Referral letter (optional, PDF)", required=False,
                                      accept="application/pdf")

    def clean_referrer_gmc_number(self):
        value = self.cleaned_data["referrer_gmc_number"].strip()
        if not re.fullmatch(r"\d{7}", value):
            raise forms.ValidationError("GMC number must be 7 digits")
        return value

    def clean_referral_letter(self):
        letter = self.cleaned_data.get("referral_letter")
        if letter is None:
            return None
        head = letter.read(5)
        letter.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("The referral letter must be a PDF file")
        if letter.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The referral letter must be smaller than 10 MB")
        return letter


class MoveForm(forms.Form):
    """A move along the pathway that has no record of its own: its reason, and its date
    when it was made on an earlier day."""

    reason = TextareaField(label="Reason", required=False, max_length=2000)
    moved_on = DateField(label="Date of this step (if not today)", required=False,
                         label_text="The date of this step", past_only=True,
                         hint="Leave blank if it is today. For example, 21 11 2026")


# The pickers offer the signed-in user's unit only (`user=` is required): the sites and
# staff of another unit are neither shown nor accepted.

class ListingForm(UnitScopedForm):
    listed_on = DateField(label="Date listed", label_text="The date listed", past_only=True)
    priority = RadiosField(label="Priority", choices=Priority.choices, inline=True,
                           error_messages={"required": "Choose the priority"})
    listing_site = ModelSelectField(
        label="Site", queryset=sites_of(None), empty_label="Choose a site",
        error_messages={"required": "Choose the site of the operation",
                        "invalid_choice": "Choose one of your unit's sites."})
    surgeon = StaffChoiceField(label="Surgeon", capability=SURGEONS, show_role=False,
                               empty_label="Choose a surgeon", organisation=None,
                               error_messages={"required": "Choose the surgeon",
                                               "invalid_choice": "Choose a surgeon of your "
                                                                 "unit."})


class WaitingListFilterForm(UnitScopedForm):
    site = ModelSelectField(label="Site", queryset=sites_of(None), required=False,
                            empty_label="All sites")
    # Surgeons who have left still have patients on the list.
    surgeon = StaffChoiceField(label="Surgeon", capability=SURGEONS, active_only=False,
                               show_role=False, required=False, empty_label="All surgeons",
                               organisation=None)
    priority = SelectField(label="Priority", required=False,
                           choices=[("", "Any priority"), *Priority.choices])

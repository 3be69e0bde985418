"""Forms of the pathway: a referral, a move along the pathway, and listing for surgery."""

import re

from django import forms
from django.contrib.auth import get_user_model

from collis.core.forms import NhsDateField
from collis.core.roles import Role
from collis.sites.models import Site
from collis.surgery.models import Priority, Urgency


class ReferralForm(forms.Form):
    referrer_name = forms.CharField(label="Referring consultant", max_length=120,
                                    error_messages={"required": "Enter the referring "
                                                                "consultant's name"})
    referrer_gmc_number = forms.CharField(
        label="GMC number", max_length=7, help_text="7 digits",
        error_messages={"required": "Enter the referring consultant's GMC number"})
    referrer_organisation = forms.CharField(
        label="Organisation", max_length=160,
        error_messages={"required": "Enter the referring consultant's organisation"})
    referral_reason = forms.CharField(
        label="Reason for referral", widget=forms.Textarea,
        error_messages={"required": "Enter the reason for referral"})
    urgency = forms.ChoiceField(label="Urgency", choices=Urgency.choices,
                                initial=Urgency.ROUTINE,
                                error_messages={"required": "Choose the urgency"})
    referral_received_on = NhsDateField(label="Date the referral was received",
                                        label_text="The date the referral was received",
                                        past_only=True)
    referral_letter = forms.FileField(label="Referral letter (optional, PDF)", required=False)

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
    """A move along the pathway that has no record of its own: its reason."""

    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea,
                             max_length=2000)


class ListingForm(forms.Form):
    listed_on = NhsDateField(label="Date listed", label_text="The date listed")
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices,
                                 error_messages={"required": "Choose the priority"})
    listing_site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.active(), empty_label="Choose a site",
        error_messages={"required": "Choose the site of the operation"})
    surgeon = forms.ModelChoiceField(
        label="Surgeon", queryset=get_user_model().objects.filter(
            role=Role.NEUROSURGEON, is_active=True).order_by("last_name"),
        empty_label="Choose a surgeon", error_messages={"required": "Choose the surgeon"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surgeon"].label_from_instance = lambda u: u.display_name


class WaitingListFilterForm(forms.Form):
    site = forms.ModelChoiceField(label="Site", queryset=Site.objects.active(),
                                  required=False, empty_label="All sites")
    surgeon = forms.ModelChoiceField(
        label="Surgeon", required=False, empty_label="All surgeons",
        queryset=get_user_model().objects.filter(role=Role.NEUROSURGEON).order_by("last_name"))
    priority = forms.ChoiceField(label="Priority", required=False,
                                 choices=[("", "Any priority"), *Priority.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surgeon"].label_from_instance = lambda u: u.display_name

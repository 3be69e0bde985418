"""Forms after SD: the operation note (nerve rows), the physiotherapy programme and a
session, a follow-up review, a complication, further surgery and discharge."""

from django import forms
from django.contrib.auth import get_user_model

from collis.core.forms import NhsDateField
from collis.core.roles import Role
from collis.outcomes.models import (
    MUSCLE_CHOICES,
    SD_RISK_CHOICES,
    SIDE_CHOICES,
    Anaesthetic,
    Attendance,
    ComplicationStatus,
    FurtherSurgeryKind,
    Severity,
)
from collis.outcomes.presenters import MUSCLE_LABELS, SIDE_LABELS
from collis.outcomes.services import Division
from collis.sites.models import Site

DIVISION_ROWS = 6
YES_NO = [("yes", "Yes"), ("no", "No")]


def _required(message):
    return {"required": message}


class OperationForm(forms.Form):
    operated_on = NhsDateField(label="Date of the operation",
                               label_text="The date of the operation", past_only=True)
    site = forms.ModelChoiceField(label="Site", queryset=Site.objects.none(),
                                  empty_label="Choose a site",
                                  error_messages=_required("Choose the site"))
    surgeon = forms.ModelChoiceField(label="Surgeon", queryset=None,
                                     empty_label="Choose the surgeon",
                                     error_messages=_required("Choose the surgeon"))
    anaesthetic = forms.ChoiceField(label="Anaesthetic", choices=Anaesthetic.choices,
                                    initial=Anaesthetic.GENERAL,
                                    error_messages=_required("Choose the anaesthetic"))
    anaesthetist = forms.CharField(label="Anaesthetist", max_length=120,
                                   error_messages=_required("Enter the anaesthetist's name"))
    myectomy = forms.ChoiceField(label="Was a myectomy done?", choices=YES_NO, initial="no",
                                 error_messages=_required("Say whether a myectomy was done"))
    myectomy_muscles = forms.MultipleChoiceField(
        label="Muscles with a myectomy", choices=MUSCLE_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple)
    findings = forms.CharField(label="Findings", widget=forms.Textarea, required=False)
    complication_codes = forms.MultipleChoiceField(
        label="Intra-operative complications (from the risk catalogue)",
        choices=SD_RISK_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    complication_notes = forms.CharField(
        label="Other intra-operative complications, or details", widget=forms.Textarea,
        required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.active().order_by("name")
        self.fields["surgeon"].queryset = get_user_model().objects.filter(
            role=Role.NEUROSURGEON, is_active=True).order_by("last_name", "first_name")
        self.fields["surgeon"].label_from_instance = lambda u: u.display_name
        for i in range(1, DIVISION_ROWS + 1):
            self.fields[f"muscle_{i}"] = forms.ChoiceField(
                label=f"Muscle (row {i})", required=False,
                choices=[("", "Choose a muscle")] + MUSCLE_CHOICES)
            self.fields[f"side_{i}"] = forms.ChoiceField(
                label=f"Side (row {i})", required=False,
                choices=[("", "Choose a side")] + SIDE_CHOICES)
            self.fields[f"nerve_{i}"] = forms.CharField(
                label=f"Nerve and level (row {i})", required=False, max_length=200)

    def division_rows(self):
        return [(i, self[f"muscle_{i}"], self[f"side_{i}"], self[f"nerve_{i}"])
                for i in range(1, DIVISION_ROWS + 1)]

    def clean(self):
        data = super().clean()
        divisions, seen = [], set()
        for i in range(1, DIVISION_ROWS + 1):
            muscle, side = data.get(f"muscle_{i}"), data.get(f"side_{i}")
            nerve = data.get(f"nerve_{i}", "")
            if not (muscle or side or nerve):
                continue
            if not muscle:
                self.add_error(f"muscle_{i}", f"Choose the muscle in row {i}")
                continue
            name = MUSCLE_LABELS[muscle].lower()
            if not side:
                self.add_error(f"side_{i}", f"Choose the side for {name} (row {i})")
                continue
            if (muscle, side) in seen:
                self.add_error(f"muscle_{i}", f"{MUSCLE_LABELS[muscle]} "
                               f"({SIDE_LABELS[side].lower()}) is listed twice")
                continue
            seen.add((muscle, side))
            divisions.append(Division(muscle=muscle, side=side, nerve=nerve))
        if not divisions and not any(self.errors.get(f"muscle_{i}") or
                                     self.errors.get(f"side_{i}")
                                     for i in range(1, DIVISION_ROWS + 1)):
            self.add_error("muscle_1", "Enter at least one nerve divided: muscle, side and "
                                       "nerve or level")
        data["divisions"] = divisions
        if data.get("myectomy") == "yes" and not data.get("myectomy_muscles"):
            self.add_error("myectomy_muscles", "Choose the muscles with a myectomy")
        return data


class PhysioProgrammeForm(forms.Form):
    starts_on = NhsDateField(label="Date of the first session",
                             label_text="The date of the first session")
    session_count = forms.IntegerField(
        label="Number of sessions", min_value=1, max_value=60,
        help_text="Programme length is decided locally: the reference gives none.",
        error_messages={"required": "Enter the number of sessions",
                        "invalid": "Number of sessions must be a whole number from 1 to 60",
                        "min_value": "Number of sessions must be a whole number from 1 to 60",
                        "max_value": "Number of sessions must be a whole number from 1 to 60"})
    interval_days = forms.IntegerField(
        label="Days between sessions", min_value=1, max_value=90,
        error_messages={"required": "Enter the number of days between sessions",
                        "invalid": "Days between sessions must be a whole number from 1 to 90",
                        "min_value": "Days between sessions must be a whole number from 1 to 90",
                        "max_value": "Days between sessions must be a whole number from 1 to "
                                     "90"})
    goals = forms.CharField(label="Goals and exercises planned", widget=forms.Textarea,
                            required=False)


class PhysioSessionForm(forms.Form):
    attendance = forms.ChoiceField(
        label="Did the patient attend?",
        choices=[(Attendance.ATTENDED.value, "Attended"),
                 (Attendance.DID_NOT_ATTEND.value, "Did not attend")],
        error_messages=_required("Say whether the patient attended"))
    held_on = NhsDateField(label="Date of the session", label_text="The date of the session",
                           past_only=True, required=False)
    exercises = forms.CharField(label="Exercises", widget=forms.Textarea, required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def clean(self):
        data = super().clean()
        if data.get("attendance") == Attendance.ATTENDED and not data.get("held_on") \
                and "held_on" not in self.errors:
            self.add_error("held_on", "Enter the date of the session")
        return data


def _score(label, low, high, whole=True):
    kind = "a whole number" if whole else "a number"
    message = f"{label} must be {kind} from {low} to {high}"
    errors = {"invalid": message, "min_value": message, "max_value": message}
    if whole:
        return forms.IntegerField(label=label, min_value=low, max_value=high, required=False,
                                  error_messages=errors)
    return forms.FloatField(label=label, min_value=low, max_value=high, required=False,
                            error_messages=errors)


class ReviewForm(forms.Form):
    reviewed_on = NhsDateField(label="Date of the review", label_text="The date of the review",
                               past_only=True)
    twstrs_existing = forms.ChoiceField(label="Use a TWSTRS already recorded", required=False)
    twstrs_severity = _score("TWSTRS severity", 0, 35)
    twstrs_disability = _score("TWSTRS disability", 0, 30)
    twstrs_pain = _score("TWSTRS pain", 0, 20, whole=False)
    tsui_existing = forms.ChoiceField(label="Use a Tsui scale already recorded", required=False)
    tsui_total = _score("Tsui total", 0, 25, whole=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def __init__(self, *args, twstrs_choices=(), tsui_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["twstrs_existing"].choices = [("", "None: enter subscores below")] + list(
            twstrs_choices)
        self.fields["tsui_existing"].choices = [("", "None: enter a total below")] + list(
            tsui_choices)

    def clean(self):
        data = super().clean()
        parts = ("twstrs_severity", "twstrs_disability", "twstrs_pain")
        given = [p for p in parts if data.get(p) is not None]
        if data.get("twstrs_existing") and given:
            self.add_error("twstrs_existing", "Either use a TWSTRS already recorded or enter "
                                              "subscores, not both")
        elif given and len(given) < 3 and not any(p in self.errors for p in parts):
            for p in parts:
                if data.get(p) is None:
                    self.add_error(p, f"Enter the {self.fields[p].label} subscore")
        if data.get("tsui_existing") and data.get("tsui_total") is not None:
            self.add_error("tsui_existing", "Either use a Tsui scale already recorded or enter "
                                            "a total, not both")
        has_twstrs = data.get("twstrs_existing") or given
        has_tsui = data.get("tsui_existing") or data.get("tsui_total") is not None
        if not (has_twstrs or has_tsui) and not self.errors:
            self.add_error(None, "Record a TWSTRS or a Tsui scale at the review")
        return data


class ComplicationForm(forms.Form):
    risk_code = forms.ChoiceField(label="Complication", choices=[("", "Choose a complication")]
                                  + SD_RISK_CHOICES,
                                  error_messages=_required("Choose the complication"))
    onset_on = NhsDateField(label="Date of onset", label_text="The date of onset",
                            past_only=True)
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices,
                                 error_messages=_required("Choose the severity"))
    status = forms.ChoiceField(label="Status", choices=ComplicationStatus.choices,
                               error_messages=_required("Choose the status"))
    resolved_on = NhsDateField(label="Date resolved (if resolved)",
                               label_text="The date it resolved", past_only=True,
                               required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == ComplicationStatus.RESOLVED and not data.get("resolved_on") \
                and "resolved_on" not in self.errors:
            self.add_error("resolved_on", "Enter the date the complication resolved")
        onset, resolved = data.get("onset_on"), data.get("resolved_on")
        if onset and resolved and resolved < onset:
            self.add_error("resolved_on", "The date it resolved must be on or after the date "
                                          "of onset")
        return data


class FurtherSurgeryForm(forms.Form):
    kind = forms.ChoiceField(label="Further surgery", choices=FurtherSurgeryKind.choices,
                             error_messages=_required("Choose the kind of further surgery"))
    performed_on = NhsDateField(label="Date", label_text="The date of the further surgery",
                                past_only=True)
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             error_messages=_required("Enter the reason"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             error_messages=_required("Enter the reason"))


class StartFollowUpForm(forms.Form):
    reason = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)

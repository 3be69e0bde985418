"""Forms after SD: the operation note (nerve rows), the physiotherapy programme and a
session, a follow-up review, a complication, further surgery and discharge."""

import dataclasses
import datetime
import re
from functools import partial

from django import forms
from django.core.exceptions import ValidationError

from collis.core.forms import CorrectionReasonMixin
from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    DecimalField,
    IntegerField,
    ModelSelectField,
    MuscleSideRows,
    RadiosField,
    RowColumn,
    RowMessages,
    SelectField,
    StaffChoiceField,
    TextareaField,
    TextField,
    YesNoField,
)
from collis.core.roles import Capability
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
from collis.outcomes.services import Division
from collis.sites.models import Site

DIVISION_ROWS = 6

DIVISIONS = MuscleSideRows(
    muscles=MUSCLE_CHOICES, sides=SIDE_CHOICES, count=DIVISION_ROWS,
    # A blank nerve means the muscle's target from the muscle catalogue.
    columns=(RowColumn("nerve", "Nerve and level", partial(TextField, max_length=200),
                       required=False),),
    labels="{heading} (row {n})", make_row=Division,
    messages=RowMessages(
        muscle_missing="Choose the muscle in row {n}",
        side_missing="Choose the side for {name_in_row}",
        duplicate="{Where} is listed twice",
        none_entered="Enter at least one nerve divided: muscle, side and nerve or level"))


def division_rows_for(rows) -> int:
    """How many rows the nerves-divided table needs to show `rows` and leave some blank."""
    return max(len(rows) + 2, DIVISION_ROWS)


def divisions_initial(rows) -> dict:
    """Initial values that show these rows ({muscle, side, nerve}) in the table."""
    return dataclasses.replace(DIVISIONS, count=division_rows_for(rows)).initial(rows)


def _required(message):
    return {"required": message}


class AmendingForm(CorrectionReasonMixin, forms.Form):
    """A form that records an entry or, with `amending`, corrects one and asks why (the
    service requires the reason; the field is left out of a new entry's form)."""

    def __init__(self, *args, amending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.amending = amending
        reason = self.fields.pop("correction_reason")
        if amending:
            self.fields["correction_reason"] = reason  # last, after the entry's own fields


TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


class TimeOfDayField(TextField):
    """A time on the 24-hour clock, typed as 08:30."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        match = TIME.match(text.strip())
        try:
            if match is None:
                raise ValueError(text)
            return datetime.time(int(match[1]), int(match[2]))
        except ValueError:
            raise ValidationError(f"{self.name_in_errors} must be a time on the 24-hour "
                                  f"clock, like 08:30") from None


class OperationForm(AmendingForm):
    operated_on = DateField(label="Date of the operation",
                            label_text="The date of the operation", past_only=True)
    started_at = TimeOfDayField(
        label="Time the operation started (optional)", required=False, width=5,
        error_name="The time the operation started",
        hint="On the 24-hour clock, for example 08:30. A TWSTRS recorded earlier that day "
             "then counts as the pre-operative baseline.")
    site = ModelSelectField(label="Site", queryset=Site.objects.active().order_by("name"),
                            empty_label="Choose a site",
                            error_messages=_required("Choose the site"))
    surgeon = StaffChoiceField(label="Surgeon", capability=Capability.OPERATION_RECORD,
                               show_role=False, empty_label="Choose the surgeon",
                               error_messages=_required("Choose the surgeon"))
    anaesthetic = RadiosField(label="Anaesthetic", choices=Anaesthetic.choices,
                              initial=Anaesthetic.GENERAL,
                              hint="The unit's pathway does selective denervation under "
                                   "general anaesthetic (clinical reference, section 1).",
                              error_messages=_required("Choose the anaesthetic"))
    anaesthetist = TextField(label="Anaesthetist", max_length=120,
                             width=20,
                             error_messages=_required("Enter the anaesthetist's name"))
    myectomy = YesNoField(label="Was a myectomy done?", initial=YesNoField.NO,
                          error_messages=_required("Say whether a myectomy was done"))
    myectomy_muscles = CheckboxesField(label="Muscles with a myectomy", choices=MUSCLE_CHOICES,
                                       required=False, hint="Only if a myectomy was done.")
    findings = TextareaField(label="Findings", required=False)
    complication_codes = CheckboxesField(
        label="Intra-operative complications (from the risk catalogue)",
        choices=SD_RISK_CHOICES, required=False,
        hint="Tick any that happened during the operation.")
    complication_notes = TextareaField(
        label="Other intra-operative complications, or details", required=False)
    outside_plan_reason = TextareaField(
        label="Reason for dividing nerves outside the consented plan", required=False,
        rows=3, hint="Needed when a nerve divided is not in the planned denervation the "
                     "patient consented to. Such nerves are flagged on the note.")

    def __init__(self, *args, rows: int = DIVISION_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.division_rows = dataclasses.replace(DIVISIONS, count=max(rows, 1)).bind(self)

    def clean(self):
        data = super().clean()
        data["divisions"] = self.division_rows.clean()
        if data.get("myectomy") == YesNoField.YES and not data.get("myectomy_muscles"):
            self.add_error("myectomy_muscles", "Choose the muscles with a myectomy")
        return data


class PhysioProgrammeForm(forms.Form):
    starts_on = DateField(label="Date of the first session",
                          label_text="The date of the first session")
    session_count = IntegerField(
        label="Number of sessions", min_value=1, max_value=60, width=3,
        hint="Programme length is decided locally: the reference gives none.",
        error_messages=_required("Enter the number of sessions"))
    interval_days = IntegerField(
        label="Days between sessions", min_value=1, max_value=90,
        width=3,
        error_messages=_required("Enter the number of days between sessions"))
    goals = TextareaField(label="Goals and exercises planned", required=False)


class PhysioSessionForm(AmendingForm):
    attendance = RadiosField(
        label="Did the patient attend?",
        choices=[(Attendance.ATTENDED.value, "Attended"),
                 (Attendance.DID_NOT_ATTEND.value, "Did not attend")],
        error_messages=_required("Say whether the patient attended"))
    held_on = DateField(label="Date of the session", label_text="The date of the session",
                        past_only=True, required=False)
    exercises = TextareaField(label="Exercises", required=False)
    notes = TextareaField(label="Notes", required=False)

    def clean(self):
        data = super().clean()
        if data.get("attendance") == Attendance.ATTENDED and not data.get("held_on") \
                and "held_on" not in self.errors:
            self.add_error("held_on", "Enter the date of the session")
        return data


def _score(label, low, high, *, whole=True, width=3, hint=None):
    field = IntegerField if whole else partial(DecimalField, coerce=float)
    return field(label=label, min_value=low, max_value=high, required=False,
                 width=width,
                 hint=hint or f"{low} to {high}")


class ReviewForm(AmendingForm):
    reviewed_on = DateField(label="Date of the review", label_text="The date of the review",
                            past_only=True)
    twstrs_existing = SelectField(label="Use a TWSTRS already recorded", required=False)
    twstrs_severity = _score("TWSTRS severity", 0, 35)
    twstrs_disability = _score("TWSTRS disability", 0, 30)
    twstrs_pain = _score("TWSTRS pain", 0, 20, whole=False, width=4)
    tsui_existing = SelectField(label="Use a Tsui scale already recorded", required=False)
    tsui_total = _score("Tsui total", 0, 25, whole=False, width=4, hint="0 to 25 [9]")
    notes = TextareaField(label="Notes", required=False)

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


class ComplicationForm(AmendingForm):
    risk_code = SelectField(label="Complication",
                            choices=[("", "Choose a complication"), *SD_RISK_CHOICES],
                            hint="From the risk catalogue of selective denervation.",
                            error_messages=_required("Choose the complication"))
    onset_on = DateField(label="Date of onset", label_text="The date of onset", past_only=True)
    severity = RadiosField(label="Severity", choices=Severity.choices, inline=True,
                           error_messages=_required("Choose the severity"))
    status = RadiosField(label="Status", choices=ComplicationStatus.choices,
                         error_messages=_required("Choose the status"))
    resolved_on = DateField(label="Date resolved (if resolved)",
                            label_text="The date it resolved", past_only=True, required=False)
    notes = TextareaField(label="Notes", required=False)

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


class FurtherSurgeryForm(AmendingForm):
    kind = RadiosField(label="Further surgery", choices=FurtherSurgeryKind.choices,
                       error_messages=_required("Choose the kind of further surgery"))
    performed_on = DateField(label="Date", label_text="The date of the further surgery",
                             past_only=True)
    reason = TextareaField(label="Reason", error_messages=_required("Enter the reason"))


class ReasonForm(forms.Form):
    reason = TextareaField(label="Reason", error_messages=_required("Enter the reason"))


class StartFollowUpForm(forms.Form):
    reason = TextareaField(label="Note (optional)", required=False)

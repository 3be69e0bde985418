"""Forms of the MDT. They validate and clean; services save."""

from __future__ import annotations

from functools import partial

from django import forms

from collis.core.nhsuk_forms import (
    DateField,
    ModelSelectField,
    MuscleSideRows,
    RadiosField,
    RowColumn,
    StaffCheckboxesField,
    StaffChoiceField,
    TextareaField,
    TextField,
    UnitScopedForm,
    sites_of,
    unit_scope,
)
from collis.mdt.models import MUSCLE_CHOICES, SIDE_CHOICES, Decision, FundingRoute
from collis.mdt.services import MDT_MEMBERS, ActionRow, PlannedRow

PLANNED_ROWS = 6
ACTION_ROWS = 3
# The MDT's members: every member of staff who keeps the record (not auditors or
# administrators), of the signed-in user's unit (the forms take `user=`).
MDT_STAFF = MDT_MEMBERS

PLANNED = MuscleSideRows(
    muscles=MUSCLE_CHOICES, sides=SIDE_CHOICES, count=PLANNED_ROWS,
    columns=(RowColumn("target", "Nerve target", partial(TextField, max_length=200)),),
    labels="{heading}", row_heading="Planned muscle {n}", row_noun="planned row",
    make_row=PlannedRow)


class MeetingForm(UnitScopedForm):
    held_on = DateField(label="Date of the meeting", label_text="The date of the meeting",
                        hint="For example, 21 11 2026")
    site = ModelSelectField(label="Site", queryset=sites_of(None),
                            empty_label="Choose a site",
                            error_messages={"required": "Choose the site of the meeting",
                                            "invalid_choice": "Choose one of your unit's sites."})
    attendees = StaffCheckboxesField(
        label="Attendees", capability=MDT_STAFF, organisation=None,
        hint="The MDT is a neurologist, a neurosurgeon and a physiotherapist (clinical "
             "reference §1); a meeting without one of them is shown with a warning.",
        error_messages={"required": "Choose at least one attendee",
                        "invalid_choice": "Choose attendees from the unit's staff"})


class AgendaAddForm(forms.Form):
    episode = ModelSelectField(
        label="Episode awaiting the MDT", queryset=None, empty_label="Choose an episode",
        error_messages={"required": "Choose the episode to add to the agenda",
                        "invalid_choice": "Choose an episode that is awaiting the MDT"})

    def __init__(self, *args, episodes, **kwargs):
        super().__init__(*args, **kwargs)
        from collis.surgery.models import Episode

        self.fields["episode"].queryset = Episode.objects.filter(pk__in=[e.pk for e in episodes])
        self.fields["episode"].choices = [("", "Choose an episode")] + [
            (e.pk, f"{e.patient.family_name.upper()}, {e.patient.given_name} "
                   f"(NHS {e.patient.nhs_number}), episode {e.pk}") for e in episodes]


class DecisionForm(forms.Form):
    """The decision with its planned denervation rows and action rows; blank rows are
    ignored."""

    discussion = TextareaField(label="Discussion", rows=5,
                               error_messages={"required": "Enter the discussion"})
    decision = RadiosField(label="Decision", choices=Decision.choices,
                           error_messages={"required": "Choose the decision"})
    departure_reason = TextareaField(
        label="Reason for departing from the engine's recommendation", required=False, rows=3,
        hint="Needed when the decision departs from the candidacy assessment's "
             "recommendation.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.planned_rows = PLANNED.bind(self)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = TextField(label="Action", required=False,
                                                   max_length=300)
            self.fields[f"owner_{i}"] = StaffChoiceField(
                label="Owner", required=False, capability=MDT_STAFF,
                empty_label="Choose an owner",
                error_messages={"invalid_choice": "Choose a member of staff"})
            self.fields[f"due_{i}"] = DateField(label="Due date", required=False,
                                                label_text=f"The due date of action {i}")
        unit_scope(self, user)  # the owners: staff of the user's unit

    @staticmethod
    def initial_from_plan(plan: list[dict]) -> dict:
        return PLANNED.initial(plan)

    def action_rows(self):
        return [(i, self[f"action_{i}"], self[f"owner_{i}"], self[f"due_{i}"])
                for i in range(1, ACTION_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        planned = self.planned_rows.clean()
        actions: list[ActionRow] = []
        for i in range(1, ACTION_ROWS + 1):
            text = (cleaned.get(f"action_{i}") or "").strip()
            owner = cleaned.get(f"owner_{i}")
            due = cleaned.get(f"due_{i}")
            if not (text or owner or due or f"due_{i}" in self.errors):
                continue
            ok = f"due_{i}" not in self.errors
            if not text:
                self.add_error(f"action_{i}", f"Enter what action {i} is")
                ok = False
            if owner is None:
                self.add_error(f"owner_{i}", f"Choose the owner of action {i}")
                ok = False
            if due is None and f"due_{i}" not in self.errors:
                self.add_error(f"due_{i}", f"Enter the due date of action {i}")
                ok = False
            if ok:
                actions.append(ActionRow(description=text, owner=owner, due_on=due))
        cleaned["planned"], cleaned["actions"] = planned, actions
        return cleaned


class CorrectionForm(DecisionForm):
    correction_reason = TextareaField(
        label="Why is the decision being corrected?", rows=3,
        error_messages={"required": "Give the reason for the correction"})


class FundingCreateForm(forms.Form):
    route = RadiosField(label="Route", choices=FundingRoute.choices,
                        hint="The commissioning route varies by region (local policy, needs "
                             "clinical sign-off).",
                        error_messages={"required": "Choose the funding route"})
    commissioner = TextField(label="Commissioner", max_length=160,
                             error_messages={"required": "Enter the commissioner"})


class FundingUpdateForm(forms.Form):
    status = RadiosField(label="New status",
                         error_messages={"required": "Choose the new status"})
    reference = TextField(label="Reference number", required=False, max_length=60,
                          hint="When submitted")
    submitted_on = DateField(label="Date submitted", required=False, past_only=True,
                             label_text="The date the request was submitted")
    decided_on = DateField(label="Date of the decision", required=False, past_only=True,
                           label_text="The date of the decision")
    expires_on = DateField(label="Approval expires", required=False, hint="If approved",
                           label_text="The date the approval expires")
    reason = TextareaField(label="Reason funding was declined", required=False, rows=3,
                           hint="If declined")

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in statuses]

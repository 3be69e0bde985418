"""Forms of the MDT. They validate and clean; services save."""

from __future__ import annotations

from django import forms

from collis.core.forms import NhsDateField
from collis.core.models import AccountType, User
from collis.mdt.models import (
    MUSCLE_CHOICES,
    MUSCLE_LABELS,
    SIDE_CHOICES,
    SIDE_LABELS,
    Decision,
    FundingRoute,
)
from collis.mdt.services import ActionRow, PlannedRow
from collis.sites.models import Site

PLANNED_ROWS = 6
ACTION_ROWS = 3


def staff():
    return User.objects.filter(account_type=AccountType.STAFF, is_active=True).exclude(
        role__in=["administrator", "auditor"]).order_by("last_name", "first_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.role_label})"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.role_label})"


class MeetingForm(forms.Form):
    held_on = NhsDateField(label="Date of the meeting", label_text="The date of the meeting",
                           help_text="For example, 21 11 2026")
    site = forms.ModelChoiceField(label="Site", queryset=Site.objects.active(),
                                  empty_label="Choose a site",
                                  error_messages={"required": "Choose the site of the meeting",
                                                  "invalid_choice": "Choose one of the unit's "
                                                                    "sites"})
    attendees = StaffMultipleChoiceField(
        label="Attendees", queryset=User.objects.none(),
        error_messages={"required": "Choose at least one attendee",
                        "invalid_choice": "Choose attendees from the unit's staff"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = staff()


class AgendaAddForm(forms.Form):
    episode = forms.ModelChoiceField(
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

    discussion = forms.CharField(label="Discussion", widget=forms.Textarea,
                                 error_messages={"required": "Enter the discussion"})
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the decision"})
    departure_reason = forms.CharField(
        label="Reason for departing from the engine's recommendation", required=False,
        widget=forms.Textarea,
        help_text="Needed when the decision departs from the candidacy assessment's "
                  "recommendation.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = staff()
        for i in range(1, PLANNED_ROWS + 1):
            self.fields[f"muscle_{i}"] = forms.ChoiceField(
                label="Muscle", required=False, choices=[("", "Choose a muscle"),
                                                         *MUSCLE_CHOICES])
            self.fields[f"side_{i}"] = forms.ChoiceField(
                label="Side", required=False, choices=[("", "Choose a side"), *SIDE_CHOICES])
            self.fields[f"target_{i}"] = forms.CharField(label="Nerve target", required=False,
                                                         max_length=200)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(label="Action", required=False,
                                                         max_length=300)
            self.fields[f"owner_{i}"] = StaffChoiceField(
                label="Owner", required=False, queryset=owners, empty_label="Choose an owner",
                error_messages={"invalid_choice": "Choose a member of staff"})
            self.fields[f"due_{i}"] = NhsDateField(label="Due date", required=False,
                                                   label_text=f"The due date of action {i}")

    @staticmethod
    def initial_from_plan(plan: list[dict]) -> dict:
        initial = {}
        for i, entry in enumerate(plan[:PLANNED_ROWS], start=1):
            initial |= {f"muscle_{i}": entry.get("muscle", ""), f"side_{i}": entry.get("side", ""),
                        f"target_{i}": entry.get("target", "")}
        return initial

    def planned_rows(self):
        return [(i, self[f"muscle_{i}"], self[f"side_{i}"], self[f"target_{i}"])
                for i in range(1, PLANNED_ROWS + 1)]

    def action_rows(self):
        return [(i, self[f"action_{i}"], self[f"owner_{i}"], self[f"due_{i}"])
                for i in range(1, ACTION_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        planned: list[PlannedRow] = []
        seen: dict[tuple[str, str], int] = {}
        for i in range(1, PLANNED_ROWS + 1):
            muscle = cleaned.get(f"muscle_{i}") or ""
            side = cleaned.get(f"side_{i}") or ""
            target = (cleaned.get(f"target_{i}") or "").strip()
            if not (muscle or side or target):
                continue
            name = MUSCLE_LABELS[muscle].lower() if muscle else f"planned row {i}"
            where = f"{name} ({SIDE_LABELS[side].lower()})" if side else name
            ok = True
            if not muscle:
                self.add_error(f"muscle_{i}", f"Choose the muscle for planned row {i}")
                ok = False
            if not side:
                self.add_error(f"side_{i}", f"Choose the side for {name}")
                ok = False
            if not target:
                self.add_error(f"target_{i}", f"Enter the nerve target for {where}")
                ok = False
            if ok and (muscle, side) in seen:
                self.add_error(f"muscle_{i}", f"{where.capitalize()} is entered in planned rows "
                                              f"{seen[(muscle, side)]} and {i}: enter it once")
                ok = False
            if ok:
                seen[(muscle, side)] = i
                planned.append(PlannedRow(muscle=muscle, side=side, target=target))
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
    correction_reason = forms.CharField(
        label="Why is the decision being corrected?", widget=forms.Textarea,
        error_messages={"required": "Give the reason for the correction"})


class FundingCreateForm(forms.Form):
    route = forms.ChoiceField(label="Route", choices=FundingRoute.choices,
                              widget=forms.RadioSelect,
                              help_text="The commissioning route varies by region (local "
                                        "policy, needs clinical sign-off).",
                              error_messages={"required": "Choose the funding route"})
    commissioner = forms.CharField(label="Commissioner", max_length=160,
                                   error_messages={"required": "Enter the commissioner"})


class FundingUpdateForm(forms.Form):
    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect,
                               error_messages={"required": "Choose the new status"})
    reference = forms.CharField(label="Reference number", required=False, max_length=60,
                                help_text="When submitted")
    submitted_on = NhsDateField(label="Date submitted", required=False, past_only=True,
                                label_text="The date the request was submitted")
    decided_on = NhsDateField(label="Date of the decision", required=False, past_only=True,
                              label_text="The date of the decision")
    expires_on = NhsDateField(label="Approval expires", required=False,
                              label_text="The date the approval expires")
    reason = forms.CharField(label="Reason funding was declined", required=False,
                             widget=forms.Textarea)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in statuses]

"""The investigation form. It validates and cleans; services save."""

from django import forms
from django.core.exceptions import ValidationError

from collis.core.forms import NhsDateField
from collis.domain.muscles import Muscle, MuscleSide
from collis.investigations import services, uploads
from collis.investigations.models import (
    Investigation,
    InvestigationKind,
    ResultStatus,
    muscle_label,
)

# The muscle grid ticks left and right; both ticked is stored as bilateral.
_TICKABLE = (MuscleSide.LEFT, MuscleSide.RIGHT)
MUSCLE_TICK_CHOICES = [(f"{m.value}:{s.value}", f"{muscle_label(m)}, {s.value}")
                       for m in Muscle for s in _TICKABLE]


class InvestigationForm(forms.Form):
    kind = forms.ChoiceField(label="Investigation", choices=InvestigationKind.choices,
                             error_messages={"required": "Select the investigation",
                                             "invalid_choice": "Select the investigation"})
    performed_on = NhsDateField(label="Date of the investigation",
                                label_text="The date of the investigation", past_only=True,
                                help_text="For example, 15 3 2026")
    status = forms.ChoiceField(
        label="Result", choices=[(ResultStatus.NORMAL, "Normal"),
                                 (ResultStatus.ABNORMAL, "Abnormal"),
                                 (ResultStatus.PENDING, "Result pending")],
        error_messages={"required": "Select the result: normal, abnormal or result pending",
                        "invalid_choice": "Select the result: normal, abnormal or result "
                                          "pending"})
    active_muscles = forms.MultipleChoiceField(
        label="Muscles found active (EMG only)", required=False, choices=MUSCLE_TICK_CHOICES,
        help_text="Tick the side of each muscle that the EMG found active. Tick both for "
                  "a muscle active on both sides.",
        error_messages={"invalid_choice": "Choose muscles and sides from the list"})
    gene_panel = forms.CharField(label="Gene or panel tested (genetic tests only)",
                                 max_length=200, required=False)
    report = forms.CharField(label="Report (optional)", required=False, max_length=20000,
                             widget=forms.Textarea,
                             error_messages={"max_length": "Report must be 20,000 characters "
                                                           "or fewer"})
    requested_by = forms.CharField(label="Requested by (optional)", max_length=120,
                                   required=False,
                                   help_text="The clinician who asked for it")
    file = forms.FileField(label="Attach a report or image (optional)", required=False,
                           help_text=f"A PDF, PNG or JPEG file, smaller than "
                                     f"{uploads.size_text(uploads.max_bytes())}",
                           error_messages={"invalid": "The attached file could not be read: "
                                                      "choose it again"})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is a setting that tests and deployments may change.
        self.fields["file"].help_text = (
            f"A PDF, PNG or JPEG file, smaller than {uploads.size_text(uploads.max_bytes())}")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            problem = uploads.upload_problem(upload)
            if problem:
                raise ValidationError(problem)
        return upload

    def clean_active_muscles(self):
        """Left and right ticks as (muscle, side) pairs, both sides as bilateral."""
        sides: dict[str, set[str]] = {}
        for value in self.cleaned_data["active_muscles"]:
            muscle, _, side = value.partition(":")
            sides.setdefault(muscle, set()).add(side)
        pairs = []
        for muscle in Muscle:  # the catalogue's order
            ticked = sides.get(muscle.value)
            if ticked:
                side = MuscleSide.BILATERAL if len(ticked) == 2 else MuscleSide(ticked.pop())
                pairs.append((muscle.value, side.value))
        return tuple(pairs)

    def clean(self):
        cleaned = super().clean()
        needed = ("kind", "performed_on", "status")
        if all(cleaned.get(name) for name in needed):
            details = self.details()
            for name, message in services.investigation_problems(details).items():
                if name not in self.errors:  # one message a field: the first problem
                    self.add_error(name, message)
        return cleaned

    def details(self) -> services.InvestigationDetails:
        return services.InvestigationDetails.from_mapping(self.cleaned_data)

    def attached_files(self) -> list:
        upload = self.cleaned_data.get("file")
        return [upload] if upload else []

    @classmethod
    def initial_from(cls, investigation: Investigation) -> dict:
        ticks = []
        for row in investigation.active_muscles.all():
            sides = _TICKABLE if row.side == MuscleSide.BILATERAL else (row.side,)
            ticks += [f"{row.muscle}:{side}" for side in sides]
        return {"kind": investigation.kind, "performed_on": investigation.performed_on,
                "status": investigation.status, "report": investigation.report,
                "gene_panel": investigation.gene_panel,
                "requested_by": investigation.requested_by, "active_muscles": ticks,
                "version": investigation.version}

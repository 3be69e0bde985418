"""The investigation form. It validates and cleans; services save."""

from django import forms
from django.core.exceptions import ValidationError

from collis.core.nhsuk_forms import (
    DateField,
    FileUploadField,
    HiddenIntegerField,
    MuscleSideRows,
    RadiosField,
    TextareaField,
    TextField,
)
from collis.domain.muscles import MuscleSide
from collis.investigations import services, uploads
from collis.investigations.models import (
    MUSCLE_CHOICES,
    Investigation,
    InvestigationKind,
    ResultStatus,
)

# The EMG's muscle grid ticks left and right; both ticked is stored as bilateral.
EMG_MUSCLES = MuscleSideRows(muscles=MUSCLE_CHOICES,
                             sides=[(MuscleSide.LEFT.value, "Left"),
                                    (MuscleSide.RIGHT.value, "Right")])
MUSCLE_TICK_CHOICES = EMG_MUSCLES.tick_choices()
ACCEPTED_FILES = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


class InvestigationForm(forms.Form):
    kind = RadiosField(label="Investigation", choices=InvestigationKind.choices,
                       error_messages={"required": "Select the investigation",
                                       "invalid_choice": "Select the investigation"})
    performed_on = DateField(label="Date of the investigation",
                             label_text="The date of the investigation", past_only=True,
                             hint="For example, 15 3 2026")
    status = RadiosField(
        label="Result", inline=True,
        choices=[(ResultStatus.NORMAL, "Normal"), (ResultStatus.ABNORMAL, "Abnormal"),
                 (ResultStatus.PENDING, "Result pending")],
        error_messages={"required": "Select the result: normal, abnormal or result pending",
                        "invalid_choice": "Select the result: normal, abnormal or result "
                                          "pending"})
    active_muscles = EMG_MUSCLES.grid_field(
        label="Muscles found active (EMG only)", both_sides=MuscleSide.BILATERAL.value,
        hint="Tick the side of each muscle that the EMG found active. Tick both for a muscle "
             "active on both sides.",
        caption="Muscles of the neck, with the sides found active",
        headings=("Muscle", "Side found active"),
        error_messages={"invalid_choice": "Choose muscles and sides from the list"})
    gene_panel = TextField(label="Gene or panel tested (genetic tests only)", max_length=200,
                           required=False)
    report = TextareaField(label="Report (optional)", required=False, max_length=20000, rows=6,
                           error_messages={"max_length": "Report must be 20,000 characters "
                                                         "or fewer"})
    requested_by = TextField(label="Requested by (optional)", max_length=120, required=False,
                             autocomplete="off", hint="The clinician who asked for it")
    file = FileUploadField(label="Attach a report or image (optional)", required=False,
                           accept=ACCEPTED_FILES,
                           error_messages={"invalid": "The attached file could not be read: "
                                                      "choose it again"})
    version = HiddenIntegerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is a setting that tests and deployments may change.
        self.fields["file"].hint = (
            f"A PDF, PNG or JPEG file, smaller than {uploads.size_text(uploads.max_bytes())}")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            problem = uploads.upload_problem(upload)
            if problem:
                raise ValidationError(problem)
        return upload

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
        pairs = [(row.muscle, row.side) for row in investigation.active_muscles.all()]
        return {"kind": investigation.kind, "performed_on": investigation.performed_on,
                "status": investigation.status, "report": investigation.report,
                "gene_panel": investigation.gene_panel,
                "requested_by": investigation.requested_by,
                "active_muscles": cls.base_fields["active_muscles"].ticks(pairs),
                "version": investigation.version}

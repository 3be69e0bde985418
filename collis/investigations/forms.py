"""The investigation form. It validates and cleans; services save."""

from django.core.exceptions import ValidationError

from collis.core.forms import CorrectionReasonMixin
from collis.core.nhsuk_forms import (
    DateField,
    FileUploadField,
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


class InvestigationForm(CorrectionReasonMixin):
    """An investigation, or (`amends=` the entry) its next version: its result, or a
    correction, which then asks why."""

    kind = RadiosField(label="Investigation", choices=InvestigationKind.choices,
                       error_messages={"required": "Select the investigation",
                                       "invalid_choice": "Select the investigation"})
    requested_on = DateField(label="Date requested (optional)",
                             label_text="The date requested", past_only=True, required=False,
                             hint="For example, 1 3 2026")
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
    result_on = DateField(label="Date of the result (optional)",
                          label_text="The date of the result", past_only=True, required=False,
                          hint="When the result was reported. Leave it empty while the result "
                               "is pending.")
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

    def __init__(self, *args, amends: Investigation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.amends = amends
        reason = self.fields.pop("correction_reason")
        if amends is not None:
            # Recording the result of a pending investigation explains itself.
            reason.hint = ("What was wrong with the entry this corrects. Not needed when "
                           "you only record the result." if amends.status == ResultStatus.PENDING
                           else "What was wrong with the entry this corrects. The original "
                                "stays in the record's history.")
            self.fields["correction_reason"] = reason
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
        if self.amends is not None and not (cleaned.get("correction_reason") or "").strip():
            records_result = (self.amends.status == ResultStatus.PENDING
                              and cleaned.get("status") not in (None, "", ResultStatus.PENDING))
            if not records_result:
                self.add_error("correction_reason", "Give the reason for the correction")
        return cleaned

    def details(self) -> services.InvestigationDetails:
        return services.InvestigationDetails.from_mapping(self.cleaned_data)

    def attached_files(self) -> list:
        upload = self.cleaned_data.get("file")
        return [upload] if upload else []

    @classmethod
    def initial_from(cls, investigation: Investigation) -> dict:
        pairs = [(row.muscle, row.side) for row in investigation.active_muscles.all()]
        return {"kind": investigation.kind, "requested_on": investigation.requested_on,
                "performed_on": investigation.performed_on,
                "status": investigation.status, "result_on": investigation.result_on,
                "report": investigation.report, "gene_panel": investigation.gene_panel,
                "requested_by": investigation.requested_by,
                "active_muscles": cls.base_fields["active_muscles"].ticks(pairs)}

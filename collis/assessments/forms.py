"""Forms of the assessments app. They validate and clean (asking the domain where a rule is
clinical, and mapping its exceptions to errors on the right field); services save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from collis.assessments.models import (
    ACQUIRED_LABELS,
    AETIOLOGY_SUBTYPES,
    ASSOCIATED_LABELS,
    DISTRIBUTION_LABELS,
    INHERITANCE_LABELS,
    MUSCLE_LABELS,
    PATTERN_LABELS,
    REGION_CHOICES,
    TSUI_LABELS,
    SensoryTrick,
    SensoryTrickEffect,
    Tremor,
    choices_of,
    twstrs_item_label,
)
from collis.core.forms import CorrectionReasonMixin
from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    DecimalField,
    HiddenIntegerField,
    IntegerField,
    RadiosField,
    SelectField,
    SingleCheckboxField,
    TextareaField,
    TextField,
    number,
)
from collis.domain.classification import (
    AcquiredCause,
    Aetiology,
    AssociatedFeatures,
    Course,
    Distribution,
    IdiopathicForm,
    Inheritance,
    NervousSystemPathology,
    Variability,
    derive_distribution,
    distribution_compatible,
)
from collis.domain.muscles import Muscle
from collis.domain.phenotype import LATERALISED_PATTERNS, Pattern, PatternObservation, Side
from collis.domain.scales import tsui, twstrs

FAMILY_ROWS = 3
DERIVED = "derived"  # the distribution radio that means "use the one derived from regions"
ONSET_AGE_MAX = 120
NOT_KNOWN = "Not known"


def _not_known(choices):
    return [("", NOT_KNOWN), *choices]


def _n(value) -> str:
    """A stored score as it is typed: 3, 2.5 (never 3.0)."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


class CorrectingForm(CorrectionReasonMixin):
    """A create form that also corrects an entry (`amending=True`, `?amends=<id>`): it then
    asks why, after the entry's own fields. `reason_required=False` leaves the service to
    ask only when something changed."""

    def __init__(self, *args, amending: bool = False, reason_required: bool = True,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.amending = amending
        reason = self.fields.pop("correction_reason")
        if amending:
            reason.required = reason_required
            reason.error_messages["required"] = "Give the reason for the correction"
            self.fields["correction_reason"] = reason

    def reason_last(self) -> None:
        """Put the reason after fields a subclass adds in its __init__."""
        if "correction_reason" in self.fields:
            self.fields["correction_reason"] = self.fields.pop("correction_reason")

    def service_errors_apply(self, error: ValidationError) -> None:
        """A service's check run early (while the form validates): its messages go on the
        fields they name, or on the whole form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for message in ValidationError(errors).messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


class DiagnosisForm(forms.Form):
    onset_age = IntegerField(
        label="Age at onset (years)", error_name="Age at onset", unit="of years",
        required=False, min_value=0, max_value=ONSET_AGE_MAX, width=3,
        hint="In completed years. Collis works out the age-at-onset band from it.")
    regions = CheckboxesField(
        label="Body regions involved", required=False, choices=REGION_CHOICES,
        error_messages={"invalid_choice": "Choose body regions from the list"})
    one_side_of_body = SingleCheckboxField(
        label="All the regions involved are on one side of the body", required=False)
    distribution = RadiosField(
        label="Body distribution", required=False, initial=DERIVED,
        choices=[(DERIVED, "Use the distribution derived from the regions"),
                 *choices_of(Distribution, DISTRIBUTION_LABELS)],
        hint="Collis derives the distribution from the regions by the consensus definitions "
             "[1]. Choose another only if your clinical judgement differs.",
        error_messages={"invalid_choice": "Choose a body distribution from the list"})
    confirm_distribution = SingleCheckboxField(
        label="I confirm this distribution although the regions suggest another",
        required=False)
    # Optional questions offer "Not known", so that an answer once chosen can be taken back.
    course = RadiosField(label="Course", required=False, choices=choices_of(Course),
                         inline=True, clear_label=NOT_KNOWN)
    variability = RadiosField(label="Variability", required=False,
                              choices=choices_of(Variability), clear_label=NOT_KNOWN)
    associated_features = RadiosField(
        label="Associated features", required=False,
        choices=choices_of(AssociatedFeatures, ASSOCIATED_LABELS), clear_label=NOT_KNOWN)
    other_movement_disorder = TextField(
        label="Other movement disorder (if combined)", required=False, max_length=200)
    nervous_system_pathology = RadiosField(
        label="Nervous-system pathology", required=False, inline=True,
        choices=choices_of(NervousSystemPathology, {"none": "None"}), clear_label=NOT_KNOWN)
    aetiology = RadiosField(label="Aetiology", required=False, choices=choices_of(Aetiology),
                            inline=True, clear_label=NOT_KNOWN)
    inheritance = SelectField(label="If inherited: pattern of inheritance", required=False,
                              choices=_not_known(choices_of(Inheritance, INHERITANCE_LABELS)))
    acquired_cause = SelectField(label="If acquired: cause", required=False,
                                 choices=_not_known(choices_of(AcquiredCause, ACQUIRED_LABELS)))
    idiopathic_form = SelectField(label="If idiopathic: form", required=False,
                                  choices=_not_known(choices_of(IdiopathicForm)))
    family_history_notes = TextareaField(label="Family history notes", required=False,
                                         max_length=2000)
    notes = TextareaField(label="Notes", required=False, max_length=4000)
    based_on_version = HiddenIntegerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, FAMILY_ROWS + 1):
            self.fields[f"relative_{n}"] = TextField(
                label=f"Relative {n}: relationship", required=False, max_length=60,
                classes="nhsuk-u-width-one-half",
                hint="For example, mother, or brother" if n == 1 else None)
            self.fields[f"relative_{n}_condition"] = TextField(
                label=f"Relative {n}: condition", required=False, max_length=200,
                hint="For example, cervical dystonia, or writer's cramp" if n == 1 else None)

    def relative_rows(self):
        return [(self[f"relative_{n}"], self[f"relative_{n}_condition"])
                for n in range(1, FAMILY_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("associated_features") == AssociatedFeatures.COMBINED
                and not cleaned.get("other_movement_disorder")):
            self.add_error("other_movement_disorder",
                           "Enter the other movement disorder, because the dystonia is combined")
        aetiology = cleaned.get("aetiology")
        for value, (name, _, _) in AETIOLOGY_SUBTYPES.items():
            if cleaned.get(name) and aetiology != value:
                self.add_error(name, f"Leave '{self.fields[name].label}' as not known, "
                                     f"or choose {value} as the aetiology")
        for n in range(1, FAMILY_ROWS + 1):
            relationship = cleaned.get(f"relative_{n}")
            condition = cleaned.get(f"relative_{n}_condition")
            if relationship and not condition:
                self.add_error(f"relative_{n}_condition", f"Enter the condition of relative {n}")
            elif condition and not relationship:
                self.add_error(f"relative_{n}", f"Enter how relative {n} is related")
        chosen = cleaned.get("distribution")
        regions = cleaned.get("regions") or []
        if chosen and chosen != DERIVED and regions and not cleaned.get("confirm_distribution"):
            derived = derive_distribution(regions,
                                          one_side_of_body=bool(cleaned.get("one_side_of_body")))
            if derived.distribution and not distribution_compatible(Distribution(chosen),
                                                                    derived.distribution):
                self.add_error("distribution", ValidationError(
                    f"The regions ticked give a {derived.distribution} distribution "
                    f"({derived.reason}) Choose it, or tick the box to confirm "
                    f"{chosen} as the distribution", code="distribution_mismatch"))
        return cleaned

    def details(self):
        from collis.assessments.services import DiagnosisDetails

        c = self.cleaned_data
        subtype = ""
        if c.get("aetiology"):
            subtype = c.get(AETIOLOGY_SUBTYPES[Aetiology(c["aetiology"])][0]) or ""
        return DiagnosisDetails(
            onset_age=c.get("onset_age"), regions=tuple(c.get("regions") or ()),
            one_side_of_body=bool(c.get("one_side_of_body")),
            distribution="" if c.get("distribution") in ("", DERIVED) else c["distribution"],
            course=c.get("course") or "", variability=c.get("variability") or "",
            associated_features=c.get("associated_features") or "",
            other_movement_disorder=c.get("other_movement_disorder") or "",
            nervous_system_pathology=c.get("nervous_system_pathology") or "",
            aetiology=c.get("aetiology") or "", aetiology_subtype=subtype,
            family_history=tuple((c[f"relative_{n}"], c[f"relative_{n}_condition"])
                                 for n in range(1, FAMILY_ROWS + 1) if c.get(f"relative_{n}")),
            family_history_notes=c.get("family_history_notes") or "",
            notes=c.get("notes") or "")

    @classmethod
    def initial_from(cls, version) -> dict:
        if version is None:
            return {"distribution": DERIVED}
        initial = {name: getattr(version, name) for name in (
            "onset_age", "regions", "one_side_of_body", "course", "variability",
            "associated_features", "other_movement_disorder", "nervous_system_pathology",
            "aetiology", "family_history_notes", "notes")}
        initial["distribution"] = (DERIVED if version.distribution == version.derived_distribution
                                   else version.distribution)
        initial["confirm_distribution"] = version.distribution != version.derived_distribution
        if version.aetiology:
            initial[AETIOLOGY_SUBTYPES[Aetiology(version.aetiology)][0]] = \
                version.aetiology_subtype
        for n, row in enumerate(version.family_history[:FAMILY_ROWS], start=1):
            initial[f"relative_{n}"] = row.get("relationship", "")
            initial[f"relative_{n}_condition"] = row.get("condition", "")
        initial["based_on_version"] = version.version
        return initial


SEVERITY_CHOICES = [("", "Not present"), *((str(n), str(n)) for n in range(5))]
PATTERN_CHOICES = choices_of(Pattern, PATTERN_LABELS)
SIDE_CHOICES = choices_of(Side)


class ExaminationForm(CorrectingForm):
    """A neck examination: a row per Col-Cap pattern (severity 0-4 and, where lateralised,
    the side), tremor, sensory trick and notes."""

    examined_on = DateField(label="Date of examination",
                            label_text="The date of the examination", past_only=True,
                            hint="For example, 21 11 2026")
    tremor = RadiosField(label="Tremor", choices=Tremor.choices, inline=True,
                         error_messages={"required": "Choose how severe the tremor is"})
    sensory_trick = RadiosField(
        label="Sensory trick", choices=SensoryTrick.choices, inline=True,
        error_messages={"required": "Choose whether there is a sensory trick"})
    sensory_trick_effect = RadiosField(label="Effect of the sensory trick", required=False,
                                       choices=SensoryTrickEffect.choices,
                                       clear_label="No sensory trick",
                                       hint="Only if a sensory trick is present")
    sensory_trick_description = TextField(label="Sensory trick used (optional)",
                                          required=False, max_length=200,
                                          hint="For example, a finger on the chin")
    notes = TextareaField(label="Notes (optional)", required=False, max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        in_a_cell = {"required": False, "label_classes": "nhsuk-u-visually-hidden",
                     "form_group_classes": "nhsuk-u-margin-bottom-0"}
        for value, label in PATTERN_CHOICES:
            self.fields[f"severity_{value}"] = SelectField(
                label=f"Severity of {label.lower()}", choices=SEVERITY_CHOICES,
                error_messages={"invalid_choice": f"Severity of {label.lower()} must be "
                                                  f"from 0 to 4"}, **in_a_cell)
            if Pattern(value) in LATERALISED_PATTERNS:
                self.fields[f"side_{value}"] = RadiosField(
                    label=f"Side of {label.lower()}", choices=SIDE_CHOICES, inline=True,
                    small=True, legend_size=None, clear_label="No side",
                    item_suffix=f"({label.lower()})",
                    error_messages={"invalid_choice": f"Choose left or right for "
                                                      f"{label.lower()}"}, **in_a_cell)
        self.reason_last()

    def pattern_rows(self):
        """(label, severity field, side field or None) for each pattern, in the domain's order."""
        return [(label, self[f"severity_{value}"],
                 self[f"side_{value}"] if f"side_{value}" in self.fields else None)
                for value, label in PATTERN_CHOICES]

    def clean(self):
        cleaned = super().clean()
        observations = []
        for value, label in PATTERN_CHOICES:
            severity = cleaned.get(f"severity_{value}")
            side = cleaned.get(f"side_{value}")
            if severity in (None, ""):
                if side:
                    self.add_error(f"severity_{value}",
                                   f"Choose the severity of {label.lower()}, or clear its side")
                continue
            if Pattern(value) in LATERALISED_PATTERNS and not side:
                self.add_error(f"side_{value}",
                               f"Choose the side of {label.lower()} (the side the head turns "
                               f"or tilts towards, or the raised shoulder)")
                continue
            try:
                observations.append(PatternObservation(
                    pattern=Pattern(value), side=Side(side) if side else None,
                    severity=int(severity)))
            except ValueError as error:  # the domain's own check
                self.add_error(f"severity_{value}", f"{label}: {error}")
        if cleaned.get("sensory_trick") == SensoryTrick.PRESENT:
            if not cleaned.get("sensory_trick_effect"):
                self.add_error("sensory_trick_effect",
                               "Choose the effect of the sensory trick, because it is present")
        elif cleaned.get("sensory_trick_effect"):
            self.add_error("sensory_trick_effect",
                           "Leave the effect empty, because there is no sensory trick")
        self.observations = tuple(observations)
        return cleaned

    def details(self):
        from collis.assessments.services import ExaminationDetails

        c = self.cleaned_data
        return ExaminationDetails(
            examined_on=c["examined_on"], patterns=self.observations, tremor=c["tremor"],
            sensory_trick=c["sensory_trick"],
            sensory_trick_effect=c.get("sensory_trick_effect") or "",
            sensory_trick_description=c.get("sensory_trick_description") or "",
            notes=c.get("notes") or "")

    @staticmethod
    def initial_from(examination) -> dict:
        """The form filled in from a stored examination (to correct it)."""
        initial = {name: getattr(examination, name) for name in (
            "examined_on", "tremor", "sensory_trick", "sensory_trick_effect",
            "sensory_trick_description", "notes")}
        for p in examination.patterns.all():
            initial[f"severity_{p.pattern}"] = str(p.severity)
            if p.side:
                initial[f"side_{p.pattern}"] = p.side
        return initial


MUSCLE_CHOICES = choices_of(Muscle, MUSCLE_LABELS)


class ExaminationMusclesForm(CorrectingForm):
    """The involved muscles the clinician confirms, on each side (changing them once
    confirmed corrects the examination, so it then asks why)."""

    left = CheckboxesField(label="Left side", required=False, choices=MUSCLE_CHOICES,
                           error_messages={"invalid_choice": "Choose muscles from the list"})
    right = CheckboxesField(label="Right side", required=False, choices=MUSCLE_CHOICES,
                            error_messages={"invalid_choice": "Choose muscles from the list"})

    def muscles(self) -> list[tuple[str, str]]:
        return ([(m, Side.LEFT.value) for m in self.cleaned_data["left"]]
                + [(m, Side.RIGHT.value) for m in self.cleaned_data["right"]])

    @staticmethod
    def initial_for(pairs) -> dict:
        return {"left": sorted(m for m, s in pairs if s == Side.LEFT),
                "right": sorted(m for m, s in pairs if s == Side.RIGHT)}


def _range_text(low, high) -> str:
    return f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"


class AssessedOnForm(CorrectingForm):
    assessed_on = DateField(label="Date of assessment",
                            label_text="The date of the assessment", past_only=True,
                            hint="For example, 21 11 2026")
    notes = TextareaField(label="Notes (optional)", required=False, max_length=4000)

    @staticmethod
    def initial_from(assessment) -> dict:
        """The form filled in from a stored assessment (to correct it)."""
        return {"assessed_on": assessment.assessed_on, "notes": assessment.notes}


def _score_field(label: str, low, high, *, whole: bool, **kwargs):
    """A score box: a whole number or any number in the domain's range."""
    field = IntegerField if whole else DecimalField
    return field(label=label, min_value=low, max_value=high, required=False,
                 width=3, coerce=int if whole else number, **kwargs)


class TwstrsItemsForm(AssessedOnForm):
    """TWSTRS item by item: one box per item of the domain's ITEMS, each in the range the
    domain gives it; the domain then scores them (and checks the pain items' sum)."""

    def __init__(self, *args, **kwargs):
        from collis.assessments.services import PAIN_ITEM_MAX

        super().__init__(*args, **kwargs)
        for item in twstrs.ITEMS:
            hint = _range_text(item.low, item.high).capitalize()
            if item.weight != 1:
                hint += f"; Collis multiplies it by {item.weight}"
            if not item.range_sourced:
                hint += " (range widely used but not in the reference: local policy)" \
                    if item.high is not None else \
                    " (the reference gives no range; the three pain items add up to at most 20)"
            # A pain item has no range of its own, but as the three add up to at most 20
            # none can be more: the box says so rather than take 10^400.
            high = item.high if item.high is not None else PAIN_ITEM_MAX
            self.fields[item.name] = _score_field(twstrs_item_label(item), item.low, high,
                                                  whole=item.integer, echo=True, hint=hint)
        self.reason_last()

    def subscale_fields(self):
        """(subscale heading, fields) in the domain's order."""
        headings = {twstrs.Subscale.SEVERITY: "Severity",
                    twstrs.Subscale.DISABILITY: "Disability",
                    twstrs.Subscale.PAIN: "Pain"}
        return [(headings[s], twstrs.SUBSCALE_RANGES[s],
                 [self[i.name] for i in twstrs.ITEMS if i.subscale is s])
                for s in twstrs.Subscale]

    def clean(self):
        from collis.assessments import services

        cleaned = super().clean()
        items = {item.name: cleaned[item.name] for item in twstrs.ITEMS
                 if cleaned.get(item.name) is not None}
        item_errors = any(item.name in self.errors for item in twstrs.ITEMS)
        if not items and not item_errors:
            self.add_error(None, "Enter at least one TWSTRS item")
        if items and not self.errors:
            try:
                checked = services.twstrs_items_checked(items)
                services._twstrs_scored(lambda: twstrs.score_twstrs(checked),
                                        sum_field="pain_severity")
            except ValidationError as error:
                self.service_errors_apply(error)
        self.items = items
        return cleaned

    @classmethod
    def initial_from(cls, assessment) -> dict:
        return AssessedOnForm.initial_from(assessment) | {
            name: _n(value) for name, value in assessment.items.items()}


SUBSCORES = (("severity", twstrs.Subscale.SEVERITY, "Severity subscore", True),
             ("disability", twstrs.Subscale.DISABILITY, "Disability subscore", True),
             ("pain", twstrs.Subscale.PAIN, "Pain subscore", False))


class TwstrsSubscoresForm(AssessedOnForm):
    """TWSTRS when only its subscores are known (domain twstrs_from_subscores)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, subscale, label, whole in SUBSCORES:
            low, high = twstrs.SUBSCALE_RANGES[subscale]
            self.fields[name] = _score_field(
                label, low, high, whole=whole,
                hint=f"A whole number from {low} to {high}" if whole else f"From {low} to {high}")
        self.reason_last()

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned[name] for name, _, _, _ in SUBSCORES
                  if cleaned.get(name) is not None}
        if not values and not any(n in self.errors for n, _, _, _ in SUBSCORES):
            self.add_error(None, "Enter at least one TWSTRS subscore")
        self.subscores = values
        return cleaned

    @classmethod
    def initial_from(cls, assessment) -> dict:
        return AssessedOnForm.initial_from(assessment) | {
            name: _n(getattr(assessment, name)) for name, _, _, _ in SUBSCORES}


class TsuiForm(AssessedOnForm):
    """Tsui items and total as the clinician scored them (the domain gives no formula)."""

    total = DecimalField(label=TSUI_LABELS["total"], min_value=tsui.TOTAL_RANGE[0],
                         max_value=tsui.TOTAL_RANGE[1], coerce=number,
                         width=3, hint="From 0 to 25, as you scored it",
                         error_messages={"required": "Enter the total Tsui score"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in tsui.ITEM_NAMES:
            self.fields[name] = _score_field(TSUI_LABELS.get(name, name), 0,
                                             tsui.TOTAL_RANGE[1], whole=False)
        self.reason_last()

    def item_fields(self):
        return [self[name] for name in tsui.ITEM_NAMES]

    def clean(self):
        from collis.assessments import services

        cleaned = super().clean()
        self.items = {name: cleaned[name] for name in tsui.ITEM_NAMES
                      if cleaned.get(name) is not None}
        self.total = cleaned.get("total")
        if not self.errors:
            try:
                services.tsui_values_checked(self.items, self.total)
            except ValidationError as error:
                self.service_errors_apply(error)
        return cleaned

    @classmethod
    def initial_from(cls, assessment) -> dict:
        return AssessedOnForm.initial_from(assessment) | {
            name: _n(value) for name, value in assessment.items.items()} | {
            "total": _n(assessment.total)}

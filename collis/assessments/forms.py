"""Forms of the assessments app. They validate and clean (asking the domain where a rule is
clinical, and mapping its exceptions to errors on the right field); services save."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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
    SensoryTrick,
    SensoryTrickEffect,
    Tremor,
    choices_of,
)
from collis.core.forms import NhsDateField
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


def _not_known(choices):
    return [("", "Not known"), *choices]


class DiagnosisForm(forms.Form):
    onset_age = forms.IntegerField(
        label="Age at onset (years)", required=False, min_value=0, max_value=ONSET_AGE_MAX,
        help_text="In completed years. Collis works out the age-at-onset band from it.",
        error_messages={
            "invalid": f"Age at onset must be a whole number of years from 0 to {ONSET_AGE_MAX}",
            "min_value": f"Age at onset must be a whole number of years from 0 to "
                         f"{ONSET_AGE_MAX}",
            "max_value": f"Age at onset must be a whole number of years from 0 to "
                         f"{ONSET_AGE_MAX}"})
    regions = forms.MultipleChoiceField(
        label="Body regions involved", required=False, choices=REGION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose body regions from the list"})
    one_side_of_body = forms.BooleanField(
        label="All the regions involved are on one side of the body", required=False)
    distribution = forms.ChoiceField(
        label="Body distribution", required=False,
        choices=[(DERIVED, "Use the distribution derived from the regions"),
                 *choices_of(Distribution, DISTRIBUTION_LABELS)],
        error_messages={"invalid_choice": "Choose a body distribution from the list"})
    confirm_distribution = forms.BooleanField(
        label="I confirm this distribution although the regions suggest another",
        required=False)
    course = forms.ChoiceField(label="Course", required=False, choices=choices_of(Course))
    variability = forms.ChoiceField(label="Variability", required=False,
                                    choices=choices_of(Variability))
    associated_features = forms.ChoiceField(
        label="Associated features", required=False,
        choices=choices_of(AssociatedFeatures, ASSOCIATED_LABELS))
    other_movement_disorder = forms.CharField(
        label="Other movement disorder (if combined)", required=False, max_length=200)
    nervous_system_pathology = forms.ChoiceField(
        label="Nervous-system pathology", required=False,
        choices=choices_of(NervousSystemPathology, {"none": "None"}))
    aetiology = forms.ChoiceField(label="Aetiology", required=False,
                                  choices=choices_of(Aetiology))
    inheritance = forms.ChoiceField(label="If inherited: pattern of inheritance",
                                    required=False,
                                    choices=_not_known(choices_of(Inheritance,
                                                                  INHERITANCE_LABELS)))
    acquired_cause = forms.ChoiceField(label="If acquired: cause", required=False,
                                       choices=_not_known(choices_of(AcquiredCause,
                                                                     ACQUIRED_LABELS)))
    idiopathic_form = forms.ChoiceField(label="If idiopathic: form", required=False,
                                        choices=_not_known(choices_of(IdiopathicForm)))
    family_history_notes = forms.CharField(label="Family history notes", required=False,
                                           widget=forms.Textarea, max_length=2000)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea,
                            max_length=4000)
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, FAMILY_ROWS + 1):
            self.fields[f"relative_{n}"] = forms.CharField(
                label=f"Relative {n}: relationship", required=False, max_length=60,
                help_text="For example, mother, or brother" if n == 1 else "")
            self.fields[f"relative_{n}_condition"] = forms.CharField(
                label=f"Relative {n}: condition", required=False, max_length=200,
                help_text="For example, cervical dystonia, or writer's cramp" if n == 1 else "")

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


class ExaminationForm(forms.Form):
    """A neck examination: a row per Col-Cap pattern (severity 0-4 and, where lateralised,
    the side), tremor, sensory trick and notes."""

    examined_on = NhsDateField(label="Date of examination",
                               label_text="The date of the examination", past_only=True,
                               help_text="For example, 21 11 2026")
    tremor = forms.ChoiceField(label="Tremor", choices=Tremor.choices,
                               error_messages={"required": "Choose how severe the tremor is"})
    sensory_trick = forms.ChoiceField(
        label="Sensory trick", choices=SensoryTrick.choices,
        error_messages={"required": "Choose whether there is a sensory trick"})
    sensory_trick_effect = forms.ChoiceField(label="Effect of the sensory trick",
                                             required=False,
                                             choices=SensoryTrickEffect.choices)
    sensory_trick_description = forms.CharField(label="Sensory trick used (optional)",
                                                required=False, max_length=200,
                                                help_text="For example, a finger on the chin")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea,
                            max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in PATTERN_CHOICES:
            self.fields[f"severity_{value}"] = forms.ChoiceField(
                label=f"Severity of {label.lower()}", required=False, choices=SEVERITY_CHOICES,
                error_messages={"invalid_choice": f"Severity of {label.lower()} must be "
                                                  f"from 0 to 4"})
            if Pattern(value) in LATERALISED_PATTERNS:
                self.fields[f"side_{value}"] = forms.ChoiceField(
                    label=f"Side of {label.lower()}", required=False, choices=SIDE_CHOICES,
                    error_messages={"invalid_choice": f"Choose left or right for "
                                                      f"{label.lower()}"})

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


MUSCLE_CHOICES = choices_of(Muscle, MUSCLE_LABELS)


class ExaminationMusclesForm(forms.Form):
    """The involved muscles the clinician confirms, on each side."""

    left = forms.MultipleChoiceField(label="Left side", required=False, choices=MUSCLE_CHOICES,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"invalid_choice":
                                                     "Choose muscles from the list"})
    right = forms.MultipleChoiceField(label="Right side", required=False,
                                      choices=MUSCLE_CHOICES,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"invalid_choice":
                                                      "Choose muscles from the list"})

    def muscles(self) -> list[tuple[str, str]]:
        return ([(m, Side.LEFT.value) for m in self.cleaned_data["left"]]
                + [(m, Side.RIGHT.value) for m in self.cleaned_data["right"]])

    @staticmethod
    def initial_for(pairs) -> dict:
        return {"left": sorted(m for m, s in pairs if s == Side.LEFT),
                "right": sorted(m for m, s in pairs if s == Side.RIGHT)}


def _parse_number(text: str):
    """'3' -> 3, '2.5' -> 2.5; raises ValueError for anything that is not a number."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return int(number) if number == number.to_integral_value() else float(number)


def _range_text(low, high) -> str:
    return f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"


class AssessedOnForm(forms.Form):
    assessed_on = NhsDateField(label="Date of assessment",
                               label_text="The date of the assessment", past_only=True,
                               help_text="For example, 21 11 2026")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea,
                            max_length=4000)


def _item_label(item) -> str:
    label = item.label or item.name.replace("_", " ")
    return label.removeprefix("Maximal excursion: ").capitalize() \
        if label.startswith("Maximal excursion") else label


class TwstrsItemsForm(AssessedOnForm):
    """TWSTRS item by item: one box per item of the domain's ITEMS, checked by the domain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in twstrs.ITEMS:
            hint = _range_text(item.low, item.high).capitalize()
            if item.weight != 1:
                hint += f"; Collis multiplies it by {item.weight}"
            if not item.range_sourced:
                hint += " (range widely used but not in the reference: local policy)" \
                    if item.high is not None else \
                    " (the reference gives no range; the three pain items add up to at most 20)"
            self.fields[item.name] = forms.CharField(
                label=_item_label(item), required=False, max_length=10, help_text=hint)

    def subscale_fields(self):
        """(subscale heading, fields) in the domain's order."""
        headings = {twstrs.Subscale.SEVERITY: "Severity",
                    twstrs.Subscale.DISABILITY: "Disability",
                    twstrs.Subscale.PAIN: "Pain"}
        return [(headings[s], twstrs.SUBSCALE_RANGES[s],
                 [self[i.name] for i in twstrs.ITEMS if i.subscale is s])
                for s in twstrs.Subscale]

    def clean(self):
        cleaned = super().clean()
        items = {}
        for item in twstrs.ITEMS:
            text = (cleaned.get(item.name) or "").strip()
            if not text:
                continue
            label = self.fields[item.name].label
            kind = "a whole number" if item.integer else "a number"
            try:
                value = _parse_number(text)
            except ValueError:
                self.add_error(item.name, f"{label} must be {kind} "
                                          f"{_range_text(item.low, item.high)}")
                continue
            try:
                twstrs.score_twstrs({item.name: value})
            except twstrs.TwstrsItemOutOfRange as error:
                self.add_error(item.name, f"{label} must be {kind} "
                                          f"{_range_text(error.low, error.high)} "
                                          f"(you entered {text})")
                continue
            except twstrs.TwstrsError:
                self.add_error(item.name, f"{label} must be {kind} "
                                          f"{_range_text(item.low, item.high)}")
                continue
            items[item.name] = value
        item_errors = any(item.name in self.errors for item in twstrs.ITEMS)
        if not items and not item_errors:
            self.add_error(None, "Enter at least one TWSTRS item")
        if items and not self.errors:
            try:
                twstrs.score_twstrs(items)
            except twstrs.TwstrsItemOutOfRange as error:
                pain = twstrs.SUBSCALE_RANGES[twstrs.Subscale.PAIN]
                self.add_error("pain_severity", f"The three pain items add up to "
                                                f"{error.value:g}; together they must be "
                                                f"from {pain[0]} to {pain[1]}")
        self.items = items
        return cleaned


class TwstrsSubscoresForm(AssessedOnForm):
    """TWSTRS when only its subscores are known (domain twstrs_from_subscores)."""

    severity = forms.CharField(label="Severity subscore", required=False, max_length=10,
                               help_text="A whole number from 0 to 35")
    disability = forms.CharField(label="Disability subscore", required=False, max_length=10,
                                 help_text="A whole number from 0 to 30")
    pain = forms.CharField(label="Pain subscore", required=False, max_length=10,
                           help_text="From 0 to 20")

    def clean(self):
        cleaned = super().clean()
        values = {}
        for name, subscale in (("severity", twstrs.Subscale.SEVERITY),
                               ("disability", twstrs.Subscale.DISABILITY),
                               ("pain", twstrs.Subscale.PAIN)):
            text = (cleaned.get(name) or "").strip()
            if not text:
                continue
            low, high = twstrs.SUBSCALE_RANGES[subscale]
            kind = "a number" if subscale is twstrs.Subscale.PAIN else "a whole number"
            label = self.fields[name].label
            try:
                value = _parse_number(text)
                twstrs.twstrs_from_subscores(**{name: value})
            except (ValueError, twstrs.TwstrsError):
                self.add_error(name, f"{label} must be {kind} from {low} to {high}")
                continue
            values[name] = value
        if not values and not any(n in self.errors for n in ("severity", "disability", "pain")):
            self.add_error(None, "Enter at least one TWSTRS subscore")
        self.subscores = values
        return cleaned


TSUI_LABELS = {"rotation": "Rotation", "tilt": "Tilt", "antero_retrocollis":
               "Anterocollis or retrocollis", "shoulder_elevation": "Shoulder elevation",
               "tremor": "Tremor", "continuity": "Continuous or intermittent movements"}


class TsuiForm(AssessedOnForm):
    """Tsui items and total as the clinician scored them (the domain gives no formula)."""

    total = forms.CharField(label="Total Tsui score", max_length=10,
                            help_text="From 0 to 25, as you scored it",
                            error_messages={"required": "Enter the total Tsui score"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in tsui.ITEM_NAMES:
            self.fields[name] = forms.CharField(label=TSUI_LABELS.get(name, name),
                                                required=False, max_length=10)

    def item_fields(self):
        return [self[name] for name in tsui.ITEM_NAMES]

    def clean(self):
        cleaned = super().clean()
        items = {}
        for name in tsui.ITEM_NAMES:
            text = (cleaned.get(name) or "").strip()
            if not text:
                continue
            label = self.fields[name].label
            try:
                value = _parse_number(text)
                tsui.record_tsui({name: value})
            except (ValueError, tsui.TsuiError):
                self.add_error(name, f"{label} must be a number from 0 to "
                                     f"{tsui.TOTAL_RANGE[1]}")
                continue
            items[name] = value
        text = (cleaned.get("total") or "").strip()
        self.total = None
        if text:
            try:
                self.total = _parse_number(text)
                tsui.record_tsui({}, self.total)
            except (ValueError, tsui.TsuiError):
                self.add_error("total", f"Total Tsui score must be a number from "
                                        f"{tsui.TOTAL_RANGE[0]} to {tsui.TOTAL_RANGE[1]}")
        self.items = items
        return cleaned

import datetime

import pytest

from collis.assessments.forms import DiagnosisForm, ExaminationForm, TwstrsItemsForm
from collis.assessments.tests.factories import TWSTRS_ITEMS
from collis.domain.phenotype import Pattern, Side

DAY = {"assessed_on-day": "2", "assessed_on-month": "11", "assessed_on-year": "2026"}


def test_twstrs_form_maps_each_out_of_range_item_to_its_own_field():
    data = {k: str(v) for k, v in TWSTRS_ITEMS.items()} | DAY | {
        "rotation": "5", "sagittal_shift": "-1"}
    form = TwstrsItemsForm(data)
    assert not form.is_valid()
    assert form.errors["rotation"] == ["Rotation must be a whole number from 0 to 4 "
                                       "(you entered 5)"]
    assert form.errors["sagittal_shift"] == ["Sagittal shift must be a whole number from 0 to 1 "
                                             "(you entered -1)"]


def test_twstrs_form_accepts_decimal_pain_items_and_blank_items():
    form = TwstrsItemsForm(DAY | {"rotation": "2", "pain_severity": "2.5"})
    assert form.is_valid(), form.errors
    assert form.items == {"rotation": 2, "pain_severity": 2.5}


def test_twstrs_form_needs_at_least_one_item_and_a_date():
    form = TwstrsItemsForm({})
    assert not form.is_valid()
    assert form.errors["assessed_on"] == ["Enter the date of the assessment"]
    assert "Enter at least one TWSTRS item" in form.non_field_errors()


def test_a_future_assessment_date_is_refused():
    future = datetime.date.today() + datetime.timedelta(days=3)
    form = TwstrsItemsForm({"rotation": "1", "assessed_on-day": str(future.day),
                            "assessed_on-month": str(future.month),
                            "assessed_on-year": str(future.year)})
    assert form.errors["assessed_on"] == ["The date of the assessment must be today or in the "
                                          "past"]


def test_examination_form_gives_the_domain_observations_in_table_order():
    form = ExaminationForm({"examined_on-day": "1", "examined_on-month": "11",
                            "examined_on-year": "2026", "severity_retrocollis": "2",
                            "severity_torticaput": "4", "side_torticaput": "left",
                            "tremor": "none", "sensory_trick": "absent"})
    assert form.is_valid(), form.errors
    assert [(o.pattern, o.side, o.severity) for o in form.observations] == [
        (Pattern.TORTICAPUT, Side.LEFT, 4), (Pattern.RETROCOLLIS, None, 2)]


def test_diagnosis_form_keeps_only_the_subtype_of_the_chosen_aetiology():
    form = DiagnosisForm({"aetiology": "acquired", "acquired_cause": "drug_toxic",
                          "distribution": "derived"})
    assert form.is_valid(), form.errors
    details = form.details()
    assert (details.aetiology, details.aetiology_subtype, details.distribution) == (
        "acquired", "drug_toxic", "")


@pytest.mark.parametrize("regions,chosen,ok", [
    (["neck"], "focal", True),
    (["neck", "upper_limb"], "hemidystonia", True),  # the domain allows it for 2+ regions
    (["neck", "upper_limb"], "generalised", False),
])
def test_diagnosis_form_asks_the_domain_whether_a_distribution_fits_the_regions(regions,
                                                                               chosen, ok):
    form = DiagnosisForm({"regions": regions, "distribution": chosen})
    assert form.is_valid() is ok


@pytest.mark.parametrize("form_class", [
    "DiagnosisForm", "ExaminationForm", "ExaminationMusclesForm", "TwstrsItemsForm",
    "TwstrsSubscoresForm", "TsuiForm"])
@pytest.mark.parametrize("amending", [False, True])
def test_no_optional_radio_traps_the_user(form_class, amending):
    """Every optional radio has a way back to no answer: a clear choice ("Not known", "No
    side", "No sensory trick") or, for the distribution, the derived one it starts on."""
    from collis.assessments import forms
    from collis.core.nhsuk_forms import RadiosField

    cls = getattr(forms, form_class)
    form = cls(amending=amending) if form_class != "DiagnosisForm" else cls()
    for name, field in form.fields.items():
        if isinstance(field, RadiosField) and not field.required:
            choices = {value for value, _ in field.choices}
            assert field.clear_label or field.initial in choices, name
            markup = str(form[name].as_field_group())
            assert 'value=""' in markup or field.initial in choices, name


def test_a_correction_asks_why_and_a_new_entry_does_not():
    from collis.assessments.forms import ExaminationForm, TsuiForm

    assert "correction_reason" not in ExaminationForm().fields
    assert list(TsuiForm(amending=True).fields)[-1] == "correction_reason"
    form = TsuiForm({"total": "9", "assessed_on-day": "1", "assessed_on-month": "5",
                     "assessed_on-year": "2026"}, amending=True)
    assert not form.is_valid()
    assert form.errors["correction_reason"] == ["Give the reason for the correction"]

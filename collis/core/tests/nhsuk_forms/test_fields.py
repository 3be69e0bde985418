"""Each field class renders what its NHS.UK macro renders for the equivalent parameters
(without and with a value, with an error, with a hint), and the numbers parse themselves."""

from decimal import Decimal

import pytest
from django import forms

from collis.core.nhsuk_forms import (
    CheckboxesField,
    DecimalField,
    FileUploadField,
    HiddenIntegerField,
    HiddenTextField,
    IntegerField,
    RadiosField,
    SelectField,
    SingleCheckboxField,
    TextareaField,
    TextField,
    YesNoField,
    number,
)
from collis.core.tests.nhsuk_forms.markup import assert_same_markup, macro

COLOURS = [("red", "Red"), ("green", "Green"), ("blue", "Blue")]


def error(text):
    return {"text": text}


# -- Text input ---------------------------------------------------------------------------

class TextForm(forms.Form):
    batch = TextField(label="Batch number", max_length=10, width=10,
                      spellcheck=False, autocomplete="off",
                      error_messages={"required": "Enter the batch number"})
    phone = TextField(label="Phone number", required=False, type="tel", inputmode="tel",
                      hint="For example, 01632 960 001")
    password = TextField(label="Password", type="password", autocomplete="current-password")


def input_macro(name, label, value="", **params):
    return macro("input", "input", {"label": {"text": label}, "id": name, "name": name,
                                    "value": value, **params})


def test_a_text_input_without_a_value_matches_the_macro():
    assert_same_markup(TextForm()["batch"].as_field_group(), input_macro(
        "batch", "Batch number", classes="nhsuk-input--width-10", spellcheck=False,
        autocomplete="off"))


def test_a_text_input_with_a_value_and_a_hint_matches_the_macro():
    form = TextForm({"phone": "01632 960 001"})
    assert_same_markup(form["phone"].as_field_group(), input_macro(
        "phone", "Phone number", "01632 960 001", type="tel", inputmode="tel",
        hint={"text": "For example, 01632 960 001"}))


def test_a_text_input_with_an_error_matches_the_macro():
    form = TextForm({"batch": "C12345678901"})
    assert not form.is_valid()
    assert form.errors["batch"] == ["Batch number must be 10 characters or fewer"]
    assert_same_markup(form["batch"].as_field_group(), input_macro(
        "batch", "Batch number", "C12345678901", classes="nhsuk-input--width-10",
        spellcheck=False, autocomplete="off",
        errorMessage=error("Batch number must be 10 characters or fewer")))


def test_a_required_text_input_says_what_to_enter():
    form = TextForm({})
    assert not form.is_valid()
    assert form.errors["batch"] == ["Enter the batch number"]
    assert form.errors["password"] == ["Enter password"]


def test_a_password_is_never_written_back_into_the_page():
    form = TextForm({"password": "secret words"})
    assert "secret" not in form["password"].as_field_group()
    assert_same_markup(form["password"].as_field_group(), input_macro(
        "password", "Password", type="password", autocomplete="current-password"))


def test_a_template_may_override_render_options_but_not_invent_them():
    form = TextForm()
    html = form["phone"].as_field_group(hint="Mobile", classes="nhsuk-u-width-one-half")
    assert_same_markup(html, input_macro("phone", "Phone number", type="tel", inputmode="tel",
                                         hint={"text": "Mobile"},
                                         classes="nhsuk-u-width-one-half"))
    with pytest.raises(TypeError):
        form["phone"].as_field_group(rows=3)


# -- Numbers ------------------------------------------------------------------------------

class NumberForm(forms.Form):
    peak = IntegerField(label="Peak benefit (%)", error_name="Peak benefit", min_value=0,
                        max_value=100, allow_suffix="%", classes="nhsuk-input--width-3",
                        error_messages={"required": "Enter the peak benefit"})
    minutes = IntegerField(label="Duration (minutes)", error_name="Duration", min_value=1,
                           max_value=480, unit="of minutes", required=False)
    rotation = IntegerField(label="Rotation", min_value=0, max_value=4, echo=True,
                            required=False)
    pain = DecimalField(label="Pain subscore", min_value=0, max_value=20, required=False,
                        coerce=number)
    dose = DecimalField(label="Dose", min_value=0, exclusive_min=True, required=False,
                        coerce=str, error_messages={
                            "invalid": "Dose must be a number, like 2 or 0.5"})


def test_an_integer_input_renders_as_a_numeric_text_input():
    form = NumberForm({"peak": "65%"})
    assert_same_markup(form["peak"].as_field_group(), input_macro(
        "peak", "Peak benefit (%)", "65%", classes="nhsuk-input--width-3", inputmode="numeric"))


def test_an_integer_input_with_an_error_matches_the_macro():
    form = NumberForm({"peak": "120"})
    assert not form.is_valid()
    message = "Peak benefit must be a whole number from 0 to 100"
    assert form.errors["peak"] == [message]
    assert_same_markup(form["peak"].as_field_group(), input_macro(
        "peak", "Peak benefit (%)", "120", classes="nhsuk-input--width-3", inputmode="numeric",
        errorMessage=error(message)))


def test_a_decimal_input_with_a_hint_matches_the_macro():
    form = NumberForm(initial={"pain": 12.5})
    assert_same_markup(form["pain"].as_field_group(hint="From 0 to 20"), input_macro(
        "pain", "Pain subscore", "12.5", inputmode="decimal", hint={"text": "From 0 to 20"}))


@pytest.mark.parametrize(("name", "text", "value"), [
    ("peak", "65", 65), ("peak", " 65 % ", 65), ("peak", "0", 0), ("minutes", "45", 45),
    ("minutes", "45.0", 45), ("pain", "2.5", 2.5), ("pain", "3", 3), ("dose", "0.5", "0.5"),
])
def test_numbers_parse_themselves(name, text, value):
    form = NumberForm({"peak": "50", name: text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[name] == value
    assert type(form.cleaned_data[name]) is type(value)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("peak", "abc", "Peak benefit must be a whole number from 0 to 100"),
    ("peak", "12.5", "Peak benefit must be a whole number from 0 to 100"),
    ("peak", "-1", "Peak benefit must be a whole number from 0 to 100"),
    ("minutes", "0", "Duration must be a whole number of minutes from 1 to 480"),
    ("rotation", "7", "Rotation must be a whole number from 0 to 4 (you entered 7)"),
    ("rotation", "two", "Rotation must be a whole number from 0 to 4"),
    ("pain", "21", "Pain subscore must be a number from 0 to 20"),
    ("dose", "ten", "Dose must be a number, like 2 or 0.5"),
    ("dose", "0", "Dose must be a number more than 0"),
])
def test_number_messages_name_the_field_and_its_range(name, text, message):
    form = NumberForm({"peak": "50", name: text})
    assert not form.is_valid()
    assert form.errors[name] == [message]


def test_an_optional_number_left_empty_is_none():
    form = NumberForm({"peak": "50", "minutes": "  "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["minutes"] is None


def test_number_turns_whole_decimals_into_ints():
    assert number(Decimal("3.0")) == 3 and isinstance(number(Decimal("3.0")), int)
    assert number(Decimal("2.5")) == 2.5


# -- Textarea -----------------------------------------------------------------------------

class NotesForm(forms.Form):
    notes = TextareaField(label="Notes (optional)", required=False, max_length=20)
    reason = TextareaField(label="Reason", rows=3, hint="Say why",
                           error_messages={"required": "Enter the reason"})


def textarea_macro(name, label, value="", rows=4, **params):
    return macro("textarea", "textarea", {"label": {"text": label}, "id": name, "name": name,
                                          "rows": rows, "value": value, **params})


def test_an_empty_textarea_matches_the_macro():
    assert_same_markup(NotesForm()["notes"].as_field_group(),
                       textarea_macro("notes", "Notes (optional)"))


def test_a_textarea_with_a_value_and_rows_matches_the_macro():
    form = NotesForm({"notes": "Well <b>"})
    assert_same_markup(form["notes"].as_field_group(rows=6),
                       textarea_macro("notes", "Notes (optional)", "Well <b>", rows=6))


def test_a_textarea_with_a_hint_and_an_error_matches_the_macro():
    form = NotesForm({"notes": "x" * 21})
    assert not form.is_valid()
    assert form.errors["notes"] == ["Notes (optional) must be 20 characters or fewer"]
    assert_same_markup(form["reason"].as_field_group(), textarea_macro(
        "reason", "Reason", rows=3, hint={"text": "Say why"},
        errorMessage=error("Enter the reason")))


# -- Select -------------------------------------------------------------------------------

class SelectForm(forms.Form):
    colour = SelectField(label="Colour", choices=[("", "Choose a colour"), *COLOURS],
                         hint="Your favourite",
                         error_messages={"required": "Choose a colour"})


def select_macro(selected=None, **params):
    return macro("select", "select", {
        "label": {"text": "Colour"}, "id": "colour", "name": "colour",
        "hint": {"text": "Your favourite"},
        "items": [{"value": v, "text": t, "selected": v == selected}
                  for v, t in [("", "Choose a colour"), *COLOURS]], **params})


def test_a_select_without_a_value_matches_the_macro():
    assert_same_markup(SelectForm()["colour"].as_field_group(), select_macro())


def test_a_select_with_a_value_matches_the_macro():
    form = SelectForm(initial={"colour": "green"})
    assert_same_markup(form["colour"].as_field_group(), select_macro("green"))


def test_a_select_with_an_error_matches_the_macro():
    form = SelectForm({"colour": ""})
    assert not form.is_valid()
    assert_same_markup(form["colour"].as_field_group(),
                       select_macro("", errorMessage=error("Choose a colour")))


# -- Radios -------------------------------------------------------------------------------

class RadiosForm(forms.Form):
    colour = RadiosField(label="Colour", choices=COLOURS, inline=True,
                         error_messages={"required": "Choose a colour"})
    course = RadiosField(label="Course", choices=COLOURS, required=False,
                         clear_label="Not known", hint="If known",
                         choice_hints={"blue": "Like the sky"})


def radios_macro(name, label, checked=None, items=COLOURS, **params):
    return macro("radios", "radios", {
        "idPrefix": name, "name": name,
        "fieldset": {"legend": {"text": label, "size": "s"}},
        "items": [{"value": v, "text": t, "checked": v == checked} for v, t in items],
        **params})


def test_radios_without_a_value_match_the_macro():
    assert_same_markup(RadiosForm()["colour"].as_field_group(),
                       radios_macro("colour", "Colour", classes="nhsuk-radios--inline"))


def test_radios_with_a_value_match_the_macro():
    form = RadiosForm(initial={"colour": "green"})
    assert_same_markup(form["colour"].as_field_group(), radios_macro(
        "colour", "Colour", "green", classes="nhsuk-radios--inline"))


def test_radios_with_an_error_match_the_macro_and_link_to_the_first_radio():
    form = RadiosForm({})
    assert not form.is_valid()
    assert form["colour"].error_anchor == "colour"
    assert_same_markup(form["colour"].as_field_group(), radios_macro(
        "colour", "Colour", classes="nhsuk-radios--inline",
        errorMessage=error("Choose a colour")))


def test_optional_radios_offer_a_way_back_to_no_answer_and_item_hints():
    form = RadiosForm({"colour": "red", "course": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["course"] == ""
    expected = macro("radios", "radios", {
        "idPrefix": "course", "name": "course",
        "fieldset": {"legend": {"text": "Course", "size": "s"}}, "hint": {"text": "If known"},
        "items": [{"value": "red", "text": "Red"}, {"value": "green", "text": "Green"},
                  {"value": "blue", "text": "Blue", "hint": {"text": "Like the sky"}},
                  {"value": "", "text": "Not known", "checked": True}]})
    assert_same_markup(form["course"].as_field_group(), expected)


def test_radios_can_reveal_html_under_an_item():
    form = RadiosForm(initial={"colour": "blue"})
    assert_same_markup(form["colour"].as_field_group(conditionals={"blue": "<p>Sky</p>"}),
                       macro("radios", "radios", {
        "idPrefix": "colour", "name": "colour", "classes": "nhsuk-radios--inline",
        "fieldset": {"legend": {"text": "Colour", "size": "s"}},
        "items": [{"value": "red", "text": "Red"}, {"value": "green", "text": "Green"},
                  {"value": "blue", "text": "Blue", "checked": True,
                   "conditional": {"html": "<p>Sky</p>"}}]}))


class YesNoForm(forms.Form):
    fit = YesNoField(label="Fit for a general anaesthetic?", unknown_label="Not known",
                     initial="unknown")
    myectomy = YesNoField(label="Was a myectomy done?")


def test_yes_no_offers_yes_no_and_not_known_inline():
    assert_same_markup(YesNoForm()["fit"].as_field_group(), radios_macro(
        "fit", "Fit for a general anaesthetic?", "unknown", classes="nhsuk-radios--inline",
        items=[("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]))


def test_yes_no_cleans_to_its_words():
    form = YesNoForm({"fit": "yes", "myectomy": "no"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"fit": "yes", "myectomy": "no"}
    assert YesNoForm({"fit": "maybe", "myectomy": "no"}).errors["fit"]


# -- Checkboxes ---------------------------------------------------------------------------

class CheckboxesForm(forms.Form):
    colours = CheckboxesField(label="Colours", choices=COLOURS, hint="Select all that apply",
                              error_messages={"required": "Choose a colour"})
    agree = SingleCheckboxField(label="I confirm this", required=False)


def checkboxes_macro(checked=(), **params):
    return macro("checkboxes", "checkboxes", {
        "idPrefix": "colours", "name": "colours",
        "fieldset": {"legend": {"text": "Colours", "size": "s"}},
        "hint": {"text": "Select all that apply"},
        "items": [{"value": v, "text": t, "checked": v in checked} for v, t in COLOURS],
        **params})


def test_checkboxes_without_a_value_match_the_macro():
    assert_same_markup(CheckboxesForm()["colours"].as_field_group(), checkboxes_macro())


def test_checkboxes_with_values_match_the_macro():
    form = CheckboxesForm({"colours": ["red", "blue"]})
    assert form.is_valid(), form.errors
    assert_same_markup(form["colours"].as_field_group(), checkboxes_macro(("red", "blue")))


def test_checkboxes_with_an_error_match_the_macro():
    form = CheckboxesForm({})
    assert not form.is_valid()
    assert_same_markup(form["colours"].as_field_group(),
                       checkboxes_macro(errorMessage=error("Choose a colour")))


def test_checkboxes_may_carry_a_hint_per_item():
    html = CheckboxesForm()["colours"].as_field_group(choice_hints={"red": "Suggested"})
    assert_same_markup(html, macro("checkboxes", "checkboxes", {
        "idPrefix": "colours", "name": "colours",
        "fieldset": {"legend": {"text": "Colours", "size": "s"}},
        "hint": {"text": "Select all that apply"},
        "items": [{"value": "red", "text": "Red", "hint": {"text": "Suggested"}},
                  {"value": "green", "text": "Green"}, {"value": "blue", "text": "Blue"}]}))


@pytest.mark.parametrize("data", [{}, {"agree": "on"}])
def test_a_single_checkbox_matches_the_macro(data):
    form = CheckboxesForm(data)
    assert_same_markup(form["agree"].as_field_group(), macro("checkboxes", "checkboxes", {
        "idPrefix": "agree", "name": "agree",
        "items": [{"value": "on", "text": "I confirm this", "checked": bool(data)}]}))


# -- Files and hidden values --------------------------------------------------------------

class FileForm(forms.Form):
    letter = FileUploadField(label="Referral letter (optional, PDF)", required=False,
                             accept="application/pdf", hint="A PDF file")
    version = HiddenIntegerField(required=False)
    acknowledged = HiddenTextField(required=False)


def test_a_file_input_matches_the_macro_without_its_script_enhancement():
    expected = macro("file-upload", "fileUpload", {
        "label": {"text": "Referral letter (optional, PDF)"}, "id": "letter",
        "name": "letter", "hint": {"text": "A PDF file"},
        "attributes": {"accept": "application/pdf"}})
    assert 'data-module="nhsuk-file-upload"' in expected
    assert_same_markup(FileForm()["letter"].as_field_group(),
                       expected.replace(' data-module="nhsuk-file-upload"', ""))


def test_hidden_values_are_carried_back_as_they_were():
    form = FileForm(initial={"version": 3})
    assert_same_markup(form["version"].as_field_group(),
                       '<input type="hidden" name="version" value="3">')
    assert_same_markup(FileForm({"acknowledged": "a,b"})["acknowledged"].as_field_group(),
                       '<input type="hidden" name="acknowledged" value="a,b">')


def test_an_empty_integer_input_matches_the_macro():
    assert_same_markup(NumberForm()["minutes"].as_field_group(),
                       input_macro("minutes", "Duration (minutes)", inputmode="numeric"))


class ConfirmForm(forms.Form):
    agree = SingleCheckboxField(label="I confirm this", hint="Only when it is true",
                                error_messages={"required": "Confirm it"})


def test_a_single_checkbox_with_a_hint_and_an_error_matches_the_macro():
    form = ConfirmForm({})
    assert not form.is_valid()
    assert_same_markup(form["agree"].as_field_group(), macro("checkboxes", "checkboxes", {
        "idPrefix": "agree", "name": "agree", "errorMessage": error("Confirm it"),
        "items": [{"value": "on", "text": "I confirm this",
                   "hint": {"text": "Only when it is true"}}]}))


def test_a_file_input_with_an_error_says_to_choose_the_file_again():
    form = FileForm({}, {})
    form.add_error("letter", "The referral letter must be a PDF file")
    expected = macro("file-upload", "fileUpload", {
        "label": {"text": "Referral letter (optional, PDF)"}, "id": "letter",
        "name": "letter", "attributes": {"accept": "application/pdf"},
        "hint": {"text": "A PDF file. If you chose a file before this page showed a problem, "
                         "choose it again."},
        "errorMessage": error("The referral letter must be a PDF file")})
    assert_same_markup(form["letter"].as_field_group(),
                       expected.replace(' data-module="nhsuk-file-upload"', ""))


@pytest.mark.parametrize("typed", ["١٢", "１２", "12٫5", "৫"])
def test_numbers_are_written_with_the_digits_0_to_9(typed):
    form = NumberForm({"peak": typed, "pain": typed})
    assert not form.is_valid()
    assert "peak" in form.errors and "pain" in form.errors

"""The error summary links each message to the element its field class names."""

from django import forms

from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    RadiosField,
    TextField,
    error_list,
    error_summary,
)
from collis.core.tests.nhsuk_forms.markup import assert_same_markup, macro


class MixedForm(forms.Form):
    name = TextField(label="Name", error_messages={"required": "Enter the name"})
    when = DateField(label="Date", label_text="The date")
    colour = RadiosField(label="Colour", choices=[("red", "Red"), ("blue", "Blue")],
                         error_messages={"required": "Choose a colour"})
    pets = CheckboxesField(label="Pets", choices=[("cat", "Cat")],
                           error_messages={"required": "Choose a pet"})
    plain = forms.CharField(label="Plain Django", error_messages={"required": "Enter plain"})

    def clean(self):
        raise forms.ValidationError("Something about the whole form")


def test_each_error_links_to_the_element_its_field_class_names():
    form = MixedForm({})
    assert not form.is_valid()
    assert error_list(form) == [
        {"text": "Something about the whole form"},
        {"text": "Enter the name", "href": "#name"},
        {"text": "Enter the date", "href": "#when-day"},
        {"text": "Choose a colour", "href": "#colour"},
        {"text": "Choose a pet", "href": "#pets"},
        {"text": "Enter plain", "href": "#plain"},
    ]


def test_the_summary_is_the_macros():
    form = MixedForm({})
    form.is_valid()
    assert_same_markup(error_summary(form), macro("error-summary", "errorSummary", {
        "titleText": "There is a problem", "errorList": error_list(form)}))


def test_a_form_without_errors_or_no_form_has_no_summary():
    assert error_summary(MixedForm()) == ""
    assert error_summary(None) == ""


def test_templates_reach_the_summary_as_a_global_and_through_the_old_macro():
    from collis.core.nhsuk_forms.rendering import jinja_env

    form = MixedForm({})
    form.is_valid()
    direct = jinja_env().from_string("{{ error_summary(form) }}").render(form=form)
    old = jinja_env().from_string('{% from "core/forms.jinja" import error_summary %}'
                                  "{{ error_summary(form) }}").render(form=form)
    assert 'href="#when-day"' in direct
    assert_same_markup(direct, old)


def test_the_old_field_macros_are_thin_wrappers_of_as_field_group():
    from collis.core.nhsuk_forms.rendering import jinja_env

    form = MixedForm({"name": "Ann"})
    source = ('{% from "core/forms.jinja" import text_field, date_field, radios_field %}'
              '{{ text_field(form["name"], hint="Hint") }}{{ date_field(form["when"]) }}'
              '{{ radios_field(form["colour"], inline=true) }}')
    html = jinja_env().from_string(source).render(form=form)
    assert_same_markup(html, form["name"].as_field_group(hint="Hint")
                       + form["when"].as_field_group()
                       + form["colour"].as_field_group(inline=True))

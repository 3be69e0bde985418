"""Muscle-and-side rows: parameterised by the vocabularies and the extra columns, they
ignore blank rows, name each problem by the row's muscle and side, refuse repeats, draw a
table of NHS.UK fields and give back typed rows; the grid cleans ticks to pairs."""

from dataclasses import dataclass
from functools import partial

import pytest
from django import forms
from django.test.html import parse_html

from collis.core.nhsuk_forms import (
    IntegerField,
    MuscleSideRows,
    RowColumn,
    RowMessages,
    TextField,
)

MUSCLES = [("trapezius", "Trapezius"), ("splenius_capitis", "Splenius capitis")]
SIDES = [("left", "Left"), ("right", "Right"), ("bilateral", "Bilateral")]


@dataclass(frozen=True)
class Dose:
    muscle: str
    side: str
    units: int


DOSES = MuscleSideRows(
    muscles=MUSCLES, sides=SIDES, count=3, row_heading="Injection {n}", make_row=Dose,
    columns=(RowColumn("units", "Units", partial(IntegerField, min_value=1, max_value=500)),),
    messages=RowMessages(none_entered="Enter at least one muscle"))
NERVES = MuscleSideRows(
    muscles=MUSCLES, sides=SIDES, count=2, labels="{heading} (row {n})",
    columns=(RowColumn("nerve", "Nerve", partial(TextField, max_length=10), required=False),),
    messages=RowMessages(muscle_missing="Choose the muscle in row {n}",
                         side_missing="Choose the side for {name_in_row}",
                         duplicate="{Where} is listed twice"))


def rows_form(spec: MuscleSideRows, key: str) -> type[forms.Form]:
    """A form with `spec`'s rows, cleaned into cleaned_data[key] as the apps' forms do."""

    class RowsForm(forms.Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.rows = spec.bind(self)

        def clean(self):
            cleaned = super().clean()
            cleaned[key] = self.rows.clean()
            return cleaned

    return RowsForm


DoseForm = rows_form(DOSES, "doses")
NerveForm = rows_form(NERVES, "nerves")


def test_the_rows_add_fields_named_as_the_forms_always_had_them():
    form = DoseForm()
    assert list(form.fields) == ["muscle_1", "side_1", "units_1", "muscle_2", "side_2",
                                 "units_2", "muscle_3", "side_3", "units_3"]
    assert form.fields["units_2"].label == "Units 2"
    assert NerveForm().fields["nerve_1"].label == "Nerve (row 1)"


def test_blank_rows_are_ignored_and_filled_rows_come_back_typed():
    form = DoseForm({"muscle_1": "trapezius", "side_1": "left", "units_1": " 40 ",
                     "muscle_3": "splenius_capitis", "side_3": "right", "units_3": "25"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["doses"] == [Dose("trapezius", "left", 40),
                                          Dose("splenius_capitis", "right", 25)]


def test_a_form_without_any_row_says_so_on_the_first_muscle():
    form = DoseForm({})
    assert not form.is_valid()
    assert form.errors == {"muscle_1": ["Enter at least one muscle"]}


@pytest.mark.parametrize(("data", "errors"), [
    ({"muscle_1": "trapezius", "side_1": "left"},
     {"units_1": ["Enter the units for trapezius (left)"]}),
    ({"muscle_1": "trapezius", "side_1": "left", "units_1": "0"},
     {"units_1": ["Units for trapezius (left) must be a whole number from 1 to 500"]}),
    ({"muscle_2": "trapezius", "units_2": "x"},
     {"side_2": ["Choose the side for trapezius"],
      "units_2": ["Units for trapezius must be a whole number from 1 to 500"]}),
    ({"side_2": "right", "units_2": "20"}, {"muscle_2": ["Choose the muscle for row 2"]}),
])
def test_each_problem_names_the_rows_muscle_and_side(data, errors):
    form = DoseForm(data)
    assert not form.is_valid()
    assert form.errors == errors


def test_the_same_muscle_and_side_twice_is_refused():
    form = DoseForm({"muscle_1": "trapezius", "side_1": "left", "units_1": "10",
                     "muscle_3": "trapezius", "side_3": "left", "units_3": "20"})
    assert not form.is_valid()
    assert form.errors == {"muscle_3": [
        "Trapezius (left) is entered in rows 1 and 3: enter it once"]}


def test_a_form_words_its_rows_its_own_way():
    form = NerveForm({"muscle_1": "splenius_capitis", "muscle_2": "splenius_capitis",
                      "side_2": "left", "nerve_2": "C2 to C4 rami"})
    assert not form.is_valid()
    assert form.errors == {
        "side_1": ["Choose the side for splenius capitis (row 1)"],
        "nerve_2": ["Nerve for splenius capitis (left) must be 10 characters or fewer"]}
    duplicate = NerveForm({"muscle_1": "trapezius", "side_1": "left", "muscle_2": "trapezius",
                           "side_2": "left"})
    assert duplicate.errors == {"muscle_2": ["Trapezius (left) is listed twice"]}


def test_an_optional_column_left_blank_is_kept_blank():
    form = NerveForm({"muscle_1": "trapezius", "side_1": "right"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nerves"] == [{"muscle": "trapezius", "side": "right",
                                            "nerve": ""}]


def test_initial_values_show_stored_rows():
    assert DOSES.initial([{"muscle": "trapezius", "side": "left", "units": 30},
                          ("splenius_capitis", "right", 20)]) == {
        "muscle_1": "trapezius", "side_1": "left", "units_1": 30,
        "muscle_2": "splenius_capitis", "side_2": "right", "units_2": 20}


def test_the_rows_are_a_table_of_nhsuk_fields_with_hidden_labels():
    form = DoseForm({"muscle_1": "trapezius", "side_1": "left", "units_1": "0"})
    form.is_valid()
    table = str(form.rows.as_table(caption="Muscles injected"))
    for bound in (form["muscle_1"], form["side_1"], form["units_3"]):
        assert parse_html(str(bound.as_field_group())) in parse_html(table)
    assert "Injection 3" in table and "Muscles injected" in table
    assert parse_html('<label class="nhsuk-label nhsuk-u-visually-hidden" for="units_1">'
                      "Units 1</label>") in parse_html(table)
    assert "Units for trapezius (left) must be a whole number from 1 to 500" in table


# -- The grid ---------------------------------------------------------------------------

GRID = MuscleSideRows(muscles=MUSCLES, sides=[("left", "Left"), ("right", "Right")])


class GridForm(forms.Form):
    active = GRID.grid_field(label="Muscles found active", both_sides="bilateral",
                             hint="Tick each side", caption="Muscles",
                             headings=("Muscle", "Side found active"),
                             error_messages={"invalid_choice": "Choose from the list"})


def test_the_grid_offers_a_tick_for_each_muscle_and_side():
    assert GRID.tick_choices() == [
        ("trapezius:left", "Trapezius, left"), ("trapezius:right", "Trapezius, right"),
        ("splenius_capitis:left", "Splenius capitis, left"),
        ("splenius_capitis:right", "Splenius capitis, right")]


def test_ticks_become_pairs_in_vocabulary_order_with_both_sides_as_bilateral():
    form = GridForm({"active": ["splenius_capitis:right", "trapezius:left",
                                "trapezius:right"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["active"] == (("trapezius", "bilateral"),
                                           ("splenius_capitis", "right"))
    assert GridForm.base_fields["active"].ticks(form.cleaned_data["active"]) == [
        "trapezius:left", "trapezius:right", "splenius_capitis:right"]


def test_the_grid_refuses_what_it_does_not_offer_and_links_to_its_first_box():
    form = GridForm({"active": ["biceps:left"]})
    assert not form.is_valid()
    assert form.errors["active"] == ["Choose from the list"]
    assert form["active"].error_anchor == "active"
    html = str(form["active"].as_field_group())
    assert 'id="active" name="active" type="checkbox" value="trapezius:left"' in html
    assert 'id="active-splenius_capitis-right"' in html
    assert 'aria-describedby="active-hint active-error"' in html


def test_the_grid_shows_what_is_ticked():
    html = str(GridForm(initial={"active": ["trapezius:right"]})["active"].as_field_group())
    assert parse_html('<input class="nhsuk-checkboxes__input" id="active-trapezius-right" '
                      'name="active" type="checkbox" value="trapezius:right" checked>'
                      ) in parse_html(html)

"""Muscle-and-side rows: the one piece behind every form that records muscles by side (the
toxin injections, the planned denervation, the nerves divided, the EMG's active muscles).

`MuscleSideRows` is parameterised by the muscle vocabulary, the side vocabulary and the
extra columns of a row. It offers two presentations of the same data:

- entry rows (`bind`): a fixed number of rows, each a muscle select, a side select and the
  extra columns, drawn as a table; blank rows are ignored, every problem of a filled row is
  named by its muscle and side, the same muscle and side twice is refused, and the rows
  come back typed (`make_row`);
- a grid (`grid_field`): one row per muscle of the vocabulary with a checkbox per side,
  both sides ticked meaning `both_sides`; it cleans to (muscle, side) pairs.

Field names stay as the forms have always had them (`muscle_1`, `side_1`, `units_1`, ...)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from markupsafe import Markup

from collis.core.nhsuk_forms.fields import CheckboxesField, SelectField
from collis.core.nhsuk_forms.rendering import jinja_env

Choices = Sequence[tuple[str, str]]
HIDDEN_LABEL = "nhsuk-u-visually-hidden"
IN_A_CELL = "nhsuk-u-margin-bottom-0"


@dataclass(frozen=True)
class RowColumn:
    """A column of a row besides the muscle and the side. `field` makes the row's field
    (it is given `label`, `required=False` and the classes of a table cell); `noun` words
    a missing value ("Enter the {noun} for trapezius (left)")."""

    name: str
    heading: str
    field: Callable[..., forms.Field]
    required: bool = True
    noun: str = ""

    @property
    def words(self) -> str:
        return self.noun or self.heading.lower()


@dataclass(frozen=True)
class RowMessages:
    """How a form words the problems of a row. Placeholders: {n} the row's number, {row}
    ("row 4"), {rows} ("rows"), {name} (the muscle, or the row when it has none),
    {name_in_row} ("trapezius (row 4)"), {where} ("trapezius (left)"), {Where}
    (capitalised), {column} (a column's noun) and {first} (the earlier row of a repeat)."""

    muscle_missing: str = "Choose the muscle for {row}"
    side_missing: str = "Choose the side for {name}"
    column_missing: str = "Enter the {column} for {where}"
    duplicate: str = "{Where} is entered in {rows} {first} and {n}: enter it once"
    none_entered: str | None = None  # on the first row's muscle when no row is filled


@dataclass(frozen=True)
class MuscleSideRows:
    """The vocabularies, columns and wording of one form's muscle-and-side rows."""

    muscles: Choices
    sides: Choices
    columns: tuple[RowColumn, ...] = ()
    count: int = 6
    labels: str = "{heading} {n}"  # a row's field labels: "Muscle 1", "Muscle (row 1)"
    row_heading: str = "Row {n}"  # the row's header cell: "Injection 1"
    row_noun: str = "row"
    messages: RowMessages = field(default_factory=RowMessages)
    make_row: Callable[..., Any] = dict
    muscle_prompt: str = "Choose a muscle"
    side_prompt: str = "Choose a side"

    # -- entry rows ------------------------------------------------------------------------
    def bind(self, form: forms.BaseForm) -> BoundMuscleSideRows:
        """Add the rows' fields to `form` (call it from the form's __init__)."""
        return BoundMuscleSideRows(self, form)

    def names(self, n: int) -> dict[str, str]:
        return {"muscle": f"muscle_{n}", "side": f"side_{n}",
                **{column.name: f"{column.name}_{n}" for column in self.columns}}

    def initial(self, rows: Iterable[Mapping[str, Any] | Sequence[Any]]) -> dict[str, Any]:
        """Initial values that show `rows` (mappings, or (muscle, side, *columns))."""
        initial: dict[str, Any] = {}
        keys = ["muscle", "side", *(column.name for column in self.columns)]
        for n, row in enumerate(list(rows)[:self.count], start=1):
            values = row if isinstance(row, Mapping) else dict(zip(keys, row, strict=False))
            initial |= {self.names(n)[key]: values.get(key, "") for key in keys}
        return initial

    def words(self, n: int, muscle: str | None, side: str | None) -> dict[str, Any]:
        """The placeholders of the row's messages (see RowMessages)."""
        row = f"{self.row_noun} {n}"
        muscle_label = dict(self.muscles).get(muscle or "")
        side_label = dict(self.sides).get(side or "")
        name = muscle_label.lower() if muscle_label else row
        where = f"{name} ({side_label.lower()})" if side_label else name
        return {"n": n, "row": row, "rows": f"{self.row_noun}s", "name": name,
                "name_in_row": f"{name} ({row})" if muscle_label else row,
                "where": where, "Where": where[:1].upper() + where[1:]}

    # -- a grid of the whole vocabulary ------------------------------------------------------
    def tick_choices(self) -> list[tuple[str, str]]:
        """("muscle:side", "Muscle label, side") for each muscle and side of the grid."""
        return [(f"{muscle}:{side}", f"{label}, {side}") for muscle, label in self.muscles
                for side, _ in self.sides]

    def grid_field(self, *, both_sides: str | None = None, **kwargs) -> MuscleSideGridField:
        """A field with a row per muscle and a checkbox per side; see MuscleSideGridField."""
        return MuscleSideGridField(rows=self, both_sides=both_sides, **kwargs)


class BoundMuscleSideRows:
    """One form's entry rows: their fields, their cleaning and their table."""

    template = "core/muscle_side_rows.jinja"

    def __init__(self, spec: MuscleSideRows, form: forms.BaseForm):
        self.spec, self.form = spec, form
        for n in range(1, spec.count + 1):
            form.fields.update(self._fields(n))
        if form.is_bound:
            self._name_columns_by_row()

    def _fields(self, n: int) -> dict[str, forms.Field]:
        spec, names = self.spec, self.spec.names(n)
        cell = {"required": False, "label_classes": HIDDEN_LABEL,
                "form_group_classes": IN_A_CELL}
        fields = {
            names["muscle"]: SelectField(
                label=spec.labels.format(heading="Muscle", n=n),
                choices=[("", spec.muscle_prompt), *spec.muscles],
                error_messages={"invalid_choice": f"Choose the muscle for {spec.row_noun} "
                                                  f"{n} from the list"}, **cell),
            names["side"]: SelectField(
                label=spec.labels.format(heading="Side", n=n),
                choices=[("", spec.side_prompt), *spec.sides],
                error_messages={"invalid_choice": f"Choose the side for {spec.row_noun} {n} "
                                                  f"from the list"}, **cell),
        }
        for column in spec.columns:
            fields[names[column.name]] = column.field(
                label=spec.labels.format(heading=column.heading, n=n), **cell)
        return fields

    def _name_columns_by_row(self) -> None:
        """Name each column's own messages by what the row says it is, so that a typed
        value's problem reads "Units for trapezius (left) must be a whole number ..."."""
        form = self.form
        for n in range(1, self.spec.count + 1):
            names = self.spec.names(n)
            muscle, side = (form.fields[names[key]].widget.value_from_datadict(
                form.data, form.files, form.add_prefix(names[key])) for key in ("muscle", "side"))
            where = self.spec.words(n, muscle, side)["where"]
            for column in self.spec.columns:
                form.fields[names[column.name]].error_name = f"{column.heading} for {where}"

    def rows(self) -> list[dict[str, Any]]:
        """For the table: each row's heading and its bound fields, in column order."""
        return [{"number": n, "heading": self.spec.row_heading.format(n=n),
                 "fields": [self.form[name] for name in self.spec.names(n).values()]}
                for n in range(1, self.spec.count + 1)]

    def as_table(self, caption: str | None = None) -> Markup:
        headings = ["Muscle", "Side", *(column.heading for column in self.spec.columns)]
        # Rendered by the autoescaping environment.
        return Markup(jinja_env().get_template(self.template).render(  # noqa: S704
            {"rows": self.rows(), "headings": headings, "caption": caption}))

    def clean(self) -> list[Any]:
        """The filled rows, typed by `make_row`; problems go on the row's fields. Call it from
        the form's clean()."""
        spec, form = self.spec, self.form
        cleaned = form.cleaned_data
        rows, seen = [], {}
        for n in range(1, spec.count + 1):
            names = spec.names(n)
            values = {key: cleaned.get(name) for key, name in names.items()}
            failed = {key for key, name in names.items() if name in form.errors}
            if not failed and all(value in (None, "") for value in values.values()):
                continue  # a blank row
            words = spec.words(n, values["muscle"], values["side"])
            problems = []
            if not values["muscle"] and "muscle" not in failed:
                problems.append(("muscle", spec.messages.muscle_missing.format(**words)))
            if not values["side"] and "side" not in failed:
                problems.append(("side", spec.messages.side_missing.format(**words)))
            for column in spec.columns:
                if column.required and values[column.name] in (None, "") \
                        and column.name not in failed:
                    problems.append((column.name, spec.messages.column_missing.format(
                        column=column.words, **words)))
            for key, message in problems:
                form.add_error(names[key], message)
            if failed or problems:
                continue
            key = (values["muscle"], values["side"])
            if key in seen:
                form.add_error(names["muscle"], spec.messages.duplicate.format(
                    first=seen[key], **words))
                continue
            seen[key] = n
            rows.append(spec.make_row(**values))
        if not rows and spec.messages.none_entered and not self.has_errors():
            form.add_error(spec.names(1)["muscle"], spec.messages.none_entered)
        return rows

    def has_errors(self) -> bool:
        return any(name in self.form.errors for n in range(1, self.spec.count + 1)
                   for name in self.spec.names(n).values())


class MuscleSideGridField(CheckboxesField):
    """A row per muscle of the vocabulary, with a checkbox per side ("Sternocleidomastoid,
    left"). Its values are "muscle:side"; it cleans to (muscle, side) pairs in the
    vocabulary's order, a muscle with every side ticked becoming `both_sides`."""

    template = "core/muscle_side_grid.jinja"
    render_option_names = (*CheckboxesField.render_option_names, "caption", "headings")

    def __init__(self, *, rows: MuscleSideRows, both_sides: str | None = None,
                 caption: str = "", headings: tuple[str, str] = ("Muscle", "Side"), **kwargs):
        self.rows, self.both_sides = rows, both_sides
        self.caption, self.headings = caption, headings
        kwargs.setdefault("required", False)
        super().__init__(choices=rows.tick_choices(), **kwargs)

    def clean(self, value):
        ticks = super().clean(value)
        sides: dict[str, list[str]] = {}
        for tick in ticks:
            muscle, _, side = tick.partition(":")
            sides.setdefault(muscle, []).append(side)
        pairs = []
        for muscle, _ in self.rows.muscles:
            ticked = sides.get(muscle)
            if not ticked:
                continue
            if self.both_sides and len(set(ticked)) == len(self.rows.sides) > 1:
                pairs.append((muscle, self.both_sides))
            else:
                pairs.extend((muscle, side) for side, _ in self.rows.sides if side in ticked)
        return tuple(pairs)

    def ticks(self, pairs: Iterable[Sequence[str]]) -> list[str]:
        """The ticks that show stored (muscle, side) pairs."""
        every = [side for side, _ in self.rows.sides]
        return [f"{muscle}:{one}" for muscle, side in pairs
                for one in (every if side == self.both_sides else [side])]

    def field_group(self, bound, options):
        chosen = self.chosen(bound)
        rows = []
        for index, (muscle, label) in enumerate(self.rows.muscles):
            cells = []
            for position, (side, side_label) in enumerate(self.rows.sides):
                value = f"{muscle}:{side}"
                first = index == 0 and position == 0
                cells.append({"value": value, "label": side_label, "ticked": value in chosen,
                              "id": bound.html_name if first else
                              f"{bound.html_name}-{muscle}-{side}"})
            rows.append({"muscle": label, "cells": cells})
        # Rendered by the autoescaping environment.
        return Markup(jinja_env().get_template(self.template).render({  # noqa: S704
            "field": bound, "rows": rows, "hint": self.hint_param(bound, options),
            "legend": self.legend(bound, options), "caption": options["caption"],
            "headings": options["headings"],
            "form_group_classes": options["form_group_classes"]}))

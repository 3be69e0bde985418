"""Every form of the apps is built from the NHS.UK fields, and no optional radio traps the
user: once an answer is chosen, there is always a way back to none."""

import importlib
import inspect
from pathlib import Path

import pytest
from django import forms

from collis.core.nhsuk_forms import NhsField, RadiosField

COLLIS = Path(__file__).resolve().parents[3]
MODULES = sorted(p.parent.name for p in COLLIS.glob("*/forms.py"))


def app_forms():
    for app in MODULES:
        module = importlib.import_module(f"collis.{app}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield pytest.param(cls, id=f"{app}.{name}")


def fields_of(form_class):
    """The declared fields, and those a form adds in __init__ when it needs no arguments."""
    try:
        return form_class().fields
    except TypeError:
        return form_class.base_fields


def test_the_check_reads_every_app():
    assert {"assessments", "core", "mdt", "outcomes", "treatments"} <= set(MODULES)


@pytest.mark.parametrize("form_class", list(app_forms()))
def test_every_field_draws_itself_with_its_nhsuk_component(form_class):
    plain = [name for name, field in fields_of(form_class).items()
             if not isinstance(field, NhsField)]
    assert not plain, f"{form_class.__name__} has fields that cannot draw themselves: {plain}"


@pytest.mark.parametrize("form_class", list(app_forms()))
def test_no_optional_radio_traps_the_user(form_class):
    traps = [name for name, field in fields_of(form_class).items()
             if isinstance(field, RadiosField) and not field.required
             and not field.clear_label
             and field.initial not in {value for value, _ in field.choices}]
    assert not traps, (f"{form_class.__name__}: optional radios without a way back to no "
                       f"answer (give them clear_label): {traps}")

"""Every form of the apps is built from the NHS.UK fields, and no optional radio traps the
user: once an answer is chosen, there is always a way back to none."""

import importlib
import inspect
from pathlib import Path

import pytest
from django import forms

from collis.core.nhsuk_forms import DateField, NhsField, RadiosField

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


# --- every date of every form refuses a part no calendar has ---------------------------------

# What a form needs besides its data, by keyword: placeholders to find its fields, and (at
# test time) a signed-in member of staff, every funding status, no episodes, and no
# surgeons, sites or years for the service audit's filters.
PLACEHOLDERS = {"user": None, "statuses": (), "episodes": (),
                "choices": {"surgeons": (), "sites": (), "years": ()}}


def built(form_class, data=None, **given):
    """The form, with the keyword-only arguments its __init__ requires."""
    kwargs = {}
    for klass in form_class.__mro__:  # each __init__ may require its own (user=, statuses=)
        if "__init__" in vars(klass):
            for name, param in inspect.signature(klass.__init__).parameters.items():
                if param.kind is param.KEYWORD_ONLY and param.default is param.empty:
                    kwargs[name] = given.get(name, PLACEHOLDERS[name])
    return form_class(data, **kwargs)


def date_fields(form) -> dict:
    return {name: field for name, field in form.fields.items() if isinstance(field, DateField)}


def date_forms():
    for param in app_forms():
        if date_fields(built(param.values[0])):
            yield pytest.param(param.values[0], id=param.id)


DATE_FORMS = list(date_forms())
ABSURD = "9" * 20  # e.g. the year 99999999999999999999: int() reads it, date() cannot


def test_the_date_check_reads_a_form_of_every_app_with_dates():
    apps = {param.id.split(".")[0] for param in DATE_FORMS}
    assert {"assessments", "consent", "core", "investigations", "mdt", "outcomes", "patients",
            "surgery", "treatments"} <= apps
    assert len(DATE_FORMS) >= 27


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["day", "month", "year"])
@pytest.mark.parametrize("form_class", DATE_FORMS)
def test_every_date_with_a_twenty_digit_part_is_not_a_real_date(form_class, part):
    from collis.core.roles import Role
    from collis.core.tests.factories import UserFactory
    from collis.mdt.models import FundingStatus

    user = UserFactory(role=Role.MDT_COORDINATOR)
    names = date_fields(built(form_class, user=user))
    data = {}
    for name in names:
        data |= {f"{name}-day": "1", f"{name}-month": "1", f"{name}-year": "2020",
                 f"{name}-{part}": ABSURD}
    form = built(form_class, data, user=user, statuses=list(FundingStatus))
    assert not form.is_valid()  # and no OverflowError
    for name, field in names.items():
        assert f"{field.label_text} must be a real date" in form.errors.get(name, []), (
            f"{form_class.__name__}.{name}: {form.errors.get(name)}")

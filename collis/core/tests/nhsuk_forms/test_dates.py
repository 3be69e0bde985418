"""The date input writes out its markup by hand (ADR 0001); it must stay the macro's."""

import datetime

import pytest
from django import forms

from collis.core.forms import NhsDateField as ImportedFromCoreForms
from collis.core.nhsuk_forms import DateField, NhsDateField
from collis.core.tests.nhsuk_forms.markup import assert_same_markup, macro


class DateForm(forms.Form):
    dob = DateField(label="Date of birth", label_text="Date of birth", past_only=True,
                    hint="For example, 15 3 1984")
    due = DateField(label="Due date", label_text="The due date", required=False)


def date_macro(name, label, *, values=("", "", ""), hint=None, error=None, size="s"):
    return macro("date-input", "dateInput", {
        "id": name,
        "fieldset": {"legend": {"text": label, "size": size}},
        "hint": {"text": hint} if hint else None,
        "errorMessage": {"text": error} if error else None,
        "items": [{"id": f"{name}-{part}", "name": f"{name}-{part}", "label": label_text,
                   "width": width, "value": value or None}
                  for (part, label_text, width), value in zip(
                      [("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)], values,
                      strict=True)],
    })


def test_an_empty_date_input_matches_the_macro():
    form = DateForm()
    assert_same_markup(form["due"].as_field_group(), date_macro("due", "Due date"))


def test_a_date_input_with_a_hint_matches_the_macro():
    form = DateForm()
    assert_same_markup(form["dob"].as_field_group(),
                       date_macro("dob", "Date of birth", hint="For example, 15 3 1984"))


def test_a_date_input_showing_a_stored_date_matches_the_macro():
    form = DateForm(initial={"due": datetime.date(2026, 3, 9)})
    assert_same_markup(form["due"].as_field_group(),
                       date_macro("due", "Due date", values=("9", "3", "2026")))


def test_a_date_input_with_an_error_matches_the_macro():
    form = DateForm({"dob-day": "31", "dob-month": "2", "dob-year": "1984"})
    assert not form.is_valid()
    assert form.errors["dob"] == ["Date of birth must be a real date"]
    assert_same_markup(form["dob"].as_field_group(), date_macro(
        "dob", "Date of birth", values=("31", "2", "1984"), hint="For example, 15 3 1984",
        error="Date of birth must be a real date"))


def test_a_template_may_override_the_hint_and_the_legend_size():
    form = DateForm()
    assert_same_markup(form["due"].as_field_group(hint="If approved", legend_size="m"),
                       date_macro("due", "Due date", hint="If approved", size="m"))


def test_the_markup_test_would_notice_a_difference():
    form = DateForm()
    with pytest.raises(AssertionError):
        assert_same_markup(form["due"].as_field_group(),
                           date_macro("due", "Due date", hint="A hint the field lacks"))


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Enter date of birth"),
    ({"dob-day": "3"}, "Date of birth must include a month and year"),
    ({"dob-day": "x", "dob-month": "1", "dob-year": "2000"}, "Date of birth must be a real date"),
    ({"dob-day": "1", "dob-month": "1", "dob-year": "99"},
     f"Year must include 4 numbers, for example {datetime.date.today().year}"),
    ({"dob-day": "1", "dob-month": "1", "dob-year": str(datetime.date.today().year + 1)},
     "Date of birth must be today or in the past"),
])
def test_date_messages_name_the_date(data, message):
    form = DateForm(data)
    assert not form.is_valid()
    assert form.errors["dob"] == [message]


def test_a_date_cleans_to_a_date_and_links_its_error_to_the_day_box():
    form = DateForm({"dob-day": " 15 ", "dob-month": "3", "dob-year": "1984"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["dob"] == datetime.date(1984, 3, 15)
    assert form["dob"].error_anchor == "dob-day"


def test_core_forms_still_offers_the_date_field():
    assert ImportedFromCoreForms is NhsDateField is DateField


HUGE = "9" * 20


@pytest.mark.parametrize(("day", "month", "year"), [
    ("1", "1", HUGE), ("1", "1", "99999999999999999999"), (HUGE, "1", "2000"),
    ("1", HUGE, "2000"), ("1", "1", "10000"), ("1", "1", "99999"), ("٣", "١", "٢٠٠٠"),
    ("１", "１", "２０００"), ("1_0", "1", "2000"), ("-1", "1", "2000"), ("1", "1", "+2000"),
    ("1", "1", "2000.0"), ("1", "1", "1e3"),
])
def test_a_date_with_an_absurd_or_foreign_part_is_not_a_real_date(day, month, year):
    form = DateForm({"dob-day": day, "dob-month": month, "dob-year": year})
    assert not form.is_valid()
    assert form.errors["dob"] == ["Date of birth must be a real date"]


def test_the_field_refuses_a_huge_year_when_cleaned_directly():
    from django.core.exceptions import ValidationError

    field = DateField(label="Due date", label_text="The due date", required=False)
    with pytest.raises(ValidationError, match="The due date must be a real date"):
        field.clean(["1", "1", HUGE])
    assert field.clean(["9", "3", "2026"]) == datetime.date(2026, 3, 9)


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_the_audit_log_filter_with_a_twenty_digit_date_part_says_so(client_as, part):
    from django.urls import reverse

    from collis.core.models import AuditEvent
    from collis.core.roles import Role

    query = {"on-day": "1", "on-month": "1", "on-year": "2026", f"on-{part}": HUGE}
    client = client_as(Role.AUDITOR)
    response = client.get(reverse("core:audit_list"), query)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "The date must be a real date" in body
    assert 'href="#on-day"' in body
    # The log is not shown unfiltered in place of what was asked for (nor its read audited).
    assert "entries." not in body
    assert not AuditEvent.objects.filter(object_type="audit_log").exists()
    assert client.get(reverse("core:audit_list"), {"on-day": "1", "on-month": "1",
                                                   "on-year": "2026"}).status_code == 200

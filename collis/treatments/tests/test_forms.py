import datetime

import pytest

from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.treatments.forms import (
    MedicationForm,
    TherapySessionForm,
    ToxinCycleForm,
    ToxinReviewForm,
)
from collis.treatments.tests.factories import ToxinCycleFactory


def cycle_data(user, site, **rows):
    data = {"given_on-day": "1", "given_on-month": "10", "given_on-year": "2026",
            "product": "onabotulinumtoxinA", "batch_number": "C1", "guidance": "emg",
            "injector": str(user.pk), "site": str(site.pk)}
    return data | rows


@pytest.fixture
def injector(db):
    return UserFactory(role=Role.NURSE_SPECIALIST)


@pytest.mark.django_db
def test_blank_rows_are_ignored_and_filled_rows_become_injections(sites, injector):
    form = ToxinCycleForm(cycle_data(injector, sites[0], muscle_1="sternocleidomastoid",
                                     side_1="left", units_1="50", muscle_3="trapezius",
                                     side_3="right", units_3=" 40 "))
    assert form.is_valid(), form.errors
    assert [(r.muscle, r.units) for r in form.cleaned_data["injections"]] == [
        ("sternocleidomastoid", 50), ("trapezius", 40)]


@pytest.mark.django_db
def test_a_cycle_without_any_row_asks_for_a_muscle(sites, injector):
    form = ToxinCycleForm(cycle_data(injector, sites[0]))
    assert not form.is_valid()
    assert form.errors["muscle_1"] == ["Enter at least one muscle injected, with its side and "
                                       "units"]


@pytest.mark.django_db
@pytest.mark.parametrize(("units", "message"), [
    ("", "Enter the units for sternocleidomastoid (left)"),
    ("0", "Units for sternocleidomastoid (left) must be a whole number from 1 to 5000"),
    ("12.5", "Units for sternocleidomastoid (left) must be a whole number from 1 to 5000"),
    ("abc", "Units for sternocleidomastoid (left) must be a whole number from 1 to 5000"),
])
def test_units_errors_name_the_muscle_and_side(sites, injector, units, message):
    form = ToxinCycleForm(cycle_data(injector, sites[0], muscle_2="sternocleidomastoid",
                                     side_2="left", units_2=units))
    assert not form.is_valid()
    assert form.errors["units_2"] == [message]


@pytest.mark.django_db
def test_a_row_without_muscle_or_side_says_which(sites, injector):
    form = ToxinCycleForm(cycle_data(injector, sites[0], side_4="left", units_4="30",
                                     muscle_5="trapezius", units_5="30"))
    assert not form.is_valid()
    assert form.errors["muscle_4"] == ["Choose the muscle for row 4"]
    assert form.errors["side_5"] == ["Choose the side for trapezius"]


@pytest.mark.django_db
def test_the_same_muscle_and_side_twice_is_refused(sites, injector):
    form = ToxinCycleForm(cycle_data(injector, sites[0], muscle_1="trapezius", side_1="left",
                                     units_1="30", muscle_2="trapezius", side_2="left",
                                     units_2="20"))
    assert not form.is_valid()
    assert "rows 1 and 2" in form.errors["muscle_2"][0]


@pytest.mark.django_db
def test_the_cycle_form_names_missing_fields(sites):
    form = ToxinCycleForm({"muscle_1": "trapezius", "side_1": "left", "units_1": "20"})
    assert not form.is_valid()
    assert form.errors["given_on"] == ["Enter the date of the injections"]
    assert form.errors["product"] == ["Choose the product"]
    assert form.errors["injector"] == ["Choose the injector"]


@pytest.mark.django_db
def test_a_physiotherapist_is_not_offered_as_injector(sites):
    physio = UserFactory(role=Role.PHYSIOTHERAPIST)
    form = ToxinCycleForm(cycle_data(physio, sites[0], muscle_1="trapezius", side_1="left",
                                     units_1="20"))
    assert not form.is_valid()
    assert form.errors["injector"] == ["Choose a member of staff who injects toxin"]


def test_review_form_checks_ranges_and_side_effect_severity():
    # The dates against the injections are the service's to check (pages and API alike).
    form = ToxinReviewForm({"reviewed_on-day": "1", "reviewed_on-month": "5",
                            "reviewed_on-year": "2026", "peak_benefit_percent": "120",
                            "benefit_weeks": "60", "side_effects": ["dysphagia", "other"]})
    assert not form.is_valid()
    assert "reviewed_on" not in form.errors
    assert form.errors["peak_benefit_percent"] == ["Peak benefit must be a whole number from 0 "
                                                   "to 100"]
    assert form.errors["benefit_weeks"] == ["Weeks of benefit must be a whole number from 0 "
                                            "to 52"]
    assert form.errors["other_side_effect"] == ["Enter the other side effect"]
    assert form.errors["side_effect_severity"] == ["Choose the severity of the side effects"]


def test_review_form_accepts_a_review_without_side_effects():
    form = ToxinReviewForm({"reviewed_on-day": "15", "reviewed_on-month": "7",
                            "reviewed_on-year": "2026", "peak_benefit_percent": "65%",
                            "benefit_weeks": "10"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["peak_benefit_percent"] == 65
    assert not form.cleaned_data["side_effect_record"].dysphagia


def test_medication_form_needs_a_numeric_dose():
    form = MedicationForm({"drug_name": "Baclofen", "dose_amount": "ten", "dose_unit": "mg",
                           "frequency": "daily", "started_on-day": "1",
                           "started_on-month": "1", "started_on-year": "2026"})
    assert not form.is_valid()
    assert form.errors["dose_amount"] == ["Dose must be a number, like 2 or 0.5"]


@pytest.mark.django_db
def test_therapy_form_checks_the_duration():
    form = TherapySessionForm({"kind": "physiotherapy", "duration_minutes": "0"})
    assert not form.is_valid()
    assert form.errors["duration_minutes"] == ["Duration must be a whole number of minutes "
                                               "from 1 to 480"]
    assert form.errors["session_on"] == ["Enter the date of the session"]


def test_medication_units_are_a_vocabulary_not_free_text():
    form = MedicationForm({"drug_name": "Baclofen", "dose_amount": "10", "dose_unit": "mgs",
                           "frequency": "daily", "started_on-day": "1",
                           "started_on-month": "1", "started_on-year": "2026"})
    assert not form.is_valid()
    assert form.errors["dose_unit"] == ["Choose the unit of the dose from the list"]
    assert ("micrograms", "micrograms") in form.fields["dose_unit"].choices


def test_a_create_form_asks_for_the_reason_only_when_it_corrects_an_entry():
    assert "correction_reason" not in TherapySessionForm().fields
    form = TherapySessionForm({"kind": "physiotherapy", "duration_minutes": "30",
                               "session_on-day": "1", "session_on-month": "11",
                               "session_on-year": "2026"}, amending=True)
    assert list(form.fields)[-1] == "correction_reason"
    assert not form.is_valid()
    assert form.errors["correction_reason"] == ["Give the reason for the correction"]


@pytest.mark.django_db
def test_a_cycle_being_corrected_fills_the_form_as_entered(sites):
    from collis.treatments.tests.factories import cycle_with

    cycle = cycle_with(ToxinCycleFactory().patient, datetime.date(2026, 6, 1))
    initial = ToxinCycleForm.initial_from(cycle)
    assert initial["given_on"] == datetime.date(2026, 6, 1)
    assert (initial["muscle_2"], initial["side_2"], initial["units_2"]) == (
        "splenius_capitis", "right", 60)


@pytest.mark.django_db
def test_impossible_units_are_put_on_their_row(sites, injector):
    from collis.domain.toxin import UnitsRefusal

    form = ToxinCycleForm(cycle_data(injector, sites[0], muscle_1="trapezius", side_1="left",
                                     units_1="20", muscle_3="sternocleidomastoid",
                                     side_3="right", units_3="30"))
    assert form.is_valid(), form.errors
    form.units_refusals_apply([UnitsRefusal("injections[1].units", "Too many", 1),
                               UnitsRefusal("injections", "Far too many")])
    assert form.errors["units_3"] == ["Too many"]
    assert form.non_field_errors() == ["Far too many"]

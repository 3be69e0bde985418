import pytest

from collis.investigations.forms import InvestigationForm
from collis.investigations.tests.factories import EmgActiveMuscleFactory

DATA = {"kind": "emg", "performed_on-day": "2", "performed_on-month": "3",
        "performed_on-year": "2026", "status": "abnormal"}


def test_left_and_right_ticks_become_muscle_side_pairs_in_catalogue_order(db):
    form = InvestigationForm(DATA | {"active_muscles": [
        "splenius_capitis:right", "sternocleidomastoid:left", "trapezius:left",
        "trapezius:right"]})
    assert form.is_valid(), form.errors
    assert form.details().active_muscles == (
        ("sternocleidomastoid", "left"), ("splenius_capitis", "right"),
        ("trapezius", "bilateral"))


def test_an_unknown_muscle_is_refused_in_plain_words(db):
    form = InvestigationForm(DATA | {"active_muscles": ["biceps:left"]})
    assert not form.is_valid()
    assert form.errors["active_muscles"] == ["Choose muscles and sides from the list"]


@pytest.mark.django_db
def test_the_form_opens_with_the_stored_ticks(sites):
    row = EmgActiveMuscleFactory(muscle="trapezius", side="bilateral")
    initial = InvestigationForm.initial_from(row.investigation)
    assert initial["active_muscles"] == ["trapezius:left", "trapezius:right"]
    assert initial["performed_on"] == row.investigation.performed_on


def test_a_gene_panel_is_needed_for_a_genetic_test(db):
    form = InvestigationForm(DATA | {"kind": "genetic_test", "status": "pending"})
    assert not form.is_valid()
    assert form.errors["gene_panel"] == ["Enter the gene or panel tested"]


@pytest.mark.django_db
def test_correcting_asks_why_unless_it_records_the_result(sites):
    from collis.investigations.tests.factories import InvestigationFactory

    done = InvestigationFactory(status="normal")
    form = InvestigationForm(DATA | {"kind": "blood_tests", "status": "normal"}, amends=done)
    assert not form.is_valid()
    assert form.errors["correction_reason"] == ["Give the reason for the correction"]
    pending = InvestigationFactory(status="pending")
    form = InvestigationForm(DATA | {"kind": "blood_tests", "status": "normal"},
                             amends=pending)
    assert form.is_valid(), form.errors


def test_a_new_investigation_has_no_reason_field(db):
    assert "correction_reason" not in InvestigationForm().fields


def test_no_optional_radio_of_the_form_traps_the_user(db):
    from collis.core.nhsuk_forms import RadiosField

    for name, field in InvestigationForm().fields.items():
        if isinstance(field, RadiosField):
            assert field.required or field.clear_label, name

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
    assert initial["version"] == 1


def test_a_gene_panel_is_needed_for_a_genetic_test(db):
    form = InvestigationForm(DATA | {"kind": "genetic_test", "status": "pending"})
    assert not form.is_valid()
    assert form.errors["gene_panel"] == ["Enter the gene or panel tested"]

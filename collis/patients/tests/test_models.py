import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from collis.patients.models import name_key, validate_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "9990000026"])
def test_valid_nhs_numbers_pass(number):
    validate_nhs_number(number)


@pytest.mark.parametrize("number, message", [
    ("9434765918", "check digit"),
    ("943476591", "10 digits"),
    ("94347659190", "10 digits"),
    ("943476591A", "10 digits"),
    ("", "10 digits"),
])
def test_invalid_nhs_numbers_are_refused_with_a_reason(number, message):
    with pytest.raises(ValidationError) as raised:
        validate_nhs_number(number)
    assert message in raised.value.messages[0]


@pytest.mark.parametrize("name, key", [
    ("O'Brien-Smyth", "OBRIENSMYTH"), ("Zoë", "ZOE"), ("de la Cruz", "DELACRUZ"), ("", ""),
])
def test_name_key_keeps_upper_case_letters_only(name, key):
    assert name_key(name) == key


@given(st.text(max_size=200))
def test_name_key_is_always_upper_case_ascii_letters(name):
    key = name_key(name)
    assert key == "" or (key.isascii() and key.isalpha() and key.isupper())
    assert len(key) <= 100


@pytest.mark.parametrize("typed, expected", [
    ("999 000 0018", "9990000018"),
    ("999-000-0018", "9990000018"),
    ("９９９００００01８", "9990000018"),  # fullwidth, mixed
    ("𝟗𝟗𝟗𝟎𝟎𝟎𝟎𝟎𝟏𝟖", "9990000018"),  # mathematical bold
])
def test_unambiguous_forms_of_the_digits_are_normalised(typed, expected):
    from collis.patients.models import nhs_number_normalise

    assert nhs_number_normalise(typed) == expected


@pytest.mark.parametrize("number", [
    "٩٩٩٠٠٠٠٠١٨",  # Arabic-Indic
    "৯৯৯০০০০০১৮",  # Bengali
    "999٠٠٠0018",  # mixed scripts
])
def test_digits_of_other_scripts_are_refused(number):
    from collis.patients.models import nhs_number_normalise

    with pytest.raises(ValidationError, match="digits 0 to 9"):
        validate_nhs_number(nhs_number_normalise(number))


def test_all_zeros_is_refused():
    with pytest.raises(ValidationError, match="all zeros"):
        validate_nhs_number("0000000000")

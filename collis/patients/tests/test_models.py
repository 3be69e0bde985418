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

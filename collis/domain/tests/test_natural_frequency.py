"""Natural frequencies on one denominator: worked examples from the risk catalogue and
properties over every percentage."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collis.domain.natural_frequency import (
    frequency_sentence,
    natural_frequency,
    per_hundred,
    percent_of,
)

percent = st.floats(min_value=0, max_value=100, allow_nan=False)


@pytest.mark.parametrize(("low", "high", "words"), [
    (25, None, "about 25 in 100"),             # 3 of 12 with new dysphagia [28]
    (14.5, None, "about 15 in 100"),           # partial secondary failure [22]: half up
    (1.2, 40, "between 1 and 40 in 100"),      # antibody assays [20][21][22]: a range stays
    (2, 38, "between 2 and 38 in 100"),
    (100, None, "100 in 100"),                 # occipital numbness in all [28]
    (0.5952, None, "fewer than 1 in 100"),     # one death in 168 [27]: never rounded up
    (0.4, 3, "up to 3 in 100"),
    (0, None, "about 0 in 100"),
])
def test_worked_examples(low, high, words):
    assert natural_frequency(low, high).words() == words


def test_a_count_out_of_a_denominator_is_a_percentage():
    assert percent_of(3, 12) == 25
    assert natural_frequency(percent_of(1, 168)).words() == "fewer than 1 in 100"
    with pytest.raises(ValueError):
        percent_of(13, 12)


def test_qualifiers_and_bad_input_are_named():
    assert natural_frequency(70, qualifier="at least").words() == "at least 70 in 100"
    assert natural_frequency(40, qualifier="maybe").words() == "maybe 40 in 100"
    with pytest.raises(ValueError, match="unknown qualifier"):
        natural_frequency(40, qualifier="roughly")
    with pytest.raises(ValueError, match="not a percentage"):
        natural_frequency(40, 20)
    with pytest.raises(ValueError, match="not a percentage"):
        natural_frequency(101)


def test_a_sentence_starts_with_a_capital():
    sentence = frequency_sentence("{frequency} people died.", natural_frequency(0.6))
    assert sentence == "Fewer than 1 in 100 people died."


@given(percent)
def test_every_percentage_is_said_on_the_one_denominator_within_half_a_person(p):
    frequency = natural_frequency(p)
    assert frequency.words().endswith(" in 100")
    if p >= 1:
        assert abs(frequency.high - p) <= 0.5
    elif p > 0:
        assert frequency.words() == "fewer than 1 in 100"


@given(percent, percent)
def test_a_larger_figure_never_reads_as_fewer_people(a, b):
    low, high = sorted((a, b))
    assert natural_frequency(low).high <= natural_frequency(high).high
    assert per_hundred(low) <= per_hundred(high)


@given(percent, percent)
def test_a_range_keeps_both_ends_in_order(a, b):
    low, high = sorted((a, b))
    frequency = natural_frequency(low, high)
    assert frequency.low <= frequency.high
    if frequency.low != frequency.high and frequency.low > 0:
        assert frequency.words() == f"between {frequency.low} and {frequency.high} in 100"

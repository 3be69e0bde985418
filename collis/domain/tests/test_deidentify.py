"""De-identification rules, worked by hand."""

import datetime
from collections import Counter

from collis.domain.deidentify import (
    MAX_SHIFT_DAYS,
    age_band,
    date_shift_days,
    decade,
    pseudonym,
    suppress_small_cells,
    suppression_map,
    uniqueness_report,
    uniqueness_report_of_counts,
    year_of_birth,
)


def test_a_pseudonym_is_stable_under_one_key_and_differs_under_another():
    assert pseudonym(b"key-one", "9990000018") == pseudonym(b"key-one", "9990000018")
    assert pseudonym(b"key-one", "9990000018") != pseudonym(b"key-two", "9990000018")
    assert "9990000018" not in pseudonym(b"key-one", "9990000018")


def test_date_shifts_are_never_zero_and_stay_within_six_months():
    shifts = {date_shift_days(b"k", str(n)) for n in range(2000)}
    assert 0 not in shifts
    assert min(shifts) >= -MAX_SHIFT_DAYS and max(shifts) <= MAX_SHIFT_DAYS


def test_ages_over_89_are_grouped_and_their_year_of_birth_withheld():
    on = datetime.date(2026, 6, 1)
    assert age_band(datetime.date(1936, 6, 2), on) == "89"
    assert age_band(datetime.date(1936, 6, 1), on) == "90 or over"
    assert year_of_birth(datetime.date(1936, 6, 1), on) == "withheld (90 or over)"
    assert year_of_birth(datetime.date(1970, 1, 1), on) == "1970"


def test_rare_combinations_are_coarsened_then_blanked():
    rows = [{"yob": "1971", "sex": "female"}, {"yob": "1974", "sex": "female"},
            {"yob": "1990", "sex": "male"}]
    out = suppress_small_cells(rows, ("yob", "sex"), 2, coarsen=[("yob", decade)])
    # The two 1970s women now share a combination; the man born 1990 stays alone and is
    # blanked field by field.
    assert out[0] == out[1] == {"yob": "1970s", "sex": "female"}
    assert out[2]["yob"] == "suppressed"
    report = uniqueness_report(out, ("yob", "sex"), 2)
    assert (report.rows, report.unique, report.below_k) == (3, 1, 1)


def test_the_map_of_combinations_does_to_counts_what_suppression_does_to_rows():
    rows = ([{"yob": "1971", "sex": "female"}] * 3 + [{"yob": "1974", "sex": "female"}] * 2
            + [{"yob": "1990", "sex": "male"}] + [{"yob": "1991", "sex": "female"}] * 5)
    counts = Counter(tuple(r[q] for q in ("yob", "sex")) for r in rows)
    mapping = suppression_map(counts, ("yob", "sex"), 5, coarsen=[("yob", decade)])
    out = suppress_small_cells(rows, ("yob", "sex"), 5, coarsen=[("yob", decade)])
    assert [mapping[(r["yob"], r["sex"])] for r in rows] == [(r["yob"], r["sex"]) for r in out]
    assert mapping[("1971", "female")] == ("1970s", "female")  # five 1970s women
    assert mapping[("1991", "female")] == ("1991", "female")  # five already: untouched
    assert mapping[("1990", "male")] == ("suppressed", "suppressed")
    after = Counter(mapping[c] for c in counts.elements())
    assert uniqueness_report_of_counts(after, ("yob", "sex"), 5) == \
        uniqueness_report(out, ("yob", "sex"), 5)

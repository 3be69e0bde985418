"""De-identifying a research extract: keyed pseudonyms, per-patient date shifts that keep
intervals, year of birth only, ages over 89 grouped, and a motivated-intruder check of how
many rows are unique on their quasi-identifiers. Pure Python: the key comes from the
caller (settings), never from the extract.

The rules follow common practice for limited data sets (the HIPAA Safe Harbor list: no
names, full dates or postcodes, ages over 89 grouped; REDCap's per-record date shift); they
are methods, not clinical facts."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_SHIFT_DAYS = 182  # dates move by up to about six months either way
AGE_TOP = 89  # ages above this are shown as "90 or over"


def pseudonym(key: bytes, identifier: str) -> str:
    """A stable pseudonym for an identifier: HMAC-SHA256 under the key, 16 hex digits. The
    same patient gets the same pseudonym in every extract under the same key; without the
    key it cannot be reversed or recomputed from an NHS number."""
    digest = hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()
    return f"P{digest[:16]}"


def date_shift_days(key: bytes, identifier: str) -> int:
    """The patient's own date shift, from -MAX_SHIFT_DAYS to +MAX_SHIFT_DAYS, never 0, keyed
    like the pseudonym: every date of the patient moves by it, so intervals between them
    are kept, and without the key the shift cannot be undone."""
    digest = hmac.new(key, b"date-shift:" + identifier.encode(), hashlib.sha256).digest()
    offset = int.from_bytes(digest[:8], "big") % (2 * MAX_SHIFT_DAYS) + 1  # 1..364
    return offset - MAX_SHIFT_DAYS - 1 if offset <= MAX_SHIFT_DAYS else offset - MAX_SHIFT_DAYS


def shift(day: datetime.date | None, days: int) -> datetime.date | None:
    return None if day is None else day + datetime.timedelta(days=days)


def age_band(born: datetime.date, on: datetime.date) -> str:
    """The age in whole years on a day, with every age above 89 as "90 or over"."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return "90 or over" if age > AGE_TOP else str(age)


def year_of_birth(born: datetime.date, on: datetime.date) -> str:
    """The year of birth, withheld ("90 or over") for anyone older than 89 on the day."""
    return "withheld (90 or over)" if age_band(born, on) == "90 or over" else str(born.year)


@dataclass(frozen=True, slots=True)
class UniquenessReport:
    """The motivated-intruder check: of `rows` rows, how many are unique on the
    quasi-identifiers, and how many share their combination with fewer than `k` others."""

    rows: int
    quasi_identifiers: tuple[str, ...]
    k: int
    unique: int
    below_k: int

    def as_dict(self) -> dict:
        return {"rows": self.rows, "quasi_identifiers": list(self.quasi_identifiers),
                "k": self.k, "unique": self.unique, "below_k": self.below_k}


def uniqueness_report(rows: Sequence[dict], quasi_identifiers: Sequence[str],
                      k: int) -> UniquenessReport:
    counts = Counter(tuple(row[q] for q in quasi_identifiers) for row in rows)
    return uniqueness_report_of_counts(counts, quasi_identifiers, k)


def uniqueness_report_of_counts(counts: Mapping[tuple, int], quasi_identifiers: Sequence[str],
                                k: int) -> UniquenessReport:
    """The same check from how many rows hold each combination (rows are not needed)."""
    return UniquenessReport(sum(counts.values()), tuple(quasi_identifiers), k,
                            sum(n for n in counts.values() if n == 1),
                            sum(n for n in counts.values() if n < k))


def suppression_map(counts: Mapping[tuple, int], quasi_identifiers: Sequence[str], k: int,
                    coarsen: Iterable[tuple[str, Callable[[str], str]]]) -> dict[tuple, tuple]:
    """What each combination of quasi-identifiers becomes, from how many rows hold each
    (so an extract can be written row by row in a second pass, in flat memory): rows of a
    combination held by fewer than k are generalised by each (field, function) of
    `coarsen` in turn, then their fields blanked ("suppressed") one by one until none is
    rare. Rows that share a combination are always treated alike, so this is the same as
    doing it to the rows."""
    index = {q: i for i, q in enumerate(quasi_identifiers)}
    mapping = {combo: combo for combo in counts}

    def current() -> Counter:
        totals: Counter = Counter()
        for combo, n in counts.items():
            totals[mapping[combo]] += n
        return totals

    def replace(field: str, value_of: Callable[[str], str]) -> bool:
        totals = current()
        rare = [c for c in mapping if totals[mapping[c]] < k]
        for combo in rare:
            values = list(mapping[combo])
            values[index[field]] = value_of(values[index[field]])
            mapping[combo] = tuple(values)
        return bool(rare)

    for field, generalise in coarsen:
        replace(field, generalise)
    for field in quasi_identifiers:
        if not replace(field, lambda _value: "suppressed"):
            break
    return mapping


def suppress_small_cells(rows: list[dict], quasi_identifiers: Sequence[str], k: int,
                         coarsen: Iterable[tuple[str, Callable[[str], str]]]) -> list[dict]:
    """Generalise, then blank, quasi-identifiers of rows whose combination is shared by
    fewer than k rows (`suppression_map`, applied to the rows)."""
    counts = Counter(tuple(row[q] for q in quasi_identifiers) for row in rows)
    mapping = suppression_map(counts, quasi_identifiers, k, coarsen)
    out = []
    for row in rows:
        row = dict(row)
        row.update(zip(quasi_identifiers, mapping[tuple(row[q] for q in quasi_identifiers)],
                       strict=True))
        out.append(row)
    return out


def decade(value: str) -> str:
    """A year of birth as its decade ("1970s"); anything else as it was."""
    return f"{value[:3]}0s" if value.isdigit() and len(value) == 4 else value

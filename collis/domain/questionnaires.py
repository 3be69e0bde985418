"""Patient-reported questionnaires (PROMs) defined as data, scored by the instrument's own
module, and when each is due along the pathway.

A questionnaire is a JSON file under `data/questionnaires/` (items, answer range, scoring,
sources from ../shared/clinical-reference.md, licence), so that a unit adds one without
code. The first is the TWSTRS disability and pain sections answered by the patient [9]
(`twstrs-patient.json`), scored by `collis.domain.scales.twstrs.score_twstrs`.

When one is due follows the pathway (issue 13): before a toxin cycle, at the toxin's peak
effect about four weeks after an injection, at the surgical baseline and at 3, 6 and 12
months after surgery. The days are local policy (UNSOURCED in the reference), named in
`DuePolicy`.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from collis.domain.scales.twstrs import ITEMS_BY_NAME, TwstrsError, score_twstrs

DATA = Path(__file__).resolve().parent / "data" / "questionnaires"


class QuestionnaireError(ValueError):
    """A definition or an answer that the questionnaire does not allow, in words."""


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    text: str
    subscale: str
    low: int
    high: int

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1)


@dataclass(frozen=True, slots=True)
class Questionnaire:
    code: str
    version: str
    title: str
    instrument: str
    sources: tuple[int, ...]
    licence: str
    wording: str
    scoring: str
    questions: tuple[Question, ...]
    scale_words: Mapping[str, str] = field(default_factory=dict)

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise QuestionnaireError(f"{self.code} has no question {code!r}")


SCORERS = {"twstrs"}


def questionnaire_from_data(data: Mapping) -> Questionnaire:
    """A questionnaire from its definition, checked: known scoring, sources cited, a licence
    recorded, each question's range within its instrument item's."""
    for key in ("code", "version", "title", "instrument", "sources", "licence", "wording",
                "scoring", "questions"):
        if not data.get(key):
            raise QuestionnaireError(f"The questionnaire definition needs {key!r}")
    if data["scoring"] not in SCORERS:
        raise QuestionnaireError(f"Unknown scoring {data['scoring']!r}")
    questions = []
    for entry in data["questions"]:
        question = Question(code=entry["code"], text=entry["text"], subscale=entry["subscale"],
                            low=int(entry["low"]), high=int(entry["high"]))
        item = ITEMS_BY_NAME.get(question.code)
        if item is None or item.subscale.value != question.subscale:
            raise QuestionnaireError(f"{question.code!r} is not a TWSTRS {question.subscale} "
                                     "item")
        if question.low < item.low or (item.high is not None and question.high > item.high):
            raise QuestionnaireError(f"{question.code!r}: {question.low}-{question.high} is "
                                     f"outside the item's range")
        questions.append(question)
    if len({q.code for q in questions}) != len(questions):
        raise QuestionnaireError("Each question appears once")
    return Questionnaire(
        code=data["code"], version=str(data["version"]), title=data["title"],
        instrument=data["instrument"], sources=tuple(data["sources"]),
        licence=data["licence"], wording=data["wording"], scoring=data["scoring"],
        questions=tuple(questions), scale_words=dict(data.get("scale_words") or {}))


def questionnaire_load(code: str) -> Questionnaire:
    """The questionnaire kept as `data/questionnaires/<code>.json`."""
    path = DATA / f"{code}.json"
    if not path.is_file() or path.parent != DATA:
        raise QuestionnaireError(f"No questionnaire {code!r}")
    return questionnaire_from_data(json.loads(path.read_text(encoding="utf-8")))


def questionnaire_codes() -> list[str]:
    return sorted(path.stem for path in DATA.glob("*.json"))


@dataclass(frozen=True, slots=True)
class QuestionnaireScore:
    """Subscores (None until all their questions are answered) and whether all are."""

    subscores: Mapping[str, float | None]
    complete: bool
    unanswered: tuple[str, ...]


def answers_check(questionnaire: Questionnaire, answers: Mapping[str, object]) -> dict:
    """The answers as whole numbers within each question's range; an unknown question or a
    value out of range is refused, naming the question. Unanswered ones are left out."""
    checked = {}
    for code, value in answers.items():
        question = questionnaire.question(code)
        if value is None or value == "":
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise QuestionnaireError(f"{code}: choose a number from {question.low} to "
                                     f"{question.high}") from None
        if str(number) != str(value).strip() or number not in question.values:
            raise QuestionnaireError(f"{code}: choose a number from {question.low} to "
                                     f"{question.high}")
        checked[code] = number
    return checked


def score_answers(questionnaire: Questionnaire, answers: Mapping[str, object]
                  ) -> QuestionnaireScore:
    """Score the answers given so far by the instrument's own module (TWSTRS [9])."""
    checked = answers_check(questionnaire, answers)
    try:
        twstrs = score_twstrs(checked)
    except TwstrsError as error:
        raise QuestionnaireError(str(error)) from error
    subscales = sorted({q.subscale for q in questionnaire.questions})
    subscores = {name: getattr(twstrs, name) for name in subscales}
    unanswered = tuple(q.code for q in questionnaire.questions if q.code not in checked)
    return QuestionnaireScore(subscores=subscores, complete=not unanswered,
                              unanswered=unanswered)


# -- When a questionnaire is due ----------------------------------------------------------

class DueReason(StrEnum):
    BEFORE_TOXIN = "before_toxin"
    TOXIN_PEAK = "toxin_peak"
    SURGICAL_BASELINE = "surgical_baseline"
    AFTER_SURGERY_3 = "after_surgery_3"
    AFTER_SURGERY_6 = "after_surgery_6"
    AFTER_SURGERY_12 = "after_surgery_12"

    @property
    def label(self) -> str:
        return DUE_LABELS[self]


DUE_LABELS = {
    DueReason.BEFORE_TOXIN: "Before your next botulinum toxin injections",
    DueReason.TOXIN_PEAK: "When your injections work best, about 4 weeks after them",
    DueReason.SURGICAL_BASELINE: "Before surgery",
    DueReason.AFTER_SURGERY_3: "3 months after surgery",
    DueReason.AFTER_SURGERY_6: "6 months after surgery",
    DueReason.AFTER_SURGERY_12: "12 months after surgery",
}


@dataclass(frozen=True, slots=True)
class DuePolicy:
    """Local policy (UNSOURCED in the reference): how many days before a toxin appointment
    the questionnaire is due, the days after an injection of its peak effect ("about 4
    weeks", issue 13), and how long each stays open to answer."""

    days_before_toxin: int = 7
    days_to_peak: int = 28
    days_open: int = 14
    label: str = "Local policy of the unit"


DEFAULT_DUE_POLICY = DuePolicy()


@dataclass(frozen=True, slots=True)
class PathwayDates:
    """The facts of the record that due dates follow."""

    toxin_appointments: tuple[date, ...] = ()   # booked, not cancelled
    toxin_injections: tuple[date, ...] = ()
    surgical_baseline: date | None = None       # the day the patient was listed
    operation: date | None = None


@dataclass(frozen=True, slots=True, order=True)
class Due:
    due_on: date
    reason: DueReason
    anchor: date  # the appointment, injection, listing or operation it follows

    @property
    def key(self) -> str:
        """Names this occasion once, so a second answer to it is not asked for."""
        return f"{self.reason}:{self.anchor.isoformat()}"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(dates: PathwayDates, *, policy: DuePolicy = DEFAULT_DUE_POLICY) -> list[Due]:
    """Every occasion a questionnaire is due, oldest first."""
    found = [Due(d - timedelta(days=policy.days_before_toxin), DueReason.BEFORE_TOXIN, d)
             for d in dates.toxin_appointments]
    found += [Due(d + timedelta(days=policy.days_to_peak), DueReason.TOXIN_PEAK, d)
              for d in dates.toxin_injections]
    if dates.surgical_baseline:
        found.append(Due(dates.surgical_baseline, DueReason.SURGICAL_BASELINE,
                         dates.surgical_baseline))
    if dates.operation:
        for months, reason in ((3, DueReason.AFTER_SURGERY_3), (6, DueReason.AFTER_SURGERY_6),
                               (12, DueReason.AFTER_SURGERY_12)):
            found.append(Due(add_months(dates.operation, months), reason, dates.operation))
    return sorted(set(found))


def due_now(dates: PathwayDates, *, today: date, answered: Iterable[str] = (),
            policy: DuePolicy = DEFAULT_DUE_POLICY) -> list[Due]:
    """The occasions open today (due, not past `days_open`) and not yet answered. Asked
    again just before an invitation or reminder is sent, from the record as it is then
    (REDCap's "is the condition still true" rule): a cancelled appointment or an answer
    given meanwhile means no email."""
    done = set(answered)
    return [due for due in due_dates(dates, policy=policy)
            if due.due_on <= today <= due.due_on + timedelta(days=policy.days_open)
            and due.key not in done]

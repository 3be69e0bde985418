"""How diagnoses, examinations and rating scales read on screen. The clinical judgements
shown (bands, distributions, dominant pattern, suggested muscles, TWSTRS change) are the
domain's; presenters only put words and order on them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from collis.assessments.models import (
    AGE_AT_ONSET_LABELS,
    ASSOCIATED_LABELS,
    DISTRIBUTION_LABELS,
    MUSCLE_LABELS,
    PATTERN_LABELS,
    REGION_LABELS,
    SUBTYPE_LABELS,
    DiagnosisVersion,
    EntryMode,
    Examination,
    Scale,
    ScaleAssessment,
    SensoryTrick,
    SensoryTrickEffect,
    Tremor,
)
from collis.assessments.selectors import examination_observations
from collis.core.presenters import date_long, datetime_long
from collis.domain.classification import CONTIGUITY_NOTE
from collis.domain.muscles import muscle_info
from collis.domain.phenotype import PATTERN_TABLE, SuggestedMuscle, dominant_pattern
from collis.domain.policy import DEFAULT_POLICY
from collis.domain.scales.tsui import ITEM_NAMES as TSUI_ITEMS
from collis.domain.scales.twstrs import (
    ITEMS,
    ChangeDirection,
    TwstrsScore,
    compare_twstrs,
)

NOT_RECORDED = "Not recorded"


# ----------------------------------------------------------------------------- corrections

@dataclass(frozen=True)
class CorrectionNotice:
    """What an entry's page says when the entry is no longer current (ADR 0009)."""

    heading: str
    text: str
    current_href: str = ""


def correction_notice(entry, history: list, detail_href) -> CorrectionNotice | None:
    """None for a current entry; else who amended it (or marked it entered in error),
    when and why, and a link to the version that replaced it."""
    if entry.is_current:
        return None
    when = datetime_long(entry.status_changed_at)
    who = entry.status_changed_by.display_name if entry.status_changed_by else "someone"
    why = entry.status_reason.rstrip(".")
    if entry.record_status == "entered_in_error":
        return CorrectionNotice(
            heading="This entry was entered in error",
            text=f"Marked as entered in error on {when} by {who}: {why}. It "
                 "is kept in the record's history and left out of every summary.")
    later = [v for v in history if v.supersedes_id == entry.pk]
    return CorrectionNotice(
        heading="This entry was corrected",
        text=f"Superseded by a correction on {when} by {who}: {why}. It is "
             "kept in the record's history and left out of every summary.",
        current_href=detail_href(later[0]) if later else "")


def status_tag(entry) -> str:
    """Words for the timeline and lists: "" for a current entry."""
    return {"amended": "superseded", "entered_in_error": "entered in error"}.get(
        entry if isinstance(entry, str) else entry.record_status, "")


def words(value: str, labels: dict | None = None) -> str:
    """A stored vocabulary value in words ('upper_limb' -> 'Upper limb')."""
    if value in (None, ""):
        return NOT_RECORDED
    return (labels or {}).get(value) or str(value).replace("_", " ").capitalize()


def number(value) -> str:
    if value is None:
        return "Not scored"
    return f"{value:g}"


# ----------------------------------------------------------------------------- diagnosis

FIELD_LABELS = {
    "onset_age": "Age at onset", "age_at_onset": "Age-at-onset band",
    "regions": "Body regions", "one_side_of_body": "On one side of the body",
    "derived_distribution": "Distribution derived from the regions",
    "distribution": "Body distribution", "course": "Course", "variability": "Variability",
    "associated_features": "Associated features",
    "other_movement_disorder": "Other movement disorder",
    "nervous_system_pathology": "Nervous-system pathology", "aetiology": "Aetiology",
    "aetiology_subtype": "Aetiology subtype", "family_history": "Relatives affected",
    "family_history_notes": "Family history notes", "notes": "Notes",
}


def _value_text(name: str, value) -> str:
    if name == "onset_age":
        return NOT_RECORDED if value is None else f"{value} years"
    if name == "regions":
        return ", ".join(words(r, REGION_LABELS) for r in value) or NOT_RECORDED
    if name == "one_side_of_body":
        return "Yes" if value else "No"
    if name == "family_history":
        return "; ".join(f"{r['relationship']}: {r['condition']}" for r in value) or "None"
    labels = {"age_at_onset": AGE_AT_ONSET_LABELS, "distribution": DISTRIBUTION_LABELS,
              "derived_distribution": DISTRIBUTION_LABELS,
              "associated_features": ASSOCIATED_LABELS, "aetiology_subtype": SUBTYPE_LABELS,
              "nervous_system_pathology": {"none": "None"}}.get(name)
    if name in ("notes", "family_history_notes", "other_movement_disorder"):
        return value or "None"
    return words(value, labels)


@dataclass(frozen=True)
class DiagnosisPresenter:
    version: DiagnosisVersion

    @property
    def distribution_differs(self) -> bool:
        v = self.version
        return bool(v.derived_distribution) and v.distribution != v.derived_distribution

    def axis_one_rows(self) -> list[tuple[str, str]]:
        v = self.version
        onset = _value_text("onset_age", v.onset_age)
        if v.age_at_onset:
            onset += f": {words(v.age_at_onset, AGE_AT_ONSET_LABELS)} [1]"
        distribution = words(v.distribution, DISTRIBUTION_LABELS)
        if v.derived_distribution:
            distribution += (" (confirmed by the clinician; the regions give "
                             f"{words(v.derived_distribution, DISTRIBUTION_LABELS).lower()})"
                             if self.distribution_differs else " (derived from the regions [1])")
        associated = words(v.associated_features, ASSOCIATED_LABELS)
        if v.other_movement_disorder:
            associated += f": {v.other_movement_disorder}"
        return [
            ("Age at onset", onset),
            ("Body regions involved", _value_text("regions", v.regions)
             + (" (all on one side of the body)" if v.one_side_of_body else "")),
            ("Body distribution", distribution),
            ("Course", words(v.course)),
            ("Variability", words(v.variability)),
            ("Associated features", associated),
        ]

    def axis_two_rows(self) -> list[tuple[str, str]]:
        v = self.version
        aetiology = words(v.aetiology)
        if v.aetiology_subtype:
            aetiology += f": {words(v.aetiology_subtype, SUBTYPE_LABELS).lower()}"
        return [
            ("Nervous-system pathology", _value_text("nervous_system_pathology",
                                                     v.nervous_system_pathology)),
            ("Aetiology", aetiology),
        ]

    @property
    def derivation_reason(self) -> str:
        return self.version.derived_distribution_reason

    contiguity_note = CONTIGUITY_NOTE

    @property
    def recorded(self) -> str:
        who = self.version.created_by.display_name if self.version.created_by else "Unknown"
        return f"{datetime_long(self.version.created_at)} by {who}"

    def change_lines(self) -> list[str]:
        """'Course: static -> progressive', one per changed field."""
        if self.version.version == 1:
            return ["First version"]
        return [f"{FIELD_LABELS.get(name, name)}: {_value_text(name, change['from'])} "
                f"changed to {_value_text(name, change['to'])}"
                for name, change in self.version.changes.items()]


# --------------------------------------------------------------------------- examination

def pattern_words(pattern: str, side: str = "") -> str:
    text = words(pattern, PATTERN_LABELS)
    return f"{text} to the {side}" if side else text


@dataclass(frozen=True)
class SuggestionRow:
    muscle: str
    side: str
    patterns: str
    disputed: bool


@dataclass(frozen=True)
class ExaminationPresenter:
    examination: Examination

    @property
    def date(self) -> str:
        return date_long(self.examination.examined_on)

    def pattern_rows(self) -> list[tuple[str, str, str]]:
        """(pattern, side, severity) in the recorded order."""
        return [(words(p.pattern, PATTERN_LABELS), words(p.side) if p.side else "No side",
                 str(p.severity)) for p in self.examination.patterns.all()]

    @cached_property
    def dominant(self) -> str:
        """The domain's dominant pattern of the stored observations."""
        found = dominant_pattern(examination_observations(self.examination))
        if found is None:
            return "None recorded" if not self.examination.patterns.all() else "Not known"
        return f"{pattern_words(found.pattern, found.side or '')}, severity {found.severity}"

    @property
    def patterns_summary(self) -> str:
        rows = [f"{pattern_words(p.pattern, p.side)} {p.severity}"
                for p in self.examination.patterns.all()]
        return "; ".join(rows) or "No patterns recorded"

    @property
    def tremor(self) -> str:
        return Tremor(self.examination.tremor).label

    @property
    def sensory_trick(self) -> str:
        e = self.examination
        text = SensoryTrick(e.sensory_trick).label
        if e.sensory_trick_effect:
            text += f": {SensoryTrickEffect(e.sensory_trick_effect).label.lower()}"
        if e.sensory_trick_description:
            text += f" ({e.sensory_trick_description})"
        return text

    def confirmed_muscles(self) -> list[tuple[str, str, str]]:
        """(muscle, side, whether suggested) of the confirmed muscles."""
        return [(MUSCLE_LABELS[m.muscle], words(m.side),
                 "Suggested by the table" if m.suggested else "Added by the clinician")
                for m in self.examination.muscles.all()]

    @property
    def table_name(self) -> str:
        return PATTERN_TABLE.name

    @property
    def table_version(self) -> str:
        return PATTERN_TABLE.version

    @property
    def table_needs_sign_off(self) -> bool:
        return PATTERN_TABLE.needs_clinician_sign_off

    @staticmethod
    def suggestion_rows(suggestions: list[SuggestedMuscle]) -> list[SuggestionRow]:
        """One row per muscle and side, naming every pattern that suggests it."""
        rows: dict[tuple[str, str], dict] = {}
        for s in suggestions:
            side = "Side not known" if s.side is None else words(str(s.side))
            key = (str(s.muscle), side)
            row = rows.setdefault(key, {"patterns": [], "disputed": False})
            pattern = words(s.pattern, PATTERN_LABELS)
            if pattern not in row["patterns"]:
                row["patterns"].append(pattern)
            row["disputed"] = row["disputed"] or s.disputed
        return [SuggestionRow(MUSCLE_LABELS[m], side, ", ".join(r["patterns"]), r["disputed"])
                for (m, side), r in rows.items()]


def muscle_hint(muscle: str) -> str:
    info = muscle_info(muscle)
    return info.note


# -------------------------------------------------------------------------------- scales

def score_of(assessment: ScaleAssessment) -> TwstrsScore:
    """The stored scores as the domain's TwstrsScore (read back, not recomputed)."""
    return TwstrsScore(severity=assessment.severity, disability=assessment.disability,
                       pain=assessment.pain, total=assessment.total)


DIRECTION_WORDS = {
    ChangeDirection.IMPROVED: "Clinically important improvement",
    ChangeDirection.WORSENED: "Clinically important worsening",
    ChangeDirection.NO_IMPORTANT_CHANGE: "Less than the minimal clinically important change",
}


@dataclass(frozen=True)
class ChangeText:
    points: str
    words: str
    important: bool
    detail: str


def _change(before: ScaleAssessment, after: ScaleAssessment, policy) -> ChangeText | None:
    if before.total is None or after.total is None:
        return None
    change = compare_twstrs(score_of(before), score_of(after), policy)
    return ChangeText(points=f"{change.change:+g}", words=DIRECTION_WORDS[change.direction],
                      important=change.clinically_important, detail=change.detail)


@dataclass(frozen=True)
class TwstrsRow:
    assessment: ScaleAssessment
    date: str
    entry: str
    since_baseline: ChangeText | None
    since_previous: ChangeText | None


@dataclass(frozen=True)
class PatientReportedRow:
    """One questionnaire the patient sent: its TWSTRS sections as the domain scored them."""

    sent_on: datetime.date
    date: str
    occasion: str
    disability: str
    pain: str


# The chart's lines: (label, attribute of the stored scores). A patient-reported line shares
# its subscore's colour and marker shape, drawn hollow on a dotted line.
TWSTRS_LINES = (("Total", "total"), ("Severity", "severity"), ("Disability", "disability"),
                ("Pain", "pain"))
PATIENT_REPORTED_LINES = ("disability", "pain")
PATIENT_REPORTED = "patient-reported"


@dataclass(frozen=True)
class ScalesPresenter:
    """The record's rating scales: the clinicians' assessments (the table, the change flags
    and the chart) and, in their own series and table, the TWSTRS sections the patient
    reported through the portal (`patient_reported`, questionnaire responses oldest first),
    never mixed into the clinicians' changes."""

    assessments: list[ScaleAssessment]
    policy: object = DEFAULT_POLICY
    patient_reported: tuple = ()

    @cached_property
    def twstrs(self) -> list[ScaleAssessment]:
        return [a for a in self.assessments if a.scale == Scale.TWSTRS]

    @cached_property
    def tsui(self) -> list[ScaleAssessment]:
        return [a for a in self.assessments if a.scale == Scale.TSUI]

    @property
    def mcic(self):
        return self.policy.value("twstrs_mcic_points")

    def twstrs_rows(self) -> list[TwstrsRow]:
        """Oldest first; change since the baseline (first with a total) and the previous."""
        rows = []
        with_total = [a for a in self.twstrs if a.total is not None]
        baseline = with_total[0] if with_total else None
        previous = None
        for a in self.twstrs:
            rows.append(TwstrsRow(
                assessment=a, date=date_long(a.assessed_on),
                entry=EntryMode(a.entry_mode).label,
                since_baseline=(_change(baseline, a, self.policy)
                                if baseline is not None and a is not baseline else None),
                since_previous=_change(previous, a, self.policy) if previous else None))
            if a.total is not None:
                previous = a
        return rows

    def tsui_rows(self) -> list[tuple[str, list[str], str]]:
        return [(date_long(a.assessed_on),
                 [number(a.items.get(name)) if name in a.items else "Not scored"
                  for name in TSUI_ITEMS], number(a.total)) for a in self.tsui]

    def patient_reported_rows(self) -> list[PatientReportedRow]:
        """The questionnaires the patient sent, oldest first, by the day they sent them."""
        rows = []
        for response in self.patient_reported:
            sent_on = timezone.localtime(response.submitted_at).date()
            rows.append(PatientReportedRow(
                sent_on=sent_on, date=date_long(sent_on),
                occasion=f"{response.get_reason_display()} (due {date_long(response.due_on)})",
                disability=number(response.disability), pain=number(response.pain)))
        return rows

    def chart(self, markers: list):
        """The TWSTRS line chart: the clinicians' total and subscores, and the patient's own
        disability and pain as separate series labelled patient-reported (hollow markers on
        dotted lines); None when there is nothing to draw or no chart support."""
        try:
            from collis.core.charts import Series, line_chart
        except ImportError:
            return None
        rated = [(a.assessed_on, a) for a in self.twstrs]
        reported = [(row.sent_on, response) for response, row in zip(
            self.patient_reported, self.patient_reported_rows(), strict=True)]

        def points(scored, attr):
            return [(day, float(getattr(score, attr))) for day, score in scored
                    if getattr(score, attr) is not None]

        series = [Series(label=label, points=points(rated, attr), style=style)
                  for style, (label, attr) in enumerate(TWSTRS_LINES)]
        series += [Series(label=f"{label} ({PATIENT_REPORTED})", points=points(reported, attr),
                          style=style, hollow=True)
                   for style, (label, attr) in enumerate(TWSTRS_LINES)
                   if attr in PATIENT_REPORTED_LINES]
        series = [s for s in series if s.points]
        if not series:
            return None
        days = [day for s in series for day, _ in s.points]
        first, last = min(days), max(days)
        mine = (" and the disability and pain the patient reported in the portal, drawn "
                "as their own lines with open markers" if reported else "")
        return line_chart(
            title="TWSTRS over time",
            description=(f"TWSTRS total and subscores rated by clinicians{mine}, from "
                         f"{date_long(first)} to {date_long(last)}; lower scores are better. "
                         "The same numbers are in the tables below."),
            series=series, markers=markers, y_label="TWSTRS points", y_max=85)


def twstrs_item_rows(assessment: ScaleAssessment) -> list[tuple[str, str, str]]:
    """(item, value, allowed range) for an item-by-item TWSTRS."""
    rows = []
    for item in ITEMS:
        if item.name in assessment.items:
            allowed = (f"{item.low}-{item.high}" if item.high is not None
                       else f"{item.low} or more")
            rows.append((item.label, f"{assessment.items[item.name]:g}", allowed))
    return rows

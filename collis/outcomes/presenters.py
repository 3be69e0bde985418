"""Formatting after SD: labels, and the outcome against the baseline as the domain judges it
(compare_twstrs against the policy MCIC); nothing is scored here."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from collis.assessments.presenters import DIRECTION_WORDS, score_of
from collis.core.presenters import date_long, datetime_long
from collis.domain.policy import DEFAULT_POLICY
from collis.domain.risks import risk
from collis.domain.scales.twstrs import MCIC_SOURCES, compare_twstrs
from collis.outcomes.models import MUSCLE_CHOICES, SIDE_CHOICES

MUSCLE_LABELS = dict(MUSCLE_CHOICES)
SIDE_LABELS = dict(SIDE_CHOICES)


def muscle_words(muscle: str, side: str = "") -> str:
    name = MUSCLE_LABELS.get(muscle, muscle.replace("_", " ")).lower()
    return f"{name} ({SIDE_LABELS.get(side, side).lower()})" if side else name


def risk_name(code: str) -> str:
    try:
        return risk(code).name
    except KeyError:
        return code


def months_words(months: int) -> str:
    if months > 12 and months % 12 == 0:
        return f"{months // 12}-year review"
    return f"{months}-month review"


def number(value) -> str:
    return "–" if value is None else f"{value:g}"


def scale_choices(assessments) -> list[tuple[str, str]]:
    """Assessments a review can use, as choices: '2 June 2026: total 17'."""
    return [(str(a.pk), f"{date_long(a.assessed_on)}: total {number(a.total)}")
            for a in assessments]


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    date: str
    total: float
    change: str
    words: str
    important: bool
    detail: str


def current_scale(assessment):
    """The current version of a scale assessment a review points at: the one that corrected
    it, if it was amended (in the assessments app); None if it was entered in error."""
    seen = 0
    while assessment is not None and not assessment.is_current and seen < 50:
        if assessment.record_status == "entered_in_error":
            return None
        try:
            assessment = assessment.superseded_by
        except ObjectDoesNotExist:
            return None
        seen += 1
    return assessment


def review_total(assessment) -> str:
    """A review's scale total as shown: its current version's, or '–'."""
    current = current_scale(assessment)
    return number(current.total) if current is not None else "–"


def outcome_rows(baseline, reviews, policy=DEFAULT_POLICY) -> list[OutcomeRow]:
    """Each current review's TWSTRS (its current version) against the baseline, judged by
    the domain's compare_twstrs."""
    rows = []
    if baseline is None or baseline.total is None:
        return rows
    for review in reviews:
        if not review.is_current:
            continue
        after = current_scale(review.twstrs)
        if after is None or after.total is None:
            continue
        change = compare_twstrs(score_of(baseline), score_of(after), policy)
        rows.append(OutcomeRow(months_words(review.months_after), date_long(after.assessed_on),
                               after.total, f"{change.change:+g}",
                               DIRECTION_WORDS[change.direction], change.clinically_important,
                               change.detail))
    return rows


MCIC_NOTE_SOURCES = MCIC_SOURCES


# -- entries and their corrections ----------------------------------------------------------

STATUS_TAGS = {"amended": "Superseded", "entered_in_error": "Entered in error"}


def status_tag(record) -> str:
    """"Superseded" or "Entered in error" for a corrected entry; "" for a current one."""
    return STATUS_TAGS.get(record.record_status, "")


def correction_note(record) -> str:
    """What an entry's page says when it was corrected: when, by whom and why."""
    if record.is_current:
        return ""
    words = "amended" if record.record_status == "amended" else "marked entered in error"
    return (f"This entry was {words} on {datetime_long(record.status_changed_at)} by "
            f"{record.status_changed_by.display_name}: {record.status_reason}")


def operation_rows(operation) -> list[tuple[str, str]]:
    """The operation note as (label, value) rows: what the page shows (words made here, so
    the template only lays them out)."""
    started = f" at {operation.started_at:%H:%M}" if operation.started_at else ""
    return [
        ("Date of the operation", date_long(operation.operated_on) + started),
        ("Site", operation.site.name),
        ("Surgeon", operation.surgeon.display_name),
        ("Anaesthetic", operation.get_anaesthetic_display()),
        ("Anaesthetist", operation.anaesthetist),
        ("Myectomy", ("Yes: " + ", ".join(muscle_words(m) for m in operation.myectomy_muscles))
         if operation.myectomy else "No"),
        ("Findings", operation.findings or "None recorded"),
        ("Intra-operative complications",
         ", ".join(risk_name(code) for code in operation.complication_codes) or "None"),
        ("Other complications or details", operation.complication_notes or "None"),
        ("Recorded by", f"{operation.created_by.display_name}, "
                        f"{datetime_long(operation.created_at)}"),
    ]


def plan_words(plan) -> list[str]:
    """A consented plan ([{muscle, side, target}]) as 'trapezius (left): target'."""
    return [muscle_words(e.get("muscle", ""), e.get("side", ""))
            + (f": {e['target']}" if e.get("target") else "") for e in plan or ()]


def plan_source(operation) -> str:
    """Where the plan the note is compared with comes from."""
    consent = operation.consent
    if consent is None:
        return "No consent is linked to this note: the nerves divided were not compared " \
               "with a plan."
    return (f"The planned denervation of the consent signed on "
            f"{date_long(consent.patient_signed_on)} ({consent.plan_source})")


def plan_initial(plan) -> list[dict]:
    """Rows of the nerves-divided table pre-filled from the consented plan: the muscles the
    form offers, each with its planned nerve target."""
    return [{"muscle": e.get("muscle", ""), "side": e.get("side", ""),
             "nerve": e.get("target", "")} for e in plan or ()
            if e.get("muscle") in MUSCLE_LABELS and e.get("side") in SIDE_LABELS]


def operation_initial(operation) -> dict:
    """The operation form's values that show a note (to correct it)."""
    return {
        "operated_on": operation.operated_on,
        "started_at": f"{operation.started_at:%H:%M}" if operation.started_at else "",
        "site": operation.site_id, "surgeon": operation.surgeon_id,
        "anaesthetic": operation.anaesthetic, "anaesthetist": operation.anaesthetist,
        "myectomy": "yes" if operation.myectomy else "no",
        "myectomy_muscles": list(operation.myectomy_muscles), "findings": operation.findings,
        "complication_codes": list(operation.complication_codes),
        "complication_notes": operation.complication_notes,
        "outside_plan_reason": operation.outside_plan_reason,
    }


def session_rows(session) -> list[tuple[str, str]]:
    held = f", {date_long(session.held_on)}" if session.held_on else ""
    return [("Session", str(session.number)),
            ("Scheduled", date_long(session.scheduled_on)),
            ("Attendance", session.get_attendance_display() + held),
            ("Exercises", session.exercises or "None recorded"),
            ("Notes", session.notes or "None"),
            ("Recorded by", (f"{session.attendance_recorded_by.display_name}, "
                             f"{datetime_long(session.attendance_recorded_at)}")
             if session.attendance_recorded_by else "Not recorded yet")]


def review_rows(review) -> list[tuple[str, str]]:
    return [("Review", months_words(review.months_after)),
            ("Due", date_long(review.due_on)),
            ("Date of the review", date_long(review.reviewed_on)),
            ("TWSTRS total", number(review.twstrs.total) if review.twstrs else "–"),
            ("Tsui total", number(review.tsui.total) if review.tsui else "–"),
            ("Notes", review.notes or "None"),
            ("Recorded by", f"{review.created_by.display_name}, "
                            f"{datetime_long(review.created_at)}")]


def complication_rows(complication) -> list[tuple[str, str]]:
    resolved = (f", {date_long(complication.resolved_on)}" if complication.resolved_on else "")
    return [("Complication", complication.get_risk_code_display()),
            ("Date of onset", date_long(complication.onset_on)),
            ("Severity", complication.get_severity_display()),
            ("Status", complication.get_status_display() + resolved),
            ("Notes", complication.notes or "None"),
            ("Recorded by", f"{complication.created_by.display_name}, "
                            f"{datetime_long(complication.created_at)}")]


def further_surgery_rows(surgery) -> list[tuple[str, str]]:
    return [("Further surgery", surgery.get_kind_display()),
            ("Date", date_long(surgery.performed_on)),
            ("Reason", surgery.reason),
            ("Recorded by", f"{surgery.created_by.display_name}, "
                            f"{datetime_long(surgery.created_at)}")]

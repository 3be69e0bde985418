"""The decision aid for selective denervation, built from the domain's risk catalogue
(collis/domain/risks.py), and how counselling and consent records read.

Every figure shown here comes from the catalogue with its population and sources; the
words around them cite the clinical reference (docs/clinical-reference.md). IPDAS [43]:
condition, decision, options with benefits and harms in equal detail, uncertainty,
values clarification, production date and update policy."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from dataclasses import dataclass

from collis.core.presenters import date_long, datetime_long
from collis.domain.decision_aid import PatientAid, patient_decision_aid
from collis.domain.pathway import Task, first_move
from collis.domain.risks import (
    OUTCOMES,
    PLAIN_RESULTS,
    PLAIN_RISKS,
    RISKS,
    Intervention,
    Outcome,
    Risk,
    RiskFigure,
    risks_for,
)

DECISION_AID_SERIES = "collis-decision-aid"
DECISION_AID_SOURCES = (43,)
# Each edition of the decision aid (both versions, patient and clinician): its number, the
# day it was produced and the fingerprint of its content (`aid_fingerprint`). A change to
# the aid's words or to the risk catalogue changes the fingerprint: add an edition with
# the day it was produced (a test fails until then, and until then the aid says "draft").
AID_EDITIONS: tuple[tuple[int, datetime.date, str], ...] = (
    (2, datetime.date(2026, 12, 2), "e97eb4897d5eb0fa"),
)
# Local policy, needs clinical sign-off: the reference gives no review interval for a
# decision aid, only that one needs an update policy [43].
AID_REVIEW_INTERVAL_YEARS = 1
AID_REVIEW_POLICY_NOTE = (
    "The next review falls one year after the aid is produced (local policy, needs clinical "
    "sign-off: the clinical reference asks for an update policy but gives no interval).")
# Local policy, not evidence: the reference gives no programme length (§8, UNSOURCED).
PHYSIOTHERAPY_PROGRAMME_NOTE = (
    "How long the physiotherapy programme lasts is decided by your local team (local policy, "
    "needs clinical sign-off): the published evidence does not give a length.")


def sources_text(sources) -> str:
    """(25, 28) -> '[25][28]'."""
    return "".join(f"[{n}]" for n in sources)


def figure_text(figure: RiskFigure | dict) -> str:
    """A figure as the reference gives it, with who it counts and its sources, for example
    'new dysphagia on videofluoroscopy in 3 of 12 (patients who had videofluoroscopy in the
    Munchau series) [28]'. Ranges stay ranges."""
    data = figure.as_dict() if isinstance(figure, RiskFigure) else figure
    text = f"{data['text']} ({data['population']}) {sources_text(data['sources'])}"
    if data.get("note"):
        text += f". {data['note']}"
    return text


def _digest(content) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def catalogue_digest() -> str:
    """A fingerprint of every risk and outcome the aid shows, in clinicians' and patients'
    words: the catalogue has no version number, so this identifies exactly which content a
    patient saw."""
    return _digest({"risks": [r.as_dict() for r in RISKS],
                    "outcomes": [dataclasses.asdict(o) for o in OUTCOMES],
                    "plain_risks": {k: dataclasses.asdict(v) for k, v in PLAIN_RISKS.items()},
                    "plain_results": {k: [dataclasses.asdict(r) for r in v]
                                      for k, v in PLAIN_RESULTS.items()}})


def disclosure_snapshot(risk: Risk) -> dict:
    """A risk exactly as shown to the patient: stored with the counselling record."""
    return {"risk_code": risk.code, "intervention": str(risk.intervention), "name": risk.name,
            "patient_description": risk.patient_description,
            "figures": [f.as_dict() for f in risk.figures],
            "figures_text": [figure_text(f) for f in risk.figures],
            "frequency_note": risk.frequency_note, "sources": list(risk.sources)}


@dataclass(frozen=True)
class ValuesQuestion:
    code: str
    question: str
    hint: str = ""
    required: bool = False


# Values clarification [43]. The questions themselves are local policy (UNSOURCED).
VALUES_QUESTIONS = (
    ValuesQuestion("matters_most", "What matters most to you about your treatment?",
                   required=True),
    ValuesQuestion("hopes", "What would you hope to be able to do if treatment goes well?"),
    ValuesQuestion("worries", "What worries you most about having an operation?"),
    ValuesQuestion("numbness", "How would you feel about numb patches on the back of your "
                               "head, which are expected after the operation?",
                   hint="In one series every patient had some numbness there [28]."),
    ValuesQuestion("injections", "How do you feel about carrying on with injections, usually "
                                 "no more often than every 12 weeks?",
                   hint="Re-injection interval usually 12 weeks or more [15][19]."),
    ValuesQuestion("leaning", "Which option are you leaning towards at the moment, if any?"),
)


@dataclass(frozen=True)
class OptionRisk:
    code: str
    name: str
    description: str
    figures: tuple[str, ...]
    frequency_note: str
    sources: str


@dataclass(frozen=True)
class OptionOutcome:
    series: str
    n: str
    result: str
    follow_up: str
    sources: str


@dataclass(frozen=True)
class Option:
    key: str
    title: str
    involves: str
    benefits: tuple[OptionOutcome, ...]
    benefits_note: str
    risks: tuple[OptionRisk, ...]
    uncertainty: str


def _risk_row(risk: Risk) -> OptionRisk:
    return OptionRisk(risk.code, risk.name, risk.patient_description,
                      tuple(figure_text(f) for f in risk.figures), risk.frequency_note,
                      sources_text(risk.sources))


def _outcome_row(outcome: Outcome) -> OptionOutcome:
    return OptionOutcome(outcome.series, outcome.n, outcome.result, outcome.follow_up,
                         sources_text(outcome.sources))


def _outcomes(codes_prefix: tuple[str, ...]) -> tuple[OptionOutcome, ...]:
    return tuple(_outcome_row(o) for o in OUTCOMES if o.code.startswith(codes_prefix))


def decision_aid_options() -> tuple[Option, ...]:
    """The three options, each with what it involves, its published benefits and its risks
    in the same shape (pros and cons in equal detail [43])."""
    return (
        Option(
            "sd", "Selective peripheral denervation (an operation on the neck nerves)",
            "An operation under general anaesthetic that cuts the nerve branches to the neck "
            "muscles that pull your head, chosen from your examination and muscle tests "
            "[27][28][31][34]. Physiotherapy follows to rebuild neck strength [25][27][45].",
            _outcomes(("SD_",)),
            "Results come from case series and comparisons of different sizes and lengths of "
            "follow-up; each is shown separately, never combined [24].",
            tuple(_risk_row(r) for r in risks_for(Intervention.SELECTIVE_DENERVATION)),
            "Published evidence is case series only [24]; figures differ between series and "
            "cannot be combined into one chance for you.",
        ),
        Option(
            "dbs", "Deep brain stimulation of the globus pallidus (GPi-DBS)",
            "An operation to place stimulating electrodes deep in the brain, with a "
            "stimulator that is adjusted afterwards [39][41].",
            _outcomes(("DBS_", "SD_VS_DBS_")),
            "One randomised trial and open series; comparisons with selective denervation "
            "come from different patients and studies [31][32][33].",
            tuple(_risk_row(r) for r in risks_for(Intervention.GPI_DBS)),
            "The reference gives no rates for the common side effects of deep brain "
            "stimulation, only that they were common in one trial [39].",
        ),
        Option(
            "toxin", "Continuing botulinum toxin injections",
            "Carrying on with injections into the neck muscles, usually no more often than "
            "every 12 weeks [15][19]. If the injections work less well, the team may review "
            "the muscles, the guidance and the dose, or change product [20].",
            _outcomes(("BONT_",)),
            "The risk catalogue holds no outcome figures for continuing injections, only the "
            "service's statement that they help many [48].",
            tuple(_risk_row(r) for r in risks_for(Intervention.BOTULINUM_TOXIN)),
            "Whether and when the injections stop working for you cannot be predicted; "
            "shortening of the effect is usually the first sign [20][23].",
        ),
        Option(
            "none", "Doing nothing more",
            "Stopping treatment, or not starting a new one; the patient can come back to the "
            "team at any time. Dystonia is usually lifelong [49].",
            _outcomes(("NONE_",)),
            "About 20% of cervical dystonia remits without treatment [24].",
            (),
            "Whether the dystonia will remit, stay or progress cannot be predicted for one "
            "person [1][24].",
        ),
    )


@dataclass(frozen=True)
class AidVersion:
    """Which version of the decision aid: patient or clinician, its edition's identifier,
    production and next review dates and content fingerprint. Stored with counselling."""

    kind: str
    version: str
    produced_on: datetime.date
    review_by: datetime.date
    fingerprint: str
    released: bool = True

    @property
    def label(self) -> str:
        return AID_KINDS[self.kind]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "version": self.version,
                "produced_on": self.produced_on.isoformat(),
                "review_by": self.review_by.isoformat(), "fingerprint": self.fingerprint}


AID_PATIENT, AID_CLINICIAN = "patient", "clinician"
AID_KINDS = {AID_PATIENT: "Patient version (plain English)",
             AID_CLINICIAN: "Clinician version (figures and sources)"}


@dataclass(frozen=True)
class DecisionAid:
    """Everything the decision-aid page and its printed copy show (the clinician version)."""

    version: str
    produced_on: datetime.date
    digest: str
    condition: str
    decision: str
    options: tuple[Option, ...]
    recovery: tuple[str, ...]
    uncertainty: str
    questions: tuple[ValuesQuestion, ...]
    update_policy: str
    funding: str
    review_by: datetime.date | None = None
    review_note: str = AID_REVIEW_POLICY_NOTE


def _clinician_content() -> DecisionAid:
    """The clinician version's content, without its version (which depends on it)."""
    return DecisionAid(
        version="",
        produced_on=datetime.date.min,
        digest=catalogue_digest(),
        condition=(
            "Dystonia makes muscles tighten when you do not want them to, causing movements "
            "or fixed positions [1]. In cervical dystonia this affects the neck, so the head "
            "turns, tilts or is pulled forwards or backwards [2]."),
        decision=(
            "Your team has discussed selective peripheral denervation with you. The decision "
            "is whether to have this operation, to think about deep brain stimulation "
            "instead, or to carry on with botulinum toxin injections. There is no right "
            "answer for everyone: it depends on what matters to you [43]."),
        options=decision_aid_options(),
        recovery=(
            "After selective denervation, physiotherapy starts early and follows a "
            "structured programme to rebuild neck strength and control [25][27][45].",
            PHYSIOTHERAPY_PROGRAMME_NOTE,
            "Numb patches on the back of the head are expected [28]. Swallowing can be "
            "difficult for a while; this is usually temporary and rarely permanent [28].",
        ),
        uncertainty=(
            "Nobody can tell you exactly what will happen to you. The figures below come "
            "from groups of other people, in studies of different sizes and lengths, so they "
            "are shown one by one with who they counted and never combined [24][43]."),
        questions=VALUES_QUESTIONS,
        update_policy=(
            "This aid is rebuilt from the service's risk catalogue. The version and catalogue "
            "fingerprint below are stored with each counselling record, so the team knows "
            "exactly which figures you saw."),
        funding="Funding source and conflicts of interest: stated by the local service "
                "(local policy, needs sign-off).",
    )


def patient_aid_content() -> PatientAid:
    """The patient version, with the values-clarification questions of counselling."""
    return patient_decision_aid(tuple(q.question for q in VALUES_QUESTIONS))


def aid_fingerprint() -> str:
    """A fingerprint of the whole aid: both versions' words and the risk catalogue."""
    return _digest({"clinician": dataclasses.asdict(_clinician_content()),
                    "patient": dataclasses.asdict(patient_aid_content())})


def _review_date(produced_on: datetime.date) -> datetime.date:
    try:
        return produced_on.replace(year=produced_on.year + AID_REVIEW_INTERVAL_YEARS)
    except ValueError:  # 29 February
        return produced_on.replace(year=produced_on.year + AID_REVIEW_INTERVAL_YEARS, day=28)


def aid_version(kind: str) -> AidVersion:
    """The current edition of the aid, as the `kind` version ("patient" or "clinician").
    Content not yet recorded as an edition is a draft of the next one, and says so."""
    if kind not in AID_KINDS:
        raise ValueError(f"unknown decision aid version {kind!r}; allowed: {', '.join(AID_KINDS)}")
    fingerprint = aid_fingerprint()
    number, produced_on, _ = AID_EDITIONS[-1]
    released = any(fingerprint.startswith(e[2]) for e in AID_EDITIONS[-1:])
    edition = str(number) if released else f"{number + 1}-draft"
    return AidVersion(kind, f"{DECISION_AID_SERIES}/{edition}-{kind}", produced_on,
                      _review_date(produced_on), fingerprint[:16], released)


def aid_versions() -> dict[str, AidVersion]:
    return {kind: aid_version(kind) for kind in AID_KINDS}


def decision_aid() -> DecisionAid:
    """The clinician version, with its version, production and review dates."""
    version = aid_version(AID_CLINICIAN)
    return dataclasses.replace(_clinician_content(), version=version.version,
                               produced_on=version.produced_on, review_by=version.review_by)


def shown_versions_text(shown: list[dict]) -> str:
    """The versions of the aid a patient saw, for a page or a form: 'collis-decision-aid/2-
    patient (produced 2 December 2026)'; says so when none were recorded."""
    if not shown:
        return "Not recorded (counselling from before the versions seen were recorded)"
    return "; ".join(f"{v['version']} (produced "
                     f"{date_long(datetime.date.fromisoformat(v['produced_on']))})"
                     for v in shown)


def plan_rows(plan) -> list[dict]:
    """A planned denervation as rows for a table: muscle, side and nerve target."""
    rows = []
    for entry in plan or []:
        rows.append({"muscle": str(entry.get("muscle", "")).replace("_", " "),
                     "side": str(entry.get("side", "")).replace("_", " "),
                     "target": str(entry.get("target", ""))})
    return rows


def counselling_pathway_notice(episode) -> str:
    """What the counselling form says when saving it also moves the episode (the pathway
    table's first move of recording counselling from the episode's state); "" otherwise."""
    if first_move(Task.RECORD_COUNSELLING, episode.state) is None:
        return ""
    return f"Saving this starts counselling on the pathway for episode {episode.pk}."


def status_words(record) -> str:
    """'amended' or 'marked entered in error' for a corrected entry; "" for a current one."""
    return {"amended": "amended", "entered_in_error": "marked entered in error"}.get(
        record.record_status, "")


def correction_note(record) -> str:
    """What a page says of a corrected entry: when, by whom and why."""
    words = status_words(record)
    if not words:
        return ""
    return (f"This entry was {words} on {datetime_long(record.status_changed_at)} by "
            f"{record.status_changed_by.display_name}: {record.status_reason}")


def consent_counselling_note(consent) -> str:
    """Said with a consent whose counselling session was corrected after it was taken: the
    consent stays bound to the session, and the risks, as they were disclosed then."""
    session = consent.counselling
    words = status_words(session)
    if not words:
        return ""
    return (f"The counselling session of {date_long(session.held_on)} that this consent rests "
            f"on was {words} after consent was taken ({session.status_reason}). The consent "
            f"lists the risks as they were disclosed at that session; review it with the "
            f"patient.")


def counselling_initial(session) -> dict:
    """The counselling form's values that show a session (to correct it)."""
    initial = {"held_on": session.held_on, "notes": session.notes,
               "aids_shown": [v["kind"] for v in session.decision_aids_shown]}
    initial |= {f"values_{a['code']}": a.get("answer", "") for a in session.values_answers}
    disclosed = {d.risk_code: d for d in session.disclosures.all()}
    initial |= {f"risk_{r.code}": ("not_discussed" if r.code not in disclosed else
                                   "understood" if disclosed[r.code].acknowledged else
                                   "discussed")
                for r in risks_for(Intervention.SELECTIVE_DENERVATION)}
    return initial


def counselling_rows(session) -> list[tuple[str, str]]:
    """A short description of a session, for the entered-in-error page."""
    disclosures = list(session.disclosures.all())
    acknowledged = sum(1 for d in disclosures if d.acknowledged)
    return [("Date of the counselling session", date_long(session.held_on)),
            ("Recorded", f"{datetime_long(session.created_at)} by "
                         f"{session.created_by.display_name}"),
            ("Risks acknowledged", f"{acknowledged} of {len(disclosures)}")]


# -- The consent form (the sections of the NHS "Consent form 1" for adults with capacity) --
ALTERNATIVES = {
    Intervention.GPI_DBS.value: "Deep brain stimulation (GPi-DBS)",
    Intervention.BOTULINUM_TOXIN.value: "Continuing botulinum toxin injections",
    Intervention.NO_FURTHER_TREATMENT.value: "No further treatment",
}
# Selective denervation is done under general anaesthetic [47].
ANAESTHETIC = "General anaesthetic"
PROFESSIONAL_STATEMENT = (
    "I have explained the operation to the patient: what it involves, the benefits I expect "
    "it to bring, the serious or frequent risks, any extra procedures that may become "
    "necessary and the alternatives, including no treatment. I have given the patient the "
    "decision aid and answered their questions.")
PATIENT_STATEMENT = (
    "I agree to the operation described on this form. I have been told about the benefits, "
    "the risks and the alternatives, including no treatment, and I have had time to think. "
    "I understand that I can change my mind at any time before the operation.")
CAPACITY_NOTE = (
    "This form is for adults who have the capacity to consent to the operation. Where the "
    "patient lacks capacity to consent, this form does not apply: decisions are then made "
    "in the patient's best interests under the law on mental capacity, and recorded on the "
    "form for that.")
SIDE_WORDS = {"left": "left side", "right": "right side", "bilateral": "both sides"}


def procedure_plain(plan) -> str:
    """The planned operation in plain words, with the side or sides: 'An operation under
    general anaesthetic to cut the nerves to these neck muscles, so that they stop pulling:
    sternocleidomastoid (left side); splenius capitis (right side). Sides: both sides.'"""
    rows = plan_rows(plan)
    if not rows:
        return ("An operation under general anaesthetic to cut the nerves to the neck muscles "
                "that pull too much, so that they stop pulling. No plan of the muscles and "
                "sides was recorded.")
    muscles = "; ".join(f"{r['muscle']} ({SIDE_WORDS.get(r['side'], r['side'])})"
                        for r in rows)
    sides = {r["side"] for r in rows}
    if "bilateral" in sides or {"left", "right"} <= sides:
        sides_text = "both sides"
    else:
        sides_text = " and ".join(SIDE_WORDS.get(s, s) for s in sorted(sides))
    return (f"An operation under general anaesthetic to cut the nerves to these neck "
            f"muscles, so that they stop pulling: {muscles}. Side: {sides_text}.")


def alternatives_text(codes) -> str:
    return "; ".join(ALTERNATIVES.get(c, c) for c in codes) or "Not recorded"


def yes_no_text(value, yes: str = "Yes", no: str = "No") -> str:
    return "Not recorded" if value is None else (yes if value else no)


def understanding_rows(consent) -> list[dict]:
    """Each risk on the consent with the day it was discussed and the day the patient
    confirmed they understood it (both, when they differ)."""
    rows = []
    for r in consent.risks_understood:
        discussed = datetime.date.fromisoformat(r["discussed_on"])
        confirmed = datetime.date.fromisoformat(r["confirmed_on"])
        when = (f"Discussed and understood on {date_long(confirmed)}" if discussed == confirmed
                else f"Discussed on {date_long(discussed)}; understood on "
                     f"{date_long(confirmed)}")
        rows.append({**r, "when": when})
    return rows


def understanding_so_far(understanding: dict) -> list[dict]:
    """For the consent page: each risk of SD with the day it was discussed and the day it
    was understood, or what is still missing."""
    rows = []
    for r in risks_for(Intervention.SELECTIVE_DENERVATION):
        entry = understanding.get(r.code)
        discussed = date_long(entry["discussed"][0].held_on) if entry else "Not yet discussed"
        confirmed = (date_long(entry["confirmed"][0].held_on) if entry and entry["confirmed"]
                     else "Not yet understood")
        rows.append({"name": r.name, "discussed": discussed, "confirmed": confirmed,
                     "ready": bool(entry and entry["confirmed"])})
    return rows

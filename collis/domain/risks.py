"""One catalogue of the risks of SD, GPi-DBS and continuing botulinum toxin (§5, §6, §7).

This is the single source that consent forms and the decision aid use. Every figure is
kept as the reference gives it, with what it is a proportion of and its source; ranges are
never collapsed into one number, and figures from different series are never merged.
Series sizes come from the reference's outcomes table; where the reference does not say
that a series size is the denominator of a figure, ``denominator`` stays None and the
series is named in ``population``. Each risk has a stable code and a plain-English
description for patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intervention(StrEnum):
    SELECTIVE_DENERVATION = "selective_denervation"
    GPI_DBS = "gpi_dbs"
    BOTULINUM_TOXIN = "botulinum_toxin"
    # Doing nothing more (stopping treatment): an option of the decision aid [43], with no
    # risks of its own in the catalogue, only what the reference says of the condition.
    NO_FURTHER_TREATMENT = "no_further_treatment"


@dataclass(frozen=True, slots=True)
class RiskFigure:
    """A figure exactly as the reference gives it, with its population and sources."""

    text: str
    sources: tuple[int, ...]
    population: str
    numerator: int | None = None
    denominator: int | None = None
    percent_low: float | None = None
    percent_high: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "text": self.text,
            "population": self.population,
            "sources": list(self.sources),
        }
        for key in ("numerator", "denominator", "percent_low", "percent_high"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True, slots=True)
class Risk:
    code: str
    intervention: Intervention
    name: str
    patient_description: str
    sources: tuple[int, ...]
    figures: tuple[RiskFigure, ...] = ()
    frequency_note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "intervention": str(self.intervention),
            "name": self.name,
            "patient_description": self.patient_description,
            "sources": list(self.sources),
            "figures": [f.as_dict() for f in self.figures],
            "frequency_note": self.frequency_note,
        }


NO_FIGURE = "The reference gives no figure."
SD, DBS, BONT = (
    Intervention.SELECTIVE_DENERVATION,
    Intervention.GPI_DBS,
    Intervention.BOTULINUM_TOXIN,
)

RISKS: tuple[Risk, ...] = (
    # Selective peripheral denervation (§6)
    Risk(
        "SD_OCCIPITAL_NUMBNESS",
        SD,
        "Occipital numbness",
        "Numb patches on the back of the head are expected after this operation. In one series "
        "every patient had some numbness there.",
        (28,),
        (
            RiskFigure(
                "in all patients in one series",
                (28,),
                "patients in the Munchau series",
                percent_low=100,
                percent_high=100,
                note="The reference does not give the series size for this figure.",
            ),
        ),
    ),
    Risk(
        "SD_DYSAESTHESIA",
        SD,
        "Dysaesthesia, twitching or tic-like pain, pins and needles",
        "Unpleasant or changed feelings in the neck or scalp, such as pins and needles, twitching "
        "or sudden tic-like pains.",
        (25, 28),
        frequency_note=NO_FIGURE,
    ),
    Risk(
        "SD_NECK_TIGHTNESS_SWELLING",
        SD,
        "Neck tightness or swelling",
        "The neck may feel tight or become swollen.",
        (25, 28),
        frequency_note=NO_FIGURE,
    ),
    Risk(
        "SD_THROAT_ABSCESS",
        SD,
        "Tonsillar or throat abscess",
        "An abscess (a collection of pus) in the throat or tonsil area.",
        (25, 28),
        frequency_note=NO_FIGURE,
    ),
    Risk(
        "SD_SWALLOWING_DIFFICULTY",
        SD,
        "Swallowing difficulty (dysphagia)",
        "Difficulty swallowing, usually temporary and rarely permanent. In one study, 3 of 12 "
        "people had new swallowing problems on an X-ray swallow test after the operation.",
        (28,),
        (
            RiskFigure(
                "new dysphagia on videofluoroscopy in 3 of 12",
                (28,),
                "patients who had videofluoroscopy in the Munchau series",
                numerator=3,
                denominator=12,
                percent_low=25,
                percent_high=25,
            ),
        ),
        frequency_note="Usually temporary, rarely permanent.",
    ),
    Risk(
        "SD_HAEMATOMA",
        SD,
        "Haematoma",
        "Bleeding under the wound that forms a collection of blood (haematoma).",
        (26, 31),
        frequency_note=NO_FIGURE,
    ),
    Risk(
        "SD_INFECTION",
        SD,
        "Wound infection",
        "Infection of the wound.",
        (26, 31),
        frequency_note=NO_FIGURE,
    ),
    Risk(
        "SD_TRAPEZIUS_WEAKNESS",
        SD,
        "Trapezius weakness",
        "Weakness of the trapezius, a muscle that lifts and steadies the shoulder.",
        (26, 31),
        frequency_note=NO_FIGURE,
    ),
    Risk(
        "SD_DEATH_OR_SYSTEMIC_EVENT",
        SD,
        "Death or other systemic events",
        "Serious complications affecting the whole body can happen. In one series of 168 patients, "
        "one person died and others had serious general complications.",
        (27,),
        (
            RiskFigure(
                "one death in 168",
                (27,),
                "patients in the Cohen-Gadol series",
                numerator=1,
                denominator=168,
            ),
        ),
        frequency_note="Other systemic events are reported without a count.",
    ),
    Risk(
        "SD_GENERAL_ANAESTHETIC",
        SD,
        "General anaesthetic risks",
        "The operation is done under a general anaesthetic, which has its own risks.",
        (27,),
        frequency_note="The reference lists general anaesthetic risks without a figure or a source "
        "of their own; "
        "cited to the source of the same line [27].",
    ),
    Risk(
        "SD_PERSISTENT_OR_RECURRENT",
        SD,
        "Persistent or recurrent symptoms; new muscles recruited",
        "The dystonia may not go away or may come back, or other neck muscles may start to pull "
        "instead (sometimes called 'mole-hitting'). In one series, nerves grew back or the pattern "
        "changed after 29% of operations.",
        (30, 36),
        (
            RiskFigure(
                "reinnervation or changed pattern after 29% of procedures",
                (30,),
                "procedures in the Bergenheim series (61 procedures in 54 patients)",
                percent_low=29,
                percent_high=29,
            ),
        ),
    ),
    Risk(
        "SD_REOPERATION",
        SD,
        "Reoperation",
        "Some people need another operation. Different series report this in 2%, 6%, 10%, 26%, and "
        "in one series 38% to 63% of patients.",
        (25, 26, 27, 28, 29, 30),
        (
            RiskFigure(
                "2%", (25,), "Bertrand series (260 patients)", percent_low=2, percent_high=2
            ),
            RiskFigure("6%", (28,), "Munchau series (37 patients)", percent_low=6, percent_high=6),
            RiskFigure(
                "10%",
                (26, 27),
                "Braun series (50 patients) and Cohen-Gadol series (168 patients)",
                percent_low=10,
                percent_high=10,
            ),
            RiskFigure(
                "26%",
                (30,),
                "Bergenheim series (54 patients, 61 procedures)",
                percent_low=26,
                percent_high=26,
            ),
            RiskFigure(
                "up to 38-63%",
                (29,),
                "Meyer series (size not given in the reference)",
                percent_low=38,
                percent_high=63,
            ),
        ),
        frequency_note="Figures differ by series; they are shown separately, never combined.",
    ),
    # GPi-DBS (§7)
    Risk(
        "DBS_DYSARTHRIA",
        DBS,
        "Dysarthria",
        "Speech may become slurred or harder to understand.",
        (39,),
        frequency_note="A common adverse effect in a randomised trial of 62 patients [39]; the "
        "reference gives "
        "no figure.",
    ),
    Risk(
        "DBS_DYSKINESIA",
        DBS,
        "Dyskinesia",
        "Extra, unwanted movements.",
        (39,),
        frequency_note="A common adverse effect in a randomised trial of 62 patients [39]; the "
        "reference gives "
        "no figure.",
    ),
    Risk(
        "DBS_DEPRESSION",
        DBS,
        "Depression",
        "Low mood or depression.",
        (39,),
        frequency_note="A common adverse effect in a randomised trial of 62 patients [39]; the "
        "reference gives "
        "no figure.",
    ),
    Risk(
        "DBS_SURGICAL_ADVERSE_EVENTS",
        DBS,
        "Surgical adverse events",
        "Any operation has surgical risks. A large analysis of 2,032 patients found fewer surgical "
        "complications with deep brain stimulation than with selective denervation.",
        (33,),
        frequency_note="Comparative only: fewer surgical adverse events than SD in a network "
        "meta-analysis "
        "(n=2,032) [33]; the reference gives no rate.",
    ),
    # Continuing botulinum toxin (§5)
    Risk(
        "BONT_DYSPHAGIA",
        BONT,
        "Swallowing difficulty after injections",
        "Difficulty swallowing after injections. With one product (onabotulinumtoxinA) it was "
        "reported in 19% of people; smaller doses into the sternocleidomastoid may reduce it.",
        (13,),
        (
            RiskFigure(
                "dysphagia 19%",
                (13,),
                "onabotulinumtoxinA cervical dystonia safety data",
                percent_low=19,
                percent_high=19,
                note="SCM <= 100 U may reduce dysphagia [13].",
            ),
        ),
    ),
    Risk(
        "BONT_LOSS_OF_RESPONSE",
        BONT,
        "Loss of response",
        "The injections may work less well over time; a shorter effect is usually the first sign. "
        "About 20% of people eventually stop them, mostly because they stop working, and partial "
        "loss of effect was reported in 14.5% over 9 years.",
        (19, 20, 22, 23),
        (
            RiskFigure(
                "about 20% eventually stop BoNT, mostly because it stops working",
                (19, 20),
                "patients treated with BoNT",
                percent_low=20,
                percent_high=20,
            ),
            RiskFigure(
                "partial secondary failure 14.5% over 9 years",
                (22,),
                "patients followed for 9 years",
                percent_low=14.5,
                percent_high=14.5,
            ),
        ),
        frequency_note="Shortening duration is the first sign, usually within 2-3 years [20][23].",
    ),
    Risk(
        "BONT_NEUTRALISING_ANTIBODIES",
        BONT,
        "Neutralising antibodies",
        "The body can make antibodies that stop the toxin working; this is more likely when "
        "injections are less than 12 weeks apart. Tests find antibodies in 1.2% to 40% of people, "
        "depending on the test.",
        (15, 19, 20, 21, 22),
        (
            RiskFigure(
                "1.2-40% positive depending on assay",
                (20, 21, 22),
                "patients tested with antibody assays",
                percent_low=1.2,
                percent_high=40,
                note="Only about half of treatment failures have antibodies [20].",
            ),
        ),
        frequency_note="Shorter re-injection intervals raise the risk [15][19].",
    ),
)

RISKS_BY_CODE: dict[str, Risk] = {r.code: r for r in RISKS}


def risks_for(intervention: Intervention | str) -> tuple[Risk, ...]:
    """The catalogued risks of one intervention, in catalogue order."""
    wanted = Intervention(intervention)
    return tuple(r for r in RISKS if r.intervention is wanted)


def risk(code: str) -> Risk:
    """One risk by its stable code (KeyError names the allowed codes)."""
    try:
        return RISKS_BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown risk code {code!r}; allowed: {', '.join(RISKS_BY_CODE)}") from None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A published outcome, as the reference's outcomes table gives it."""

    code: str
    intervention: Intervention
    series: str
    n: str
    result: str
    follow_up: str
    sources: tuple[int, ...]


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "SD_BERTRAND", SD, "Bertrand", "260", "88% total or marked relief", "not stated", (25,)
    ),
    Outcome("SD_BRAUN", SD, "Braun", "50", "76% significant improvement", "25 months", (26,)),
    Outcome(
        "SD_MUNCHAU",
        SD,
        "Munchau",
        "37",
        "68% functionally relevant; TWSTRS -30%",
        "16.7 months",
        (28,),
    ),
    Outcome(
        "SD_COHEN_GADOL",
        SD,
        "Cohen-Gadol",
        "168",
        "77% head position, 81% pain improved at 3 months; >= 70% kept benefit",
        "3.4 years",
        (27,),
    ),
    Outcome(
        "SD_BERGENHEIM",
        SD,
        "Bergenheim",
        "54 (61 procedures)",
        "Tsui 10 -> 4.5 at 6 months (-57%), 5.3 late (-45%)",
        "42 months",
        (30,),
    ),
    Outcome(
        "SD_VS_DBS_CONTARINO",
        SD,
        "Contarino",
        "SD 20 vs DBS 15",
        "bad/fair/marked 65/30/5% (SD) vs 13/27/60% (DBS)",
        "long-term",
        (31,),
    ),
    Outcome(
        "SD_VS_DBS_RAVINDRAN",
        SD,
        "Ravindran meta-analysis",
        "SD 690, DBS 180",
        "effect size 1.54 (SD) vs 2.07 (DBS)",
        "31.5 months",
        (32,),
    ),
    Outcome(
        "SD_VS_DBS_NETWORK",
        SD,
        "Network meta-analysis",
        "2,032",
        "favours GPi-DBS over SD by about 7 TWSTRS points, with fewer surgical adverse events",
        "not stated",
        (33,),
    ),
    Outcome(
        "SD_ERADICATION_QUOTE",
        SD,
        "UK surgeon (Dystonia UK)",
        "not stated",
        '"maybe 40%" chance of eradicating the dystonia',
        "not stated",
        (37,),
    ),
    Outcome(
        "DBS_VOLKMANN_RCT",
        DBS,
        "Volkmann RCT",
        "62",
        "severity -26% with stimulation vs -6% sham",
        "3 months",
        (39,),
    ),
    Outcome(
        "BONT_HELPS_MANY",
        BONT,
        "The unit's patient information",
        "not stated",
        "medication and toxin help many; some find them insufficient over time",
        "not stated",
        (48,),
    ),
    Outcome(
        "NONE_REMISSION",
        Intervention.NO_FURTHER_TREATMENT,
        "Cervical dystonia without treatment",
        "not stated",
        "about 20% remit without treatment",
        "not stated",
        (24,),
    ),
    Outcome(
        "DBS_OPEN_SERIES",
        DBS,
        "Open series",
        "not stated",
        "severity -51% to -70%; a lateral shift predicts less benefit",
        "not stated",
        (40,),
    ),
)


# -- The same catalogue in a patient's words (the patient decision aid) --------------------
# Plain words for each risk and result, for a reading age of about 11 [43]. No numbers are
# written here for risks: each sentence has '{frequency}' where the natural frequency of the
# catalogue's figure goes (collis.domain.natural_frequency). Results carry the percentage
# from their outcome's `result` text (a test checks that the text holds it).
@dataclass(frozen=True, slots=True)
class PlainRisk:
    """A risk in a patient's words: a short name, what it means, one sentence per figure of
    the catalogue (in order), or one sentence for the span of all its figures, and a note
    (said where there is no figure, or after the figures)."""

    name: str
    description: str
    figure_words: tuple[str, ...] = ()
    span_words: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PlainResult:
    """One result of an outcome in a patient's words, for the option it describes: with
    '{frequency}' for the percentage (or none, for a statement without a number)."""

    intervention: Intervention
    words: str
    percent_low: float | None = None
    percent_high: float | None = None
    qualifier: str = "about"


_COMMON_NO_FIGURE = "This was common in one study, but we do not have a figure for how often."

PLAIN_RISKS: dict[str, PlainRisk] = {
    "SD_OCCIPITAL_NUMBNESS": PlainRisk(
        "Numb skin on the back of the head",
        "Patches of skin on the back of your head will feel numb. This is expected.",
        ("In one study, {frequency} people had some numbness there.",)),
    "SD_DYSAESTHESIA": PlainRisk(
        "Odd feelings or pain in the neck",
        "Your neck or scalp may tingle or twitch. You may get sudden sharp pains."),
    "SD_NECK_TIGHTNESS_SWELLING": PlainRisk(
        "A tight or swollen neck", "Your neck may feel tight or full. It may swell."),
    "SD_THROAT_ABSCESS": PlainRisk(
        "An abscess in the throat", "A pocket of pus can form in your throat."),
    "SD_SWALLOWING_DIFFICULTY": PlainRisk(
        "Trouble swallowing",
        "It may be hard to swallow for a while. This usually gets better. It is rare for it "
        "to last.",
        ("In one small study, {frequency} people had new swallowing problems on an X-ray "
         "test.",)),
    "SD_HAEMATOMA": PlainRisk("Bleeding under the wound", "Blood can collect under the wound."),
    "SD_INFECTION": PlainRisk("Wound infection", "The wound can get infected."),
    "SD_TRAPEZIUS_WEAKNESS": PlainRisk(
        "A weak shoulder muscle", "The muscle that lifts your shoulder can become weak."),
    "SD_DEATH_OR_SYSTEMIC_EVENT": PlainRisk(
        "Serious illness or death",
        "Any operation can cause serious illness in the whole body. It can also cause death.",
        ("In one study, {frequency} people died.",),
        note="Other serious illness happened in that study too. It did not say how often."),
    "SD_GENERAL_ANAESTHETIC": PlainRisk(
        "Risks of the anaesthetic",
        "You are asleep for the operation. This is called a general anaesthetic. It has its "
        "own risks."),
    "SD_PERSISTENT_OR_RECURRENT": PlainRisk(
        "Symptoms that stay or come back",
        "The pulling may not stop, or it may come back. Other neck muscles may start to pull "
        "instead.",
        ("In one study, nerves grew back or the pulling changed after {frequency} "
         "operations.",)),
    "SD_REOPERATION": PlainRisk(
        "Another operation", "Some people need a second operation.",
        span_words="Studies differ a lot. In them, {frequency} people needed another "
                   "operation."),
    "DBS_DYSARTHRIA": PlainRisk(
        "Unclear speech", "Your speech may become slurred or harder to understand.",
        note=_COMMON_NO_FIGURE),
    "DBS_DYSKINESIA": PlainRisk(
        "Extra movements", "Your body may make extra movements you do not want.",
        note=_COMMON_NO_FIGURE),
    "DBS_DEPRESSION": PlainRisk("Low mood", "You may feel low or sad for a long time.",
                                note=_COMMON_NO_FIGURE),
    "DBS_SURGICAL_ADVERSE_EVENTS": PlainRisk(
        "Problems from the operation", "Any operation can cause problems.",
        note="A large review found fewer problems from this operation than from selective "
             "denervation. It did not say how often they happen."),
    "BONT_DYSPHAGIA": PlainRisk(
        "Trouble swallowing", "It may be hard to swallow after an injection.",
        ("With one type of injection, {frequency} people had trouble swallowing.",),
        note="A smaller dose in one of the neck muscles may make this less likely."),
    "BONT_LOSS_OF_RESPONSE": PlainRisk(
        "Injections stop working as well",
        "The injections may work less well over time. The first sign is that each one wears "
        "off sooner.",
        ("In the end, {frequency} people stop having the injections. This is mostly because "
         "they stop working.",
         "Over 9 years, {frequency} people found the injections partly stopped working.")),
    "BONT_NEUTRALISING_ANTIBODIES": PlainRisk(
        "Your body fights the toxin",
        "Your body can make antibodies that stop the toxin working. This is more likely if "
        "the injections are close together.",
        ("Tests find these antibodies in {frequency} people. It depends on the test.",)),
}

PLAIN_RESULTS: dict[str, tuple[PlainResult, ...]] = {
    "SD_BERTRAND": (PlainResult(
        SD, "In a study of 260 people, {frequency} people were much better or fully better.",
        88),),
    "SD_BRAUN": (PlainResult(
        SD, "In a study of 50 people, {frequency} people were much better about 2 years "
            "later.", 76),),
    "SD_MUNCHAU": (PlainResult(
        SD, "In a study of 37 people, {frequency} people had a change that made a real "
            "difference to daily life.", 68),),
    "SD_COHEN_GADOL": (
        PlainResult(SD, "In a study of 168 people, {frequency} people held their head "
                        "better 3 months later.", 77),
        PlainResult(SD, "In the same study, {frequency} people had less pain 3 months "
                        "later.", 81),
        PlainResult(SD, "About 3 years later, {frequency} people were still better.", 70,
                    qualifier="at least"),
    ),
    "SD_VS_DBS_CONTARINO": (
        PlainResult(SD, "In one small study that compared the two operations, {frequency} "
                        "people were much better after selective denervation.", 5),
        PlainResult(DBS, "In one small study that compared the two operations, {frequency} "
                         "people were much better after deep brain stimulation.", 60),
    ),
    "SD_VS_DBS_NETWORK": (
        PlainResult(SD, "A large review found that deep brain stimulation helped a little "
                        "more than selective denervation."),
        PlainResult(DBS, "A large review found that deep brain stimulation helped a little "
                         "more than selective denervation."),
    ),
    "SD_ERADICATION_QUOTE": (PlainResult(
        SD, "A surgeon in the UK says the dystonia goes away fully for {frequency} people.",
        40, qualifier="maybe"),),
    "DBS_VOLKMANN_RCT": (PlainResult(
        DBS, "In a trial of 62 people, symptoms eased more with the stimulator on than with "
             "it off."),),
    "DBS_OPEN_SERIES": (PlainResult(
        DBS, "Other studies found bigger changes. People whose head is shifted to one side "
             "may gain less."),),
    "BONT_HELPS_MANY": (PlainResult(
        BONT, "Injections help many people. Some find they help less over time."),),
    "NONE_REMISSION": (PlainResult(
        Intervention.NO_FURTHER_TREATMENT,
        "Without treatment, {frequency} people find their neck dystonia goes away.", 20),),
}


def plain_risk(code: str) -> PlainRisk:
    """A risk in a patient's words (KeyError for a code with none)."""
    return PLAIN_RISKS[code]


def figure_percents(figure: RiskFigure) -> tuple[float, float]:
    """A catalogue figure as a percentage range: its percentages, or its count of people
    out of its denominator."""
    if figure.percent_low is not None:
        high = figure.percent_high if figure.percent_high is not None else figure.percent_low
        return figure.percent_low, high
    if figure.numerator is not None and figure.denominator:
        share = 100 * figure.numerator / figure.denominator
        return share, share
    raise ValueError(f"figure {figure.text!r} has no percentage and no count")


def plain_figures(code: str) -> tuple[tuple[str, float, float], ...]:
    """The risk's plain sentences with the percentages each stands for: one per catalogue
    figure, or one for the span of them all (lowest to highest, a range, never merged into
    one number)."""
    words, figures = plain_risk(code), risk(code).figures
    if words.span_words:
        spans = [figure_percents(f) for f in figures]
        return ((words.span_words, min(s[0] for s in spans), max(s[1] for s in spans)),)
    return tuple((sentence, *figure_percents(figure))
                 for sentence, figure in zip(words.figure_words, figures, strict=True))

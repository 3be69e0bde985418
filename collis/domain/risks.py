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
        "DBS_OPEN_SERIES",
        DBS,
        "Open series",
        "not stated",
        "severity -51% to -70%; a lateral shift predicts less benefit",
        "not stated",
        (40,),
    ),
)

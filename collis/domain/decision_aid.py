"""The patient decision aid in plain English, built from the risk catalogue.

IPDAS [43]: it describes the condition, states the decision, lists the options (selective
denervation, deep brain stimulation, continuing botulinum toxin and doing nothing more),
says what each involves and gives its benefits and risks under the same headings, with
natural frequencies on one denominator (collis.domain.natural_frequency), what recovery
and physiotherapy involve, what is uncertain and questions about what matters to the
patient. It is written for a reading age of about 11: short sentences, no source brackets
and no effect sizes; the sources are listed at the end. Every number comes from the
catalogue (collis.domain.risks); the words around them follow the clinical reference's
sections 2, 5, 6, 7 and 10 [1][2][15][19][20][24][25][28][39][47][48][49].
"""

from __future__ import annotations

from dataclasses import dataclass

from collis.domain.natural_frequency import (
    NO_FIGURE_WORDS,
    frequency_sentence,
    natural_frequency,
)
from collis.domain.risks import (
    OUTCOMES,
    PLAIN_RESULTS,
    Intervention,
    PlainResult,
    plain_figures,
    plain_risk,
    risks_for,
)

# The reference's sources, as its list names them, for the aid's last page.
SOURCE_TITLES: dict[int, str] = {
    1: "Albanese 2013, Mov Disord doi:10.1002/mds.25475.",
    2: "Jost 2020, J Neural Transm PMID 31828512.",
    13: "onabotulinumtoxinA CD safety data.",
    15: "Poliziani 2016 doi:10.2147/PPA.S106560.",
    19: "Evidente & Pappert 2014.",
    20: "Marion 2016, Pract Neurol 16:288 (BNN).",
    21: "EDB test doi:10.1002/mds.21051.",
    22: "Hefter 2014 doi:10.1007/s00702-013-1127-5.",
    23: "Toxins 2021;13:511.",
    24: "NICE IPG80.",
    25: "Bertrand 1993 PMID 8362358.",
    26: "Braun 1994 PMID 7936153; 1995 PMID 8530977.",
    27: "Cohen-Gadol 2003 J Neurosurg 98:1247.",
    28: "Munchau 2001 Brain 124:769; JNNP 71:67.",
    29: "Meyer 2001 PMID 12378056.",
    30: "Bergenheim 2015 JNNP 86:1307.",
    31: "Contarino 2014 doi:10.1007/s00415-013-7188-4.",
    33: "Network meta-analysis of CD surgery (n=2,032).",
    36: "Taira 1997.",
    37: "Dystonia UK, selective denervation page.",
    39: "Volkmann 2014 Lancet Neurol doi:10.1016/S1474-4422(14)70143-7.",
    40: "PMID 17283323; PMID 22117556; Walsh 2013 PMID 23787946.",
    43: "Joseph-Williams 2014 PMID 23963501.",
    45: "Huh 2005.",
    47: "The unit's patient page on selective denervation, \"Selective denervation (SD)\".",
    48: "Patient page \"Cervical dystonia surgery benefits and risks\".",
    49: "The unit's dystonia service page, \"Dystonia\": what it is, diagnosis, treatment, "
        "locations, patient stories.",
}
# The sources of the aid's own words (beyond those of the catalogue entries it shows).
TEXT_SOURCES = (1, 2, 15, 19, 20, 24, 25, 27, 28, 39, 43, 45, 47, 48, 49)


@dataclass(frozen=True, slots=True)
class PatientRisk:
    name: str
    description: str
    how_often: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatientOption:
    """One option, under the same four headings as every other (equal detail [43])."""

    key: str
    title: str
    involves: tuple[str, ...]
    benefits: tuple[str, ...]
    risks: tuple[PatientRisk, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatientAid:
    title: str
    condition: tuple[str, ...]
    decision: tuple[str, ...]
    choices: tuple[str, ...]
    choosing: tuple[str, ...]
    uncertainty: tuple[str, ...]
    options: tuple[PatientOption, ...]
    recovery: tuple[str, ...]
    questions_intro: str
    questions: tuple[str, ...]
    about: tuple[str, ...]
    sources: tuple[str, ...]

    def text(self) -> str:
        """Everything the patient reads except the list of sources (titles of papers are
        not prose): what a readability formula is run over."""
        parts = [self.title, *self.condition, *self.decision, *self.choices,
                 *self.choosing, *self.uncertainty]
        for option in self.options:
            parts += [option.title, *option.involves, *option.benefits, *option.unknown]
            for r in option.risks:
                parts += [r.name + ".", r.description, *r.how_often]
        parts += [*self.recovery, self.questions_intro, *self.questions, *self.about]
        return "\n".join(parts)


def _result_sentence(result: PlainResult) -> str:
    if result.percent_low is None:
        return result.words
    return frequency_sentence(result.words, natural_frequency(
        result.percent_low, result.percent_high, result.qualifier))


def _benefits(intervention: Intervention) -> tuple[str, ...]:
    return tuple(_result_sentence(r) for o in OUTCOMES for r in PLAIN_RESULTS.get(o.code, ())
                 if r.intervention is intervention)


def _risk(code: str) -> PatientRisk:
    words = plain_risk(code)
    how_often = [frequency_sentence(sentence, natural_frequency(low, high))
                 for sentence, low, high in plain_figures(code)]
    how_often += [words.note] if words.note else []
    return PatientRisk(words.name, words.description, tuple(how_often or [NO_FIGURE_WORDS]))


def _no_treatment_risk() -> PatientRisk:
    """What doing nothing more risks: the condition carries on [49]; how often is the
    complement of the catalogue's remission figure [24]."""
    remission = PLAIN_RESULTS["NONE_REMISSION"][0]
    stays = natural_frequency(100 - remission.percent_low, qualifier=remission.qualifier)
    return PatientRisk(
        "Your symptoms carry on",
        "Dystonia usually lasts for life. Your pain and the pulling of your neck may carry "
        "on.",
        (frequency_sentence("Without treatment, it does not go away for {frequency} people.",
                            stays),))


def _option_risks(intervention: Intervention) -> tuple[PatientRisk, ...]:
    return tuple(_risk(r.code) for r in risks_for(intervention))


SD, DBS, BONT, NONE = (Intervention.SELECTIVE_DENERVATION, Intervention.GPI_DBS,
                       Intervention.BOTULINUM_TOXIN, Intervention.NO_FURTHER_TREATMENT)


def patient_options() -> tuple[PatientOption, ...]:
    """The four options, each with what it involves, its benefits, its risks and what is
    not known, from the catalogue."""
    return (
        PatientOption(
            "sd", "Selective denervation: an operation on the nerves of the neck",
            ("You are asleep for the operation.",
             "The surgeon cuts the small nerves to the neck muscles that pull too much. Then "
             "those muscles stop pulling.",
             "Only the muscles that cause your symptoms are treated. Tests before the "
             "operation show which ones they are.",
             "Afterwards you do exercises with a physiotherapist to make your neck strong."),
            _benefits(SD), _option_risks(SD),
            ("The studies were small. They did not all find the same thing.",
             "We cannot say which result you will get. It works best when the head turns "
             "to one side.")),
        PatientOption(
            "dbs", "Deep brain stimulation: an operation on the brain",
            ("You have an operation to put thin wires deep in your brain.",
             "A small battery device sends tiny pulses of electricity along the wires.",
             "The team changes the settings over time."),
            _benefits(DBS), _option_risks(DBS),
            ("Fewer studies have looked at this operation for neck dystonia.",
             "We do not know how often its side effects happen.")),
        PatientOption(
            "toxin", "Carrying on with injections",
            ("You keep having injections of botulinum toxin into your neck muscles.",
             "The injections stop the muscles tightening so much.",
             "You have them no more often than every 12 weeks or so.",
             "If they work less well, your team can change the muscles, the dose or the "
             "type of toxin."),
            _benefits(BONT), _option_risks(BONT),
            ("We cannot tell if or when the injections will stop working for you.",)),
        PatientOption(
            "none", "Doing nothing more",
            ("You stop treatment for your dystonia, or you do not start a new one.",
             "You can talk to your team again at any time."),
            _benefits(NONE), (_no_treatment_risk(),),
            ("We cannot tell if your dystonia will get better, stay the same or get worse.",)),
    )


def patient_decision_aid(questions: tuple[str, ...]) -> PatientAid:
    """The patient version, with these questions about what matters to the patient."""
    options = patient_options()
    sources = sorted({n for r in (*risks_for(SD), *risks_for(DBS), *risks_for(BONT))
                      for n in r.sources}
                     | {n for o in OUTCOMES if o.code in PLAIN_RESULTS for n in o.sources}
                     | set(TEXT_SOURCES))
    return PatientAid(
        title="Treatment choices for neck dystonia",
        condition=(
            "Dystonia is a condition of the brain and nerves. It makes muscles tighten when "
            "you do not want them to.",
            "This can cause spasms, pain and twisted positions.",
            "In neck dystonia, the neck muscles pull on the head. The head may turn or tilt. "
            "It may be pulled forward or back.",
            "It usually lasts for life. There is no cure, but treatment can ease it."),
        decision=(
            "Your team thinks an operation called selective denervation may help you.",
            "You need to decide what to do next. You have four choices:"),
        choices=tuple(o.title for o in options),
        choosing=(
            "There is no right choice for everyone. It depends on what matters most to you.",
            "You do not have to decide today."),
        uncertainty=(
            "Nobody can tell you for sure what will happen to you.",
            "The numbers here come from studies of other people. The studies were of "
            "different sizes and lengths. So each number is shown on its own.",
            "All the numbers say how many people in 100. This makes them easy to compare.",
            "Where we have no number, we say so."),
        options=options,
        recovery=(
            "You will have numb patches on the back of your head.",
            "It may be hard to swallow for a while. This usually gets better.",
            "A physiotherapist will see you soon after the operation.",
            "They will give you exercises to make your neck strong. The exercises also help "
            "you control your head.",
            "Your team will tell you how long the exercises go on for. Studies do not say how "
            "long this should be.",
            "Getting better can be hard work.",
            "After this, many people need no other treatment apart from the exercises."),
        questions_intro="Think about these questions. Talk about them with your team.",
        questions=questions,
        about=(
            "This leaflet is for people who are thinking about an operation for neck "
            "dystonia. It is not a replacement for talking to your team.",
            "It is checked and updated when the facts change, and at the latest by the date "
            "of the next review.",
            "Your team can tell you who paid for this leaflet."),
        sources=tuple(f"{n}. {SOURCE_TITLES[n]}" for n in sources),
    )

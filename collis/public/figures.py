"""Figures on the public pages, drawn at render time from the one risk catalogue
(collis/domain/risks.py), which the consent form and the decision aid also use. Page text
never types a figure: it names one with a placeholder, expanded here.

    {{risk:SD_SWALLOWING_DIFFICULTY}}  one risk's figures, each with its denominator and source
    {{risks:sd}}                       every risk of an intervention, as a list (sd, dbs, toxin)
    {{outcomes:sd}}                    the published series' results, as a table (sd, dbs)
    {{fact:toxin_interval_weeks}}      a figure from the domain (the usual re-injection interval)
    {{sources:all}}                    the list of every source the figures above cite

Each placeholder's expansion is kept with a page's figure history, so that the page can say
when a figure it shows changed (collis.public.services.page_figures_note)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass

from markupsafe import Markup

from collis.candidacy.presenters import reference_sources
from collis.domain import risks, toxin

PLACEHOLDER = re.compile(r"\{\{\s*(risk|risks|outcomes|fact|sources):([A-Za-z0-9_]+)\s*\}\}")
# A block placeholder alone in a paragraph replaces the paragraph.
BLOCK = re.compile(r"<p>\s*(\{\{\s*(?:risks|outcomes|sources):[A-Za-z0-9_]+\s*\}\})\s*</p>")

NO_FIGURE = "The published studies give no figure."
INTERVENTIONS = {"sd": risks.Intervention.SELECTIVE_DENERVATION,
                 "dbs": risks.Intervention.GPI_DBS,
                 "toxin": risks.Intervention.BOTULINUM_TOXIN}
OUTCOME_PREFIXES = {"sd": ("SD_BERTRAND", "SD_BRAUN", "SD_MUNCHAU", "SD_COHEN_GADOL",
                           "SD_BERGENHEIM"),
                    "dbs": ("DBS_",)}


def _facts() -> dict[str, tuple[str, tuple[int, ...]]]:
    """Figures of the domain other than risks and outcomes: (words, sources)."""
    return {"toxin_interval_weeks": (f"{toxin.USUAL_MIN_INTERVAL_WEEKS} weeks",
                                     tuple(toxin.USUAL_INTERVAL_SOURCES))}


class UnknownFigure(ValueError):
    """A placeholder that names no figure of the catalogue."""


def sources_html(sources) -> Markup:
    """Links to the numbered sources on the public sources page, e.g. "(source 28)"."""
    titles = reference_sources()
    links = [Markup('<a href="/information/sources/#source-{n}" title="{t}">{n}</a>').format(
        n=n, t=titles.get(n, f"Source {n}")) for n in sources]
    word = "source" if len(links) == 1 else "sources"
    return Markup("({} {})").format(word, Markup(", ").join(links))


def _figure_html(figure: risks.RiskFigure) -> Markup:
    parts = [Markup("{}, among {} ").format(figure.text, figure.population),
             sources_html(figure.sources)]
    note = public_note(figure.note)
    if note:
        parts.append(Markup(". {}").format(note))
    return Markup("").join(parts)


# Notes the catalogue writes for staff, as a reader needs them; notes about how the clinical
# reference cites a figure are for staff only.
READER_NOTES = {"The reference does not give the series size for this figure.":
                "The study does not say how many people this figure counts."}
STAFF_CLAUSE = re.compile(r";\s*the reference gives\s+no (?:figure|rate)\.?")
CITATION = re.compile(r"\s*(\[\d+\])+")


def public_note(note: str) -> str:
    """A catalogue note in words for readers, without citation marks ('' when it is about
    the reference itself)."""
    note = READER_NOTES.get(note, note)
    note = STAFF_CLAUSE.sub(".", note)
    if "reference" in note.lower():
        return ""
    return CITATION.sub("", note).strip()


def risk_figures_html(risk: risks.Risk) -> Markup:
    """A risk's figures, each with its denominator or population and source; or what the
    catalogue says when it has no figure."""
    note = public_note(risk.frequency_note)
    if not risk.figures:
        return Markup("{} {}").format(note or NO_FIGURE, sources_html(risk.sources))
    items = [Markup("<li>{}</li>").format(_figure_html(f)) for f in risk.figures]
    note = Markup("<p>{}</p>").format(note) if note else ""
    return Markup('<ul class="collis-figures">{}</ul>{}').format(Markup("").join(items), note)


def _risk_item(risk: risks.Risk) -> Markup:
    return Markup('<li data-risk="{code}"><strong>{name}.</strong> {description}'
                  '<div class="nhsuk-body-s">How often: {figures}</div></li>').format(
        code=risk.code, name=risk.name, description=risk.patient_description,
        figures=risk_figures_html(risk))


def _risks_html(key: str) -> Markup:
    chosen = risks.risks_for(INTERVENTIONS[key])
    return Markup('<ul class="nhsuk-list nhsuk-list--bullet collis-risks">{}</ul>').format(
        Markup("").join(_risk_item(r) for r in chosen))


def _outcomes_html(key: str) -> Markup:
    prefixes = OUTCOME_PREFIXES[key]
    rows = [o for o in risks.OUTCOMES if o.code.startswith(prefixes)]
    body = Markup("").join(Markup(
        '<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{series} {sources}</td>'
        '<td class="nhsuk-table__cell">{n}</td><td class="nhsuk-table__cell">{result}</td>'
        '<td class="nhsuk-table__cell">{follow_up}</td></tr>').format(
        series=o.series, sources=sources_html(o.sources), n=o.n, result=o.result,
        follow_up=o.follow_up) for o in rows)
    return Markup(
        '<table class="nhsuk-table collis-outcomes collis-not-prose">'
        '<caption class="nhsuk-table__caption nhsuk-table__caption--s">Results of published '
        'series (each series counted its own way: they are not combined)</caption>'
        '<thead class="nhsuk-table__head">'
        '<tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">Series</th>'
        '<th scope="col" class="nhsuk-table__header">People</th>'
        '<th scope="col" class="nhsuk-table__header">What they found</th>'
        '<th scope="col" class="nhsuk-table__header">Followed for</th></tr></thead>'
        '<tbody class="nhsuk-table__body">{}</tbody></table>').format(body)


def cited_sources() -> list[int]:
    """Every source the catalogue's risks and outcomes and the domain's facts cite."""
    numbers = {n for r in risks.RISKS for n in r.sources}
    numbers |= {n for r in risks.RISKS for f in r.figures for n in f.sources}
    numbers |= {n for o in risks.OUTCOMES for n in o.sources}
    numbers |= {n for _, sources in _facts().values() for n in sources}
    return sorted(numbers)


def _sources_html(_all: bool) -> Markup:
    titles = reference_sources()
    items = Markup("").join(Markup('<li id="source-{n}">{n}. {t}</li>').format(
        n=n, t=titles.get(n, "")) for n in cited_sources())
    return Markup('<ul class="nhsuk-list collis-sources collis-not-prose">{}</ul>').format(items)


def expand(kind: str, key: str) -> Markup:
    """The HTML a placeholder stands for (UnknownFigure when it names nothing)."""
    try:
        if kind == "risk":
            risk = risks.RISKS_BY_CODE[key]
            return Markup('<span class="collis-figure" data-risk="{}">{}</span>').format(
                key, _inline_figures(risk))
        if kind == "risks":
            return _risks_html(key)
        if kind == "outcomes":
            return _outcomes_html(key)
        if kind == "sources":
            return _sources_html({"all": True}[key])
        words, sources = _facts()[key]
        return Markup("{} {}").format(words, sources_html(sources))
    except KeyError:
        raise UnknownFigure(f"{{{{{kind}:{key}}}}} names no figure in the risk catalogue") \
            from None


def _inline_figures(risk: risks.Risk) -> Markup:
    if not risk.figures:
        return Markup("no published figure {}").format(sources_html(risk.sources))
    return Markup("; ").join(_figure_html(f) for f in risk.figures)


def placeholders_in(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text)]


def placeholder_problems(text: str) -> list[str]:
    """A message for each placeholder that names no figure."""
    problems = []
    for kind, key in placeholders_in(text):
        try:
            expand(kind, key)
        except UnknownFigure as unknown:
            problems.append(str(unknown))
    return problems


def expand_all(html: str) -> str:
    """Replace every placeholder in sanitised HTML with its figures (block ones replace
    their paragraph)."""
    html = BLOCK.sub(lambda m: m.group(1), html)
    return PLACEHOLDER.sub(lambda m: str(expand(m.group(1), m.group(2))), html)


@dataclass(frozen=True)
class FigureSnapshot:
    """What each placeholder of a text expands to now, and a digest of it all."""

    values: dict[str, str]

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.values, sort_keys=True).encode()).hexdigest()


def _items(kind: str, key: str) -> list[tuple[str, str]]:
    """The single figures a placeholder shows: (label for readers, what it says)."""
    if kind == "risk":
        chosen = [risks.RISKS_BY_CODE[key]]
    elif kind == "risks":
        chosen = list(risks.risks_for(INTERVENTIONS[key]))
    elif kind == "outcomes":
        return [(f"{o.series} results", f"{o.n} | {o.result} | {o.follow_up} | {o.sources}")
                for o in risks.OUTCOMES if o.code.startswith(OUTCOME_PREFIXES[key])]
    elif kind == "fact":
        words, sources = _facts()[key]
        return [(FACT_LABELS[key], f"{words} {sources}")]
    else:
        return []
    return [(r.name, json.dumps(r.as_dict(), sort_keys=True)) for r in chosen]


FACT_LABELS = {"toxin_interval_weeks": "Usual time between injections"}


def figures_snapshot(text: str) -> FigureSnapshot:
    """What each single figure the text shows says now, by a label readers understand."""
    values = {}
    for kind, key in placeholders_in(text):
        try:
            for label, said in _items(kind, key):
                values[label] = said
        except KeyError:
            continue
    return FigureSnapshot(values)


def catalogue_digest() -> str:
    """A fingerprint of the whole catalogue: part of the public pages' cache key, so that a
    changed figure is never served from the cache."""
    content = {"risks": [r.as_dict() for r in risks.RISKS],
               "outcomes": [dataclasses.asdict(o) for o in risks.OUTCOMES],
               "facts": _facts()}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=repr).encode()
                          ).hexdigest()[:16]

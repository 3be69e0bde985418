"""The search over the public pages: published information pages, sites and published
stories. The public part is small (tens of pages), so each search reads them and ranks by
how many of the words asked for each one holds, the title counting most."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from collis.public import selectors
from collis.public.figures import PLACEHOLDER
from collis.sites.selectors import site_list_active

WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return WORD.findall(text)


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    summary: str
    score: int


def _score(terms: list[str], title: str, text: str) -> int:
    title_words, text_words = _words(title), _words(text)
    score = 0
    for term in terms:
        in_title = sum(w.startswith(term) for w in title_words)
        in_text = sum(w.startswith(term) for w in text_words)
        if not in_title and not in_text:
            return 0  # every word asked for must be somewhere
        score += 5 * in_title + in_text
    return score


def public_search(query: str) -> list[SearchResult]:
    """Public pages holding every word of the query (a word matches words it begins), best
    first."""
    terms = [t for t in _words(query) if len(t) > 1] or _words(query)
    if not terms:
        return []
    candidates = [(p.version.title, p.page.get_absolute_url(), p.version.summary,
                   PLACEHOLDER.sub(" ", p.version.body))
                  for p in selectors.page_published_list()]
    candidates += [(s.name, f"/sites/{s.code}/", ", ".join([*s.address_lines, s.postcode]),
                    " ".join([s.address, s.getting_there, s.accessibility, s.services]))
                   for s in site_list_active()]
    candidates += [(s.title, f"/stories/{s.pk}/", f"A patient story by {s.teller}", s.body)
                   for s in selectors.story_published_list()]
    results = [SearchResult(title, url, summary, _score(terms, title, f"{summary} {text}"))
               for title, url, summary, text in candidates]
    return sorted((r for r in results if r.score), key=lambda r: (-r.score, r.title))

"""Markdown for the public pages, rendered safely: markdown-it-py with raw HTML turned off,
then nh3 keeps only the tags and link schemes a page may use; then the catalogue's figures
are put in (collis.public.figures). Links are checked before a version is saved: no
`javascript:` or other unsafe scheme, and an internal link must lead to a page that exists."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from django.urls import Resolver404, resolve
from markdown_it import MarkdownIt
from markupsafe import Markup

from collis.public import figures

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}
                 ).enable("table")
TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br",
        "table", "thead", "tbody", "tr", "th", "td", "code", "hr"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
# NHS.UK classes for what Markdown makes, so pages look like the rest of the service.
CLASSES = (("<h2>", '<h2 class="nhsuk-heading-m">'), ("<h3>", '<h3 class="nhsuk-heading-s">'),
           ("<ul>", '<ul class="nhsuk-list nhsuk-list--bullet">'),
           ("<ol>", '<ol class="nhsuk-list nhsuk-list--number">'),
           ("<table>", '<table class="nhsuk-table">'), ("<tr>", '<tr class="nhsuk-table__row">'),
           ("<td>", '<td class="nhsuk-table__cell">'),
           ("<th>", '<th scope="col" class="nhsuk-table__header">'))


def markdown_render(text: str) -> Markup:
    """The page's HTML: Markdown without raw HTML, sanitised, with NHS.UK classes and the
    catalogue's figures."""
    html = nh3.clean(_MD.render(text or ""), tags=TAGS, attributes={"a": {"href"}},
                     url_schemes=SAFE_SCHEMES, link_rel="noopener noreferrer")
    for plain, styled in CLASSES:
        html = html.replace(plain, styled)
    return Markup(figures.expand_all(html))  # noqa: S704 - sanitised above, figures escaped


def links_in(text: str) -> list[str]:
    """Every link target the Markdown makes (inline links, references, autolinks)."""
    targets = []

    def walk(tokens):
        for token in tokens:
            if token.type == "link_open":
                targets.append(token.attrGet("href") or "")
            if token.children:
                walk(token.children)

    walk(_MD.parse(text or ""))
    # markdown-it refuses to make links of unsafe schemes; find those written anyway.
    targets += re.findall(r"\]\(\s*<?((?:javascript|vbscript|data|file):[^)\s>]*)", text or "",
                          flags=re.I)
    return targets


def link_problems(text: str, *, page_exists) -> list[str]:
    """A message for each link that is unsafe or leads nowhere. `page_exists(slug)` says
    whether an information page exists."""
    problems = []
    for href in links_in(text):
        parts = urlsplit(href.strip())
        scheme = parts.scheme.lower()
        if scheme and scheme not in SAFE_SCHEMES:
            problems.append(f"The link to “{href}” is not allowed: use a web address that "
                            "starts with https://, or a page of this site")
            continue
        if scheme or href.startswith("#"):
            continue
        if not href.startswith("/"):
            problems.append(f"The link to “{href}” must start with / (a page of this site) "
                            "or https://")
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            problems.append(f"The link to “{href}” leads to no page of this site")
            continue
        if not getattr(match.func, "public", False):
            problems.append(f"The link to “{href}” leads to a page for staff: public pages "
                            "link only to public pages")
        elif match.url_name == "page_detail" and not page_exists(match.kwargs.get("slug")):
            problems.append(f"The link to “{href}” leads to an information page that does "
                            "not exist")
    return problems

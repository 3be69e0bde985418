"""How public pages and stories read: the rendered text, the review dates, the history."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from markupsafe import Markup

from collis.core.presenters import date_long
from collis.public.markdown import markdown_render

DISCLAIMER = ("The information on this page is general information. It does not replace "
              "personal advice from a qualified health professional who knows you.")


@dataclass(frozen=True)
class PageView:
    title: str
    summary: str
    html: Markup
    reviewed_words: str
    review_due_words: str
    review_overdue: bool
    history: list[dict]


def page_view(published, history: list[dict]) -> PageView:
    """A published page as readers see it."""
    version = published.version
    reviewed = version.publication.reviewed_by_id is not None
    when = date_long(published.last_reviewed.date() if hasattr(published.last_reviewed, "date")
                     else published.last_reviewed)
    return PageView(
        title=version.title, summary=version.summary, html=markdown_render(version.body),
        reviewed_words=f"Page last reviewed: {when}" if reviewed else f"Page published: {when}",
        review_due_words=f"Next review due: {date_long(version.review_due)}",
        review_overdue=published.review_overdue,
        history=[history_words(entry) for entry in history])


def history_words(entry: dict) -> dict:
    when = date_long(entry["at"].date())
    if entry["kind"] == "figures":
        return {"when": when, "what": "Figures updated from the published evidence the unit "
                                      "uses (" + ", ".join(entry["changed"]) + ")"}
    return {"when": when, "what": entry["note"]}


def public_settings(request) -> dict:
    """A context processor: what public/layout.jinja needs on any page that extends it,
    whichever app renders it: the "Contact us" link and the service name (one place each,
    from settings) and the disclaimer that closes every public page."""
    return {"contact_url": settings.COLLIS_CONTACT_URL,
            "service_name": settings.COLLIS_PUBLIC_SERVICE_NAME,
            "disclaimer": DISCLAIMER}

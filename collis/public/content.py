"""The first content of the public pages, loaded with Collis (migration public 0002 and
`collis demo-data`), so that the pages exist on a fresh install. Each page is a Markdown file
in collis/public/content/ with a short header (title, summary). The unit's editors change
them from then on; loading again never touches a page that exists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# Local policy (UNSOURCED): the unit reviews the content Collis ships within 90 days of
# installing it.
FIRST_REVIEW_DAYS = 90
FIRST_CHANGE_NOTE = "First version, loaded with Collis"


@dataclass(frozen=True)
class InitialPage:
    slug: str
    position: int
    title: str
    summary: str
    body: str


def initial_pages() -> list[InitialPage]:
    pages = []
    for path in sorted(CONTENT_DIR.glob("*.md")):
        position, slug = path.stem.split("-", 1)
        _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
        fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
        pages.append(InitialPage(slug, int(position), fields["title"], fields["summary"],
                                 body.strip() + "\n"))
    return pages


def initial_pages_load(page_model, version_model, publication_model,
                       today: datetime.date) -> int:
    """Create and publish the pages that do not exist yet (the models may be a migration's
    historical ones). Returns the number created."""
    created = 0
    for initial in initial_pages():
        page, _ = page_model.objects.get_or_create(
            slug=initial.slug, defaults={"position": initial.position})
        if version_model.objects.filter(page=page).exists():
            continue
        version = version_model.objects.create(
            page=page, number=1, title=initial.title, summary=initial.summary,
            body=initial.body, change_note=FIRST_CHANGE_NOTE,
            review_due=today + datetime.timedelta(days=FIRST_REVIEW_DAYS))
        publication_model.objects.create(version=version)
        created += 1
    return created

"""Figures on the public pages come from the risk catalogue at render time: change a figure
there and every page that shows it changes, and says so in its history."""

import dataclasses

import pytest

from collis.domain import risks
from collis.public import figures
from collis.public.tests.factories import pages_loaded
from collis.public.tests.pages import words


def test_every_placeholder_names_a_figure_of_the_catalogue():
    for code in risks.RISKS_BY_CODE:
        assert f'data-risk="{code}"' in str(figures.expand("risk", code))
    for key in ("sd", "dbs", "toxin"):
        assert "collis-risks" in str(figures.expand("risks", key))
    assert "Bertrand" in str(figures.expand("outcomes", "sd"))
    assert "12 weeks" in str(figures.expand("fact", "toxin_interval_weeks"))
    assert figures.placeholder_problems("{{risk:NO_SUCH}} {{outcomes:sd}}") == [
        "{{risk:NO_SUCH}} names no figure in the risk catalogue"]


def test_the_first_content_types_no_figure_of_its_own():
    """Numbers in the page texts are placeholders, never typed (a reader's count of
    things, such as 'one side', is words)."""
    import re

    from collis.public.content import initial_pages

    for page in initial_pages():
        text = figures.PLACEHOLDER.sub("", page.body)
        text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
        assert not re.search(r"\d", text), (page.slug, re.findall(r".{20}\d.{20}", text))


def _changed_catalogue(monkeypatch, code, **figure_changes):
    old = risks.RISKS_BY_CODE[code]
    new = dataclasses.replace(old, figures=(dataclasses.replace(old.figures[0],
                                                                **figure_changes),))
    monkeypatch.setattr(risks, "RISKS", tuple(new if r.code == code else r
                                              for r in risks.RISKS))
    monkeypatch.setattr(risks, "RISKS_BY_CODE", {**risks.RISKS_BY_CODE, code: new})


@pytest.mark.django_db
def test_a_changed_catalogue_figure_changes_the_page_and_its_history(client, sites,
                                                                     monkeypatch):
    pages_loaded()
    path = "/information/selective-denervation/"
    before = words(client.get(path).content.decode())
    assert "new dysphagia on videofluoroscopy in 3 of 12" in before
    assert "Figures updated" not in before

    _changed_catalogue(monkeypatch, "SD_SWALLOWING_DIFFICULTY",
                       text="new dysphagia on videofluoroscopy in 4 of 15", numerator=4,
                       denominator=15)
    after = client.get(path)
    text = words(after.content.decode())
    assert after["X-Collis-Cache"] == "miss"  # the catalogue is part of the cache key
    assert "new dysphagia on videofluoroscopy in 4 of 15" in text
    assert "new dysphagia on videofluoroscopy in 3 of 12" not in text
    assert "Figures updated from the published evidence the unit uses" in text
    assert "Swallowing difficulty (dysphagia)" in text.split("Page history", 1)[1]


@pytest.mark.django_db
def test_an_unchanged_catalogue_adds_nothing_to_the_history(client, sites):
    from collis.public.models import FigureNote

    pages_loaded()
    client.get("/information/treatments/")
    client.get("/information/treatments/?again=1")  # not cached: renders again
    assert FigureNote.objects.filter(page__slug="treatments").count() == 1


@pytest.mark.django_db
def test_a_figure_that_changes_back_is_a_change_too(client, sites, monkeypatch):
    from collis.public.models import FigureNote

    pages_loaded()
    path = "/information/selective-denervation/"
    client.get(path)
    _changed_catalogue(monkeypatch, "SD_DEATH_OR_SYSTEMIC_EVENT", text="one death in 170",
                       denominator=170)
    client.get(path)
    monkeypatch.undo()
    text = words(client.get(path).content.decode())
    assert "one death in 168" in text
    assert FigureNote.objects.filter(page__slug="selective-denervation").count() == 3
    assert text.count("Death or other systemic events") >= 3  # the list and two history lines

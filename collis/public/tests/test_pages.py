"""The public pages: each exists without signing in and says what the unit's own pages say
(clinical reference §10, in Collis's words), ends with the disclaimer and the review
dates, reads plainly, links only to public pages, and is served from a cache."""

import re

import pytest
import textstat
from django.urls import resolve

from collis.core.roles import Role
from collis.public.presenters import DISCLAIMER
from collis.public.tests.factories import pages_loaded
from collis.public.tests.pages import (
    INFORMATION_PAGES,
    PUBLIC_PATHS,
    main_html,
    prose,
    words,
)

# Automated Readability Index (a US school grade from characters per word and words per
# sentence). Local policy (UNSOURCED): 9 or lower, about a reading age of 14, for pages
# that must name medicines, tests and operations. Flesch reading ease needs the CMU
# pronouncing dictionary, which Collis does not download.
READABILITY_GRADE_AT_MOST = 9.0


@pytest.fixture
def pages(sites):
    pages_loaded()


def _read(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_page_opens_without_signing_in_and_ends_with_the_disclaimer(
        client, pages, path):
    body = _read(client, path)
    assert DISCLAIMER in words(main_html(body))
    assert "Staff sign in" in body and 'href="/contact/"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_page_reads_plainly(client, pages, path):
    text = prose(_read(client, path))
    grade = textstat.automated_readability_index(text)
    assert grade <= READABILITY_GRADE_AT_MOST, (path, grade, text[:300])


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_link_only_to_public_pages(client, pages, path):
    body = _read(client, path)
    for href in set(re.findall(r'href="([^"#?]+)', body)):
        if href.startswith(("http", "mailto:", "tel:", "/static/", "/contact/")):
            continue
        view = resolve(href).func
        assert getattr(view, "public", False) or href == "/", (path, href)
    assert "Sign out" not in body and "Patients" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("slug", INFORMATION_PAGES)
def test_information_pages_show_when_they_were_reviewed_and_are_next_due(client, pages, slug):
    text = words(_read(client, f"/information/{slug}/"))
    assert "Page published:" in text or "Page last reviewed:" in text
    assert "Next review due:" in text
    assert "Page history" in text


FACTS = {
    "dystonia": ["muscles tighten", "spasms", "whole body", "blinking", "twisting to one side",
                 "shaking", "usually lifelong", "come and go", "no cure",
                 "treatment can ease your symptoms"],
    "diagnosis": ["your symptoms", "family", "blood tests", "urine tests", "MRI scan",
                  "CT scan", "electromyography (EMG)", "what type of dystonia",
                  "which part of your body"],
    "treatments": ["Medicines", "relax your muscles", "Botulinum toxin", "clinic visit",
                   "12 weeks", "wears off", "last less time", "Physiotherapy",
                   "speech and language therapist", "Deep brain stimulation", "electrodes",
                   "selective denervation"],
    "selective-denervation": [
        "cuts the nerves", "called selective because only the muscles", "twists to one side",
        "starting to stop working", "many muscle groups", "general anaesthetic",
        "opening in the skin", "stay in hospital", "physiotherapy", "strength in your neck",
        "reasonable chance", "position of your head", "Success rates vary",
        "cannot be added together"],
    "referral-and-funding": ["consultant who specialises", "neurologists, neurosurgeons and "
                             "physiotherapists", "general health", "paid for by the NHS",
                             "Not many neurosurgeons in the UK"],
}
# Every risk of the unit's pages ([47], [48]) in the reader's words.
UNIT_PAGE_RISKS = [
    "Any operation and any general anaesthetic carry risks", "swallowing problems",
    "very rarely permanent", "numb patches on the back of your head", "twitching pain",
    "abscess", "swelling of your neck", "pins and needles", "tight or full feeling",
    "infection and bleeding", "damage to nerves", "weakness in your neck",
    "symptoms that do not go away or come back", "new movement problems",
    "a demanding recovery"]


@pytest.mark.django_db
@pytest.mark.parametrize("slug, facts", FACTS.items())
def test_each_page_says_what_the_unit_tells_patients(client, pages, slug, facts):
    text = words(_read(client, f"/information/{slug}/"))
    missing = [fact for fact in facts if fact not in text]
    assert not missing, missing


@pytest.mark.django_db
def test_the_surgery_page_lists_every_risk_of_the_units_pages_and_of_the_catalogue(
        client, pages):
    from collis.domain.risks import Intervention, risks_for

    body = _read(client, "/information/selective-denervation/")
    text = words(body)
    assert not [risk for risk in UNIT_PAGE_RISKS if risk not in text]
    for risk in risks_for(Intervention.SELECTIVE_DENERVATION):
        assert f'data-risk="{risk.code}"' in body and risk.name in text
    # Figures with their denominators and sources, ranges as ranges.
    assert "new dysphagia on videofluoroscopy in 3 of 12" in text
    assert "one death in 168" in text
    assert "up to 38-63%" in text and "Bertrand series (260 patients)" in text
    assert 'href="/information/sources/#source-28"' in body


@pytest.mark.django_db
def test_success_rates_are_the_published_series_never_one_number(client, pages):
    text = words(_read(client, "/information/selective-denervation/"))
    for series, result in (("Bertrand", "88% total or marked relief"),
                           ("Braun", "76% significant improvement"),
                           ("Munchau", "68% functionally relevant"),
                           ("Bergenheim", "Tsui 10 -> 4.5")):
        assert series in text and result in text
    assert "Success rates vary" in text


@pytest.mark.django_db
def test_the_sources_page_lists_each_source_the_figures_cite(client, pages):
    body = _read(client, "/information/sources/")
    assert 'id="source-28"' in body and "Munchau 2001" in body
    assert 'id="source-25"' in body and "Bertrand 1993" in body


@pytest.mark.django_db
def test_the_root_is_the_public_home_until_staff_sign_in(client, client_as, pages):
    public_home = _read(client, "/")
    assert "Dystonia and its treatment" in public_home and "Staff sign in" in public_home
    staff_home = client_as(Role.NEUROLOGIST).get("/").content.decode()
    assert "Welcome," in staff_home and "Staff sign in" not in staff_home


@pytest.mark.django_db
def test_a_page_that_does_not_exist_is_not_found(client, pages):
    assert client.get("/information/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_search_finds_public_pages_and_sites(client, pages):
    text = words(_read(client, "/search/?q=swallow"))
    assert "Selective denervation surgery for cervical dystonia" in text
    text = words(_read(client, "/search/?q=portland"))
    assert "The Portland Hospital" in text
    text = words(_read(client, "/search/?q=zzzzqq"))
    assert "0 results" in text and "Check the spelling" in text


@pytest.mark.django_db
def test_public_pages_are_served_from_the_cache_with_a_fresh_nonce(client, pages,
                                                                   django_assert_num_queries):
    first = client.get("/information/selective-denervation/")
    assert first["X-Collis-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/information/selective-denervation/")
    assert second["X-Collis-Cache"] == "hit"
    nonce = re.search(r"'nonce-([^']+)'", second["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in second.content.decode()
    assert "collis-csp-nonce" not in second.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_make_few_queries_when_not_cached(client, pages, path,
                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_any_apps_page_may_extend_the_public_layout_and_gets_its_contact_link(rf, settings):
    from django.template.loader import render_to_string

    settings.COLLIS_CONTACT_URL = "/enquiries/new/"
    request = rf.get("/enquiries/new/")
    html = render_to_string("public/layout.jinja", {"title": "Ask us"}, request=request)
    assert 'href="/enquiries/new/"' in html and "Contact us" in html
    assert DISCLAIMER in html and "Ask us – Dystonia service" in html
    request.csp_nonce = "abc123"  # as django-csp gives it; a page not cached uses it at once
    html = render_to_string("public/layout.jinja", {"title": "Ask us"}, request=request)
    assert 'nonce="abc123"' in html and "collis-csp-nonce" not in html


@pytest.mark.django_db
def test_a_story_page_reads_plainly_and_ends_with_the_disclaimer(client, pages):
    from collis.public.demo import DEMO_STORY
    from collis.public.tests.factories import story_with_consent

    story = story_with_consent(title=DEMO_STORY["title"], body=DEMO_STORY["body"])
    body = _read(client, f"/stories/{story.pk}/")
    assert DISCLAIMER in words(main_html(body))
    assert textstat.automated_readability_index(prose(body)) <= READABILITY_GRADE_AT_MOST

"""Markdown is rendered safely: no raw HTML or script, no unsafe link; links are checked."""

import pytest

from collis.public.markdown import link_problems, markdown_render


def test_raw_html_and_script_are_shown_as_text_never_run():
    html = str(markdown_render('Hello <script>alert("x")</script> <img src=x onerror=alert(1)>'))
    assert "<script" not in html and "<img" not in html and "onerror=" not in html.replace(
        "&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JavaScript:alert(1)",
                                  "vbscript:msgbox", "data:text/html,<script>x</script>"])
def test_unsafe_links_never_become_links(href):
    html = str(markdown_render(f"[click]({href})"))
    assert "href" not in html or href.split(":")[0].lower() not in html.lower().split("href")[1]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_unsafe_links_are_refused_with_a_message(href):
    problems = link_problems(f"Read [this]({href}).", page_exists=lambda slug: True)
    assert problems and "is not allowed" in problems[0]


@pytest.mark.django_db
def test_internal_links_must_lead_to_a_public_page_that_exists():
    def exists(slug):
        return slug == "dystonia"

    assert link_problems("[a](/information/dystonia/) [b](/sites/) [c](https://www.nhs.uk/)",
                         page_exists=exists) == []
    assert "does not exist" in link_problems("[a](/information/nothing/)",
                                             page_exists=exists)[0]
    assert "leads to no page" in link_problems("[a](/no/such/place/)", page_exists=exists)[0]
    assert "page for staff" in link_problems("[a](/patients/)", page_exists=exists)[0]
    assert "must start with /" in link_problems("[a](sites/)", page_exists=exists)[0]


def test_markdown_gets_the_design_systems_classes():
    html = str(markdown_render("## Who is it for?\n\n- one\n- two\n"))
    assert '<h2 class="nhsuk-heading-m">Who is it for?</h2>' in html
    assert '<ul class="nhsuk-list nhsuk-list--bullet">' in html

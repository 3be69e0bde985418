"""Plain-text report: recommendation, grouped findings with sources, plan, alternatives, policy."""

from __future__ import annotations

from collis.domain.candidacy import assess_candidacy
from collis.domain.report import render_report
from collis.domain.tests.support import load_case


def test_report_sections_in_order():
    text = render_report(assess_candidacy(load_case("contract_example")["facts"]))
    order = [
        "Recommendation: possible.",
        "Findings",
        "Cautions (2)",
        "Favours",
        "Denervation plan",
        "Not addressable by SD",
        "Alternatives",
        "Missing facts",
        "Policy values that decided findings",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "[27][37]" in text
    assert "splenius capitis (right): posterior rami C1-C6 (posterior ramisectomy)" in text
    assert "Collis supports clinicians' decisions; it never makes them." in text


def test_report_lists_missing_facts_and_derived_findings():
    text = render_report(
        assess_candidacy(load_case("derived_good_response_beats_missing_facts")["facts"])
    )
    assert "Recommendation: not_indicated." in text
    assert "    - tremor" in text
    assert "derived by Collis" in text


def test_report_shows_decisive_findings_first():
    text = render_report(assess_candidacy(load_case("generalised_unfavourable")["facts"]))
    assert text.index("Excludes") < text.index("Favours")
    assert "GENERALISED_DISTRIBUTION" in text


def test_report_lines_are_wrapped():
    text = render_report(assess_candidacy(load_case("schema_only")["facts"]))
    assert max(len(line) for line in text.splitlines()) <= 88

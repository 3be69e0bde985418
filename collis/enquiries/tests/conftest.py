"""Fixtures of the enquiries tests."""

import pytest


@pytest.fixture
def syllables_by_hyphenation(monkeypatch):
    """textstat counts English syllables from the CMU dictionary, which NLTK downloads on
    first use: this closed network cannot, so count every word the way textstat already
    counts those the dictionary lacks, by its hyphenation dictionary (pyphen, installed)."""
    from textstat.backend.counts import _count_syllables

    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)
    _count_syllables.count_syllables.cache_clear()

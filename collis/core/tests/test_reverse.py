"""`reverse_kept` gives what Django's `reverse` gives, for every named URL of Collis, with
the URL kept as a pattern for UUID and integer arguments."""

import uuid

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RoutePattern
from hypothesis import given, settings
from hypothesis import strategies as st

from collis.core.reverse import reverse_kept


def _named_patterns(patterns=None, namespace="", converters=None):
    """(name with its namespaces, the converters of its arguments) for every named URL
    made with `path()` all the way down (a regular expression's groups have none)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        own = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry.url_patterns, inner, own)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", own


NAMED = sorted({(name, tuple(sorted((key, type(conv).__name__) for key, conv in convs.items())))
                for name, convs in _named_patterns()
                if all(isinstance(conv, IntConverter | UUIDConverter)
                       for conv in convs.values())})


def test_the_walk_found_the_record_pages_with_their_arguments():
    names = dict(NAMED)
    assert names["patients:patient_detail"] == (("patient_id", "UUIDConverter"),)
    assert names["treatments:toxin_detail"] == (("patient_id", "UUIDConverter"),
                                                ("pk", "IntConverter"))
    assert len(NAMED) > 150


@settings(max_examples=25, deadline=None)
@given(ids=st.lists(st.uuids(), min_size=3, max_size=3),
       numbers=st.lists(st.integers(min_value=0, max_value=10**12), min_size=3, max_size=3))
def test_every_url_with_uuid_and_integer_arguments_is_what_reverse_gives(ids, numbers):
    for name, arguments in NAMED:
        kwargs = {}
        for i, (key, converter) in enumerate(arguments):
            kwargs[key] = ids[i % 3] if converter == "UUIDConverter" else numbers[i % 3]
        assert reverse_kept(name, kwargs=kwargs or None) == reverse(name, kwargs=kwargs or None)
        if len(arguments) == 1:
            (value,) = kwargs.values()
            assert reverse_kept(name, args=[value]) == reverse(name, args=[value])


def test_other_values_are_reversed_as_django_does():
    patient = uuid.uuid4()
    # A UUID's text, an integer's text: reversed each time, with the same result.
    assert (reverse_kept("treatments:toxin_detail", kwargs={"patient_id": str(patient),
                                                             "pk": "12"})
            == reverse("treatments:toxin_detail", kwargs={"patient_id": patient, "pk": 12}))
    for bad in ({"patient_id": patient, "pk": -1}, {"patient_id": "not-a-uuid", "pk": 1},
                {"patient_id": patient}):
        with pytest.raises(NoReverseMatch):
            reverse_kept("treatments:toxin_detail", kwargs=bad)
    with pytest.raises(NoReverseMatch):
        reverse_kept("patients:no_such_page", kwargs={"patient_id": patient})


def test_the_script_prefix_is_part_of_what_is_kept():
    from django.urls import set_script_prefix

    patient = uuid.uuid4()
    plain = reverse_kept("patients:patient_detail", kwargs={"patient_id": patient})
    set_script_prefix("/collis/")
    try:
        assert (reverse_kept("patients:patient_detail", kwargs={"patient_id": patient})
                == "/collis" + plain)
    finally:
        set_script_prefix("/")


def test_a_value_that_looks_like_a_marker_is_reversed_each_time():
    from collis.core.reverse import _INT_MARKERS, _UUID_MARKERS

    first, second = uuid.UUID(_UUID_MARKERS[1]), int(_INT_MARKERS[0])
    kwargs = {"patient_id": first, "pk": second}
    assert (reverse_kept("treatments:toxin_detail", kwargs=kwargs)
            == reverse("treatments:toxin_detail", kwargs=kwargs))

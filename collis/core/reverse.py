"""Django's `reverse`, kept per process for the links that every page draws.

A record page reversed about 26 URLs (the header navigation, the record's sections, the
breadcrumbs, the timeline's entries), 9% of its work when profiled. A URL depends only on
the URL configuration, the script prefix, the name and the arguments, which make the key;
a name that does not reverse raises as before and is not kept.

Most of a record's links carry the patient's id (or an entry's), so a key with the
arguments themselves is new for each patient. When every argument is a UUID or a
non-negative integer, the URL is kept as a *pattern* instead: reversed once with marker
values of those kinds, each marker then replaced by the real value's text. Django's
converters for those kinds write exactly that text (`uuid` and `int` converters use
`str`), and such values always match their patterns, so the result is the URL `reverse`
would give. A pattern whose markers do not each appear exactly once is not used."""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Values no URL has, one per position; a marker's text must not occur elsewhere in a URL.
_UUID_MARKERS = tuple(str(uuid.UUID(int=(0xC0111500 << 96) | (0x4000 << 64) | (0x8 << 60) | i))
                      for i in range(8))
_INT_MARKERS = tuple(str(7_301_946_285_000 + i) for i in range(8))


def _kind(value):
    """The marker kind for an argument; None for a value reversed each time (and for one
    whose text could hold a marker, so that replacing one marker never makes another)."""
    if isinstance(value, uuid.UUID):
        return "uuid" if value.int >> 96 != 0xC0111500 else None
    if type(value) is int and 0 <= value < 10**12:
        return "int"
    return None


def reverse_kept(viewname: str, args=None, kwargs=None) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    prefix = get_script_prefix()
    if kwargs and not args and len(kwargs) == 1:  # most links: a patient's page
        ((name, value),) = kwargs.items()
        kind = _kind(value)
        if kind is not None:
            pattern = _pattern(urlconf, prefix, viewname, ((), ((name, kind),)))
            if pattern is not None:
                return pattern[0].replace(pattern[1][0], str(value))
    args = tuple(args or ())
    kwargs = tuple(sorted((kwargs or {}).items()))
    values = args + tuple(value for _name, value in kwargs)
    if not values:
        return _reverse(urlconf, prefix, viewname, (), ())
    kinds = tuple(_kind(value) for value in values)
    if None not in kinds and len(values) <= len(_INT_MARKERS):
        shape = (kinds[:len(args)], tuple((name, kind) for (name, _value), kind
                                          in zip(kwargs, kinds[len(args):], strict=True)))
        pattern = _pattern(urlconf, prefix, viewname, shape)
        if pattern is not None:
            text, markers = pattern
            for marker, value in zip(markers, values, strict=True):
                text = text.replace(marker, str(value))
            return text
    return _reverse(urlconf, prefix, viewname, args, kwargs)


@lru_cache(maxsize=16384)
def _reverse(urlconf, prefix: str, viewname: str, args: tuple, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


@lru_cache(maxsize=4096)
def _pattern(urlconf, prefix: str, viewname: str, shape: tuple):
    """The URL with a marker for each argument, and the markers in argument order; None if
    a marker does not appear exactly once (the URL then is reversed each time)."""
    arg_kinds, kwarg_kinds = shape
    markers, counts = [], {"uuid": 0, "int": 0}

    def marker(kind):
        table = _UUID_MARKERS if kind == "uuid" else _INT_MARKERS
        text = table[counts[kind]]
        counts[kind] += 1
        markers.append(text)
        return uuid.UUID(text) if kind == "uuid" else int(text)

    args = [marker(kind) for kind in arg_kinds]
    kwargs = {name: marker(kind) for name, kind in kwarg_kinds}
    text = reverse(viewname, urlconf=urlconf, args=args or None, kwargs=kwargs or None)
    if any(text.count(each) != 1 for each in markers):
        return None
    return text, tuple(markers)

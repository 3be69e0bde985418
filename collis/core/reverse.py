"""Django's `reverse`, kept per process for the links that every page draws.

A record page reversed about 26 URLs (the header navigation, the record's sections, the
breadcrumbs, the timeline's entries), 9% of its work when profiled. A URL depends only on
the URL configuration, the script prefix, the name and the arguments, which make the key;
a name that does not reverse raises as before and is not kept."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_kept(viewname: str, args=None, kwargs=None) -> str:
    return _reverse(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), viewname,
                    tuple(args or ()), tuple(sorted((kwargs or {}).items())))


@lru_cache(maxsize=16384)
def _reverse(urlconf, prefix: str, viewname: str, args: tuple, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)

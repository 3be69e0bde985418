"""The public pages' per-page cache. A page is rendered once and kept under its path
(collis.public.services.public_cache_key) with the fingerprint of the risk catalogue it was
rendered from: a page rendered from other figures is rendered again (which also notes the
change in its history). Publishing a page, a change to a story's consent or to a site
clears what shows it. Public pages are the same
for everyone (no name, no form token), so one copy serves every reader; the nonce that the
Content-Security-Policy gives each response is put in at the last moment."""

from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

from collis.public.figures import catalogue_digest
from collis.public.services import public_cache_key

# What the public layout writes where each response's CSP nonce goes.
NONCE_MARKER = "collis-csp-nonce"


def _with_nonce(request, html: str) -> str:
    return html.replace(NONCE_MARKER, str(getattr(request, "csp_nonce", "")))


def public_cached(view):
    """Serve the page from the cache when it is there; otherwise render it and keep it.
    Only a plain GET of a page that rendered (200) is kept; a query string bypasses."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        cacheable = request.method in ("GET", "HEAD") and not request.GET
        key = public_cache_key(request.path)
        catalogue = catalogue_digest()
        kept = caches["public"].get(key) if cacheable else None
        html = kept[1] if kept and kept[0] == catalogue else None
        if html is not None:
            response = HttpResponse(_with_nonce(request, html))
            response["X-Collis-Cache"] = "hit"
            return response
        request.collis_public_cached = True  # the layout writes the nonce's marker
        response = view(request, *args, **kwargs)
        if cacheable and response.status_code == 200 and not response.streaming:
            html = response.content.decode()
            caches["public"].set(key, (catalogue, html), settings.COLLIS_PUBLIC_CACHE_SECONDS)
            response.content = _with_nonce(request, html).encode()
            response["X-Collis-Cache"] = "miss"
        elif not response.streaming:
            response.content = _with_nonce(request, response.content.decode()).encode()
        return response

    return wrapped

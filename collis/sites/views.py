"""The sites' public pages (the list and one page per site, served from the public cache)
and the page on which staff with SITE_EDIT change what a site's public page says."""

from django.shortcuts import render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, public, require
from collis.core.roles import Capability
from collis.public.caching import public_cached
from collis.public.markdown import markdown_render
from collis.sites import selectors, services
from collis.sites.forms import SitePublicForm

HOME = {"text": "Home", "href": "/"}
SITES = {"text": "Our sites", "href": "/sites/"}


@public
@public_cached
def site_list(request):
    """Public: where the unit sees patients."""
    return render(request, "sites/site_list.jinja", {
        "title": "Our sites", "sites": selectors.site_list_active(),
        "breadcrumbs": [HOME, {"text": "Our sites", "href": ""}]})


@public
@public_cached
def site_detail(request, code):
    """Public: one site, how to get there, its accessibility and what the unit does there."""
    site = selectors.site_get(code=code)
    sections = [(label, markdown_render(getattr(site, name))) for name, label in (
        ("services", "What does the unit do here?"), ("getting_there", "How do you get here?"),
        ("accessibility", "Is the site accessible?")) if getattr(site, name).strip()]
    return render(request, "sites/site_detail.jinja", {
        "title": site.name, "site": site, "sections": sections,
        "breadcrumbs": [HOME, SITES, {"text": site.name, "href": ""}]})


@require(Capability.SITE_EDIT)
@methods("GET", "POST")
def site_edit(request, code):
    site = selectors.site_get(code=code, active_only=False)
    form = SitePublicForm(request.POST if request.method == "POST" else None,
                          initial={name: getattr(site, name) for name in services.PUBLIC_FIELDS})
    if request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form,
            lambda data: services.site_public_details_update(site=site, actor=actor, **data),
            redirect_to=reverse("sites:site_detail", args=[code]),
            message=f"The page of {site.name} is changed.")
        if response:
            return response
    return render(request, "sites/site_edit.jinja", {
        "title": f"Change the page of {site.name}", "site": site, "form": form,
        "breadcrumbs": [HOME, SITES, {"text": site.name, "href": reverse(
            "sites:site_detail", args=[code])}, {"text": "Change", "href": ""}],
    })

from django.shortcuts import render

from collis.core.permissions import public
from collis.core.roles import Capability, can
from collis.sites.models import Site


@public
def site_list(request):
    """Public: where the unit sees patients."""
    return render(request, "sites/site_list.jinja", {
        "title": "Our sites",
        "sites": Site.objects.active(),
        "can_edit": can(request.user, Capability.SITE_EDIT),
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Our sites", "href": ""}],
    })

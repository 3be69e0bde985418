"""Reads of the unit's sites."""

from django.http import Http404

from collis.sites.models import Site


def site_list_active() -> list[Site]:
    return list(Site.objects.active())


def site_get(*, code: str, active_only: bool = True) -> Site:
    queryset = Site.objects.active() if active_only else Site.objects.all()
    try:
        return queryset.get(code=code)
    except Site.DoesNotExist:
        raise Http404("No such site") from None

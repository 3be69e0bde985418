"""Pickers scoped to the signed-in user's unit: a form offers the sites and the staff of the
user's own organisation only (ADR 0006), as the records it writes belong to that unit.

`sites_of(who)` and `staff_who_can(..., organisation=who)` take a user, an organisation or
an organisation's id. `unit_scope(form, user)` narrows every staff picker and every site
picker of a bound or unbound form; `UnitScopedForm` does it for a form built with
`user=request.user`. Someone with no unit (an administrator, or nobody) is offered nothing."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet


def organisation_id_of(who) -> int | None:
    """The organisation's id of a user, an Organisation, or an id (None when there is none)."""
    from collis.core.models import Organisation

    if who is None:
        return None
    if isinstance(who, int):
        return who
    if isinstance(who, Organisation):
        return who.pk
    return getattr(who, "organisation_id", None)


def sites_of(who) -> QuerySet:
    """The active sites of the unit of `who` (a user, an organisation or its id), by name."""
    from collis.sites.models import Site

    organisation_id = organisation_id_of(who)
    if organisation_id is None:
        return Site.objects.none()
    return Site.objects.active().filter(organisation_id=organisation_id).order_by("name")


def _is_site_picker(field) -> bool:
    from collis.sites.models import Site

    queryset = getattr(field, "queryset", None)
    return isinstance(field, forms.ModelChoiceField) and queryset is not None and (
        queryset.model is Site)


def unit_scope(form: forms.BaseForm, user) -> None:
    """Offer, in every staff and site picker of `form`, only those of the user's unit."""
    from collis.core.nhsuk_forms.staff import _StaffLabels

    for field in form.fields.values():
        if isinstance(field, _StaffLabels):
            field.scope_to(user)
        elif _is_site_picker(field):
            field.queryset = sites_of(user)


class UnitScopedForm(forms.Form):
    """A form whose staff and site pickers offer only the unit of `user` (required)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        unit_scope(self, user)

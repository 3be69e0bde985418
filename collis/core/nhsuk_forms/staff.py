"""The one staff picker: active staff whose role may do something, shown by name (and
role), for a select or for checkboxes; scoped to one unit when given it (or by
`unit_scope`, collis/core/nhsuk_forms/scoping.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from collis.core.nhsuk_forms.fields import ModelCheckboxesField, ModelSelectField
from collis.core.nhsuk_forms.scoping import organisation_id_of
from collis.core.roles import ROLE_CAPABILITIES, Capability

# `organisation=EVERY_UNIT` (the default) leaves the staff of every unit: for callers that
# have not said whose unit yet. Pass a user, an organisation or its id to scope.
EVERY_UNIT = object()


def staff_who_can(capability: Capability, *, active_only: bool = True,
                  organisation=EVERY_UNIT) -> QuerySet:
    """Staff accounts whose role has `capability`, by family name. `active_only=False`
    keeps those who have left, for filtering what they did. `organisation` (a user, an
    Organisation or its id) keeps that unit's staff only; None, or a user of no unit, keeps
    nobody."""
    from collis.core.models import AccountType, User

    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    staff = User.objects.filter(account_type=AccountType.STAFF, role__in=roles)
    if organisation is not EVERY_UNIT:
        organisation_id = organisation_id_of(organisation)
        if organisation_id is None:
            return staff.none()
        staff = staff.filter(organisation_id=organisation_id)
    if active_only:
        staff = staff.filter(is_active=True)
    return staff.order_by("last_name", "first_name", "username")


class _StaffLabels:
    def __init__(self, *args, capability: Capability, active_only: bool = True,
                 show_role: bool = True, organisation=EVERY_UNIT, **kwargs):
        self.show_role = show_role
        self.capability, self.active_only = capability, active_only
        super().__init__(*args, queryset=staff_who_can(capability, active_only=active_only,
                                                       organisation=organisation),
                         **kwargs)

    def scope_to(self, organisation) -> None:
        """Offer only the staff of `organisation`'s unit (a user, an organisation or id)."""
        self.queryset = staff_who_can(self.capability, active_only=self.active_only,
                                      organisation=organisation)

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.role_label})" if self.show_role else obj.display_name


class StaffChoiceField(_StaffLabels, ModelSelectField):
    """A select of the staff who can do `capability`: "Nia Neuro (Neurologist)"."""


class StaffCheckboxesField(_StaffLabels, ModelCheckboxesField):
    """Checkboxes of the staff who can do `capability`, such as a meeting's attendees."""

"""The one staff picker: active staff whose role may do something, shown by name (and
role), for a select or for checkboxes."""

from __future__ import annotations

from django.db.models import QuerySet

from collis.core.nhsuk_forms.fields import ModelCheckboxesField, ModelSelectField
from collis.core.roles import ROLE_CAPABILITIES, Capability


def staff_who_can(capability: Capability, *, active_only: bool = True) -> QuerySet:
    """Staff accounts whose role has `capability`, by family name. `active_only=False`
    keeps those who have left, for filtering what they did."""
    from collis.core.models import AccountType, User

    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    staff = User.objects.filter(account_type=AccountType.STAFF, role__in=roles)
    if active_only:
        staff = staff.filter(is_active=True)
    return staff.order_by("last_name", "first_name", "username")


class _StaffLabels:
    def __init__(self, *args, capability: Capability, active_only: bool = True,
                 show_role: bool = True, **kwargs):
        self.show_role = show_role
        super().__init__(*args, queryset=staff_who_can(capability, active_only=active_only),
                         **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.role_label})" if self.show_role else obj.display_name


class StaffChoiceField(_StaffLabels, ModelSelectField):
    """A select of the staff who can do `capability`: "Nia Neuro (Neurologist)"."""


class StaffCheckboxesField(_StaffLabels, ModelCheckboxesField):
    """Checkboxes of the staff who can do `capability`, such as a meeting's attendees."""

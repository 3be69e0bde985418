from django import forms
from django.contrib import admin

from collis.core.admin_site import AuditedModelAdmin
from collis.scheduling.models import Equipment, Room


class RoomForm(forms.ModelForm):
    equipment = forms.MultipleChoiceField(choices=Equipment.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Room
        fields = ("site", "name", "equipment", "is_active")


@admin.register(Room)
class RoomAdmin(AuditedModelAdmin):
    form = RoomForm
    list_display = ("name", "site", "is_active")
    list_filter = ("site", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # clinic sessions refer to rooms: retire one instead

"""The Django admin, for administrators: staff accounts, API tokens, and a read-only view
of the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from collis.core.models import ApiToken, AuditEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "account_type", "is_active",
                    "last_login")
    list_filter = ("role", "account_type", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Collis", {"fields": ("account_type", "role", "job_title",
                               "professional_registration")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Collis", {"fields": ("account_type", "role", "first_name", "last_name", "email")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # tokens are made with `collis token create`, which shows the secret once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "actor_username", "action", "channel", "object_type", "summary",
                    "ip_address")
    list_filter = ("action", "channel")
    search_fields = ("actor_username", "object_id", "summary")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

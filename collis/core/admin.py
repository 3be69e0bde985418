"""The Django admin, for administrators: staff accounts, API tokens, and a read-only view
of the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from collis.core.admin_site import AuditedModelAdmin
from collis.core.models import ApiToken, AuditEvent, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "ods_code")

    def has_delete_permission(self, request, obj=None):
        return False  # staff, sites and patients belong to it


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "account_type", "is_active",
                    "last_login")
    list_filter = ("role", "account_type", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Collis", {"fields": ("account_type", "role", "organisation", "job_title",
                               "professional_registration")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Collis", {"fields": ("account_type", "role", "organisation", "first_name",
                               "last_name", "email")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "expires_at", "last_used_at",
                       "revoked_at")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at",
              "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are made with `collis token create`, which shows the secret once

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead, so the record of the token stays

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from collis.core.audit import Actor
        from collis.core.services import api_token_revoke

        for token in queryset:
            api_token_revoke(token=token, actor=Actor.from_request(request))


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

    def changelist_view(self, request, extra_context=None):
        from collis.core.services import admin_audit_log_view_audit

        admin_audit_log_view_audit(request=request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from collis.core.services import admin_audit_log_view_audit

        admin_audit_log_view_audit(request=request, object_id=object_id)
        return super().change_view(request, object_id, form_url, extra_context)

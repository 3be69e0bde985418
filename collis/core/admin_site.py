"""The admin site: open only to roles that may manage users (administrators). Its sign-ins
are audited like the staff pages', and `AuditedModelAdmin` audits every change made in it."""

from django.contrib import admin

from collis.core.roles import Capability, can


class CollisAdminSite(admin.AdminSite):
    site_header = "Collis administration"
    site_title = "Collis administration"
    index_title = "Staff accounts, sites and reference data"

    def has_permission(self, request):
        return request.user.is_active and can(request.user, Capability.USER_MANAGE)

    def login(self, request, extra_context=None):
        from collis.core import services

        signed_in_before = request.user.is_authenticated
        response = super().login(request, extra_context)
        if request.method == "POST" and not signed_in_before:
            if request.user.is_authenticated:
                services.user_login(request=request, user=request.user)
            else:
                services.user_login_failed(
                    request=request, username=request.POST.get("username", ""),
                    reason="wrong username or password (admin)")
        return response


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose additions, changes and deletions are written to the audit log as
    well as Django's own admin history."""

    def log_addition(self, request, obj, message):
        from collis.core.models import AuditAction
        from collis.core.services import admin_change_audit

        admin_change_audit(request=request, action=AuditAction.CREATE, obj=obj,
                            message=str(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        from collis.core.models import AuditAction
        from collis.core.services import admin_change_audit

        admin_change_audit(request=request, action=AuditAction.UPDATE, obj=obj,
                            message=str(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        from collis.core.models import AuditAction
        from collis.core.services import admin_change_audit

        for obj in queryset:
            admin_change_audit(request=request, action=AuditAction.DELETE, obj=obj)
        return super().log_deletions(request, queryset)

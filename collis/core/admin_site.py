"""The admin site: open only to roles that may manage users (administrators)."""

from django.contrib import admin

from collis.core.roles import Capability, can


class CollisAdminSite(admin.AdminSite):
    site_header = "Collis administration"
    site_title = "Collis administration"
    index_title = "Staff accounts, sites and reference data"

    def has_permission(self, request):
        return request.user.is_active and can(request.user, Capability.USER_MANAGE)

from django.contrib import admin

from collis.core.admin_site import AuditedModelAdmin
from collis.public.services import public_cache_clear
from collis.sites.models import Site


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ("name", "postcode", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "postcode")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_cache_clear("/sites/", f"/sites/{obj.code}/")  # its public pages show it

    def has_delete_permission(self, request, obj=None):
        return False  # patients and appointments refer to sites: retire one instead

"""The header navigation: only what the signed-in user's role may use."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

from collis.core.reverse import reverse_kept as reverse
from collis.core.roles import Capability, can

# (label, url name, capability needed; None = any signed-in member of staff)
NAVIGATION = (
    ("Home", "home", None),
    ("Patients", "patients:patient_list", Capability.PATIENT_SEARCH),
    ("My worklist", "surgery:worklist", Capability.RECORD_VIEW),
    ("MDT meetings", "mdt:meeting_list", Capability.MDT_RECORD),
    ("Clinics", "scheduling:session_list", Capability.CLINIC_VIEW),
    ("Waiting list", "surgery:waiting_list", Capability.WAITING_LIST_VIEW),
    ("Enquiries", "enquiries:enquiry_list", Capability.ENQUIRY_VIEW),
    ("Sites", "sites:site_list", None),
    ("Audit log", "core:audit_list", Capability.AUDIT_VIEW),
    ("Service audit", "service_audit:complication_audit", Capability.SERVICE_AUDIT_VIEW),
    ("Patient groups", "fhir_api:group_list", Capability.FHIR_GROUP_MANAGE),
    ("Local policy", "policy:policy_detail", Capability.POLICY_VIEW),
    ("Public information", "public:content_list", Capability.CONTENT_EDIT),
    ("Administration", "admin:index", Capability.USER_MANAGE),
)


def navigation_links(user) -> tuple[tuple[str, str, bool], ...]:
    """The header's links for `user`: (label, href, whether it is the home page). They
    depend on the role alone (what it may use) and the URL configuration, so they are kept
    per process for each role (with the URL configuration and script prefix in the key)."""
    if not user or not user.is_authenticated:
        role = None
    else:
        role = (user.role, user.account_type, user.is_active)
    return _links(role, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=256)
def _links(role, urlconf: str, prefix: str) -> tuple[tuple[str, str, bool], ...]:
    if role is None:
        return (("Sites", reverse("sites:site_list"), False),)
    user = _RoleOnly(*role)
    return tuple((label, reverse(url_name), url_name == "home")
                 for label, url_name, capability in NAVIGATION
                 if capability is None or can(user, capability))


class _RoleOnly:
    """What `can` reads of a signed-in user (the capabilities follow from these alone)."""

    is_authenticated = True

    def __init__(self, role, account_type, is_active):
        self.role, self.account_type, self.is_active = role, account_type, is_active


def navigation_for(request) -> list[dict]:
    path = request.path
    return [{"text": label, "href": href,
             "current": path == href if home else path.startswith(href)}
            for label, href, home in navigation_links(getattr(request, "user", None))]

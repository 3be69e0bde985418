"""The header navigation: only what the signed-in user's role may use."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf

from collis.core.reverse import reverse_kept as reverse
from collis.core.roles import Capability, capabilities_of

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
    depend only on whether someone is signed in and what their role may use, so they are
    kept per process for each set of capabilities (with the URL configuration and script
    prefix in the key)."""
    signed_in = bool(user) and user.is_authenticated
    return _links(signed_in, capabilities_of(user) if signed_in else frozenset(),
                  get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=256)
def _links(signed_in: bool, capabilities: frozenset, urlconf: str,
           prefix: str) -> tuple[tuple[str, str, bool], ...]:
    if not signed_in:
        return (("Sites", reverse("sites:site_list"), False),)
    return tuple((label, reverse(url_name), url_name == "home")
                 for label, url_name, capability in NAVIGATION
                 if capability is None or capability in capabilities)

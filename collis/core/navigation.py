"""The header navigation: only what the signed-in user's role may use."""

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


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return [{"text": "Sites", "href": reverse("sites:site_list"),
                 "current": request.path.startswith(reverse("sites:site_list"))}]
    items = []
    for label, url_name, capability in NAVIGATION:
        if capability is not None and not can(user, capability):
            continue
        href = reverse(url_name)
        current = request.path == href if url_name == "home" else request.path.startswith(href)
        items.append({"text": label, "href": href, "current": current})
    return items

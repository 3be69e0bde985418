"""Who may use a portal page: a signed-in patient account, linked to a record, that has
proved its second factor in this session. Staff are refused every portal page (403), as
patients are refused every staff page (they have no capability)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_otp import DEVICE_ID_SESSION_KEY

from collis.core.models import AccountType

# The account this session signed in through NHS login (its vector of trust included a second
# factor), set by `views.nhs_login_callback`.
NHS_LOGIN_SESSION_KEY = "collis_portal_nhs_login"
STAFF_REFUSAL = ("The patient portal is for patients. Staff use Collis through their own "
                 "sign-in.")


def is_patient_account(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.account_type == AccountType.PATIENT)


def second_factor_proved(request) -> bool:
    """Whether this session proved the second factor of the signed-in patient: the device
    it proved is named in the session and belongs to the account, or the patient signed in
    through NHS login, which asked for its own second factor (ADR 0022)."""
    if request.session.get(NHS_LOGIN_SESSION_KEY) == request.user.pk:
        return True
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    from django_otp.models import Device

    device = Device.from_persistent_id(persistent_id)
    return bool(device is not None and device.user_id == request.user.pk and device.confirmed)


def _sign_in(request):
    return redirect(f"{settings.COLLIS_PORTAL_SIGN_IN_PATH}?next="
                    f"{quote(request.get_full_path(), safe='/')}")


def portal_page(view=None, *, second_factor: bool = True):
    """A page of the portal. Anyone not signed in is sent to the patient sign-in; a member
    of staff is refused; a patient who has not yet proved their second factor in this
    session is sent to set it up or to enter a code (`second_factor=False` marks those two
    steps' own pages)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not getattr(user, "is_authenticated", False):
                return _sign_in(request)
            if not is_patient_account(user):
                raise PermissionDenied(STAFF_REFUSAL)
            if second_factor and not second_factor_proved(request):
                from collis.portal.services import portal_has_second_factor

                if portal_has_second_factor(user):
                    return redirect("portal:sign_in_code")
                return redirect("portal:security_set_up")
            return view(request, *args, **kwargs)

        wrapped = login_not_required(wrapped)
        wrapped.required_capability = None
        wrapped.portal = True
        if hasattr(view, "http_methods"):
            wrapped.http_methods = view.http_methods
        return wrapped

    return decorator(view) if view is not None else decorator

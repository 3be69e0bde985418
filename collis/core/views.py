"""Sign-in and out, home, the audit log, the accessibility statement and error pages."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from collis.core import services
from collis.core.audit import Actor
from collis.core.forms import AuditExportForm, AuditFilterForm, LoginForm
from collis.core.models import AccountType
from collis.core.permissions import methods, public, require, signed_in
from collis.core.roles import Capability, capabilities_of
from collis.core.selectors import (
    AuditCursor,
    AuditFilters,
    audit_export_rows,
    audit_log_page,
    audit_patients_with_number,
)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@public
@methods("GET", "POST")
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username,
                            password=form.cleaned_data["password"])
        if user is not None and user.account_type != AccountType.STAFF:
            user = None  # patients will sign in to the patient portal, not here
        if user is None:
            services.user_login_failed(request=request, username=username,
                                              reason="wrong username or password")
            form.add_error(None, "Your username or password is not right. Check them and try "
                                 "again. Your account is locked for a while after "
                                 f"{settings.AXES_FAILURE_LIMIT} wrong tries.")
        else:
            login(request, user)
            services.user_login(request=request, user=user)
            return redirect(_safe_next(request, "home"))
    return render(request, "core/login.jinja", {
        "title": "Sign in", "form": form, "next": request.GET.get("next", ""),
    })


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when an account is locked after repeated failed sign-ins."""
    username = (credentials or {}).get("username", "")
    services.user_login_failed(request=request, username=username, reason="locked out")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/lockout.jinja",
                  {"title": "Your account is locked", "minutes": minutes}, status=429)


@signed_in
@methods("POST")
def logout_view(request):
    if request.user.is_authenticated:
        services.user_logout(request=request)
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("login")


@public
def home(request):
    """`/`: the staff home for signed-in staff; the public home page for anyone else."""
    user = request.user
    if user.is_authenticated and user.account_type == AccountType.PATIENT:
        return redirect("portal:home")  # a patient's home is their portal
    if not capabilities_of(user):
        from collis.public.views import public_home  # the public app builds on core

        return public_home(request)
    from collis.core.home import home_for
    from collis.scheduling.presenters import session_title
    from collis.surgery.presenters import waiting_since_referral

    return render(request, "core/home.jinja", {
        "title": "Home",
        "capabilities": capabilities_of(user),
        "Capability": Capability,
        "home": home_for(actor=Actor.from_request(request)),
        "session_title": session_title, "waited": waiting_since_referral,
    })


@require(Capability.AUDIT_VIEW)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    page = None
    # A filter that is not valid (a date that is not a real date) is shown with its error,
    # not silently dropped to show the whole log.
    if not form.is_bound or form.is_valid():
        cleaned = form.cleaned_data if form.is_bound else {}
        actor = Actor.from_request(request)
        patients = (audit_patients_with_number(cleaned["patient"], actor=actor)
                    if cleaned.get("patient") else None)
        filters = AuditFilters(username=cleaned.get("username") or "",
                               action=cleaned.get("action") or "", on=cleaned.get("on"),
                               patient_ids=patients)
        page = audit_log_page(filters=filters, before=AuditCursor.parse(request.GET.get("before")),
                              after=AuditCursor.parse(request.GET.get("after")), actor=actor)
        if patients == ():
            form.add_error("patient", "No patient of your unit has this NHS number")
    return render(request, "core/audit_list.jinja", {
        "title": "Audit log", "form": form, "page": page,
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Audit log", "href": ""}],
    })


@require(Capability.AUDIT_VIEW)
def audit_export(request):
    """The log from one day to another as CSV, streamed as it is read."""
    form = AuditExportForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        writer = csv.writer(_Echo())
        rows = audit_export_rows(start=start, end=end, actor=Actor.from_request(request))
        response = StreamingHttpResponse((writer.writerow(row) for row in rows),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="collis-audit-{start}-to-{end}.csv"')
        return response
    return render(request, "core/audit_export.jinja", {
        "title": "Export the audit log", "form": form,
        "breadcrumbs": [{"text": "Home", "href": "/"}, {"text": "Audit log", "href": "/audit/"},
                        {"text": "Export", "href": ""}],
    })


class _Echo:
    """A file that hands back what is written to it, for csv.writer over a stream."""

    def write(self, value):
        return value


@public
def accessibility(request):
    return render(request, "core/accessibility.jinja", {"title": "Accessibility statement"})


@public
def csrf_failure(request, reason=""):
    return render(request, "core/error.jinja", {
        "title": "Your form could not be sent",
        "message": "The page had been open too long, or you signed out in another window. "
                   "Go back, reload the page and try again.",
    }, status=403)


def permission_denied(request, exception=None):
    """The 403 page: what was refused, in words (`refusal_message` or a service's refusal),
    and whom to ask."""
    detail = str(exception) if exception and str(exception) else ""
    return render(request, "core/permission_denied.jinja", {
        "title": "You cannot use this page",
        "message": detail or "Your role does not allow you to use this page.",
    }, status=403)


@public
def page_not_found(request, exception=None):
    return render(request, "core/error.jinja", {
        "title": "Page not found",
        "message": "If you typed the web address, check it is correct. "
                   "If you pasted the web address, check you copied the entire address.",
    }, status=404)


@public
def server_error(request):
    return render(request, "core/error.jinja", {
        "title": "Sorry, there is a problem with the service",
        "message": "Try again later. Nothing you entered on the page that failed was saved.",
    }, status=500)


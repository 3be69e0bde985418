"""Pages of the patient portal (ADR 0021), its optional sign-in through NHS login (ADR 0022),
and the staff page that invites a patient to it.

Portal pages are `@portal_page`: a signed-in patient account that has proved its second
factor in this session; they read only the signed-in patient's own record
(`selectors.portal_patient`). The staff page is `@require(Capability.PORTAL_INVITE)` and
reads the patient through `patient_get`."""

from __future__ import annotations

import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from markupsafe import Markup

from collis.core import services as core_services
from collis.core.audit import Actor
from collis.core.flow import form_errors_apply, form_submit
from collis.core.models import AccountType, AuditAction
from collis.core.pdf import pdf_response
from collis.core.permissions import methods, public, require
from collis.core.roles import Capability
from collis.core.selectors import AuditCursor
from collis.enquiries.models import Topic
from collis.patients.presenters import record_crumbs
from collis.patients.selectors import patient_get
from collis.portal import nhs_login, selectors, services
from collis.portal.forms import (
    AccountForm,
    AppointmentRequestForm,
    CodeForm,
    InvitationForm,
    QuestionForm,
    SignInCodeForm,
    SignInForm,
    questionnaire_form,
)
from collis.portal.permissions import (
    NHS_LOGIN_SESSION_KEY,
    is_patient_account,
    portal_page,
    second_factor_proved,
)
from collis.portal.presenters import WHAT_TO_BRING, WHAT_TO_BRING_LABEL, AppointmentView

logger = logging.getLogger(__name__)

RECOVERY_SESSION_KEY = "collis_portal_recovery_codes"


def _portal_crumbs(*tail: dict) -> list[dict]:
    return [{"text": "Your portal", "href": reverse("portal:home")}, *tail]


# -- Staff: inviting a patient ----------------------------------------------------------

@require(Capability.PORTAL_INVITE)
@methods("GET", "POST")
def portal_access(request, patient_id):
    """The patient's access to the portal: their account, their invitations, and a form to
    invite them (again)."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    form = InvitationForm(request.POST if request.method == "POST" else None,
                          initial={"email": patient.email} if request.method == "GET" else None)
    here = reverse("portal:portal_access", kwargs={"patient_id": patient.pk})
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: services.portal_invitation_send(
                patient=patient, email=data["email"], actor=actor,
                link_for=lambda secret: request.build_absolute_uri(
                    reverse("portal:invitation_accept", kwargs={"token": secret}))),
            redirect_to=here,
            message=lambda invitation: f"Invitation sent to {invitation.email}.")
        if response:
            return response
    return render(request, "portal/staff_access.jinja", {
        "title": "Patient portal", "patient": patient, "form": form,
        "invitations": selectors.portal_invitation_list(patient=patient, actor=actor),
        "account": patient.portal_account,
        "breadcrumbs": record_crumbs(patient, {"text": "Patient portal", "href": ""}),
    })


@require(Capability.PORTAL_INVITE)
@methods("POST")
def invitation_revoke(request, patient_id, pk):
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    try:
        services.portal_invitation_revoke(patient=patient, invitation_id=pk, actor=actor)
        messages.success(request, "The invitation was withdrawn. Its link no longer works.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("portal:portal_access", patient_id=patient.pk)


@require(Capability.PORTAL_INVITE)
@methods("GET", "POST")
def account_withdraw(request, patient_id):
    """Close the patient's portal account (the button on the portal access page); a GET
    goes back to that page."""
    actor = Actor.from_request(request)
    patient = patient_get(patient_id=patient_id, actor=actor)
    if request.method != "POST":
        return redirect("portal:portal_access", patient_id=patient.pk)
    try:
        services.portal_access_withdraw(patient=patient, actor=actor)
        messages.success(request, "The patient's portal account was closed.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("portal:portal_access", patient_id=patient.pk)


# -- The patient's account ----------------------------------------------------------------

@public
@methods("GET", "POST")
def invitation_accept(request, token):
    """The invitation link: the patient confirms their date of birth and chooses a
    password; then they set up their second factor before seeing anything."""
    invitation = services.portal_invitation_find(token)
    problem = services.invitation_problem(invitation)
    if problem:
        return render(request, "portal/invitation_problem.jinja",
                      {"title": "This link does not work", "problem": problem}, status=404)
    form = AccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.portal_account_create(
                secret=token, date_of_birth=form.cleaned_data["date_of_birth"],
                password=form.cleaned_data["password"], actor=Actor.from_request(request))
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, account, backend="collis.core.backends.ModelBackend")
            return redirect("portal:security_set_up")
    return render(request, "portal/invitation_accept.jinja", {
        "title": "Make your account", "form": form,
    })


def _qr_svg(url: str) -> Markup:
    svg = segno.make(url, error="m").svg_inline(scale=5, title="QR code to scan")
    return Markup(svg)  # noqa: S704 - segno's own SVG, made from our URL, not input


@portal_page(second_factor=False)
@methods("GET", "POST")
def security_set_up(request):
    """The second factor: scan the key into an authenticator app and enter a code."""
    if services.portal_has_second_factor(request.user):
        return redirect("portal:home")
    device = services.portal_totp_device(account=request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            second = services.portal_totp_confirm(account=request.user,
                                                  code=form.cleaned_data["code"],
                                                  actor=Actor.from_request(request))
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            otp_login(request, second.device)
            request.session[RECOVERY_SESSION_KEY] = second.recovery_codes
            return redirect("portal:recovery_codes")
    key = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "portal/security_set_up.jinja", {
        "title": "Set up your authenticator app", "form": form,
        "qr": _qr_svg(device.config_url),
        "key": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
    })


@portal_page
def recovery_codes(request):
    """The recovery codes, shown once, just after the authenticator app was set up."""
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect("portal:home")
    return render(request, "portal/recovery_codes.jinja", {
        "title": "Your recovery codes", "codes": codes,
    })


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/portal/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal:home")


@public
@methods("GET", "POST")
def sign_in(request):
    """The patients' sign-in, apart from staff's: the same lock-out (django-axes) and audit;
    then the second factor."""
    if is_patient_account(request.user):
        return redirect(_safe_next(request))
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip().lower()
        user = authenticate(request, username=username,
                            password=form.cleaned_data["password"])
        if user is not None and user.account_type != AccountType.PATIENT:
            user = None  # staff sign in at /login/, never here
        if user is None:
            core_services.user_login_failed(request=request, username=username,
                                            reason="portal: wrong email or password")
            form.add_error(None, "Your email address or password is not right. Check them "
                                 "and try again. Your account is locked for a while after "
                                 f"{settings.AXES_FAILURE_LIMIT} wrong tries.")
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, user)
            core_services.user_login(request=request, user=user)
            request.session["collis_portal_next"] = _safe_next(request)
            if services.portal_has_second_factor(user):
                return redirect("portal:sign_in_code")
            return redirect("portal:security_set_up")
    return render(request, "portal/sign_in.jinja", {
        "title": "Sign in to your patient portal", "form": form,
        "next": request.GET.get("next", ""), "nhs_login": _nhs_login_link(request),
    })


def _nhs_login_link(request) -> str:
    """Where "Continue with NHS login" goes (keeping the page asked for), or "" when NHS
    login is off."""
    if not nhs_login.nhs_login_enabled():
        return ""
    next_url = request.GET.get("next", "")
    return reverse("portal:nhs_login_start") + (f"?{urlencode({'next': next_url})}"
                                                if next_url else "")


def _nhs_login_config() -> nhs_login.NhsLoginConfig:
    """The NHS login client's settings; 404 when NHS login is off. Settings that are wrong
    (which `collis manage check` reports) refuse as if NHS login were away."""
    try:
        config = nhs_login.nhs_login_config()
    except ImproperlyConfigured as error:
        logger.exception("NHS login is misconfigured")
        raise nhs_login.NhsLoginRefused(nhs_login.Refusal.UNAVAILABLE, str(error)) from error
    if config is None:
        raise Http404("NHS login is not used here.")
    return config


def _nhs_login_refused(request, refused: nhs_login.NhsLoginRefused):
    """The page that says why NHS login did not sign the patient in and what to do; the
    refusal is audited like a failed password sign-in."""
    who = f"NHS login, NHS number {refused.nhs_number}" if refused.nhs_number else "NHS login"
    core_services.user_login_failed(request=request, username=who,
                                    reason=f"portal: {refused}")
    return render(request, "portal/nhs_login_problem.jinja", {
        "title": "You could not sign in with NHS login", "problem": refused.problem,
    }, status=refused.status)


@public
def nhs_login_start(request):
    """"Continue with NHS login": the patient goes to NHS login with a new state, nonce
    and PKCE challenge, kept in this session until they come back."""
    try:
        config = _nhs_login_config()
        if is_patient_account(request.user) and second_factor_proved(request):
            return redirect(_safe_next(request))
        url, pending = nhs_login.authorization_start(config, next_url=_safe_next(request))
    except nhs_login.NhsLoginRefused as refused:
        return _nhs_login_refused(request, refused)
    nhs_login.pending_keep(request.session, pending)
    return redirect(url)


@public
def nhs_login_callback(request):
    """NHS login sends the patient back here. Their answer is checked against the sign-in
    this session started; the NHS number and date of birth must be those of a record with
    an active portal account. NHS login asked for its own second factor, so the portal's
    code is not asked for; lock-out does not apply (no password is typed here)."""
    try:
        config = _nhs_login_config()
        pending = nhs_login.pending_take(request.session, request.GET.get("state", ""))
        identity = nhs_login.authorization_finish(config, pending=pending, params=request.GET)
        account = services.portal_account_for_nhs_login(identity=identity)
    except nhs_login.NhsLoginRefused as refused:
        return _nhs_login_refused(request, refused)
    if request.user.is_authenticated:
        logout(request)
    login(request, account, backend="collis.core.backends.ModelBackend")
    request.session[NHS_LOGIN_SESSION_KEY] = account.pk
    core_services.user_login(request=request, user=account)
    return redirect(pending["next"])


@portal_page(second_factor=False)
@methods("GET", "POST")
def sign_in_code(request):
    """The second step of signing in: a code from the authenticator app or a recovery
    code."""
    if not services.portal_has_second_factor(request.user):
        return redirect("portal:security_set_up")
    form = SignInCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.portal_second_factor_verify(account=request.user,
                                                      code=form.cleaned_data["code"])
        if device is None:
            core_services.user_login_failed(request=request, username=request.user.username,
                                            reason="portal: wrong second-factor code")
            if services.portal_second_factor_slowed(request.user):
                form.add_error("code", "You have typed a wrong code more than once. Wait a "
                                       "minute, then type the numbers your app shows then.")
            else:
                form.add_error("code", "The code is not right. Enter the 6 numbers your "
                                       "authenticator app shows now, or a recovery code.")
        else:
            otp_login(request, device)
            return redirect(request.session.pop("collis_portal_next", None)
                            or reverse("portal:home"))
    return render(request, "portal/sign_in_code.jinja", {
        "title": "Enter your code", "form": form,
    })


@portal_page(second_factor=False)
@methods("POST")
def sign_out(request):
    core_services.user_logout(request=request)
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("portal:sign_in")


# -- The portal -----------------------------------------------------------------------------

@portal_page
def home(request):
    patient = selectors.portal_patient(actor=Actor.from_request(request))
    links = [(reverse(name), heading, text) for name, heading, text in HOME_LINKS
             if _installed(name)]
    return render(request, "portal/home.jinja", {
        "title": "Your patient portal", "patient": patient, "links": links,
    })


# The portal's sections, in the order the home page lists them.
HOME_LINKS = (
    ("portal:questionnaire_list", "Your questionnaires",
     "Tell us how your neck affects your daily life when we ask. You can stop and come "
     "back later."),
    ("portal:appointment_list", "Your appointments",
     "See when and where your appointments are, add them to your calendar, or ask to "
     "change one."),
    ("portal:document_list", "Your documents",
     "Read and download the leaflets and forms the unit has given you."),
    ("portal:access_list", "Who has looked at your record",
     "See every time someone opened your record, and ask us about any of them."),
    ("portal:my_data", "A copy of your data",
     "Download everything we hold about you, as a file or as a summary to read."),
)


def _installed(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@portal_page
def access_list(request):
    """Who has looked at the record: every audited access, newest first."""
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    page = selectors.portal_access_page(
        patient=patient, actor=actor, before=AuditCursor.parse(request.GET.get("before")),
        after=AuditCursor.parse(request.GET.get("after")),
        include_own=request.GET.get("own") == "1")
    return render(request, "portal/access_list.jinja", {
        "title": "Who has looked at your record", "patient": patient, "page": page,
        "include_own": request.GET.get("own") == "1",
        "breadcrumbs": _portal_crumbs({"text": "Who has looked at your record", "href": ""}),
    })


@portal_page
@methods("GET", "POST")
def access_ask(request, pk):
    """Ask the unit about one access to the record: an enquiry to the unit's inbox."""
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    access = selectors.portal_access_get(patient=patient, event_id=pk, actor=actor)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        when = access.event.at
        response = form_submit(
            request, form,
            lambda data: services.portal_question_send(
                patient=patient, topic=Topic.OTHER, actor=actor,
                question=(f"About an access to my record on {when:%d %B %Y at %H:%M} by "
                          f"{access.who} ({access.role}): {access.what}.\n\n"
                          f"{data['question']}")),
            redirect_to=reverse("portal:access_list"),
            message=lambda enquiry: f"Your question was sent to the unit. Its reference is "
                                    f"{enquiry.reference}.")
        if response:
            return response
    return render(request, "portal/access_ask.jinja", {
        "title": "Ask about this access", "access": access, "form": form,
        "breadcrumbs": _portal_crumbs(
            {"text": "Who has looked at your record", "href": reverse("portal:access_list")},
            {"text": "Ask about this access", "href": ""}),
    })


# -- Appointments ---------------------------------------------------------------------------

@portal_page
def appointment_list(request):
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    views = [AppointmentView(a) for a in selectors.portal_appointments(patient=patient,
                                                                       actor=actor)]
    upcoming = sorted((v for v in views if v.is_upcoming),
                      key=lambda v: v.appointment.starts_at)
    return render(request, "portal/appointment_list.jinja", {
        "title": "Your appointments", "upcoming": upcoming,
        "past": [v for v in views if not v.is_upcoming],
        "breadcrumbs": _portal_crumbs({"text": "Your appointments", "href": ""}),
    })


@portal_page
def appointment_detail(request, pk):
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    view = AppointmentView(selectors.portal_appointment(patient=patient, appointment_id=pk,
                                                        actor=actor))
    return render(request, "portal/appointment_detail.jinja", {
        "title": f"{view.kind} appointment", "a": view, "bring": WHAT_TO_BRING,
        "bring_label": WHAT_TO_BRING_LABEL,
        "breadcrumbs": _portal_crumbs(
            {"text": "Your appointments", "href": reverse("portal:appointment_list")},
            {"text": view.when, "href": ""}),
    })


@portal_page
def appointment_calendar(request, pk):
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    body = selectors.portal_appointment_calendar(patient=patient, appointment_id=pk,
                                                 actor=actor, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{pk}.ics"'
    return response


@portal_page
@methods("GET", "POST")
def appointment_change(request, pk):
    """Ask to cancel or move an appointment: a request in the unit's inbox that staff act
    on (the portal does not change the diary itself)."""
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    view = AppointmentView(selectors.portal_appointment(patient=patient, appointment_id=pk,
                                                        actor=actor))
    if not view.may_change:
        raise Http404("This appointment can no longer be changed.")
    form = AppointmentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        def send(data):
            wish = ("cancel" if data["change"] == "cancel" else "move")
            text = (f"Please {wish} my {view.kind.lower()} appointment on {view.when} at "
                    f"{view.site.name} (appointment {view.pk}).")
            if data.get("details"):
                text += "\n\n" + data["details"]
            return services.portal_question_send(patient=patient, topic=Topic.APPOINTMENT,
                                                 question=text, actor=actor)

        response = form_submit(
            request, form, send, redirect_to=reverse("portal:appointment_detail",
                                                     kwargs={"pk": view.pk}),
            message=lambda enquiry: "Your request was sent to the unit. We will contact you "
                                    f"to confirm. Its reference is {enquiry.reference}.")
        if response:
            return response
    return render(request, "portal/appointment_change.jinja", {
        "title": "Ask to cancel or move this appointment", "a": view, "form": form,
        "breadcrumbs": _portal_crumbs(
            {"text": "Your appointments", "href": reverse("portal:appointment_list")},
            {"text": view.when, "href": reverse("portal:appointment_detail",
                                                kwargs={"pk": view.pk})},
            {"text": "Ask to change", "href": ""}),
    })


# -- Documents -------------------------------------------------------------------------------

@portal_page
def document_list(request):
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    return render(request, "portal/document_list.jinja", {
        "title": "Your documents",
        "documents": selectors.portal_documents(patient=patient, actor=actor),
        "breadcrumbs": _portal_crumbs({"text": "Your documents", "href": ""}),
    })


@portal_page
def decision_aid_pdf(request, episode_id):
    """The patient version of the decision aid, as the unit prints it (download audited)."""
    from collis.consent import pdfs
    from collis.consent.selectors import patient_aid_get

    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    episode = selectors.portal_episode(patient=patient, episode_id=episode_id, actor=actor)
    aid, version = patient_aid_get(episode=episode, actor=actor, action=AuditAction.DOWNLOAD)
    return pdf_response(pdfs.patient_aid_pdf(patient=patient, aid=aid, version=version),
                        f"decision-aid-{episode.pk}.pdf")


@portal_page
def consent_pdf(request, episode_id):
    """The patient's consent form (download audited)."""
    from collis.consent import pdfs
    from collis.consent.selectors import consent_get

    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    episode = selectors.portal_episode(patient=patient, episode_id=episode_id, actor=actor)
    consent = consent_get(episode=episode, actor=actor, action=AuditAction.DOWNLOAD)
    if consent is None:
        raise Http404("No consent is recorded.")
    return pdf_response(pdfs.consent_form_pdf(consent=consent),
                        f"consent-form-{episode.pk}.pdf")


@portal_page
def outcome_letter_pdf(request, episode_id):
    """The MDT's outcome letter for one of the patient's pathway episodes: the letter of its
    current decision, as the unit sent it to their referrer and GP (download audited)."""
    from collis.mdt.documents import outcome_letter_pdf as render_outcome

    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    episode = selectors.portal_episode(patient=patient, episode_id=episode_id, actor=actor)
    decision = selectors.portal_outcome_decision(episode=episode, actor=actor)
    return pdf_response(render_outcome(decision), f"mdt-outcome-{episode.pk}.pdf")


@portal_page
def letter_pdf(request, letter_id):
    """One of the patient's clinic letters, as it was sent (download audited)."""
    from collis.letters.pdfs import letter_pdf as render_letter

    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    letter, version = selectors.portal_letter(patient=patient, letter_id=letter_id, actor=actor)
    data = render_letter(letter=letter, version=version, author=version.created_by,
                         dated=timezone.localtime(letter.sent_at).date())
    return pdf_response(data, f"clinic-letter-{letter.pk}.pdf")


# -- A copy of my data -----------------------------------------------------------------------

@portal_page
def my_data(request):
    selectors.portal_patient(actor=Actor.from_request(request))
    from collis.portal.export import ENTRIES_NOTE, NOT_INCLUDED

    return render(request, "portal/my_data.jinja", {
        "title": "A copy of your data", "not_included": NOT_INCLUDED,
        "entries": ENTRIES_NOTE,
        "breadcrumbs": _portal_crumbs({"text": "A copy of your data", "href": ""}),
    })


@portal_page
def my_data_json(request):
    """The JSON copy, with the record as a FHIR Bundle whose fullUrls are this server's."""
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    fhir_base_url = request.build_absolute_uri(
        reverse("fhir_api:metadata")).removesuffix("metadata")
    body = selectors.portal_data_export(patient=patient, actor=actor,
                                        fhir_base_url=fhir_base_url)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@portal_page
def my_data_pdf(request):
    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    return pdf_response(selectors.portal_data_export(patient=patient, actor=actor,
                                                     as_pdf=True), "my-data.pdf")


@portal_page
def my_data_schema(request):
    """The JSON Schema that documents the JSON copy (no patient data)."""
    from django.http import JsonResponse

    from collis.portal.export import DataExportOut

    return JsonResponse(DataExportOut.model_json_schema())


# -- Questionnaires -----------------------------------------------------------------------------

@portal_page
def questionnaire_list(request):
    from collis.questionnaires.selectors import questionnaire_due_list

    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    return render(request, "portal/questionnaire_list.jinja", {
        "title": "Your questionnaires",
        "due": questionnaire_due_list(patient=patient, actor=actor),
        "breadcrumbs": _portal_crumbs({"text": "Your questionnaires", "href": ""}),
    })


@portal_page
@methods("GET", "POST")
def questionnaire_answer(request, occasion):
    """Answer a questionnaire that is due: "Save and come back later" keeps what is
    answered; "Send my answers" needs every answer and sends them to the unit."""
    from collis.questionnaires.selectors import questionnaire_due_get
    from collis.questionnaires.services import questionnaire_answers_save

    actor = Actor.from_request(request)
    patient = selectors.portal_patient(actor=actor)
    due = questionnaire_due_get(patient=patient, occasion=occasion, actor=actor)
    form = questionnaire_form(due.questionnaire,
                              request.POST if request.method == "POST" else None,
                              initial=due.draft.answers if due.draft else None)
    if request.method == "POST":
        send = "send" in request.POST
        response = form_submit(
            request, form,
            lambda data: questionnaire_answers_save(
                patient=patient, due=due, send=send, actor=actor,
                answers={k: v for k, v in data.items() if v not in (None, "")}),
            redirect_to=reverse("portal:questionnaire_list") if send else request.path,
            message=("Thank you. Your answers were sent to the unit." if send else
                     "Your answers are saved. You can come back and finish later."))
        if response:
            return response
    return render(request, "portal/questionnaire_answer.jinja", {
        "title": due.questionnaire.title, "due": due, "form": form,
        "breadcrumbs": _portal_crumbs(
            {"text": "Your questionnaires", "href": reverse("portal:questionnaire_list")},
            {"text": due.questionnaire.title, "href": ""}),
    })

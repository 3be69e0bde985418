"""SMART Backend Services over HTTP: the discovery document at the FHIR base, the token
endpoint, and the administrators' page of system clients (register, list, deactivate).
Thin: the rules are in `smart`."""

from __future__ import annotations

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from collis.core.audit import Actor, client_ip
from collis.core.flow import form_submit
from collis.core.permissions import methods, public, require
from collis.core.roles import Capability
from collis.fhir_api import smart
from collis.fhir_api.forms import SystemClientForm
from collis.fhir_api.views import _base_url, fhir_endpoint

HOME = {"text": "Home", "href": "/"}


@fhir_endpoint(authenticated=False)
def smart_configuration(request):
    """`/fhir/R4/.well-known/smart-configuration`: public, as SMART clients expect."""
    response = JsonResponse(smart.smart_configuration(base_url=_base_url(request)))
    add_never_cache_headers(response)
    return response


def _oauth_response(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # RFC 6749 section 5.1: token responses are never cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@public
@csrf_exempt  # a system's form post with a signed assertion; no cookie or session
@methods("POST")
def token(request):
    """`POST /fhir/R4/auth/token`: an access token for a signed client assertion, or the
    OAuth error (400, or 401 for invalid_client)."""
    try:
        body = smart.access_token_request(
            request.POST, token_url=request.build_absolute_uri(reverse("fhir_api:smart_token")),
            ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except smart.OAuthError as error:
        response = _oauth_response(error.body(), error.status)
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="Collis FHIR", error="invalid_client"'
        return response
    return _oauth_response(body)


def _client_list_page(request, form):
    return render(request, "fhir_api/system_clients.jinja", {
        "title": "FHIR system clients", "form": form, "clients": smart.system_client_list(),
        "token_url": request.build_absolute_uri(reverse("fhir_api:smart_token")),
        "breadcrumbs": [HOME, {"text": "FHIR system clients", "href": ""}],
    })


@require(Capability.USER_MANAGE)
@methods("GET", "POST")
def system_clients(request):
    """The registered SMART system clients, and the form that registers one."""
    form = SystemClientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form,
            lambda data: smart.system_client_register(
                name=data["name"], organisation=data["organisation"], scopes=data["scopes"],
                jwks=data["jwks"], jwks_url=data["jwks_url"], actor=actor),
            redirect_to=reverse("fhir_api:system_clients"),
            message=lambda client: f"{client.name} is registered. Its client id is "
                                   f"{client.client_id}.")
        if response:
            return response
    return _client_list_page(request, form)


@require(Capability.USER_MANAGE)
@methods("POST")
def system_client_deactivate(request, pk: int):
    """Deactivate a client: no new tokens, and the ones it holds stop working."""
    response = form_submit(
        request, forms.Form(request.POST),
        lambda _data: smart.system_client_deactivate(client_pk=pk,
                                                     actor=Actor.from_request(request)),
        redirect_to=reverse("fhir_api:system_clients"),
        message=lambda client: f"{client.name} is deactivated: it can no longer get or use "
                               "access tokens.")
    if response is None:  # the service's only refusal: no such client
        raise Http404("No system client has this id.")
    return response

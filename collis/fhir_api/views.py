"""The FHIR R4 endpoints under /fhir/R4/: thin views that authenticate the bearer token,
check the resource type's capability, dispatch through `registry` and answer
`application/fhir+json`, with every error as an OperationOutcome."""

from __future__ import annotations

import re
from functools import wraps
from importlib.metadata import version
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from collis.core.audit import Actor
from collis.core.models import AuditChannel
from collis.core.roles import Capability, can, refusal_message
from collis.core.services import api_token_authenticate
from collis.fhir_api import codes, includes, registry, smart
from collis.fhir_api.outcomes import (
    FhirError,
    invalid,
    not_found,
    operation_outcome,
    operation_outcome_warnings,
)
from collis.fhir_api.search import CURSOR, FORMAT, JSON_FORMATS, parse_search
from collis.patients.models import is_unit_staff

READ_METHODS = ("GET", "HEAD")
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_response(body: dict, status: int = 200) -> HttpResponse:
    response = JsonResponse(body, status=status, content_type=codes.FHIR_JSON,
                            json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)  # patient data is never kept by a cache
    return response


def _check_format(request) -> None:
    """JSON only: `_format` or an Accept header that rules JSON out is 406."""
    wanted = request.GET.get(FORMAT)
    if wanted is not None and wanted not in JSON_FORMATS:
        raise FhirError(406, "not-supported",
                        f"_format: '{wanted}' is not supported; Collis answers "
                        f"{codes.FHIR_JSON} only.", FORMAT)
    accept = request.headers.get("Accept", "")
    if accept and not any(kind in accept for kind in ("json", "*/*", "application/*")):
        raise FhirError(406, "not-supported",
                        f"Accept: '{accept}' is not supported; Collis answers "
                        f"{codes.FHIR_JSON} only.")


def _authenticate(request) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise FhirError(401, "login", "Authorization: send 'Bearer <token>' with a member "
                                      "of staff's API token or a SMART access token.")
    if token.strip().startswith(smart.TOKEN_PREFIX):
        grant = smart.access_token_authenticate(token.strip())
        if grant is None:
            raise FhirError(401, "login", "Authorization: the access token is not valid "
                                          "(unknown, expired, or its client deactivated); "
                                          "ask /fhir/R4/auth/token for a new one.")
        # The client reads as its unit; its scopes decide the types (smart.scope_require).
        request.user, request.smart_grant = grant.principal, grant
        return
    user = api_token_authenticate(token.strip())
    if user is None:
        raise FhirError(401, "login", "Authorization: the token is not valid (unknown, "
                                      "expired or revoked).")
    request.user = user  # so that audit entries name the member of staff


def fhir_endpoint(*, authenticated: bool = True, methods: tuple[str, ...] = READ_METHODS):
    """A FHIR view: format check, bearer token, and any FhirError as an OperationOutcome.
    It answers for itself (token, not session), hence `login_not_required`. `methods`:
    those the view accepts (others are 405); reads only, unless it says otherwise."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            anonymous = request.user
            try:
                if request.method not in methods:
                    raise FhirError(405, "not-supported", (
                        f"{request.method}: the FHIR API only reads; it accepts GET (see "
                        "/fhir/R4/metadata)." if methods == READ_METHODS else
                        f"{request.method}: this endpoint accepts {', '.join(methods)} "
                        "(see /fhir/R4/metadata)."))
                _check_format(request)
                if authenticated:
                    _authenticate(request)
                return view(request, *args, **kwargs)
            except FhirError as error:
                response = fhir_response(
                    operation_outcome(code=error.code, diagnostics=error.diagnostics),
                    error.status)
                if error.status == 401:
                    response["WWW-Authenticate"] = 'Bearer realm="Collis FHIR"'
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response
            finally:
                # The token signs in this request only: no session is made or touched.
                request.user = anonymous

        wrapped = csrf_exempt(login_not_required(wrapped))
        # Every method reaches the view, which refuses writes with an OperationOutcome
        # (a FHIR client is told why in FHIR); no session or cookie is involved, so CSRF
        # does not apply.
        wrapped.http_methods = (*READ_METHODS, "POST", "PUT", "PATCH", "DELETE")
        wrapped.required_capability = None
        if authenticated:
            wrapped.signed_in_only = True  # signed in by the bearer token
        else:
            wrapped.public = True
        return wrapped

    return decorator


def _base_url(request) -> str:
    """The server's base, "https://host/fhir/R4/"."""
    return request.build_absolute_uri(reverse("fhir_api:metadata")).removesuffix("metadata")


def _resource_type(name: str) -> registry.ResourceType:
    resource = registry.BY_NAME.get(name)
    if resource is None and not name.isidentifier():
        raise not_found(f"{name[:64]}: not a FHIR resource type.")
    if resource is None:
        raise not_found(f"{name}: Collis does not serve this resource type; see "
                        f"/fhir/R4/metadata for those it does.")
    return resource


def _require(request, capability) -> None:
    if smart.grant_of(request) is not None:
        return  # a system client: its scopes, not a role, decide (smart.scope_require)
    if not is_unit_staff(request.user) or (capability and not can(request.user, capability)):
        reason = (refusal_message(capability) if capability
                  else "Only a unit's staff may read its records.")
        raise FhirError(403, "forbidden", reason)


@fhir_endpoint(authenticated=False)
def metadata(request):
    statement = registry.capability_statement(
        base_url=_base_url(request), software_version=version("collis"),
        date=timezone.now().date().isoformat())
    return fhir_response(statement)


@fhir_endpoint()
def read(request, resource_type: str, resource_id: str):
    resource = _resource_type(resource_type)
    if not FHIR_ID.fullmatch(resource_id):
        raise not_found(f"{resource_type}/{resource_id[:64]}: not a FHIR id.")
    _require(request, resource.read_capability)
    smart.scope_require(request, resource.name, smart.READ)
    body = resource.read(resource_id, Actor.from_request(request, AuditChannel.API))
    response = fhir_response(body)
    if version := body.get("meta", {}).get("versionId"):
        response["ETag"] = f'W/"{version}"'
    return response


def _bundle(request, entries: list[dict], links: list[dict],
            included: includes.Included | None = None) -> dict:
    base = _base_url(request)
    found = [(entry, "match") for entry in entries]
    if included is not None:
        found += [(entry, "include") for entry in included.resources]
    bundle_entries = [{"fullUrl": f"{base}{entry['resourceType']}/{entry['id']}",
                       "resource": entry, "search": {"mode": mode}} for entry, mode in found]
    if included is not None and included.warnings:
        bundle_entries.append({"resource": operation_outcome_warnings(included.warnings),
                               "search": {"mode": "outcome"}})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "link": links,
        "entry": bundle_entries,
    }


@fhir_endpoint()
def operation(request, resource_type: str, resource_id: str, operation: str):
    resource = _resource_type(resource_type)
    found = next((op for op in resource.operations if f"${op.name}" == operation), None)
    if found is None:
        raise not_found(f"{resource_type}/{resource_id[:64]}/{operation[:64]}: Collis does "
                        f"not offer this operation; see /fhir/R4/metadata.")
    _require(request, resource.read_capability)
    _require(request, Capability.RECORD_VIEW)
    smart.scope_require(request, smart.ALL_TYPES, smart.READ)
    if request.GET:
        raise invalid(f"{next(iter(request.GET))}: ${found.name} takes no parameters here.")
    entries = found.run(resource_id, Actor.from_request(request, AuditChannel.API))
    return fhir_response(_bundle(request, entries, [
        {"relation": "self", "url": request.build_absolute_uri()}]))


@fhir_endpoint()
def search(request, resource_type: str):
    resource = _resource_type(resource_type)
    _require(request, resource.search_capability)
    smart.scope_require(request, resource.name, smart.SEARCH)
    query = parse_search(
        request.GET, resource.params_by_name,
        default_count=settings.COLLIS_FHIR_PAGE_SIZE, max_count=settings.COLLIS_FHIR_MAX_COUNT,
        zone=timezone.get_current_timezone(), reference_targets=dict(resource.references))
    wanted = includes.resolve(resource.name, query)
    for item in wanted:
        # What a search brings along is read as if asked for on its own.
        for type_read in item.types_read:
            included = registry.BY_NAME[type_read]
            if item.reverse:
                _require(request, included.search_capability)
                smart.scope_require(request, type_read, smart.SEARCH)
            else:
                _require(request, included.read_capability)
                smart.scope_require(request, type_read, smart.READ)
    actor = Actor.from_request(request, AuditChannel.API)
    entries, next_cursor = resource.search(query, actor)
    included = includes.fetch(wanted, entries, actor) if wanted else None
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if next_cursor:
        params = [(k, v) for k in request.GET for v in request.GET.getlist(k) if k != CURSOR]
        params.append((CURSOR, next_cursor))
        links.append({"relation": "next",
                      "url": f"{_base_url(request)}{resource.name}?{urlencode(params)}"})
    return fhir_response(_bundle(request, entries, links, included))


@fhir_endpoint()
def unknown(request, rest: str):
    raise not_found(f"/fhir/R4/{rest[:100]}: no such FHIR endpoint here; see "
                    f"/fhir/R4/metadata for what Collis serves.")

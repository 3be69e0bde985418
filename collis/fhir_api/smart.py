"""SMART Backend Services (https://hl7.org/fhir/smart-app-launch/backend-services.html):
system clients registered by an administrator, the token endpoint's OAuth 2.0 client
credentials grant with a signed JWT client assertion (`private_key_jwt`), the access tokens
it issues, and the scopes that decide which resource types a client may read (ADR 0019,
addendum on SMART Backend Services).

A client reads as its unit: each request is made by `client_principal`, a member of staff
of that unit who is never saved and has no role, so the same scoped selectors as the pages
(`visible_to`) give it the unit's records and no others, the pages' capabilities give it
nothing, and its scopes say which resource types it may read. The audit log names it
`smart:<client id>`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from collis.core.audit import Actor, audit_record
from collis.core.models import AccountType, AuditAction, AuditChannel, Organisation, User
from collis.fhir_api.models import SmartAccessToken, SystemClient, UsedAssertion
from collis.fhir_api.outcomes import FhirError

logger = logging.getLogger(__name__)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRANT_TYPE = "client_credentials"
AUTH_METHOD = "private_key_jwt"
SIGNING_ALGS = ("RS384", "ES384")
# The key types each algorithm needs (an ES384 key is on the P-384 curve).
ALG_KEY_TYPES = {"RS384": "RSA", "ES384": "EC"}
# SMART: "exp ... no more than five minutes in the future".
ASSERTION_MAX_SECONDS = 300
# Clock difference allowed between the client and Collis when checking exp, nbf and iat.
LEEWAY_SECONDS = 30
TOKEN_PREFIX = "smart_"  # noqa: S105 - a prefix that tells the token kinds apart
JWKS_FETCH_TIMEOUT = 5
SMART_SERVICE_SYSTEM = "http://terminology.hl7.org/CodeSystem/restful-security-service"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

READ, SEARCH = "r", "s"
ALL_TYPES = "*"
_SCOPE = re.compile(r"system/(?P<type>\*|[A-Z][A-Za-z]{1,63})\.(?P<perms>read|\*|[cruds]{1,5})")


# --- Scopes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """A system scope: the resource type (or "*") and what it allows of read (r) and search
    (s). `.read` (SMART v1) is both; SMART v2's `.rs`, `.r` and `.s` say which."""

    resource_type: str
    permissions: frozenset[str]
    v1: bool = True

    @property
    def text(self) -> str:
        if self.v1 and self.permissions == {READ, SEARCH}:
            return f"system/{self.resource_type}.read"
        return f"system/{self.resource_type}.{''.join(p for p in 'rs' if p in self.permissions)}"


def served_types() -> tuple[str, ...]:
    from collis.fhir_api import registry

    return tuple(r.name for r in registry.RESOURCES)


def scope_parse(text: str) -> Scope | None:
    """The scope, or None if it is not a read scope Collis grants: only `system/` scopes,
    for a resource type the API serves (or *), reading (.read, .rs, .r, .s; v1 `.*` and v2
    `.cruds` grant their read part, as Collis writes nothing)."""
    found = _SCOPE.fullmatch(text)
    if found is None:
        return None
    kind, perms = found["type"], found["perms"]
    if kind != ALL_TYPES and kind not in served_types():
        return None
    if perms in ("read", "*"):
        return Scope(kind, frozenset({READ, SEARCH}), v1=True)
    if list(perms) != sorted(perms, key="cruds".index) or len(set(perms)) != len(perms):
        return None  # v2 letters come once each, in the order c r u d s
    allowed = frozenset(perms) & {READ, SEARCH}
    return Scope(kind, allowed, v1=False) if allowed else None


def scopes_grant(requested: list[str], allowed: list[str]) -> list[str]:
    """Each requested scope narrowed to what the client's allowed scopes cover (a requested
    `system/*.read` with only Patient allowed is `system/Patient.read`); none if nothing
    is covered. Requested and allowed are well-formed scopes."""
    granted: dict[str, None] = {}
    allowed_scopes = [s for s in map(scope_parse, allowed) if s is not None]
    for text in requested:
        wanted = scope_parse(text)
        for have in allowed_scopes:
            if wanted.resource_type == ALL_TYPES:
                kind = have.resource_type
            elif have.resource_type in (ALL_TYPES, wanted.resource_type):
                kind = wanted.resource_type
            else:
                continue
            permissions = wanted.permissions & have.permissions
            if permissions:
                granted[Scope(kind, permissions, v1=wanted.v1).text] = None
    return list(granted)


@dataclass(frozen=True)
class Grant:
    """What one access token lets its client do: read as the client's unit, the resource
    types its scopes name."""

    client: SystemClient
    scopes: tuple[str, ...]

    def allows(self, resource_type: str, permission: str) -> bool:
        """May the token `permission` (r or s) `resource_type` ("*": every type, which only
        a wildcard scope allows)?"""
        for scope in filter(None, map(scope_parse, self.scopes)):
            if permission in scope.permissions and scope.resource_type in (
                    ALL_TYPES, resource_type):
                return True
        return False

    @property
    def principal(self) -> User:
        return client_principal(self.client)


def grant_of(request) -> Grant | None:
    """The SMART grant the request's access token carries (None for a staff API token)."""
    return getattr(request, "smart_grant", None)


def scope_require(request, resource_type: str, permission: str) -> None:
    """403, naming the scopes, unless the request's SMART token allows it (staff tokens
    are checked by role instead)."""
    grant = grant_of(request)
    if grant is None or grant.allows(resource_type, permission):
        return
    what = {READ: "reading", SEARCH: "searching"}[permission]
    kind = ("every resource type (system/*.read)" if resource_type == ALL_TYPES
            else f"{resource_type} resources")
    raise FhirError(403, "forbidden", f"Scope: this access token's scopes "
                    f"({' '.join(grant.scopes)}) do not allow {what} {kind}.")


# --- The client as an actor ---------------------------------------------------------------

def client_principal(client: SystemClient) -> User:
    """The client as a member of staff of its unit with no role, never saved: the scoped
    querysets give it the unit's records, the roles' table no capability, and the audit log
    records its `audit_username` (a colon no account's username may hold)."""
    user = User(username=client.audit_username, account_type=AccountType.STAFF, role="",
                organisation=client.organisation, is_active=client.active,
                first_name=client.name[:150])
    user.system_client = client
    return user


def client_of(user) -> SystemClient | None:
    """The system client a principal stands for (None for a person)."""
    return getattr(user, "system_client", None)


# --- Registration (administrators) ----------------------------------------------------------

def _jwks_check(jwks: dict, field: str) -> KeySet:
    """A JWKS of public RSA or P-384 EC keys, each with a kid, or a ValidationError."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) \
            or not jwks["keys"]:
        raise ValidationError({field: 'Give a JWKS: a JSON object {"keys": [...]} with at '
                                      "least one public key."})
    for number, key in enumerate(jwks["keys"], start=1):
        if not isinstance(key, dict):
            raise ValidationError({field: f"Key {number} is not a JSON object."})
        if any(private in key for private in ("d", "p", "q", "k")):
            raise ValidationError({field: f"Key {number} holds a private key: give only the "
                                          "public keys, and keep the private key secret."})
        if not key.get("kid"):
            raise ValidationError({field: f"Key {number} has no kid: SMART clients name "
                                          "the key they sign with."})
        if key.get("kty") not in ("RSA", "EC") or (
                key.get("kty") == "EC" and key.get("crv") != "P-384"):
            raise ValidationError({field: f"Key {number} ({key.get('kid')}) must be an RSA "
                                          "key (RS384) or an EC key on P-384 (ES384)."})
    try:
        return KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ValidationError({field: f"The keys could not be read: {error}"}) from None


def jwks_parse(text: str) -> dict | None:
    """The pasted JWKS as JSON (None if nothing was pasted), or a ValidationError."""
    if not text.strip():
        return None
    try:
        jwks = json.loads(text)
    except ValueError as error:
        raise ValidationError({"jwks": f"The JWKS is not valid JSON ({error.msg}, line "
                                       f"{error.lineno})."}) from None
    _jwks_check(jwks, "jwks")
    return jwks


KEYS_MISSING = ("Paste the client's public keys (a JWKS) or give the URL where it publishes "
                "them.")


def system_client_register(*, name: str, organisation: Organisation, scopes: list[str],
                           jwks: dict | None, jwks_url: str, actor: Actor) -> SystemClient:
    """Register a system client with a new client id; audited."""
    if jwks is None and not jwks_url:
        raise ValidationError({"jwks": KEYS_MISSING})
    if jwks is not None and jwks_url:
        raise ValidationError({"jwks_url": "Give the keys one way: paste the JWKS or give "
                                           "its URL, not both."})
    if jwks is not None:
        _jwks_check(jwks, "jwks")
    if jwks_url and not (jwks_url.startswith("https://")
                         or settings.COLLIS_SMART_JWKS_HTTP_ALLOWED):
        raise ValidationError({"jwks_url": "The JWKS URL must start with https://."})
    bad = [s for s in scopes if scope_parse(s) is None]
    if bad or not scopes:
        raise ValidationError({"scopes": "Choose the resource types the client may read."
                               if not scopes else f"Not a scope Collis grants: {bad[0]}"})
    with transaction.atomic():
        client = SystemClient(name=name, client_id=secrets.token_urlsafe(18),
                              organisation=organisation, scopes=scopes, jwks=jwks,
                              jwks_url=jwks_url, created_by=actor.user)
        client.full_clean()
        client.save()
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="smart_system_client",
               object_id=client.pk,
               summary=f"Registered the SMART system client {client.name} "
                       f"({client.client_id}) for {organisation.name}",
               details={"client_id": client.client_id, "scopes": scopes,
                        "organisation": organisation.code,
                        "keys": "jwks_url" if jwks_url else "jwks"})
    return client


def system_client_deactivate(*, client_pk: int, actor: Actor) -> SystemClient:
    """Stop a client getting tokens, and stop the tokens it has; audited. The row stays."""
    with transaction.atomic():
        client = SystemClient.objects.select_for_update().filter(pk=client_pk).first()
        if client is None:
            raise ValidationError({"client": "No system client has this id."})
        if client.active:
            client.active = False
            client.deactivated_by, client.deactivated_at = actor.user, timezone.now()
            client.save(update_fields=["active", "deactivated_by", "deactivated_at"])
            SmartAccessToken.objects.filter(client=client).delete()
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="smart_system_client",
                   object_id=client.pk,
                   summary=f"Deactivated the SMART system client {client.name} "
                           f"({client.client_id})")
    return client


def system_client_list() -> list[SystemClient]:
    """Every registered client, active first. They name no patient: not audited."""
    return list(SystemClient.objects.select_related("organisation", "created_by",
                                                    "deactivated_by"))


# --- The token endpoint -------------------------------------------------------------------

class OAuthError(Exception):
    """An OAuth 2.0 error answer (RFC 6749 section 5.2): the error code, a description and
    the HTTP status (401 for invalid_client, 400 otherwise)."""

    def __init__(self, error: str, description: str, client: SystemClient | None = None):
        super().__init__(description)
        self.error, self.description, self.client = error, description, client
        self.status = 401 if error == "invalid_client" else 400

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def _jwks_fetch(url: str) -> dict:
    response = requests.get(url, timeout=JWKS_FETCH_TIMEOUT,
                            headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def _client_keys(client: SystemClient) -> KeySet:
    if client.jwks is not None:
        return KeySet.import_key_set(client.jwks)
    try:
        jwks = _jwks_fetch(client.jwks_url)
        return _jwks_check(jwks, "jwks_url")
    except (requests.RequestException, ValueError, ValidationError) as error:
        logger.warning("SMART client %s: JWKS at %s unusable: %s", client.client_id,
                       client.jwks_url, error)
        raise OAuthError("invalid_client", "The client's JWKS URL could not be read, so its "
                                           "signature cannot be checked.", client) from None


def _assertion_header_and_issuer(assertion: str) -> tuple[dict, str]:
    try:
        compact = jws.extract_compact(assertion.encode())
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, TypeError):
        raise OAuthError("invalid_client", "client_assertion: not a signed JWT "
                                           "(header.payload.signature).") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise OAuthError("invalid_client", "client_assertion: no iss claim naming the "
                                           "client.")
    return compact.headers(), claims["iss"]


def assertion_verify(assertion: str, *, token_url: str) -> tuple[SystemClient, dict]:
    """The registered, active client that signed the assertion and its claims, or
    OAuthError(invalid_client) saying what is wrong. Records its jti as used."""
    header, issuer = _assertion_header_and_issuer(assertion)
    client = SystemClient.objects.select_related("organisation").filter(
        client_id=issuer).first()
    if client is None:
        raise OAuthError("invalid_client", f"iss: no system client is registered with the "
                                           f"client id {issuer[:64]!r}.")
    if not client.active:
        raise OAuthError("invalid_client", "iss: this system client has been deactivated.",
                         client)
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in SIGNING_ALGS:
        raise OAuthError("invalid_client", f"alg: {str(alg)[:20]!r} is not accepted; sign "
                                           f"with {' or '.join(SIGNING_ALGS)}.", client)
    if not kid:
        raise OAuthError("invalid_client", "kid: the assertion's header must name the key "
                                           "it was signed with.", client)
    key = next((k for k in _client_keys(client).keys if k.kid == kid), None)
    if key is None:
        raise OAuthError("invalid_client", f"kid: the client has no registered key "
                                           f"{str(kid)[:64]!r}.", client)
    if key.key_type != ALG_KEY_TYPES[alg]:
        raise OAuthError("invalid_client", f"alg: key {kid!r} is not a key for {alg}.",
                         client)
    try:
        decoded = jwt.decode(assertion, key, algorithms=[alg])
    except JoseError:
        raise OAuthError("invalid_client", "client_assertion: the signature does not match "
                                           f"the client's key {kid!r}.", client) from None
    claims = decoded.claims
    now = int(timezone.now().timestamp())
    registry = jwt.JWTClaimsRegistry(
        now=now, leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": client.client_id},
        sub={"essential": True, "value": client.client_id},
        exp={"essential": True}, jti={"essential": True})
    try:
        registry.validate(claims)
    except JoseError as error:
        raise OAuthError("invalid_client", f"client_assertion: {error.description or error}",
                         client) from None
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if token_url not in audiences:
        raise OAuthError("invalid_client", f"aud: must be the token endpoint, {token_url}.",
                         client)
    if claims["exp"] > now + ASSERTION_MAX_SECONDS + LEEWAY_SECONDS:
        raise OAuthError("invalid_client", "exp: an assertion may expire at most five "
                                           "minutes after it is made.", client)
    if not isinstance(claims["jti"], str) or not 0 < len(claims["jti"]) <= 255:
        raise OAuthError("invalid_client", "jti: a unique string of at most 255 "
                                           "characters.", client)
    expires = dt.datetime.fromtimestamp(claims["exp"] + LEEWAY_SECONDS, tz=dt.UTC)
    UsedAssertion.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(client=client, jti=claims["jti"], expires_at=expires)
    except IntegrityError:
        raise OAuthError("invalid_client", "jti: this assertion has already been used; make "
                                           "a new one for each token request.",
                         client) from None
    return client, claims


def _requested_scopes(text: str) -> list[str]:
    scopes = list(dict.fromkeys(text.split()))
    if not scopes:
        raise OAuthError("invalid_scope", "scope: ask for at least one scope, such as "
                                          "system/Patient.read.")
    for scope in scopes:
        if scope_parse(scope) is None:
            raise OAuthError("invalid_scope", f"scope: {scope[:80]!r} is not a scope Collis "
                                              "grants (system/<type>.read, .rs, .r or .s, "
                                              "for a type the server lists, or *).")
    return scopes


def _token_audit(*, client: SystemClient | None, ip: str | None, user_agent: str,
                 path: str, action: AuditAction, summary: str, details: dict) -> None:
    actor = Actor(user=client_principal(client) if client else None,
                  channel=AuditChannel.API, ip_address=ip, user_agent=user_agent[:300],
                  path=path[:300])
    audit_record(actor=actor, action=action, object_type="smart_access_token",
           object_id=client.pk if client else "", summary=summary, details=details)


def access_token_request(params, *, token_url: str, ip: str | None = None,
                         user_agent: str = "") -> dict:
    """Answer the token endpoint's form `params`: the access token response, or
    OAuthError. A token issued and a refusal of a known client are both audited."""
    client = None
    audit = {"ip": ip, "user_agent": user_agent, "path": token_url}
    try:
        if params.get("grant_type") != GRANT_TYPE:
            raise OAuthError("unsupported_grant_type",
                             f"grant_type: must be {GRANT_TYPE}.")
        if params.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request",
                             f"client_assertion_type: must be {ASSERTION_TYPE}.")
        if not params.get("client_assertion"):
            raise OAuthError("invalid_request", "client_assertion: missing; send a JWT "
                                                "signed with the client's private key.")
        requested = _requested_scopes(params.get("scope", ""))
        client, _claims = assertion_verify(params["client_assertion"], token_url=token_url)
        granted = scopes_grant(requested, client.scopes)
        if not granted:
            raise OAuthError("invalid_scope",
                             f"scope: none of {' '.join(requested)} is allowed for this "
                             f"client; it may be granted {' '.join(client.scopes)}.", client)
    except OAuthError as error:
        if error.client is not None or client is not None:
            _token_audit(client=error.client or client, action=AuditAction.LOGIN_FAILED,
                         summary=f"SMART access token refused: {error.error}",
                         details={"error": error.error, "description": error.description},
                         **audit)
        raise
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = settings.COLLIS_SMART_ACCESS_TOKEN_SECONDS
    with transaction.atomic():
        SmartAccessToken.objects.filter(expires_at__lt=timezone.now()).delete()
        SmartAccessToken.objects.create(
            client=client, digest=_digest(raw), scopes=granted,
            expires_at=timezone.now() + dt.timedelta(seconds=lifetime))
        _token_audit(client=client, action=AuditAction.TOKEN_CREATE,
                     summary=f"SMART access token for {client.name}: {' '.join(granted)}",
                     details={"scopes": granted, "expires_in": lifetime}, **audit)
    return {"access_token": raw, "token_type": "bearer", "expires_in": lifetime,
            "scope": " ".join(granted)}


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def access_token_authenticate(raw: str) -> Grant | None:
    """The grant of a current access token of an active client, or None."""
    token = (SmartAccessToken.objects.select_related("client__organisation")
             .filter(digest=_digest(raw), expires_at__gt=timezone.now(),
                     client__active=True).first())
    return Grant(client=token.client, scopes=tuple(token.scopes)) if token else None


def smart_configuration(*, base_url: str) -> dict:
    """`.well-known/smart-configuration` at the FHIR base: what a backend service needs."""
    return {
        "token_endpoint": base_url + "auth/token",
        "grant_types_supported": [GRANT_TYPE],
        "token_endpoint_auth_methods_supported": [AUTH_METHOD],
        "token_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGS),
        "scopes_supported": ["system/*.read", "system/*.rs",
                             *(f"system/{name}.read" for name in served_types())],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }


def capability_security(*, base_url: str) -> dict:
    """What the CapabilityStatement's rest.security adds for SMART Backend Services."""
    return {
        "extension": [{"url": OAUTH_URIS, "extension": [
            {"url": "token", "valueUri": base_url + "auth/token"}]}],
        "service": {"coding": [{"system": SMART_SERVICE_SYSTEM, "code": "SMART-on-FHIR",
                                "display": "SMART-on-FHIR"}],
                    "text": "SMART Backend Services (client credentials, private_key_jwt)"},
    }

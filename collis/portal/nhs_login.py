"""NHS login (OpenID Connect) as an optional way into the patient portal (ADR 0022).

The authorization code flow with PKCE, `state` and `nonce`. At the token endpoint Collis
authenticates with `private_key_jwt`: a client assertion signed RS512 with its own private
key. The id_token's signature (against the provider's JWKS), issuer, audience, expiry and
nonce are checked, and its vector of trust must show the identity level the settings ask for
and a second factor. What comes back is an `NhsLoginIdentity`, whose NHS number and date of
birth `services.portal_account_for_nhs_login` links to an existing portal account.

Off unless `COLLIS_NHS_LOGIN_ISSUER` is set; `nhs_login_config` then checks the rest."""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

logger = logging.getLogger(__name__)

# NHS login signs its tokens with RS512 and asks its clients to sign their assertions so.
SIGNING_ALG = "RS512"
# NHS login's identity proofing levels, lowest first: P0 (email and phone checked), P5
# (details matched to the NHS's demographic records), P9 (also checked against photo ID).
IDENTITY_LEVELS = ("P0", "P5", "P9")
REQUIRED_LEVELS = ("P5", "P9")  # below P5 NHS login gives no NHS number
# Sign-in with a second factor, as NHS login's vectors of trust name it: password and a
# registered device (Cp.Cd), password and a key in a device (Cp.Ck), or an asymmetric key
# in a device (Cm). Collis asks for these and refuses a vector without one of them.
SECOND_FACTORS = (("Cp", "Cd"), ("Cp", "Ck"), ("Cm",))
ASSERTION_LIFETIME_SECONDS = 300
# Clock difference allowed between Collis and NHS login when checking the id_token's times.
LEEWAY_SECONDS = 60
# Sign-ins started in this browser and not yet finished (one per window, the newest kept).
PENDING_SESSION_KEY = "collis_portal_nhs_login_pending"
PENDING_KEPT = 3


class Refusal(StrEnum):
    """Why NHS login did not sign the patient in, as the audit log records it."""

    UNAVAILABLE = "NHS login could not be reached or is not set up"
    CANCELLED = "the sign-in was not completed at NHS login"
    STATE = "the answer did not match a sign-in started in this browser"
    INVALID = "NHS login's answer failed its checks"
    LEVEL = "the NHS login's identity level is too low"
    CLAIMS = "NHS login gave no NHS number or date of birth"
    UNKNOWN = "no patient record has this NHS number"
    DETAILS = "the date of birth differs from the patient record"
    NO_ACCOUNT = "the patient has no active portal account"


EMAIL_INSTEAD = "sign in with your email address and password"
# What the patient reads, and what to do next: never a technical reason.
PROBLEMS: dict[Refusal, str] = {
    Refusal.UNAVAILABLE: "NHS login is not working with the portal at the moment. Try again "
                         f"in a few minutes, or {EMAIL_INSTEAD}.",
    Refusal.CANCELLED: "You did not finish signing in with NHS login. You can try again, or "
                       f"{EMAIL_INSTEAD}.",
    Refusal.STATE: "Your sign-in took too long, or was started in another window, so we "
                   "stopped it to keep your record safe. Try again.",
    Refusal.INVALID: "We could not check the answer from NHS login, so we did not sign you in. "
                   "Try again. If this happens again, phone the unit.",
    Refusal.LEVEL: "Your NHS login does not yet show that you have proved who you are to the "
                   "level the portal needs. Prove who you are in NHS login and try again, or "
                   f"{EMAIL_INSTEAD}.",
    Refusal.CLAIMS: "NHS login did not tell us your NHS number and date of birth, so we "
                    f"could not find your record. Try again, or {EMAIL_INSTEAD}.",
    Refusal.UNKNOWN: "We could not find your record. Signing in with NHS login is for "
                     "patients of the dystonia unit who have a portal account. If you are our "
                     "patient, phone the unit and ask for an invitation to the portal.",
    Refusal.DETAILS: "The details NHS login gave us do not match our records, so we did not "
                     "sign you in. Phone the unit so that we can check them.",
    Refusal.NO_ACCOUNT: "You do not have a patient portal account yet. Ask the unit to email "
                        "you an invitation. Once you have made your account, you can sign in "
                        "with NHS login.",
}
# The answer's status: 503 when NHS login is away, 400 for a stale answer, else refused.
STATUSES = {Refusal.UNAVAILABLE: 503, Refusal.STATE: 400}


class NhsLoginRefused(Exception):
    """NHS login did not sign the patient in: `refusal` says why; `detail` adds what the
    audit log needs (never shown to the patient)."""

    def __init__(self, refusal: Refusal, detail: str = "", *, nhs_number: str = ""):
        super().__init__(f"{refusal.value}{': ' + detail if detail else ''}")
        self.refusal = refusal
        self.detail = detail
        self.nhs_number = nhs_number

    @property
    def problem(self) -> str:
        return PROBLEMS[self.refusal]

    @property
    def status(self) -> int:
        return STATUSES.get(self.refusal, 403)


@dataclass(frozen=True)
class NhsLoginConfig:
    """The settings of the NHS login client, checked (`nhs_login_config`)."""

    issuer: str
    client_id: str
    key: RSAKey
    key_id: str
    redirect_uri: str
    scope: str
    identity_level: str
    timeout: float

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def vtr(self) -> str:
        """The vectors of trust Collis asks for: the identity level with a second factor."""
        return json.dumps([".".join((self.identity_level, *factor))
                           for factor in SECOND_FACTORS], separators=(",", ":"))


@dataclass(frozen=True)
class NhsLoginIdentity:
    """Who NHS login says signed in: its subject id, and the NHS number and date of birth
    that link them to a record."""

    subject: str
    nhs_number: str
    date_of_birth: date
    vot: str


def nhs_login_enabled() -> bool:
    """Whether the portal offers NHS login (only when it is configured)."""
    return bool(settings.COLLIS_NHS_LOGIN_ISSUER)


def nhs_login_config() -> NhsLoginConfig | None:
    """The NHS login settings, checked; None when NHS login is off. Raises
    ImproperlyConfigured naming each setting that is missing or wrong."""
    if not nhs_login_enabled():
        return None
    names = {"COLLIS_NHS_LOGIN_CLIENT_ID": settings.COLLIS_NHS_LOGIN_CLIENT_ID,
             "COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE": settings.COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE,
             "COLLIS_NHS_LOGIN_KEY_ID": settings.COLLIS_NHS_LOGIN_KEY_ID,
             "COLLIS_NHS_LOGIN_REDIRECT_URI": settings.COLLIS_NHS_LOGIN_REDIRECT_URI}
    problems = [f"set {name}" for name, value in names.items() if not value]
    scopes = settings.COLLIS_NHS_LOGIN_SCOPES.split()
    if not {"openid", "profile"} <= set(scopes):
        problems.append("COLLIS_NHS_LOGIN_SCOPES must include openid and profile (the NHS "
                        "number and date of birth)")
    level = settings.COLLIS_NHS_LOGIN_IDENTITY_LEVEL
    if level not in REQUIRED_LEVELS:
        problems.append(f"COLLIS_NHS_LOGIN_IDENTITY_LEVEL must be one of "
                        f"{', '.join(REQUIRED_LEVELS)}, not {level!r}")
    key = None
    if settings.COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE:
        try:
            key = RSAKey.import_key(Path(settings.COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE)
                                    .read_bytes())
        except (OSError, ValueError, JoseError) as error:
            problems.append(f"COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE must be a readable RSA "
                            f"private key in PEM ({error})")
        else:
            if not key.is_private:
                problems.append("COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE holds a public key; it "
                                "must be the private key")
    if problems:
        raise ImproperlyConfigured("NHS login is on (COLLIS_NHS_LOGIN_ISSUER) but: "
                                   + "; ".join(problems) + ".")
    return NhsLoginConfig(
        issuer=settings.COLLIS_NHS_LOGIN_ISSUER, client_id=settings.COLLIS_NHS_LOGIN_CLIENT_ID,
        key=key, key_id=settings.COLLIS_NHS_LOGIN_KEY_ID,
        redirect_uri=settings.COLLIS_NHS_LOGIN_REDIRECT_URI, scope=" ".join(scopes),
        identity_level=level, timeout=settings.COLLIS_NHS_LOGIN_TIMEOUT)


def settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`collis manage check` (and migrate) report NHS login settings that would fail."""
    try:
        nhs_login_config()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="portal.E001")]
    return []


# -- The flow ---------------------------------------------------------------------------

class _ClientAssertion(PrivateKeyJWT):
    """`private_key_jwt` as NHS login asks: iss and sub the client id, aud the token
    endpoint, a fresh jti, signed RS512 with the key's id, valid for five minutes."""

    alg = SIGNING_ALG

    def sign(self, auth, token_endpoint):
        return private_key_jwt_sign(auth.client_secret, client_id=auth.client_id,
                                    token_endpoint=token_endpoint, alg=self.alg,
                                    header={"kid": self.headers["kid"]},
                                    expires_in=ASSERTION_LIFETIME_SECONDS)


def _client(config: NhsLoginConfig) -> OAuth2Session:
    client = OAuth2Session(
        client_id=config.client_id, client_secret=config.key,
        token_endpoint_auth_method=_ClientAssertion.name, scope=config.scope,
        redirect_uri=config.redirect_uri, code_challenge_method="S256",
        default_timeout=config.timeout)
    client.register_client_auth_method(_ClientAssertion(headers={"kid": config.key_id}))
    return client


def _get_json(client: OAuth2Session, url: str, **kwargs) -> dict:
    response = client.get(url, **kwargs)
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return data


def _metadata(config: NhsLoginConfig, client: OAuth2Session) -> dict:
    """The provider's discovery document, read afresh for each sign-in (so that new keys
    and endpoints are used at once); its issuer must be the configured one."""
    metadata = _get_json(client, config.discovery_url, withhold_token=True)
    if metadata.get("issuer") != config.issuer:
        raise ValueError(f"the discovery document names issuer {metadata.get('issuer')!r}, "
                         f"not {config.issuer!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(name):
            raise ValueError(f"the discovery document has no {name}")
    return metadata


def authorization_start(config: NhsLoginConfig, *, next_url: str) -> tuple[str, dict]:
    """Where to send the patient (NHS login's authorization endpoint, with a new state,
    nonce and PKCE challenge), and what to keep in the session until they come back."""
    client = _client(config)
    try:
        metadata = _metadata(config, client)
    except (requests.RequestException, ValueError) as error:
        raise NhsLoginRefused(Refusal.UNAVAILABLE, f"discovery: {error}") from error
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
               "code_verifier": secrets.token_urlsafe(64), "next": next_url}
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], state=pending["state"],
        code_verifier=pending["code_verifier"], nonce=pending["nonce"], vtr=config.vtr)
    return url, pending


def pending_keep(session, pending: dict) -> None:
    """Keep a started sign-in in the session, by its state (the newest few)."""
    started = dict(session.get(PENDING_SESSION_KEY) or {})
    started[pending["state"]] = pending
    session[PENDING_SESSION_KEY] = dict(list(started.items())[-PENDING_KEPT:])


def pending_take(session, state: str) -> dict | None:
    """The sign-in started in this session with `state`, taken out (it is used once)."""
    started = dict(session.get(PENDING_SESSION_KEY) or {})
    found = next((pending for key, pending in started.items()
                  if state and hmac.compare_digest(key, state)), None)
    if found is not None:
        del started[found["state"]]
        session[PENDING_SESSION_KEY] = started
    return found


def authorization_finish(config: NhsLoginConfig, *, pending: dict | None,
                         params) -> NhsLoginIdentity:
    """Check NHS login's answer (`params`, the callback's query) against the sign-in
    `pending` in this session, redeem the code and check the tokens: the identity, or
    NhsLoginRefused saying why not."""
    if params.get("error"):
        raise NhsLoginRefused(Refusal.CANCELLED, f"{params.get('error')[:100]}: "
                                                 f"{params.get('error_description', '')[:200]}")
    if pending is None:
        raise NhsLoginRefused(Refusal.STATE)
    code = params.get("code")
    if not code:
        raise NhsLoginRefused(Refusal.INVALID, "no code in the answer")
    client = _client(config)
    try:
        metadata = _metadata(config, client)
        token = client.fetch_token(metadata["token_endpoint"], grant_type="authorization_code",
                                   code=code, code_verifier=pending["code_verifier"])
        jwks = _get_json(client, metadata["jwks_uri"], withhold_token=True)
    except AuthlibBaseError as error:  # the token endpoint refused: invalid_grant, ...
        raise NhsLoginRefused(Refusal.INVALID, f"token endpoint: {error}") from error
    except (requests.RequestException, ValueError) as error:
        raise NhsLoginRefused(Refusal.UNAVAILABLE, str(error)) from error
    claims = id_token_claims(config, token=token, jwks=jwks, nonce=pending["nonce"])
    identity_level_check(vot=claims.get("vot", ""),
                         proofing_level=claims.get("identity_proofing_level"),
                         required=config.identity_level)
    details = {name: claims.get(name) for name in ("nhs_number", "birthdate")}
    if not all(details.values()) and metadata.get("userinfo_endpoint"):
        details = _userinfo(client, metadata["userinfo_endpoint"], subject=claims["sub"])
    return _identity(claims, details)


def id_token_claims(config: NhsLoginConfig, *, token: dict, jwks: dict,
                    nonce: str) -> CodeIDToken:
    """The id_token's claims, once its RS512 signature checks against the provider's keys
    and its issuer, audience (this client), expiry and nonce are right."""
    try:
        decoded = jwt.decode(token.get("id_token") or "", KeySet.import_key_set(jwks),
                             algorithms=[SIGNING_ALG])
        claims = CodeIDToken(
            decoded.claims, decoded.header,
            {"iss": {"essential": True, "value": config.issuer},
             "aud": {"essential": True, "value": config.client_id},
             "exp": {"essential": True}, "sub": {"essential": True},
             "nonce": {"essential": True, "value": nonce}},
            {"nonce": nonce, "client_id": config.client_id,
             "access_token": token.get("access_token")})
        claims.validate(leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise NhsLoginRefused(Refusal.INVALID, f"id_token: {error!r}") from error
    return claims


def identity_level_check(*, vot: str, proofing_level: str | None, required: str) -> None:
    """Refuse unless NHS login's vector of trust (`vot`, such as "P9.Cp.Cd") and identity
    proofing level reach `required` with a second factor: a lower level is Refusal.LEVEL;
    a vector without a level or a second factor (never one Collis asked for) Refusal.INVALID."""
    parts = (vot or "").split(".")
    levels = [parts[0], *([proofing_level] if proofing_level else [])]
    if any(level not in IDENTITY_LEVELS for level in levels):
        raise NhsLoginRefused(Refusal.INVALID, f"no identity level in vot {vot!r} "
                                             f"({proofing_level!r})")
    reached = min(levels, key=IDENTITY_LEVELS.index)
    if IDENTITY_LEVELS.index(reached) < IDENTITY_LEVELS.index(required):
        raise NhsLoginRefused(Refusal.LEVEL, f"identity level {reached}; {required} required")
    if not any(set(factor) <= set(parts[1:]) for factor in SECOND_FACTORS):
        raise NhsLoginRefused(Refusal.INVALID, f"no second factor in vot {vot!r}")


def _userinfo(client: OAuth2Session, url: str, *, subject: str) -> dict:
    """The NHS number and date of birth from the userinfo endpoint, whose subject must be
    the id_token's."""
    try:
        info = _get_json(client, url)
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        raise NhsLoginRefused(Refusal.UNAVAILABLE, f"userinfo: {error}") from error
    if info.get("sub") != subject:
        raise NhsLoginRefused(Refusal.INVALID, "userinfo is about another subject")
    return {name: info.get(name) for name in ("nhs_number", "birthdate")}


def _identity(claims, details: dict) -> NhsLoginIdentity:
    nhs_number = str(details.get("nhs_number") or "")
    if not re.fullmatch(r"[0-9]{10}", nhs_number):
        raise NhsLoginRefused(Refusal.CLAIMS, f"nhs_number {nhs_number[:20]!r}")
    try:
        born = date.fromisoformat(str(details.get("birthdate") or ""))
    except ValueError:
        raise NhsLoginRefused(Refusal.CLAIMS, f"birthdate {details.get('birthdate')!r}",
                              nhs_number=nhs_number) from None
    return NhsLoginIdentity(subject=claims["sub"], nhs_number=nhs_number, date_of_birth=born,
                            vot=claims.get("vot", ""))

"""A local OpenID Connect provider that behaves like NHS login, for the tests only.

A small WSGI app served on 127.0.0.1 on a free port in a thread: discovery
(/.well-known/openid-configuration), its keys (/.well-known/jwks.json), /authorize (which
approves the configured test user at once and sends the browser back with a code and the
state), /token (which checks the client's assertion against the client's public key, the
PKCE verifier, the code and the redirect URI, then issues an id_token signed RS512 with the
nonce) and /userinfo. `faults` makes it misbehave in the ways a client must notice."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socketserver
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

ALG = "RS512"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def new_key(kid: str) -> RSAKey:
    """A fresh RSA key (made with cryptography through joserfc)."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": ALG, "use": "sig"})


@dataclass
class SignedInUser:
    """Who signs in at the provider, and what it says about them."""

    sub: str = "nhs-login-subject-1"
    nhs_number: str = "9434765919"
    birthdate: str = "1970-05-17"
    family_name: str = "Ellison"
    vot: str = "P9.Cp.Cd"
    identity_proofing_level: str = "P9"


@dataclass
class Provider:
    """The provider's state: its signing key, the one registered client, the test user, the
    codes issued, and what the last requests carried (for the tests to read)."""

    client_id: str
    client_key: RSAKey  # the client's public key (the client signs with the private half)
    redirect_uri: str
    signing_key: RSAKey = field(default_factory=lambda: new_key("provider-key-1"))
    user: SignedInUser = field(default_factory=SignedInUser)
    # Misbehaviours: "deny" (the user cancels), "nonce" (another nonce in the id_token),
    # "expired" (an id_token past its expiry), "foreign_key" (signed with a key not
    # published), "audience" (issued to another client), "claims_in_userinfo_only".
    faults: set = field(default_factory=set)
    url: str = ""
    codes: dict = field(default_factory=dict)
    assertions_seen: set = field(default_factory=set)
    last_authorize: dict = field(default_factory=dict)
    last_token_error: str = ""
    tokens: dict = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.url

    # -- the WSGI app ------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/.well-known/jwks.json": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo,
        }
        handler = routes.get(path)
        if handler is None:
            return self._answer(start_response, 404, {"error": "not_found"})
        return handler(environ, query, start_response)

    @staticmethod
    def _answer(start_response, status: int, body, headers=()):
        text = {200: "200 OK", 302: "302 Found", 400: "400 Bad Request",
                401: "401 Unauthorized", 404: "404 Not Found"}[status]
        data = json.dumps(body).encode() if body is not None else b""
        start_response(text, [("Content-Type", "application/json"),
                              ("Cache-Control", "no-store"), *headers])
        return [data]

    def discovery(self, environ, query, start_response):
        return self._answer(start_response, 200, {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "id_token_signing_alg_values_supported": [ALG],
            "code_challenge_methods_supported": ["S256"],
        })

    def jwks(self, environ, query, start_response):
        return self._answer(start_response, 200,
                            KeySet([self.signing_key]).as_dict(private=False))

    def authorize(self, environ, query, start_response):
        """Approve the test user at once: back to the client with a code and the state."""
        self.last_authorize = query
        wrong = [name for name, ok in (
            ("client_id", query.get("client_id") == self.client_id),
            ("redirect_uri", query.get("redirect_uri") == self.redirect_uri),
            ("response_type", query.get("response_type") == "code"),
            ("scope", "openid" in query.get("scope", "").split()),
            ("state", bool(query.get("state"))),
            ("nonce", bool(query.get("nonce"))),
            ("code_challenge", bool(query.get("code_challenge"))),
            ("code_challenge_method", query.get("code_challenge_method") == "S256"),
        ) if not ok]
        if wrong:  # never redirect to an unchecked address
            return self._answer(start_response, 400, {"error": "invalid_request",
                                                      "wrong": wrong})
        if "deny" in self.faults:
            answer = {"error": "access_denied", "error_description": "The user cancelled",
                      "state": query["state"]}
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"nonce": query["nonce"],
                                "code_challenge": query["code_challenge"],
                                "redirect_uri": query["redirect_uri"], "used": False}
            answer = {"code": code, "state": query["state"]}
        return self._answer(start_response, 302, None,
                            [("Location", f"{query['redirect_uri']}?{urlencode(answer)}")])

    def _form(self, environ) -> dict:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode()
        return {k: v[0] for k, v in parse_qs(body).items()}

    def _token_error(self, start_response, error: str, why: str):
        self.last_token_error = f"{error}: {why}"
        return self._answer(start_response, 400, {"error": error, "error_description": why})

    def token(self, environ, query, start_response):
        """Check the client (its assertion), the code, the redirect URI and the PKCE
        verifier, then issue an access token and an id_token."""
        form = self._form(environ)
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return self._token_error(start_response, "invalid_client", "no client assertion")
        try:
            assertion = jwt.decode(form.get("client_assertion", ""), self.client_key,
                                   algorithms=[ALG])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.client_id},
                sub={"essential": True, "value": self.client_id},
                aud={"essential": True, "value": f"{self.url}/token"},
                exp={"essential": True}, jti={"essential": True},
            ).validate(assertion.claims)
        except JoseError as error:
            return self._token_error(start_response, "invalid_client", repr(error))
        if assertion.claims["jti"] in self.assertions_seen:
            return self._token_error(start_response, "invalid_client", "assertion replayed")
        self.assertions_seen.add(assertion.claims["jti"])
        grant = self.codes.get(form.get("code", ""))
        if form.get("grant_type") != "authorization_code" or grant is None or grant["used"]:
            return self._token_error(start_response, "invalid_grant", "unknown or used code")
        grant["used"] = True
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._token_error(start_response, "invalid_grant", "redirect_uri differs")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or challenge != grant["code_challenge"]:
            return self._token_error(start_response, "invalid_grant", "PKCE verifier wrong")
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = self.user
        return self._answer(start_response, 200, {
            "access_token": access_token, "token_type": "Bearer", "expires_in": 3600,
            "id_token": self.id_token(nonce=grant["nonce"]),
        })

    def id_token(self, *, nonce: str) -> str:
        now = int(time.time())
        user = self.user
        claims = {
            "iss": self.issuer, "sub": user.sub,
            "aud": "another-client" if "audience" in self.faults else self.client_id,
            "iat": now, "auth_time": now, "jti": secrets.token_urlsafe(12),
            "exp": now - 600 if "expired" in self.faults else now + 600,
            "nonce": "not-the-nonce-sent" if "nonce" in self.faults else nonce,
            "vot": user.vot, "vtm": f"{self.url}/trustmark",
        }
        if "claims_in_userinfo_only" not in self.faults:
            claims.update(nhs_number=user.nhs_number, birthdate=user.birthdate,
                          family_name=user.family_name,
                          identity_proofing_level=user.identity_proofing_level)
        key = self.signing_key
        if "foreign_key" in self.faults:  # same key id, another key: the signature fails
            key = new_key(self.signing_key.kid)
        return jwt.encode({"alg": ALG, "typ": "JWT", "kid": key.kid}, claims, key,
                          algorithms=[ALG])

    def userinfo(self, environ, query, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        user = self.tokens.get(header.removeprefix("Bearer ").strip())
        if not header.startswith("Bearer ") or user is None:
            return self._answer(start_response, 401, {"error": "invalid_token"})
        return self._answer(start_response, 200, {
            "sub": user.sub, "nhs_number": user.nhs_number, "birthdate": user.birthdate,
            "family_name": user.family_name,
            "identity_proofing_level": user.identity_proofing_level,
        })


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


def configure_collis(settings, tmp_path, *, issuer: str, client_id: str, key: RSAKey,
                     redirect_uri: str, level: str = "P9") -> None:
    """Turn Collis's NHS login on for this provider, as the environment would (README, "The
    patient portal"): the client's private key goes into a PEM file."""
    pem = tmp_path / "nhs-login-private.pem"
    pem.write_bytes(key.as_pem(private=True))
    settings.COLLIS_NHS_LOGIN_ISSUER = issuer
    settings.COLLIS_NHS_LOGIN_CLIENT_ID = client_id
    settings.COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE = str(pem)
    settings.COLLIS_NHS_LOGIN_KEY_ID = key.kid
    settings.COLLIS_NHS_LOGIN_REDIRECT_URI = redirect_uri
    settings.COLLIS_NHS_LOGIN_SCOPES = "openid profile"
    settings.COLLIS_NHS_LOGIN_IDENTITY_LEVEL = level
    settings.COLLIS_NHS_LOGIN_TIMEOUT = 5


@contextmanager
def running(provider: Provider):
    """Serve `provider` on 127.0.0.1 on a free port until the block ends."""
    server = make_server("127.0.0.1", 0, provider, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    provider.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

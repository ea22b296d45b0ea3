"""The Google test server's OAuth 2: the token endpoint (JWT-bearer, refresh-token and
authorization-code grants), the installed-app authorize endpoint with PKCE, revocation,
and the bearer check of API calls.

Written from RFC 7523 (JWT bearer), RFC 6749, RFC 7636 (PKCE), RFC 7009 (revocation) and
Google's documentation, not from passport's client, so a grant both sides agree on is
evidence that both read them the same way. The JWT signature is checked with
`cryptography` against the public half of the service account's key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
MAX_JWT_LIFETIME_S = 3600
CLOCK_SKEW_S = 300


class OAuthError(Exception):
    """An RFC 6749 error answer: {"error": ..., "error_description": ...}."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class ServiceAccountKey:
    client_email: str
    client_id: str
    private_key_id: str
    public_key: rsa.RSAPublicKey
    delegated_scopes: frozenset[str]  # what domain-wide delegation allows


@dataclass
class Token:
    subject: str  # the user the token acts as ("" for a service account as itself)
    scopes: frozenset[str]
    expires: float
    refresh_token: str | None = None


@dataclass
class Grant:
    """A refresh token (or an authorization code about to become one)."""

    client_id: str
    subject: str
    scopes: frozenset[str]
    redirect_uri: str = ""
    challenge: str = ""
    expires: float = 0.0


@dataclass
class Auth:
    token_url: str = ""  # the audience a JWT must name; set by the server once bound
    token_lifetime_s: float = 3600.0
    service_accounts: dict[str, ServiceAccountKey] = field(default_factory=dict)
    clients: dict[str, str] = field(default_factory=dict)  # OAuth client id -> secret
    consent_user: str = ""  # who signs in at the authorize endpoint
    consent_denied: bool = False
    grant_only: frozenset[str] | None = None  # the user unticks every other scope
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, Grant] = field(default_factory=dict)
    revoked: list[str] = field(default_factory=list)
    every_secret: list[str] = field(default_factory=list)  # for tests that grep for leaks
    grants: dict[str, int] = field(default_factory=dict)  # grant type -> tokens issued
    echo: bool = False  # errors repeat the request's form (a leaky server, for redaction tests)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- the token endpoint ------------------------------------------------------------

    def token(self, form: dict[str, str], authorization: str, admins: set[str]) -> dict[str, Any]:
        grant = form.get("grant_type", "")
        if grant == JWT_BEARER:
            return self._jwt_bearer(form.get("assertion", ""), admins)
        if grant == "refresh_token":
            return self._refresh(form, authorization)
        if grant == "authorization_code":
            return self._code(form, authorization)
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")

    def _issue(
        self,
        grant: str,
        subject: str,
        scopes: frozenset[str],
        source: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        token = "ya29.test-" + secrets.token_urlsafe(32)
        expires = time.monotonic() + self.token_lifetime_s
        with self._lock:
            self.tokens[token] = Token(subject, scopes, expires, source)
            self.every_secret.append(token)
            self.grants[grant] = self.grants.get(grant, 0) + 1
        return {
            "access_token": token,
            "expires_in": int(self.token_lifetime_s),
            "scope": " ".join(sorted(scopes)),
            "token_type": "Bearer",
            **extra,
        }

    def _jwt_bearer(self, assertion: str, admins: set[str]) -> dict[str, Any]:
        claims = self._verified_claims(assertion)
        key = self.service_accounts[claims["iss"]]
        scopes = frozenset(str(claims.get("scope", "")).split())
        if not scopes:
            raise OAuthError(400, "invalid_scope", "Empty or missing scope not allowed.")
        if not scopes <= key.delegated_scopes:
            raise OAuthError(
                401,
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or "
                "client not authorized for any of the scopes requested.",
            )
        subject = str(claims.get("sub", ""))
        if subject and subject.lower() not in admins:
            raise OAuthError(400, "invalid_grant", "Invalid email or User ID")
        return self._issue(JWT_BEARER, subject.lower(), scopes)

    def _verified_claims(self, assertion: str) -> dict[str, Any]:
        parts = assertion.split(".")
        if len(parts) != 3:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: not base64url JSON") from None
        key = self.service_accounts.get(str(claims.get("iss", "")))
        if header.get("alg") != "RS256" or key is None:
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        if header.get("kid") not in (None, key.private_key_id):
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        try:
            key.public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.") from None
        now = time.time()
        issued, expires = float(claims.get("iat", 0)), float(claims.get("exp", 0))
        if expires - issued > MAX_JWT_LIFETIME_S or expires < now - CLOCK_SKEW_S:
            raise OAuthError(
                400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)"
            )
        if issued > now + CLOCK_SKEW_S:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: iat is in the future")
        # Google wants its own token URL as the audience, wherever the JWT is posted.
        if claims.get("aud") not in (GOOGLE_TOKEN_URL, self.token_url):
            raise OAuthError(
                400, "invalid_grant", "Invalid JWT: the aud claim is not the token URL"
            )
        return dict(claims)

    def _client(self, form: dict[str, str], authorization: str) -> str:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode("utf-8", "replace")
            client_id, _, secret = pair.partition(":")
        known = self.clients.get(client_id)
        if known is None or not hmac.compare_digest(known, secret):
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        return client_id

    def _refresh(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        client_id = self._client(form, authorization)
        with self._lock:
            grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant.client_id != client_id:
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        asked = frozenset(form.get("scope", "").split()) or grant.scopes
        if not asked <= grant.scopes:
            raise OAuthError(400, "invalid_scope", "Some requested scopes were invalid.")
        return self._issue("refresh_token", grant.subject, asked, form["refresh_token"])

    def _code(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        client_id = self._client(form, authorization)
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.client_id != client_id or time.monotonic() > grant.expires:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        verifier = form.get("code_verifier", "")
        if not verifier or not hmac.compare_digest(s256(verifier), grant.challenge):
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
        refresh = "1//test-" + secrets.token_urlsafe(40)
        with self._lock:
            self.refresh_tokens[refresh] = grant
            self.every_secret.append(refresh)
        return self._issue(
            "authorization_code", grant.subject, grant.scopes, refresh, refresh_token=refresh
        )

    # --- the authorize endpoint (the browser's side) -----------------------------------

    def authorize(self, query: dict[str, str], known_scopes: frozenset[str]) -> str:
        """The Location the browser is sent to; raises OAuthError for a request Google
        would answer with its own error page (never redirecting to an unchecked URI)."""
        if query.get("client_id") not in self.clients:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        redirect = query.get("redirect_uri", "")
        parts = urlsplit(redirect)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise OAuthError(400, "redirect_uri_mismatch", "Loopback redirect URI required")
        if query.get("response_type") != "code":
            raise OAuthError(400, "unsupported_response_type", "response_type must be code")
        scopes = frozenset(query.get("scope", "").split())
        if not scopes or not scopes <= known_scopes:
            raise OAuthError(400, "invalid_scope", "Some requested scopes were invalid.")
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or len(challenge) < 43:
            raise OAuthError(400, "invalid_request", "code_challenge_method must be S256")
        state = {"state": query["state"]} if "state" in query else {}
        if self.consent_denied:
            return f"{redirect}?{urlencode({'error': 'access_denied', **state})}"
        granted = scopes & self.grant_only if self.grant_only is not None else scopes
        code = "4/test-" + secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = Grant(
                query["client_id"],
                self.consent_user,
                granted,
                redirect_uri=redirect,
                challenge=challenge,
                expires=time.monotonic() + 60,
            )
            self.every_secret.append(code)
        return (
            f"{redirect}?{urlencode({**state, 'code': code, 'scope': ' '.join(sorted(granted))})}"
        )

    # --- revocation and the bearer check -----------------------------------------------

    def revoke(self, token: str) -> None:
        with self._lock:
            if self.refresh_tokens.pop(token, None) is not None:
                self.revoked.append(token)
                # Revoking a refresh token revokes the access tokens it gave too.
                for access, found in list(self.tokens.items()):
                    if found.refresh_token == token:
                        del self.tokens[access]
                return
            if self.tokens.pop(token, None) is not None:
                self.revoked.append(token)
                return
        raise OAuthError(400, "invalid_token", "Token expired or revoked")

    def bearer(self, header: str) -> Token | None:
        if not header.startswith("Bearer "):
            return None
        with self._lock:
            found = self.tokens.get(header[7:])
        if found is None or time.monotonic() > found.expires:
            return None
        return found

    def expire_all(self) -> None:
        with self._lock:
            self.tokens.clear()

"""Request authentication: OAuth 2 client credentials and OAuth 1.0a HMAC-SHA256 signing.

Credentials go into headers only, never into URLs. Every token issued (access, refresh,
id token) and every OAuth 1 signature made is handed to the `Redactor` before it is used,
so no message can show it in any encoding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Protocol
from urllib.parse import quote

import httpx
import orjson

from passport.connectors.oneroster_rest.problems import HttpError, Redactor, clean_url


class Authenticator(Protocol):
    def sign(self, request: httpx.Request) -> None:
        """Add the credentials to a request (called again for every retry)."""
        ...

    def rejected(self, request: httpx.Request) -> bool:
        """After a 401: True when fresh credentials are worth exactly one more try."""
        ...


# POST form data with HTTP Basic credentials; returns a 2xx response or raises HttpError.
TokenPost = Callable[[str, dict[str, str], str], httpx.Response]


class OAuth2:
    """Client credentials: HTTP Basic to the token URL; the token is cached until shortly
    before it expires, and dropped once when the service answers 401."""

    def __init__(
        self,
        post: TokenPost,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: tuple[str, ...] = (),
        *,
        redactor: Redactor,
        margin_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._post = post
        self._url = token_url
        pair = f"{client_id}:{client_secret}".encode()
        self._basic = "Basic " + base64.b64encode(pair).decode("ascii")
        self._scopes = scopes
        self._redactor = redactor
        self._margin = margin_s
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self.issued = 0  # tokens fetched so far

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.token()}"

    def rejected(self, request: httpx.Request) -> bool:
        used = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            if used == self._token:
                self._token = None
        return True

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                self._token, lifetime = self._fetch()
                self.issued += 1
                self._refresh_at = self._clock() + max(0.0, lifetime - self._margin_for(lifetime))
            return self._token

    def _margin_for(self, lifetime: float) -> float:
        return min(self._margin, lifetime / 10)

    def _fetch(self) -> tuple[str, float]:
        form = {"grant_type": "client_credentials"}
        if self._scopes:
            form["scope"] = " ".join(self._scopes)
        response = self._post(self._url, form, self._basic)
        try:
            data = orjson.loads(response.content)
            token = data["access_token"]
            lifetime = float(data.get("expires_in") or 3600)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise HttpError(
                f"{response.status_code} from {clean_url(self._url)}: the answer holds no "
                "access_token — check auth_url (the OAuth 2 token endpoint)",
                response.status_code,
            ) from None
        self._remember(data)
        if not isinstance(token, str) or not token:
            raise HttpError(f"{clean_url(self._url)} issued an empty access_token")
        return token, lifetime

    def _remember(self, answer: dict[str, object]) -> None:
        """Every token of a token answer, to the redactor (a refresh or id token too)."""
        for name, value in answer.items():
            if isinstance(value, str) and str(name).lower().endswith("token"):
                self._redactor.add(value)


class OAuth1:
    """OAuth 1.0a with HMAC-SHA256 (OneRoster 1.1): each request signed over its method,
    URL and every query and oauth_ parameter, with a fresh nonce and timestamp."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
        redactor: Redactor | None = None,
    ) -> None:
        self._redactor = redactor or Redactor()
        self._key = consumer_key
        self._signing_key = (encode(consumer_secret) + "&").encode()
        self._clock = clock
        self._nonce = nonce

    def sign(self, request: httpx.Request) -> None:
        oauth = {
            "oauth_consumer_key": self._key,
            "oauth_nonce": self._nonce(),
            "oauth_signature_method": "HMAC-SHA256",
            "oauth_timestamp": str(int(self._clock())),
            "oauth_version": "1.0",
        }
        params = [*request.url.params.multi_items(), *oauth.items()]
        base = base_string(request.method, request.url, params)
        digest = hmac.new(self._signing_key, base.encode(), hashlib.sha256).digest()
        oauth["oauth_signature"] = signature = base64.b64encode(digest).decode("ascii")
        self._redactor.add(signature, once=True)
        request.headers["Authorization"] = "OAuth " + ", ".join(
            f'{encode(k)}="{encode(v)}"' for k, v in sorted(oauth.items())
        )

    def rejected(self, request: httpx.Request) -> bool:
        return False  # a signature refused once is refused again


def encode(value: str) -> str:
    """RFC 3986 percent-encoding, as OAuth 1.0a (RFC 5849 3.6) requires."""
    return quote(value, safe="~")


def base_string(method: str, url: httpx.URL, params: list[tuple[str, str]]) -> str:
    """The RFC 5849 signature base string: METHOD&url&sorted-encoded-parameters."""
    port = f":{url.port}" if url.port else ""
    path = url.raw_path.split(b"?", 1)[0].decode("ascii")
    base_url = f"{url.scheme.lower()}://{url.host.lower()}{port}{path}"
    pairs = sorted((encode(k), encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), encode(base_url), encode(normalized)))

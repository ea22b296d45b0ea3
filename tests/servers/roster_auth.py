"""The test server's authentication: OAuth 1.0a HMAC-SHA256 signatures checked as
RFC 5849 describes them, and OAuth 2 client-credentials tokens issued and checked.

Written on its own from the RFCs (not from passport's client), so a signature both sides
agree on is evidence that both read the spec the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

WINDOW_S = 300  # how far a timestamp may be from the server's clock


def pct(value: str) -> str:
    return quote(value, safe="-._~")


def signature_base(method: str, url: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    base_url = f"{scheme}://{host}{port}{parts.path}"
    encoded = sorted((pct(k), pct(v)) for k, v in params)
    joined = "&".join(f"{k}={v}" for k, v in encoded)
    return f"{method.upper()}&{pct(base_url)}&{pct(joined)}"


def parse_oauth_header(header: str) -> dict[str, str]:
    if not header.startswith("OAuth "):
        return {}
    out: dict[str, str] = {}
    for item in header[6:].split(","):
        name, _, value = item.strip().partition("=")
        out[unquote(name)] = unquote(value.strip('"'))
    return out


@dataclass
class Clients:
    """Known clients and the tokens issued to them."""

    credentials: dict[str, str] = field(default_factory=dict)  # client id -> secret
    token_lifetime_s: float = 3600.0
    tokens: dict[str, tuple[str, float, frozenset[str]]] = field(default_factory=dict)
    issued: int = 0
    every_token: list[str] = field(default_factory=list)  # for tests that look for leaks
    _nonces: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, authorization: str, scope: str) -> dict[str, object] | None:
        """A token for HTTP Basic client credentials, or None when they are wrong."""
        if not authorization.startswith("Basic "):
            return None
        try:
            pair = base64.b64decode(authorization[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        client, _, secret = pair.partition(":")
        known = self.credentials.get(client, "\0").encode()
        if not hmac.compare_digest(known, secret.encode()):
            return None
        token = secrets.token_urlsafe(24)
        scopes = frozenset(scope.split())
        with self._lock:
            self.tokens[token] = (client, time.monotonic() + self.token_lifetime_s, scopes)
            self.issued += 1
            self.every_token.append(token)
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_lifetime_s,
            "scope": scope,
        }

    def bearer(self, header: str) -> frozenset[str] | None:
        """The scopes of a valid bearer token, or None."""
        if not header.startswith("Bearer "):
            return None
        with self._lock:
            found = self.tokens.get(header[7:])
        if found is None or time.monotonic() > found[1]:
            return None
        return found[2]

    def expire_all(self) -> None:
        with self._lock:
            self.tokens.clear()

    def signed(self, method: str, url: str, header: str) -> bool:
        """Whether an OAuth 1.0a HMAC-SHA256 signature over method, URL and every query
        and oauth_ parameter is right, fresh and not replayed."""
        oauth = parse_oauth_header(header)
        client = oauth.get("oauth_consumer_key", "")
        secret = self.credentials.get(client)
        if secret is None or oauth.get("oauth_signature_method") != "HMAC-SHA256":
            return False
        stamp, nonce = oauth.get("oauth_timestamp", ""), oauth.get("oauth_nonce", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > WINDOW_S or not nonce:
            return False
        given = oauth.pop("oauth_signature", "")
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        params = query + [(k, v) for k, v in oauth.items() if k.startswith("oauth_")]
        base = signature_base(method, url, params)
        key = f"{pct(secret)}&".encode()
        want = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(want, given):
            return False
        with self._lock:
            if (stamp, nonce) in self._nonces:
                return False
            self._nonces.add((stamp, nonce))
        return True

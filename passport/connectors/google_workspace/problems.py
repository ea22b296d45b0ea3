"""Google's JSON errors as messages a district admin can act on, and the Redactor.

The Directory API answers `{"error": {"code", "message", "errors": [{"reason", ...}]}}`;
token endpoints answer RFC 6749 `{"error": "invalid_grant", "error_description": ...}`.
Every message passes through a `Redactor`, so no token, key, refresh token or password a
server echoes back is ever shown.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from passport.errors import ConnectorError

RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HINTS = {
    "authError": "the credentials are not valid: check them, or run `passport login google` again",
    "invalid_grant": "the grant was refused: a revoked or expired refresh token needs "
    "`passport login google` again; a service account needs domain-wide delegation and "
    "`admin` must be a super admin",
    "unauthorized_client": "in the Admin console (Security > API controls > Domain-wide "
    "delegation) allow the service account's client id these scopes",
    "invalid_client": "check client_id and client_secret",
    "forbidden": "the admin lacks the privilege this needs",
    "insufficientPermissions": "the credentials lack a scope this mode needs: for a login, "
    "run `passport login google` again",
    "duplicate": "it exists already",
    "notFound": "check the name",
    "invalid": "Google refused the value",
    "backendError": "Google failed; try again later",
    "userRateLimitExceeded": "Google is rate limiting; try again later",
    "rateLimitExceeded": "Google is rate limiting; try again later",
    "quotaExceeded": "the project's daily quota is spent; try again tomorrow",
}
_MAX_MESSAGE = 300
# What may look like a bearer token, a JWT or a PEM block in an echoed body.
_SHAPES = (
    re.compile(r"Bearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", re.S),
)


class Redactor:
    """Replaces every known secret (keys, tokens, passwords) in text with ***, and
    anything shaped like a bearer token, a JWT or a PEM key besides."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)
                # A JSON-escaped copy of a PEM key has \n where the key has newlines.
                self._secrets.add(secret.replace("\n", "\\n"))

    def __call__(self, text: str) -> str:
        with self._lock:
            known = sorted(self._secrets, key=len, reverse=True)
        for secret in known:
            text = text.replace(secret, "***")
        for shape in _SHAPES:
            text = shape.sub("***", text)
        return text


class ApiError(ConnectorError):
    """A Directory API call that failed for good. `status` is None when no answer came;
    `reason` is Google's reason (`duplicate`, `notFound`, `invalid`, ...)."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(reason, hint)
        self.status = status
        self.code = code


@dataclass(frozen=True, slots=True)
class GoogleError:
    status: int
    reason: str | None  # errors[0].reason, or the OAuth `error`
    message: str | None

    @property
    def retryable(self) -> bool:
        return self.status in RETRY_STATUSES or (
            self.status == 403 and self.reason in RATE_REASONS and self.reason != "quotaExceeded"
        )


def parse_error(status: int, body: bytes) -> GoogleError:
    """Google's reason and message from an error body, when it holds them."""
    try:
        data: Any = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return GoogleError(status, None, None)
    if not isinstance(data, dict):
        return GoogleError(status, None, None)
    error = data.get("error")
    if isinstance(error, str):  # OAuth 2 token endpoint
        description = data.get("error_description")
        return GoogleError(status, error, description if isinstance(description, str) else None)
    if not isinstance(error, dict):
        return GoogleError(status, None, None)
    message = error.get("message") if isinstance(error.get("message"), str) else None
    reason = None
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        found = errors[0].get("reason")
        reason = found if isinstance(found, str) else None
    return GoogleError(status, reason or _status_word(error), message)


def _status_word(error: dict[str, Any]) -> str | None:
    status = error.get("status")
    return status if isinstance(status, str) else None


def describe(error: GoogleError, method: str, url: str) -> str:
    """`403 from POST https://host/admin/directory/v1/users: forbidden (Not Authorized ...)
    — the admin lacks the privilege this needs`, unredacted: callers redact."""
    text = f"{error.status} from {method} {clean_url(url)}: {error.reason or 'error'}"
    if error.message and error.message != error.reason:
        text += f" ({error.message[:_MAX_MESSAGE]})"
    hint = HINTS.get(error.reason or "")
    if hint is None and error.status >= 500:
        hint = "Google failed; try again later"
    return f"{text} — {hint}" if hint else text


def clean_url(url: str) -> str:
    """The URL without query, fragment or user info: what a message may show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

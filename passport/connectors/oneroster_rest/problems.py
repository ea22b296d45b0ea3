"""Errors a OneRoster service answers with, as messages a district admin can act on.

The imsx status envelope is parsed leniently: 1.2 nests the code in
`imsx_CodeMinor.imsx_codeMinorField[].imsx_codeMinorFieldValue`, many 1.1 servers send a
flat `imsx_codeMinor`, some wrap it in `statusInfoSet`, token endpoints send RFC 6749
`error`. Every message passes through a `Redactor`, so no credential is ever shown.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from passport.errors import ConnectorError

_CREDENTIALS = "check client_id and client_secret"
HINTS = {
    "unauthorisedrequest": _CREDENTIALS,
    "unauthorizedrequest": _CREDENTIALS,
    "invalid_client": _CREDENTIALS,
    "invalid_token": _CREDENTIALS,
    "unauthorized_client": _CREDENTIALS,
    "forbidden": "the credentials lack the scope this needs: check scopes",
    "insufficient_scope": "the credentials lack the scope this needs: check scopes",
    "invalid_scope": "the service refuses a scope: check scopes",
    "unknownobject": "check service_url and version",
    "server_busy": "the service is busy; try again later",
}
STATUS_HINTS = {
    400: "the service refused the request",
    401: _CREDENTIALS,
    403: "the credentials lack the scope this needs: check scopes",
    404: "check service_url and version",
    429: "the service is rate limiting; try again later",
}
_MAX_DESCRIPTION = 200


class HttpError(ConnectorError):
    """A request that failed for good; `status` is None when no response came."""

    def __init__(self, reason: str, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(reason, hint)
        self.status = status


class Redactor:
    """Replaces every known credential (secrets, ids, issued tokens) in text with ***."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "***")
        return text


def clean_url(url: str) -> str:
    """The URL without query, fragment or user info: what a message may show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def failure(status: int, url: str, body: bytes, phrase: str = "") -> str:
    """(reason, hint) for a response that failed, e.g.
    `401 from https://host/.../users: unauthorisedrequest — check client_id and client_secret`."""
    code, description = parse_status(body)
    reason = f"{status} from {clean_url(url)}: {code or phrase or 'error'}"
    if description and description.lower() != (code or "").lower():
        reason += f" ({description[:_MAX_DESCRIPTION]})"
    hint = HINTS.get((code or "").lower()) or STATUS_HINTS.get(status)
    if hint is None and status >= 500:
        hint = "the service failed; try again later"
    return f"{reason} — {hint}" if hint else reason


def parse_status(body: bytes) -> tuple[str | None, str | None]:
    """(code minor, description) from an imsx envelope or an OAuth error, when present."""
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None, None
    code: str | None = None
    description: str | None = None
    for key, value in _walk(data, 0):
        if code is None and key in ("imsx_codeminor", "error"):
            code = _code(value)
        elif description is None and key in ("imsx_description", "error_description"):
            description = value if isinstance(value, str) and value else None
    return code, description


def _walk(data: Any, depth: int) -> Iterator[tuple[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key).lower(), value
            yield from _walk(value, depth + 1)
    elif isinstance(data, list):
        for item in data[:10]:
            yield from _walk(item, depth + 1)


def _code(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    for key, inner in _walk(value, 0):
        if key == "imsx_codeminorfieldvalue" and isinstance(inner, str) and inner:
            return inner
    return None

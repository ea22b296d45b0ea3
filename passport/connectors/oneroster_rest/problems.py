"""Errors a OneRoster service answers with, as messages a district admin can act on.

The imsx status envelope is parsed leniently: 1.2 nests the code in
`imsx_CodeMinor.imsx_codeMinorField[].imsx_codeMinorFieldValue`, many 1.1 servers send a
flat `imsx_codeMinor`, some wrap it in `statusInfoSet`, token endpoints send RFC 6749
`error`. The service's own words (its code, its description, a plain-text or HTML body,
even its reason phrase) are cut to a bounded excerpt with every credential masked
(`passport.redaction`), and the whole message is masked again, so no credential is ever
shown in any encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from passport.errors import ConnectorError
from passport.redaction import Redactor

__all__ = ["HttpError", "Redactor", "clean_url", "failure", "parse_status"]

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
REDIRECT_HINT = (
    "passport does not follow redirects (they could carry credentials elsewhere): "
    "set service_url and auth_url to the address that answers"
)
_DESCRIPTIONS = ("imsx_description", "error_description", "message", "detail")
_MAX_CODE = 100  # characters of a service's error code shown
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


class HttpError(ConnectorError):
    """A request that failed for good; `status` is None when no response came."""

    def __init__(self, reason: str, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(reason, hint)
        self.status = status


def clean_url(url: str) -> str:
    """The URL without query, fragment or user info: what a message may show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def failure(
    status: int,
    url: str,
    body: bytes,
    phrase: str = "",
    *,
    redact: Redactor | None = None,
    location: str | None = None,
) -> str:
    """The message for a response that failed, e.g.
    `401 from https://host/.../users: unauthorisedrequest — check client_id and client_secret`.
    What the service wrote is shown as a masked excerpt; the whole message is masked."""
    redact = redact or Redactor()
    code, description = parse_status(body)
    shown = redact.excerpt(code or phrase or "error", _MAX_CODE)
    reason = f"{status} from {clean_url(url)}: {shown}"
    redirect = 300 <= status < 400
    if redirect and location:
        reason += f" (redirects to {clean_url(location)})"
    detail = description if code or description else body_text(body)
    if detail and detail.lower() != (code or "").lower():
        reason += f" ({redact.excerpt(detail)})"
    hint = HINTS.get((code or "").lower()) or STATUS_HINTS.get(status)
    if redirect:
        hint = REDIRECT_HINT
    elif hint is None and status >= 500:
        hint = "the service failed; try again later"
    return redact(f"{reason} — {hint}" if hint else reason)


def body_text(body: bytes) -> str:
    """A body that is no status envelope, as plain words: HTML tags dropped."""
    text = body.decode("utf-8", "replace")
    if "<" in text and ">" in text:
        text = _TAG.sub(" ", text)
    return " ".join(text.split())


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
        elif description is None and key in _DESCRIPTIONS:
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

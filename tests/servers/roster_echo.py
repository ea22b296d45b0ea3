"""A careless server's error answers: everything the request carried, repeated back.

The `echo`, `echo_html` and `echo_redirect` faults answer with what the client sent: the
Authorization header as sent and decoded (HTTP Basic `id:secret`, a Bearer token, OAuth 1
parameters with their signature), the request line with its query and the form body.
The whole is repeated raw, URL-encoded (both ways), in base64, JSON- and HTML-escaped, so
a client that shows any of it shows a credential in that encoding.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

import orjson
from roster_auth import parse_oauth_header


def said(authorization: str, target: str, body: bytes) -> str:
    """What the request carried, decoded where a server would decode it."""
    parts = [f"Authorization: {authorization}", f"request: {target}"]
    if body:
        parts.append(f"form: {body.decode('utf-8', 'replace')}")
    scheme, _, credential = authorization.partition(" ")
    if scheme == "Basic":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            parts.append(f"credentials: {base64.b64decode(credential).decode()}")
    elif scheme == "Bearer":
        parts.append(f"token: {credential}")
    elif scheme == "OAuth":
        parts += [f"{k}: {v}" for k, v in parse_oauth_header(authorization).items()]
    return "; ".join(parts)


def every_encoding(text: str) -> str:
    forms = [
        text,
        quote(text, safe=""),
        quote_plus(text),
        base64.b64encode(text.encode()).decode(),
        base64.urlsafe_b64encode(text.encode()).decode().rstrip("="),
        json.dumps(text)[1:-1],
        html.escape(text),
    ]
    return " | ".join(forms)


def json_body(text: str, token_endpoint: bool) -> bytes:
    """An OAuth error at the token endpoint, an imsx envelope elsewhere; the echo goes into
    the error code and the description both."""
    echoed = every_encoding(text)
    if token_endpoint:
        return orjson.dumps({"error": f"invalid_request {text}", "error_description": echoed})
    return orjson.dumps(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_codeMinor": f"invalid_data {text}",
            "imsx_description": echoed,
        }
    )


def html_body(text: str) -> bytes:
    escaped = html.escape(every_encoding(text))
    return f"<html><body><h1>Request refused</h1><p>{escaped}</p></body></html>".encode()


def redirect_location(host: str, authorization: str, text: str) -> str:
    """Where a redirect sends the client: the credentials in the user info, the path and
    the query, as a broken single-sign-on proxy would."""
    scheme, _, credential = authorization.partition(" ")
    userinfo = ""
    if scheme == "Basic":
        try:
            user, _, password = base64.b64decode(credential).decode().partition(":")
            userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}@"
        except (binascii.Error, UnicodeDecodeError):
            pass
    path = f"/moved/{quote(credential, safe='')}/{quote(text, safe='')}"
    return f"http://{userinfo}{host}{path}?echo={quote_plus(every_encoding(text))}"


def headers_for(kind: str) -> Mapping[str, str]:
    return {"Content-Type": "text/html; charset=utf-8"} if kind == "echo_html" else {}

"""Checks of the `delivery` mapping against its application: schema, secrets, URLs."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Collection, Mapping
from typing import Any

from passport import secrets
from passport.config.document import Document
from passport.config.excerpt import cut
from passport.config.paths import JsonPath
from passport.config.schema import schema_problems
from passport.connectors.base import Application
from passport.errors import Problem
from passport.model import Mode

_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
REFERENCE_HINT = "write a reference like ${env:NAME} or ${file:PATH}"


def is_secret_path(path: JsonPath, app: Application | None) -> bool:
    """True for a setting whose value must never be shown."""
    if path[:2] == ("privacy_shield", "key"):
        return True
    if len(path) < 2 or path[0] != "delivery":
        return False
    declared = app.secret_fields if app else frozenset()
    urls = app.url_fields if app else frozenset()
    return any(
        isinstance(part, str) and secrets.is_secret_field(part, declared, urls) for part in path[1:]
    )


def delivery_problems(doc: Document, data: Mapping[str, Any], app: Application) -> list[Problem]:
    delivery = data.get("delivery")
    if not isinstance(delivery, Mapping):
        return []  # the activation schema says so
    problems = schema_problems(
        doc,
        delivery,
        app.delivery_schema,
        prefix=("delivery",),
        secret=lambda path: is_secret_path(path, app),
        noun=f"setting of {app.name}",
    )
    problems += _secrets(doc, delivery, ("delivery",), app)
    problems += _urls(doc, delivery, app.url_fields)
    mode = data.get("mode")
    if app.check and mode in set(Mode):
        for path, message in app.check(delivery, Mode(mode)):
            problems.append(doc.problem(("delivery", *path), message, key=True))
    return problems


def secret_value_problem(value: Any, declared: bool) -> str | None:
    """Why a secret setting's value is not acceptable; never repeats the value."""
    if isinstance(value, str):
        if secrets.is_reference(value):
            return None
        if value.startswith("${"):
            return f"is not a valid secret reference; {REFERENCE_HINT}"
        return f"holds a plain-text secret; {REFERENCE_HINT} instead"
    if declared and value is not None:
        return f"must be a secret reference; {REFERENCE_HINT}"
    return None


def _secrets(
    doc: Document, mapping: Mapping[str, Any], path: JsonPath, app: Application
) -> list[Problem]:
    declared = app.secret_fields if len(path) == 1 else frozenset()
    problems = []
    for key, value in mapping.items():
        where = (*path, key)
        if secrets.is_secret_field(key, declared, app.url_fields):
            message = secret_value_problem(value, key in declared)
            if message:
                problems.append(doc.problem(where, message))
        elif isinstance(value, Mapping):
            problems += _secrets(doc, value, where, app)
    return problems


def _urls(doc: Document, delivery: Mapping[str, Any], url_fields: Collection[str]) -> list[Problem]:
    problems = []
    for name in sorted(url_fields):
        value = delivery.get(name)
        if isinstance(value, str) and _HAS_SCHEME.match(value):
            message = url_problem(value)
            if message:
                problems.append(doc.problem(("delivery", name), message))
    return problems


def url_problem(url: str) -> str | None:
    """Why a service URL is not acceptable (https, or http to this machine only)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        has_credentials = bool(parts.username or parts.password)
    except ValueError:
        return "is not a valid URL"
    if has_credentials:
        return "must not hold credentials; use the client_id and client_secret settings"
    if not host:
        return "has no host name"
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
        return None
    if parts.scheme == "http":
        return "must use https (http is allowed only for localhost, 127.0.0.0/8 and ::1)"
    return f"must be an https:// URL, not {cut(parts.scheme, 20)}://"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

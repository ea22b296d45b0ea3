"""The part of the Directory API's user search language the test server understands.

    email:jane*  givenName:Ja  familyName='De Luca'  orgUnitPath='/Students/Lincoln'
    isSuspended=false  externalId=S-1042

Clauses are joined by spaces (AND). `:` is a case-insensitive prefix match (a trailing
`*` is allowed), `=` an exact one; `orgUnitPath=` matches the OU and every OU below it,
as Google's does. Anything else is 400 Invalid Input, as it is at Google.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from google_data import GError

_CLAUSE = re.compile(r"\s*(\w+)([:=])('(?:[^'\\]|\\.)*'|\S+)")
Test = Callable[[dict[str, Any]], bool]


def _text(user: dict[str, Any], name: str) -> str:
    if name == "email":
        return str(user.get("primaryEmail", ""))
    if name == "name":
        return str(user.get("name", {}).get("fullName", ""))
    return str(user.get("name", {}).get(name, ""))


def _clause(name: str, op: str, value: str) -> Test:
    if value.startswith("'"):
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    lowered = value.lower().rstrip("*")
    if name in ("email", "givenName", "familyName", "name"):
        if op == ":":
            return lambda u: _text(u, name).lower().startswith(lowered)
        return lambda u: _text(u, name).lower() == value.lower()
    if name == "orgUnitPath" and op == "=":
        base = "/" + value.strip("/") if value.strip("/") else "/"
        return lambda u: (
            base == "/"
            or u.get("orgUnitPath") == base
            or str(u.get("orgUnitPath", "")).startswith(base + "/")
        )
    if name == "isSuspended" and op == "=" and lowered in ("true", "false"):
        return lambda u: bool(u.get("suspended")) == (lowered == "true")
    if name == "externalId" and op == "=":
        return lambda u: any(e.get("value") == value for e in u.get("externalIds") or [])
    raise GError(400, "invalid", "Invalid Input")


def parse(query: str) -> Test:
    tests: list[Test] = []
    at = 0
    query = query.strip()
    while at < len(query):
        found = _CLAUSE.match(query, at)
        if found is None:
            raise GError(400, "invalid", "Invalid Input")
        tests.append(_clause(*found.groups()))
        at = found.end()
    return lambda user: all(test(user) for test in tests)

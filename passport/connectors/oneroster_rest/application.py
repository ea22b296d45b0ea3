"""How the `oneroster-rest` application describes itself to the gallery, `validate` and
`init`. Light: the connector (`connector.py`, which needs httpx) is imported only when a
connection opens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passport.connectors.base import Application, Capabilities, JsonPath, load_schema
from passport.mapping.fields import OneRosterFields
from passport.model import Mode
from passport.oneroster import ENTITIES


def auth_of(delivery: Mapping[str, Any]) -> str:
    """The auth scheme: as set, else OAuth 1 for OneRoster 1.1 and OAuth 2 for 1.2."""
    auth = delivery.get("auth")
    if isinstance(auth, str):
        return auth
    return "oauth1" if delivery.get("version") == "1.1" else "oauth2"


def derive(delivery: dict[str, Any]) -> None:
    delivery.setdefault("auth", auth_of(delivery))


def check(delivery: Mapping[str, Any], mode: Mode) -> list[tuple[JsonPath, str]]:
    found: list[tuple[JsonPath, str]] = []
    if auth_of(delivery) == "oauth2" and "auth_url" not in delivery:
        found.append(((), "'auth_url' is required for oauth2 (the token endpoint)"))
    if mode != Mode.IMPORT and delivery.get("write") is not True:
        at: JsonPath = ("write",) if "write" in delivery else ()
        found.append((at, f"mode {mode} writes to the application: set write: true"))
    return found


def starter(name: str, mode: Mode) -> dict[str, Any]:
    prefix = name.upper().replace("-", "_")
    return {
        "service_url": "https://sis.example.edu/ims/oneroster",
        "auth_url": "https://sis.example.edu/oauth/token",
        "client_id": f"${{env:{prefix}_CLIENT_ID}}",
        "client_secret": f"${{env:{prefix}_CLIENT_SECRET}}",
        "version": "1.2",
        "write": mode != Mode.IMPORT,
    }


APPLICATION = Application(
    name="oneroster-rest",
    title="OneRoster REST",
    summary="Any service speaking the OneRoster 1.1 or 1.2 REST API (SIS, LMS).",
    delivery_schema=load_schema("oneroster-rest"),
    capabilities=Capabilities(
        reads=frozenset(ENTITIES),
        writes=frozenset(ENTITIES),
        accepts_masked=True,
        delta_reads=True,  # reads the changes since a watermark (dateLastModified filter)
        atomic_writes=False,  # each PUT or DELETE succeeds or fails alone
    ),
    factory="passport.connectors.oneroster_rest.connector:connect",
    secret_fields=frozenset({"client_id", "client_secret"}),
    url_fields=frozenset({"service_url", "auth_url"}),
    check=check,
    derive=derive,
    starter=starter,
    field_map=OneRosterFields.for_rest,  # as the service's version and binding hold records
)
